import type { FastifyInstance } from 'fastify';

export async function prototypesRoutes(_app: FastifyInstance) {}
