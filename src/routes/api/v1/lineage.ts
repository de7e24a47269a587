import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { acquireLineageJson, parseLineageQuery } from '../../../domain/lineage.js';
import { ref } from '../../../schemas/common.js';
import { LineageGraph, LineageQuery } from '../../../schemas/lineage.js';
import { errorResponses, jsonResponse, problemResponse } from './http.js';

export async function lineageRoutes(app: FastifyInstance) {
  app.get('/api/v1/lineage', {
    schema: {
      operationId: 'getLineage',
      tags: ['Lineage'],
      summary: 'Get the lineage graph of a node',
      description: [
        'The lineage graph race → road: series → program → prototype → test run ─evidence→ technology ─derives→ technology ─transfer→ road model, and program ─origin→ technology, program → test run (the run\'s race context).',
        '',
        '`upstream` walks edges backwards (toward the race), `downstream` forwards (toward the road); a walk never turns round. Only completed runs are evidence (EVD-1); rejected transfers are not lineage.',
        'A node reached twice is listed once, at its least depth. Hidden kinds (`kinds`) turn the paths through them into edges with `implied: true`.',
        'Runs with evidence are grouped per technology (`run-group:<technology id>` with count, passes, fails, inconclusive) unless the technology is in `expand`.',
        'Edges always point race → road. Over `limit` the nearest nodes are kept and `truncated` is true.',
      ].join('\n'),
      querystring: LineageQuery,
      response: {
        200: jsonResponse(ref(LineageGraph), 'The lineage graph'),
        ...errorResponses.item,
        400: problemResponse('validation', 'A malformed query: a node id that is not `kind:id`, an unknown kind, a depth or limit out of range'),
        404: problemResponse('not-found', 'The start node does not exist'),
      },
    },
    handler: async (request, reply) => {
      const query = parseLineageQuery(request.query as Static<typeof LineageQuery>);
      // Suspect transfer edges are marked (SUS-1, SUS-2), as on the pages. The domain keeps each
      // graph as its JSON (src/domain/lineage.ts), so these bytes are sent as they are; the 200
      // schema documents them, and a test holds every kind of graph to it.
      const answer = acquireLineageJson(app.db, query);
      // The buffer may hold another graph once the response is written (or the connection gone).
      reply.raw.once('close', answer.release);
      return reply.type('application/json; charset=utf-8').send(answer.bytes);
    },
  });
}
