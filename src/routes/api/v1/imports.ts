// POST /api/v1/test-runs/import (a job, 202 + Location) and GET /api/v1/jobs/{id}. The upload is
// streamed to disk by the body parsers (text/csv here, multipart scoped to this plugin), never
// held in memory; the parsed body stands for the file by its digest, so Idempotency-Key compares
// files. The work runs in a worker thread (src/domain/imports.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { Static } from 'typebox';
import type { Readable } from 'node:stream';
import {
  IMPORT_LIMITS,
  UploadTooLargeError,
  createImportJob,
  importRunnerFor,
  removeUpload,
  saveUpload,
  type ImportMode,
  type SavedUpload,
} from '../../../domain/imports.js';
import { TEST_RUN_CSV_MAPPING, TEST_RUN_CSV_RULES } from '../../../domain/test-run-csv.js';
import { HttpProblem, problem } from '../../../plugins/problems.js';
import { IdParams, IdempotencyHeader, ref } from '../../../schemas/common.js';
import { ImportBody, ImportJob, ImportQuery } from '../../../schemas/imports.js';
import { errorResponses, jsonResponse, problemResponse } from './http.js';

export interface Upload extends SavedUpload {
  filename: string;
}

function tooLarge(): HttpProblem {
  return new HttpProblem(problem('payload-too-large', new UploadTooLargeError(IMPORT_LIMITS.bytes).message));
}

/**
 * Registers, in the calling plugin's scope, the parsers that save an uploaded CSV to the data
 * folder: a multipart field `file` and (with `csvBody`) a `text/csv` body. Returns how a handler
 * takes the upload; an upload no handler took is removed when the response is sent.
 */
export async function registerImportUploads(app: FastifyInstance, options: { csvBody: boolean }) {
  const uploads = new WeakMap<FastifyRequest, Upload & { taken?: boolean }>();
  const checkLength = (request: FastifyRequest) => {
    const length = Number(request.headers['content-length']);
    if (Number.isFinite(length) && length > IMPORT_LIMITS.bytes + 64 * 1024) throw tooLarge();
  };
  const save = async (request: FastifyRequest, stream: Readable, filename: string): Promise<string> => {
    try {
      const saved = await saveUpload(app.db, stream, IMPORT_LIMITS.bytes);
      uploads.set(request, { ...saved, filename });
      return `sha256:${saved.sha256}:${saved.size}`;
    } catch (error) {
      if (error instanceof UploadTooLargeError) throw tooLarge();
      throw error;
    }
  };

  if (options.csvBody) {
    app.addContentTypeParser('text/csv', (request, payload, done) => {
      try {
        checkLength(request);
      } catch (error) {
        return done(error as Error, undefined);
      }
      save(request, payload, '').then(
        (digest) => done(null, digest),
        (error: Error) => done(error, undefined),
      );
    });
  }

  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: IMPORT_LIMITS.bytes + 1, files: 1, fields: 20, fieldSize: 10_000, parts: 25 },
    async onFile(this: FastifyRequest, part: MultipartFile) {
      if (part.fieldname !== 'file') {
        part.file.resume();
        (part as unknown as { value: string }).value = '';
        return;
      }
      (part as unknown as { value: string }).value = await save(this, part.file, part.filename ?? '');
    },
  });
  app.addHook('onRequest', async (request) => {
    if (request.isMultipart()) checkLength(request);
  });

  app.addHook('onResponse', async (request) => {
    const upload = uploads.get(request);
    if (upload && !upload.taken) removeUpload(app.db, upload.sourcePath);
  });

  return {
    take(request: FastifyRequest): Upload | undefined {
      const upload = uploads.get(request);
      if (!upload) return undefined;
      upload.taken = true;
      return upload;
    },
  };
}

