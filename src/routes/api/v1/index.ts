// The REST API v1, one module per resource. Registered after @fastify/swagger.
import type { FastifyInstance } from 'fastify';
import { attachmentsRoutes } from './attachments.js';
import { auditRoutes } from './audit.js';
import { changesRoutes } from './changes.js';
import { importsRoutes } from './imports.js';
import { lineageRoutes } from './lineage.js';
import { marketsRoutes } from './markets.js';
import { matrixRoutes } from './matrix.js';
import { planTargetsRoutes } from './plan-targets.js';
import { programsRoutes } from './programs.js';
import { prototypesRoutes } from './prototypes.js';
import { readinessRoutes } from './readiness.js';
import { reportsRoutes } from './reports.js';
import { roadModelsRoutes } from './road-models.js';
import { seriesRoutes } from './series.js';
import { technologiesRoutes } from './technologies.js';
import { technologyCategoriesRoutes } from './technology-categories.js';
import { testRunsRoutes } from './test-runs.js';
import { transfersRoutes } from './transfers.js';
import { webhooksRoutes } from './webhooks.js';

export async function apiV1Routes(app: FastifyInstance) {
  await app.register(seriesRoutes);
  await app.register(programsRoutes);
  await app.register(prototypesRoutes);
  await app.register(technologyCategoriesRoutes);
  await app.register(technologiesRoutes);
  await app.register(testRunsRoutes);
  await app.register(importsRoutes);
  await app.register(marketsRoutes);
  await app.register(roadModelsRoutes);
  await app.register(transfersRoutes);
  await app.register(planTargetsRoutes);
  await app.register(lineageRoutes);
  await app.register(readinessRoutes);
  await app.register(reportsRoutes);
  await app.register(matrixRoutes);
  await app.register(changesRoutes);
  await app.register(auditRoutes);
  await app.register(attachmentsRoutes);
  await app.register(webhooksRoutes);
}
