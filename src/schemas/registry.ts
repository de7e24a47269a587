// Every named schema (one with an $id) of every contract module, registered once with
// app.addSchema so that responses can `$ref` them and OpenAPI lists them as components.
import type { FastifyInstance } from 'fastify';
import * as common from './common.js';
import * as series from './series.js';
import * as programs from './programs.js';
import * as prototypes from './prototypes.js';
import * as technologyCategories from './technology-categories.js';
import * as technologies from './technologies.js';
import * as testRuns from './test-runs.js';
import * as imports from './imports.js';
import * as markets from './markets.js';
import * as roadModels from './road-models.js';
import * as transfers from './transfers.js';
import * as planTargets from './plan-targets.js';
import * as changes from './changes.js';
import * as audit from './audit.js';
import * as lineage from './lineage.js';
import * as readiness from './readiness.js';
import * as reports from './reports.js';
import * as matrix from './matrix.js';
import * as attachments from './attachments.js';
import * as webhooks from './webhooks.js';

const modules = [common, series, programs, prototypes, technologyCategories, technologies, testRuns, imports, markets, roadModels, transfers, planTargets, changes, lineage, readiness, reports, matrix, audit, attachments, webhooks];

export function namedSchemas(): { $id: string }[] {
  const seen = new Map<string, { $id: string }>();
  for (const mod of modules) {
    for (const value of Object.values(mod)) {
      if (value && typeof value === 'object' && typeof (value as { $id?: unknown }).$id === 'string') {
        const schema = value as { $id: string };
        if (seen.has(schema.$id) && seen.get(schema.$id) !== schema) throw new Error(`two schemas named ${schema.$id}`);
        seen.set(schema.$id, schema);
      }
    }
  }
  return [...seen.values()];
}

export function registerSchemas(app: FastifyInstance): void {
  for (const schema of namedSchemas()) app.addSchema(schema);
}
