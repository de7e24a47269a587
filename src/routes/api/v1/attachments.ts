// Attachments of test runs: multipart uploads streamed to disk (several files per request),
// metadata, download and delete. Multipart parsing is registered here only.
import fs from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart, { type Multipart } from '@fastify/multipart';
import type { SwaggerTransform } from '@fastify/swagger';
import { Type, type Static } from 'typebox';
import {
  ATTACHMENT_LIMITS,
  AttachmentRefusedError,
  attachmentContent,
  contentDisposition,
  deleteAttachment,
  getAttachment,
  listAttachments,
  requireRun,
  uploadAttachments,
  type AttachmentItem,
  type IncomingFile,
  ATTACHMENT_CONTENT_TYPES,
} from '../../../domain/attachments.js';
import { DomainError, InvalidInputError } from '../../../domain/errors.js';
import { HttpProblem, problem, type ProblemSlug } from '../../../plugins/problems.js';
import { Attachment, AttachmentListQuery, AttachmentUploadBody } from '../../../schemas/attachments.js';
import { IdempotencyHeader, IdParams, PageOf, ref } from '../../../schemas/common.js';
import { errorResponses, jsonResponse, problemResponse, sendPage } from './http.js';

const TAGS = ['Attachments'];

/** Busboy limits for one upload request. */
export const UPLOAD_LIMITS = {
  fileSize: ATTACHMENT_LIMITS.fileSize,
  files: ATTACHMENT_LIMITS.filesPerRequest,
  fields: 20,
  fieldSize: 10_000,
  parts: ATTACHMENT_LIMITS.filesPerRequest + 20,
  headerPairs: 100,
};

/** Registers @fastify/multipart in the calling (encapsulated) plugin only. */
export async function registerMultipart(app: FastifyInstance): Promise<void> {
  if (app.hasContentTypeParser('multipart/form-data')) return;
  await app.register(multipart, { limits: UPLOAD_LIMITS, throwFileSizeLimit: true });
}

/** The file parts of a multipart stream (fields are skipped). */
export async function* fileParts(parts: AsyncIterable<Multipart>, first?: Multipart): AsyncGenerator<IncomingFile> {
  if (first?.type === 'file') yield { filename: first.filename, mimetype: first.mimetype, stream: first.file };
  for await (const part of parts) {
    if (part.type !== 'file') continue;
    yield { filename: part.filename, mimetype: part.mimetype, stream: part.file };
  }
}

const SLUG: Record<number, ProblemSlug> = { 413: 'payload-too-large', 415: 'unsupported-media-type', 422: 'invalid-input' };

/** Upload refusals and multipart parser errors as the problems a client should see. */
export function uploadProblem(error: unknown): unknown {
  if (error instanceof AttachmentRefusedError) {
    return new HttpProblem(problem(SLUG[error.statusCode]!, error.message, error.errors.length ? { errors: error.errors } : {}));
  }
  if (error instanceof DomainError || error instanceof HttpProblem) return error;
  const e = error as { code?: string; statusCode?: number; message?: string };
  if (e?.code === 'FST_FILES_LIMIT' || e?.code === 'FST_PARTS_LIMIT') {
    return new HttpProblem(problem('payload-too-large', `send at most ${ATTACHMENT_LIMITS.filesPerRequest} files per request`));
  }
  if (e?.code === 'FST_REQ_FILE_TOO_LARGE') {
    return new HttpProblem(problem('payload-too-large', `a file is larger than ${ATTACHMENT_LIMITS.fileSize / 1024 / 1024} MB`));
  }
  if (typeof e?.code === 'string' && e.code.startsWith('FST_') && typeof e.statusCode === 'number' && e.statusCode < 500) {
    return new HttpProblem(problem(e.statusCode === 413 ? 'payload-too-large' : 'validation', e.message ?? 'the multipart body was refused', { status: e.statusCode === 413 ? 413 : 400 }));
  }
  // Busboy's own parse errors carry no code: a malformed body, not a server fault.
  if (error instanceof Error && e.code === undefined && !(error instanceof TypeError) && !(error instanceof RangeError)) {
    return new HttpProblem(problem('validation', `the multipart body is malformed: ${error.message}`));
  }
  return error;
}

/** Reads a multipart upload of `request` into attachments of run `runId` (all or nothing). */
export async function receiveUpload(app: FastifyInstance, request: FastifyRequest, runId: number, first?: Multipart, parts?: AsyncIterableIterator<Multipart>): Promise<AttachmentItem[]> {
  if (!request.isMultipart()) {
    throw new HttpProblem(problem('unsupported-media-type', 'send the files as multipart/form-data (one part per file)'));
  }
  try {
    const items = await uploadAttachments(app.db, request.actor, runId, fileParts(parts ?? request.parts({ limits: UPLOAD_LIMITS }), first));
    if (items.length === 0) throw new InvalidInputError([{ path: '/files', message: 'choose at least one file' }]);
    return items;
  } catch (error) {
    throw uploadProblem(error);
  }
}

/** Headers of a download: the stored type, a safe disposition, and no sniffing. */
export function downloadHeaders(item: AttachmentItem): Record<string, string> {
  const textual = item.content_type.startsWith('text/') || item.content_type === 'application/json';
  return {
    'content-type': textual ? `${item.content_type}; charset=utf-8` : item.content_type,
    'content-length': String(item.size),
    'content-disposition': contentDisposition(item.filename),
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'private, no-cache',
    etag: `"sha256-${item.sha256}"`,
  };
}