function mappingDescription(): string {
  const rows = TEST_RUN_CSV_MAPPING.map((m) => `| \`${m.column}\` | ${m.required ? 'yes' : ''} | ${m.meaning.replace(/\|/g, '\\|')} | \`${m.example}\` |`);
  return [
    'Imports test runs from a CSV file (a `text/csv` body, or a multipart form with the file in `file`), as a job: answers 202 with',
    '`Location: /api/v1/jobs/{id}`; poll that job for its status, counts and errors. The server keeps answering while it runs.',
    '',
    `Every row is checked with the same rules as \`createTestRun\`. By default the import is **all or nothing**: one bad row and`,
    'nothing is written (`mode=valid_rows` writes the valid rows and reports the others). `dry_run=true` writes nothing and reports',
    'what would be created, updated or left unchanged, and every error. A job cut off by a server restart is failed and has',
    'written nothing.',
    '',
    `Limits: ${IMPORT_LIMITS.bytes / (1024 * 1024)} MB per file (413 above), ${IMPORT_LIMITS.rows.toLocaleString('en-US')} rows per file (the job fails above).`,
    '',
    '**Columns** (the layout of the test-run CSV export; one row per run):',
    '',
    '| column | required | meaning | example |',
    '|---|---|---|---|',
    ...rows,
    '',
    ...TEST_RUN_CSV_RULES.map((r) => `- ${r}`),
  ].join('\n');
}

export async function importsRoutes(app: FastifyInstance) {
  const runner = importRunnerFor(app.db);
  app.addHook('onClose', async () => runner.close());
  const uploads = await registerImportUploads(app, { csvBody: true });

  app.post('/api/v1/test-runs/import', {
    schema: {
      operationId: 'importTestRuns',
      tags: ['Test runs'],
      summary: 'Import test runs from CSV (a job)',
      description: mappingDescription(),
      querystring: ImportQuery,
      headers: IdempotencyHeader,
      body: ImportBody,
      response: {
        202: jsonResponse(ref(ImportJob), 'The job, queued; follow Location for its progress', ['location']),
        ...errorResponses.create,
        413: problemResponse('payload-too-large', `The file is larger than ${IMPORT_LIMITS.bytes / (1024 * 1024)} MB`),
        415: problemResponse('unsupported-media-type', 'Send text/csv or multipart/form-data with the file in `file`'),
      },
    },
    handler: async (request, reply) => {
      const query = request.query as Static<typeof ImportQuery>;
      const upload = uploads.take(request);
      const mediaType = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!upload && mediaType !== '' && mediaType !== 'text/csv' && mediaType !== 'multipart/form-data') {
        throw new HttpProblem(problem('unsupported-media-type', `send the CSV file as text/csv, or as the field \`file\` of multipart/form-data, not ${mediaType}`));
      }
      if (!upload) {
        throw new HttpProblem(
          problem('validation', 'send the CSV file as a text/csv body or as the field `file` of a multipart form', { errors: [{ path: '/file', message: 'is required' }] }),
        );
      }
      const job = createImportJob(app.db, request.actor, {
        filename: upload.filename,
        sourcePath: upload.sourcePath,
        dryRun: query.dry_run ?? false,
        mode: (query.mode ?? 'all_or_nothing') as ImportMode,
      });
      runner.enqueue(job.id);
      reply.code(202).header('location', `/api/v1/jobs/${job.id}`);
      return runner.job(job.id);
    },
  });

  app.get('/api/v1/jobs/:id', {
    schema: {
      operationId: 'getJob',
      tags: ['Test runs'],
      summary: 'Get an import job',
      description:
        'Status (`queued`, `running`, `succeeded`, `failed`), counts (live while it runs: `rows_read`, `rows_valid`, `rows_created`, ' +
        '`rows_updated`, `rows_unchanged`, `error_count`), `progress` while it runs, and the first 1000 `errors` (row, column, message).',
      params: IdParams,
      response: { 200: jsonResponse(ref(ImportJob), 'The job'), ...errorResponses.item },
    },
    handler: async (request) => {
      const { id } = request.params as Static<typeof IdParams>;
      return runner.job(id);
    },
  });
}
