import type { FastifyInstance } from 'fastify';

export async function technologiesRoutes(_app: FastifyInstance) {}
