// The browser pages, one module per area. Registered after the API.
import type { FastifyInstance } from 'fastify';
import { authPages } from './auth.js';
import { dashboardPages } from './dashboard.js';
import { programsPages } from './programs.js';
import { prototypesPages } from './prototypes.js';
import { seriesPages } from './series.js';
import { technologiesPages } from './technologies.js';
import { testRunsPages } from './test-runs.js';
import { roadModelsPages } from './road-models.js';
import { transfersPages } from './transfers.js';

export async function pageRoutes(app: FastifyInstance) {
  await app.register(authPages);
  await app.register(dashboardPages);
  await app.register(seriesPages);
  await app.register(programsPages);
  await app.register(prototypesPages);
  await app.register(technologiesPages);
  await app.register(testRunsPages);
  await app.register(roadModelsPages);
  await app.register(transfersPages);
}
