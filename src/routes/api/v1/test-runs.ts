import type { FastifyInstance } from 'fastify';

export async function testRunsRoutes(_app: FastifyInstance) {}
