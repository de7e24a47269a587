// The browser pages, one module per area. Registered after the API.
import type { FastifyInstance } from 'fastify';
import { dashboardPages } from './dashboard.js';
import { programsPages } from './programs.js';
import { prototypesPages } from './prototypes.js';
import { seriesPages } from './series.js';
import { technologiesPages } from './technologies.js';

export async function pageRoutes(app: FastifyInstance) {
  await app.register(dashboardPages);
  await app.register(seriesPages);
  await app.register(programsPages);
  await app.register(prototypesPages);
  await app.register(technologiesPages);
}
