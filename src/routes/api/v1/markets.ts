import type { FastifyInstance } from 'fastify';

export async function marketsRoutes(_app: FastifyInstance) {}
