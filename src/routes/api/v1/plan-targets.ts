import type { FastifyInstance } from 'fastify';

export async function planTargetsRoutes(_app: FastifyInstance) {}
