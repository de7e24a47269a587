import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { checkDatabase } from '../db.js';

export async function healthRoutes(app: FastifyInstance) {
  app.get('/health', {
    schema: {
      hide: true,
      response: {
        200: Type.Object({ status: Type.Literal('ok'), database: Type.Literal('ok') }),
        503: Type.Object({ status: Type.Literal('unavailable'), database: Type.String() }),
      },
    },
    handler: async (_request, reply) => {
      try {
        checkDatabase(app.db);
        return { status: 'ok' as const, database: 'ok' as const };
      } catch {
        return reply.code(503).send({ status: 'unavailable' as const, database: 'unreachable' });
      }
    },
  });
}
