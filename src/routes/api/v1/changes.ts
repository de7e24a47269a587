import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { listChanges } from '../../../domain/audit.js';
import { ChangeEvent, ChangesQuery } from '../../../schemas/changes.js';
import { PageOf, ref } from '../../../schemas/common.js';
import { errorResponses, jsonResponse, sendPage } from './http.js';

export async function changesRoutes(app: FastifyInstance) {
  app.get('/api/v1/changes', {
    schema: {
      operationId: 'listChanges',
      tags: ['Changes'],
      summary: 'List changes after a sequence number',
      description:
        'Every create, update and delete in the order they were committed, so that integrators can sync incrementally and see deletions. Start with `after=0`, then pass `next_cursor` (or the last `seq`).',
      querystring: ChangesQuery,
      response: { 200: jsonResponse(PageOf(ref(ChangeEvent)), 'A page of change events', ['link']), ...errorResponses.read },
    },
    handler: async (request, reply) => {
      const q = request.query as Static<typeof ChangesQuery>;
      const after = q.cursor !== undefined ? Number(q.cursor) : q.after;
      return sendPage(request, reply, listChanges(app.db, { after, limit: q.limit ?? 50, entity: q.entity }));
    },
  });
}
