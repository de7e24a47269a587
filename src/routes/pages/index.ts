// The browser pages, one module per area. Registered after the API.
import type { FastifyInstance } from 'fastify';
import { accountPages } from './account.js';
import { adminPages } from './admin.js';
import { attachmentPages } from './attachments.js';
import { auditPages } from './audit.js';
import { authPages } from './auth.js';
import { dashboardPages } from './dashboard.js';
import { importsPages } from './imports.js';
import { lineagePages } from './lineage.js';
import { matrixPages } from './matrix.js';
import { reportsPages } from './reports.js';
import { programsPages } from './programs.js';
import { prototypesPages } from './prototypes.js';
import { readinessPages } from './readiness.js';
import { seriesPages } from './series.js';
import { suggestionPages } from './suggestions.js';
import { technologiesPages } from './technologies.js';
import { testRunsPages } from './test-runs.js';
import { roadModelsPages } from './road-models.js';
import { transfersPages } from './transfers.js';
import { webhookPages } from './webhooks.js';

export async function pageRoutes(app: FastifyInstance) {
  await app.register(authPages);
  await app.register(dashboardPages);
  await app.register(seriesPages);
  await app.register(programsPages);
  await app.register(suggestionPages);
  await app.register(prototypesPages);
  await app.register(technologiesPages);
  await app.register(testRunsPages);
  await app.register(importsPages);
  await app.register(roadModelsPages);
  await app.register(transfersPages);
  await app.register(lineagePages);
  await app.register(matrixPages);
  await app.register(reportsPages);
  await app.register(auditPages);
  await app.register(readinessPages);
  await app.register(accountPages);
  await app.register(adminPages);
  await app.register(attachmentPages);
  await app.register(webhookPages);
}
