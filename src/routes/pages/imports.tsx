// Import pages: /test-runs/import (the mapping, the upload form, recent jobs) and /imports/:id (the
// job, with a progress section that htmx polls while it runs). The upload goes through the same
// parsers and domain as POST /api/v1/test-runs/import.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { IMPORT_MODES } from '../../../db/schema.js';
import { createImportJob, importRunnerFor, listImportJobs, removeUpload, type ImportMode } from '../../domain/imports.js';
import { canWrite } from '../../domain/permissions.js';
import { findUser } from '../../domain/users.js';
import { IdParams } from '../../schemas/common.js';
import { ImportForm, ImportPage, JobPage, JobStatus, jobTitle, type ImportFormProps } from '../../../views/pages/imports/import-pages.js';
import { registerImportUploads } from '../api/v1/imports.js';
import type { FormBody } from './forms.js';
import { pageContext, renderPage, seeOther } from './render.js';

const CRUMBS = [{ label: 'Test runs', href: '/test-runs' }];

export async function importsPages(app: FastifyInstance) {
  const runner = importRunnerFor(app.db);
  const uploads = await registerImportUploads(app, { csvBody: false });

  function mayImport(request: FastifyRequest): boolean {
    const role = request.auth?.user?.role;
    return role !== undefined && canWrite(role as Parameters<typeof canWrite>[0], 'import');
  }

  function renderImportPage(request: FastifyRequest, reply: FastifyReply, form: Omit<ImportFormProps, 'csrfToken'>, status?: number) {
    const ctx = pageContext(request, reply);
    const formView = mayImport(request) ? <ImportForm {...form} csrfToken={ctx.csrfToken} /> : undefined;
    const jobs = listImportJobs(app.db, 10).map((j) => runner.withProgress(j));
    return renderPage(request, reply, ctx, { title: 'Import test runs', status, breadcrumbs: [...CRUMBS, { label: 'Import' }] }, <ImportPage form={formView} jobs={jobs} />);
  }

  app.get('/test-runs/import', async (request, reply) => renderImportPage(request, reply, { values: {}, errors: {} }));

  app.post('/test-runs/import', async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const upload = uploads.take(request);
    const mode = typeof body.mode === 'string' && (IMPORT_MODES as readonly string[]).includes(body.mode) ? (body.mode as ImportMode) : undefined;
    const dryRun = body.dry_run === 'true' || body.dry_run === 'on';
    const errors: Record<string, string> = {};
    if (!upload || (upload.size === 0 && !upload.filename)) errors.file = 'Choose a CSV file to import.';
    else if (upload.size === 0) errors.file = 'The file is empty.';
    if (body.mode !== undefined && !mode) errors.mode = 'Choose one of the two ways.';
    if (!upload || Object.keys(errors).length) {
      removeUpload(app.db, upload?.sourcePath);
      return renderImportPage(request, reply, { values: { dry_run: dryRun, mode: mode ?? 'all_or_nothing' }, errors }, 422);
    }
    const job = createImportJob(app.db, request.actor, { filename: upload.filename, sourcePath: upload.sourcePath, dryRun, mode: mode ?? 'all_or_nothing' });
    runner.enqueue(job.id);
    return seeOther(request, reply, `/imports/${job.id}`);
  });

  app.get('/imports/:id', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const job = runner.job(id);
    const ctx = pageContext(request, reply);
    const by = job.created_by === null ? null : (findUser(app.db, job.created_by)?.username ?? null);
    const title = jobTitle(job);
    return renderPage(
      request,
      reply,
      ctx,
      { title, breadcrumbs: [...CRUMBS, { label: 'Import', href: '/test-runs/import' }, { label: title }] },
      <JobPage job={job} by={by} />,
      <JobStatus job={job} />,
    );
  });
}
