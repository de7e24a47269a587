// A run's attachments on the pages: the section the run page loads, the same as a page of its own
// (no JavaScript), uploads (multipart, registered here only), downloads and deletes.
import fs from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Multipart } from '@fastify/multipart';
import type { Static } from 'typebox';
import { attachmentContent, deleteAttachment, getAttachment, listAttachments, requireRun } from '../../domain/attachments.js';
import { InvalidInputError } from '../../domain/errors.js';
import { canWrite } from '../../domain/permissions.js';
import { getTestRun } from '../../domain/test-runs.js';
import type { Role } from '../../domain/users.js';
import { HttpProblem, toProblem } from '../../plugins/problems.js';
import { IdParams } from '../../schemas/common.js';
import { AttachmentsPage, AttachmentsSection, DeleteAttachmentConfirm } from '../../../views/pages/attachments/attachment-pages.js';
import { downloadHeaders, receiveUpload, registerMultipart, UPLOAD_LIMITS } from '../api/v1/attachments.js';
import { pageContext, renderPage, seeOther } from './render.js';

/** The multipart stream of an upload, started before the CSRF check (which needs its first field). */
interface PendingUpload {
  parts: AsyncIterableIterator<Multipart>;
  first?: Multipart;
}
const pendingUploads = new WeakMap<FastifyRequest, PendingUpload>();

function mayWrite(request: FastifyRequest): boolean {
  const role = request.auth?.user?.role as Role | undefined;
  return role !== undefined && canWrite(role, 'attachment');
}

function renderSection(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  runId: number,
  extra: { message?: string; error?: string; status?: number } = {},
): FastifyReply {
  const run = getTestRun(app.db, runId);
  // A run has few files: the first 200 are all of them in practice.
  const items = listAttachments(app.db, runId, { limit: 200 }).items;
  const ctx = pageContext(request, reply);
  const props = { runId, items, csrfToken: ctx.csrfToken, canWrite: mayWrite(request), message: extra.message, error: extra.error };
  return renderPage(
    request,
    reply,
    ctx,
    {
      title: `${run.code} attachments`,
      status: extra.status,
      breadcrumbs: [{ label: 'Test runs', href: '/test-runs' }, { label: run.code, href: `/test-runs/${run.id}` }, { label: 'Attachments' }],
    },
    <AttachmentsPage {...props} runCode={run.code} runTitle={run.title} />,
    <AttachmentsSection {...props} />,
  );
}

export async function attachmentPages(app: FastifyInstance) {
  await registerMultipart(app);

  app.get('/test-runs/:id/attachments', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    return renderSection(app, request, reply, id);
  });

  app.post(
    '/test-runs/:id/attachments',
    {
      schema: { params: IdParams, hide: true },
      // The CSRF check (a preHandler of the pages plugin) reads `_csrf` from the body; a multipart
      // body is a stream, so its first part is read here: the form sends `_csrf` before the files.
      preValidation: async (request) => {
        if (!request.isMultipart()) return;
        const parts = request.parts({ limits: UPLOAD_LIMITS });
        const first = await parts.next();
        const pending: PendingUpload = { parts };
        if (!first.done) {
          if (first.value.type === 'field' && first.value.fieldname === '_csrf') request.body = { _csrf: String(first.value.value) };
          else pending.first = first.value;
        }
        pendingUploads.set(request, pending);
      },
    },
    async (request, reply) => {
      const { id } = request.params as Static<typeof IdParams>;
      requireRun(app.db, id);
      const pending = pendingUploads.get(request);
      try {
        const items = await receiveUpload(app, request, id, pending?.first, pending?.parts);
        const message = `${items.length} ${items.length === 1 ? 'file' : 'files'} attached: ${items.map((i) => i.filename).join(', ')}.`;
        if (request.headers['hx-request'] === 'true') return renderSection(app, request, reply, id, { message });
        return seeOther(request, reply, `/test-runs/${id}/attachments`, message);
      } catch (error) {
        // Refusals of the files are shown in the section; anything else is an error page.
        if (!(error instanceof HttpProblem) && !(error instanceof InvalidInputError)) throw error;
        const p = toProblem(error);
        return renderSection(app, request, reply, id, { error: p.detail, status: p.status });
      }
    },
  );

  app.get('/attachments/:id/content', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { item, file } = attachmentContent(app.db, (request.params as Static<typeof IdParams>).id);
    reply.headers(downloadHeaders(item));
    return reply.send(fs.createReadStream(file));
  });

  app.get('/attachments/:id/delete', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const item = getAttachment(app.db, (request.params as Static<typeof IdParams>).id);
    const run = getTestRun(app.db, item.test_run_id);
    const ctx = pageContext(request, reply);
    return renderPage(
      request,
      reply,
      ctx,
      {
        title: `Delete ${item.filename}`,
        breadcrumbs: [
          { label: 'Test runs', href: '/test-runs' },
          { label: run.code, href: `/test-runs/${run.id}` },
          { label: 'Attachments', href: `/test-runs/${run.id}/attachments` },
          { label: 'Delete' },
        ],
      },
      <DeleteAttachmentConfirm item={item} csrfToken={ctx.csrfToken} />,
    );
  });

  app.post('/attachments/:id/delete', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const deleted = deleteAttachment(app.db, request.actor, (request.params as Static<typeof IdParams>).id);
    const message = `${deleted.filename} deleted.`;
    if (request.headers['hx-request'] === 'true') return renderSection(app, request, reply, deleted.test_run_id, { message });
    return seeOther(request, reply, `/test-runs/${deleted.test_run_id}/attachments`, message);
  });
}
