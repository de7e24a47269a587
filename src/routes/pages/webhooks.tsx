// /admin/webhooks (admin role only, reads included): list and add hooks (the secret shown once),
// activate/deactivate, delete, and the deliveries with their status.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { StaleVersionError } from '../../domain/errors.js';
import {
  createWebhook,
  deleteWebhook,
  deliveryCounts,
  getWebhook,
  listDeliveries,
  listWebhooks,
  retryDelivery,
  updateWebhook,
  type WebhookInput,
  type WebhookWithSecret,
} from '../../domain/webhooks.js';
import { IdParams } from '../../schemas/common.js';
import { DeliveryParams, WebhookCreate } from '../../schemas/webhooks.js';
import {
  DeleteWebhookConfirm,
  WebhookDetailPage,
  WebhooksPage,
  type WebhookFormValues,
} from '../../../views/pages/webhooks/webhook-pages.js';
import { domainErrorToForm, formToInput, validateInput, type FieldErrors, type FormBody } from './forms.js';
import { allOf, formVersion } from './programs.js';
import { pageContext, renderPage, seeOther } from './render.js';

const CRUMBS = [{ label: 'Administration', href: '/admin' }, { label: 'Webhooks', href: '/admin/webhooks' }];
const BASE = '/admin/webhooks';

function text(body: FormBody, name: string): string | undefined {
  const v = body[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

export async function webhookPages(app: FastifyInstance) {
  const allowPrivate = () => app.config?.webhookAllowPrivate === true;

  // Admins only, reads too: the auth plugin refuses everyone else (isAdminOnlyPath).

  function renderList(
    request: FastifyRequest,
    reply: FastifyReply,
    form: { values: WebhookFormValues; errors: FieldErrors; general?: string | undefined } = { values: { events: ['test_run.created'] }, errors: {} },
    extra: { created?: WebhookWithSecret; status?: number } = {},
  ) {
    const hooks = allOf((q) => listWebhooks(app.db, q));
    const deliveries = listDeliveries(app.db, undefined, { limit: 50 }).items;
    const ctx = pageContext(request, reply);
    return renderPage(
      request,
      reply,
      ctx,
      { title: 'Webhooks', status: extra.status, breadcrumbs: [CRUMBS[0]!, { label: 'Webhooks' }] },
      <WebhooksPage hooks={hooks} deliveries={deliveries} counts={deliveryCounts(app.db)} csrfToken={ctx.csrfToken} form={form} created={extra.created} />,
    );
  }

  app.get(BASE, async (request, reply) => renderList(request, reply));

  app.post(BASE, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const input = formToInput(WebhookCreate, body);
    const events = body.events === undefined ? [] : Array.isArray(body.events) ? body.events : [body.events];
    const values: WebhookFormValues = { url: text(body, 'url'), events, description: text(body, 'description') };
    const errors = validateInput(WebhookCreate, { ...input, events: input.events ?? [] });
    if (Object.keys(errors).length) return renderList(request, reply, { values, errors }, { status: 422 });
    try {
      const created = await createWebhook(app.db, request.actor, input as unknown as WebhookInput, { allowPrivate: allowPrivate() });
      // The secret is shown once, in this answer: no redirect (it would lose it), no flash cookie.
      return renderList(request, reply, undefined, { created, status: 201 });
    } catch (error) {
      const refused = domainErrorToForm(error);
      return renderList(request, reply, { values, errors: refused.errors, general: refused.general }, { status: refused.status });
    }
  });

  app.get(`${BASE}/:id`, { schema: { params: IdParams, querystring: Type.Object({ cursor: Type.Optional(Type.String({ maxLength: 500 })) }), hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const hook = getWebhook(app.db, id);
    const { cursor } = request.query as { cursor?: string };
    const page = listDeliveries(app.db, id, cursor ? { limit: 50, cursor } : { limit: 50 });
    const ctx = pageContext(request, reply);
    return renderPage(
      request,
      reply,
      ctx,
      { title: `Webhook ${hook.url}`, breadcrumbs: [...CRUMBS, { label: hook.url }] },
      <WebhookDetailPage hook={hook} deliveries={page.items} nextCursor={page.next_cursor} csrfToken={ctx.csrfToken} />,
    );
  });

  app.post(`${BASE}/:id/active`, { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const body = (request.body ?? {}) as FormBody;
    const active = text(body, 'active') === 'true';
    try {
      const hook = await updateWebhook(app.db, request.actor, id, formVersion(body), { active }, { allowPrivate: allowPrivate() });
      return seeOther(request, reply, BASE, `Webhook for ${hook.url} ${active ? 'activated' : 'deactivated'}.`);
    } catch (error) {
      if (error instanceof StaleVersionError) return seeOther(request, reply, BASE, 'The webhook was changed meanwhile: check it and try again.');
      throw error;
    }
  });

  app.get(`${BASE}/:id/delete`, { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const hook = getWebhook(app.db, (request.params as Static<typeof IdParams>).id);
    const ctx = pageContext(request, reply);
    return renderPage(
      request,
      reply,
      ctx,
      { title: 'Delete webhook', breadcrumbs: [...CRUMBS, { label: hook.url, href: `${BASE}/${hook.id}` }, { label: 'Delete' }] },
      <DeleteWebhookConfirm hook={hook} csrfToken={ctx.csrfToken} />,
    );
  });

  app.post(`${BASE}/:id/delete`, { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const hook = getWebhook(app.db, id);
    try {
      deleteWebhook(app.db, request.actor, id, formVersion((request.body ?? {}) as FormBody));
    } catch (error) {
      if (error instanceof StaleVersionError) return seeOther(request, reply, `${BASE}/${id}`, 'The webhook was changed meanwhile: check it and delete again.');
      throw error;
    }
    return seeOther(request, reply, BASE, `Webhook for ${hook.url} deleted.`);
  });

  app.post(`${BASE}/:id/deliveries/:delivery_id/retry`, { schema: { params: DeliveryParams, hide: true } }, async (request, reply) => {
    const { id, delivery_id } = request.params as Static<typeof DeliveryParams>;
    retryDelivery(app.db, id, delivery_id);
    const back = (request.headers.referer ?? '').includes(`${BASE}/${id}`) ? `${BASE}/${id}` : BASE;
    return seeOther(request, reply, back, `Delivery ${delivery_id} queued for another attempt.`);
  });
}
