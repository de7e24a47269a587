import type { FastifyInstance } from 'fastify';

export async function roadModelsRoutes(_app: FastifyInstance) {}
