import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import {
  createTransfer,
  deleteTransfer,
  getTransfer,
  listTransfers,
  reviewTransfer,
  updateTransfer,
} from '../../../domain/transfers.js';
import { IdParams, ref } from '../../../schemas/common.js';
import { Transfer, TransferCreate, TransferListQuery, TransferPatch, TransferReview } from '../../../schemas/transfers.js';
import { registerCrud } from './crud.js';
import { errorResponses, etagOf, requireIfMatch } from './http.js';

export async function transfersRoutes(app: FastifyInstance) {
  registerCrud(app, {
    path: '/transfers',
    tag: 'Transfers',
    noun: 'Transfer',
    plural: 'Transfers',
    words: ['transfer', 'transfers'],
    item: Transfer,
    create: TransferCreate,
    patch: TransferPatch,
    listQuery: TransferListQuery,
    domain: { list: listTransfers, get: getTransfer, create: createTransfer, update: updateTransfer, remove: deleteTransfer },
    listDescription:
      'Technologies feeding road models. Filter by `technology_id`, `road_model_id` and `stage`. Creating a transfer and every change of its stage record a review by the writer.',
  });

  app.post('/api/v1/transfers/:id/review', {
    schema: {
      operationId: 'reviewTransfer',
      tags: ['Transfers'],
      summary: 'Mark a transfer reviewed',
      description:
        'Records a review by the caller (`reviewed_by`, `reviewed_at`, `review_note` from `note`) without changing anything else; the version moves and the review is audited. Needs If-Match.',
      params: IdParams,
      headers: Type.Object({
        'if-match': Type.Optional(Type.String({ maxLength: 100 })),
        'idempotency-key': Type.Optional(Type.String({ maxLength: 200 })),
      }),
      body: TransferReview,
      response: { 200: ref(Transfer), ...errorResponses.update },
    },
    handler: async (request, reply) => {
      const { id } = request.params as Static<typeof IdParams>;
      const expected = requireIfMatch(request);
      const { note } = request.body as Static<typeof TransferReview>;
      const item = reviewTransfer(app.db, request.actor, id, expected, note);
      reply.header('etag', etagOf(item.version));
      return item;
    },
  });
}