// Documentation only: the multipart body is read as a stream by the handler, not validated.
const uploadDocs: SwaggerTransform = ({ schema, url }) => ({
  url,
  schema: { ...schema, body: { content: { 'multipart/form-data': { schema: AttachmentUploadBody } } } },
});

const UploadResult = Type.Object({ items: Type.Array(ref(Attachment), { maxItems: ATTACHMENT_LIMITS.filesPerRequest }) });

export async function attachmentsRoutes(app: FastifyInstance) {
  await registerMultipart(app);

  app.get('/api/v1/test-runs/:id/attachments', {
    schema: {
      operationId: 'listTestRunAttachments',
      tags: TAGS,
      summary: "List a test run's attachments",
      description: 'Files attached to the run, oldest first by default.',
      params: IdParams,
      querystring: AttachmentListQuery,
      response: { 200: jsonResponse(PageOf(ref(Attachment)), 'A page of attachments', ['link']), ...errorResponses.item },
    },
    handler: async (request, reply) => {
      const { id } = request.params as Static<typeof IdParams>;
      return sendPage(request, reply, listAttachments(app.db, id, request.query as Static<typeof AttachmentListQuery>));
    },
  });

  app.post('/api/v1/test-runs/:id/attachments', {
    config: {
      swaggerTransform: uploadDocs,
    },
    schema: {
      operationId: 'uploadTestRunAttachments',
      tags: TAGS,
      summary: 'Attach files to a test run',
      description:
        `A \`multipart/form-data\` body with one part per file (at most ${ATTACHMENT_LIMITS.filesPerRequest} files, ` +
        `${ATTACHMENT_LIMITS.fileSize / 1024 / 1024} MB each). The type is recognised from the bytes (magic numbers), not from ` +
        'the declared type or the extension: PNG, JPEG, PDF, ZIP (also .xlsx), Parquet, MDF4, JSON, CSV or plain UTF-8 text. ' +
        'Another type is 415; bytes that contradict the declared part type are 422; a file over the limit is 413. All files ' +
        'of a request are stored or none. An `Idempotency-Key` here is matched on the path only (the multipart body is not compared).',
      params: IdParams,
      headers: IdempotencyHeader,
      response: {
        201: jsonResponse(UploadResult, 'The attachments created, in upload order'),
        ...errorResponses.create,
        404: problemResponse('not-found', 'No such test run'),
        413: problemResponse('payload-too-large', `A file is over ${ATTACHMENT_LIMITS.fileSize / 1024 / 1024} MB or the request has more than ${ATTACHMENT_LIMITS.filesPerRequest} files`),
        415: problemResponse('unsupported-media-type', 'Not multipart, or a file type outside the allowlist'),
        422: problemResponse('invalid-input', "A file's bytes contradict its declared type, a file is empty, or no file was sent"),
      },
    },
    handler: async (request, reply) => {
      const { id } = request.params as Static<typeof IdParams>;
      requireRun(app.db, id);
      const items = await receiveUpload(app, request, id);
      return reply.code(201).send({ items });
    },
  });

  app.get('/api/v1/attachments/:id', {
    schema: {
      operationId: 'getAttachment',
      tags: TAGS,
      summary: "Get an attachment's metadata",
      params: IdParams,
      response: { 200: jsonResponse(ref(Attachment), 'The attachment'), ...errorResponses.item },
    },
    handler: async (request) => getAttachment(app.db, (request.params as Static<typeof IdParams>).id),
  });

  app.get('/api/v1/attachments/:id/content', {
    schema: {
      operationId: 'downloadAttachment',
      tags: TAGS,
      summary: "Download an attachment's bytes",
      description: 'Answers the stored content type with `Content-Disposition: attachment` and `X-Content-Type-Options: nosniff`.',
      params: IdParams,
      response: {
        200: {
          description: 'The bytes',
          headers: {
            'content-disposition': { type: 'string', description: "`attachment; filename=\"…\"; filename*=UTF-8''…`" },
            etag: { type: 'string', description: 'The SHA-256 of the bytes.' },
          },
          // Served with the stored content type: one of the allowlisted types found in the bytes.
          content: Object.fromEntries(
            ATTACHMENT_CONTENT_TYPES.map((type) => [type, { schema: { type: 'string', format: 'binary', description: 'The file as uploaded.' } }]),
          ),
        },
        ...errorResponses.item,
      },
    },
    handler: async (request, reply) => {
      const { item, file } = attachmentContent(app.db, (request.params as Static<typeof IdParams>).id);
      reply.headers(downloadHeaders(item));
      return reply.send(fs.createReadStream(file));
    },
  });

  app.delete('/api/v1/attachments/:id', {
    schema: {
      operationId: 'deleteAttachment',
      tags: TAGS,
      summary: 'Delete an attachment',
      description: 'Attachments are immutable, so no If-Match is needed. The file is removed; the audit keeps the metadata.',
      params: IdParams,
      response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses.remove },
    },
    handler: async (request, reply) => {
      deleteAttachment(app.db, request.actor, (request.params as Static<typeof IdParams>).id);
      return reply.code(204).send();
    },
  });
}
