// Webhooks (admin only, reads included: URLs may carry integration details) and their deliveries.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  retryDelivery,
  updateWebhook,
  type DeliveryListQuery as DeliveryQuery,
} from '../../../domain/webhooks.js';
import { IdempotencyHeader, IdParams, IfMatchHeader, PageOf, ref } from '../../../schemas/common.js';
import { DeliveryListQuery, DeliveryParams, Webhook, WebhookCreate, WebhookDelivery, WebhookListQuery, WebhookPatch, WebhookWithSecret } from '../../../schemas/webhooks.js';
import { errorResponses, etagOf, jsonResponse, problemResponse, requireIfMatch, sendPage } from './http.js';

const TAGS = ['Webhooks'];
const BASE = '/api/v1/webhooks';
const adminOnly = { 403: problemResponse('forbidden', 'Webhooks are for admins only') };

export async function webhooksRoutes(app: FastifyInstance) {
  const allowPrivate = () => app.config?.webhookAllowPrivate === true;

  // Admins only, reads too: the auth plugin refuses everyone else (isAdminOnlyPath).

  app.get(BASE, {
    schema: {
      operationId: 'listWebhooks',
      tags: TAGS,
      summary: 'List webhooks',
      description: 'Registered hooks (never their secrets). Filters: `active`, `event`, `updated_since`.',
      querystring: WebhookListQuery,
      response: { 200: jsonResponse(PageOf(ref(Webhook)), 'A page of webhooks', ['link']), ...errorResponses.read, ...adminOnly },
    },
    handler: async (request, reply) => sendPage(request, reply, listWebhooks(app.db, request.query as Static<typeof WebhookListQuery>)),
  });

  app.get(`${BASE}/:id`, {
    schema: {
      operationId: 'getWebhook',
      tags: TAGS,
      summary: 'Get a webhook',
      params: IdParams,
      response: { 200: jsonResponse(ref(Webhook), 'The webhook', ['etag']), ...errorResponses.item, ...adminOnly },
    },
    handler: async (request, reply) => {
      const hook = getWebhook(app.db, (request.params as Static<typeof IdParams>).id);
      reply.header('etag', etagOf(hook.version));
      return hook;
    },
  });

  app.post(BASE, {
    schema: {
      operationId: 'createWebhook',
      tags: TAGS,
      summary: 'Register a webhook',
      description:
        'The answer carries the signing `secret`, shown only this once. Each delivery is signed: ' +
        '`Pitlane-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. See the `webhooks` section for the payloads.',
      headers: IdempotencyHeader,
      body: WebhookCreate,
      response: { 201: jsonResponse(ref(WebhookWithSecret), 'The webhook with its secret', ['etag', 'location']), ...errorResponses.create },
    },
    handler: async (request, reply) => {
      const hook = await createWebhook(app.db, request.actor, request.body as Static<typeof WebhookCreate>, { allowPrivate: allowPrivate() });
      reply.code(201).header('location', `${BASE}/${hook.id}`).header('etag', etagOf(hook.version));
      return hook;
    },
  });

  app.patch(`${BASE}/:id`, {
    schema: {
      operationId: 'updateWebhook',
      tags: TAGS,
      summary: 'Update a webhook',
      description: 'Change the URL, events, description, or deactivate it (`active: false`). Needs If-Match.',
      params: IdParams,
      headers: IfMatchHeader,
      body: WebhookPatch,
      response: { 200: jsonResponse(ref(Webhook), 'The updated webhook', ['etag']), ...errorResponses.update },
    },
    handler: async (request, reply) => {
      const { id } = request.params as Static<typeof IdParams>;
      const expected = requireIfMatch(request);
      const hook = await updateWebhook(app.db, request.actor, id, expected, request.body as Static<typeof WebhookPatch>, { allowPrivate: allowPrivate() });
      reply.header('etag', etagOf(hook.version));
      return hook;
    },
  });

  app.delete(`${BASE}/:id`, {
    schema: {
      operationId: 'deleteWebhook',
      tags: TAGS,
      summary: 'Delete a webhook',
      description: 'Its deliveries (pending ones too) go with it. Needs If-Match.',
      params: IdParams,
      headers: IfMatchHeader,
      response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses.remove },
    },
    handler: async (request, reply) => {
      const { id } = request.params as Static<typeof IdParams>;
      deleteWebhook(app.db, request.actor, id, requireIfMatch(request));
      return reply.code(204).send();
    },
  });

  app.get(`${BASE}/:id/deliveries`, {
    schema: {
      operationId: 'listWebhookDeliveries',
      tags: TAGS,
      summary: "List a webhook's deliveries",
      description: 'Newest first, with status, attempts, the last HTTP status or error and the next attempt.',
      params: IdParams,
      querystring: DeliveryListQuery,
      response: { 200: jsonResponse(PageOf(ref(WebhookDelivery)), 'A page of deliveries', ['link']), ...errorResponses.item, ...adminOnly },
    },
    handler: async (request, reply) => {
      const { id } = request.params as Static<typeof IdParams>;
      return sendPage(request, reply, listDeliveries(app.db, id, request.query as DeliveryQuery));
    },
  });

  app.post(`${BASE}/:id/deliveries/:delivery_id/retry`, {
    schema: {
      operationId: 'retryWebhookDelivery',
      tags: TAGS,
      summary: 'Retry a delivery now',
      description: 'Queues one more attempt of a pending or failed delivery (a delivered one is left as is).',
      params: DeliveryParams,
      response: {
        200: jsonResponse(ref(WebhookDelivery), 'The delivery, queued'),
        ...errorResponses.create,
        404: problemResponse('not-found'),
      },
    },
    handler: async (request) => {
      const { id, delivery_id } = request.params as Static<typeof DeliveryParams>;
      return retryDelivery(app.db, id, delivery_id);
    },
  });
}
