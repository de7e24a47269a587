import type { FastifyInstance } from 'fastify';

export async function technologyCategoriesRoutes(_app: FastifyInstance) {}
