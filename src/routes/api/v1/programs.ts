import type { FastifyInstance } from 'fastify';

export async function programsRoutes(_app: FastifyInstance) {}
