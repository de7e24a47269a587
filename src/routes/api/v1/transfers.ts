import type { FastifyInstance } from 'fastify';

export async function transfersRoutes(_app: FastifyInstance) {}
