import type { FastifyInstance } from 'fastify';
import {
  createPlanTarget,
  deletePlanTarget,
  getPlanTarget,
  listPlanTargets,
  updatePlanTarget,
} from '../../../domain/plan-targets.js';
import { PlanTarget, PlanTargetCreate, PlanTargetListQuery, PlanTargetPatch } from '../../../schemas/plan-targets.js';
import { registerCrud } from './crud.js';

export async function planTargetsRoutes(app: FastifyInstance) {
  registerCrud(app, {
    path: '/plan-targets',
    tag: 'Plan targets',
    noun: 'PlanTarget',
    plural: 'PlanTargets',
    words: ['plan target', 'plan targets'],
    item: PlanTarget,
    create: PlanTargetCreate,
    patch: PlanTargetPatch,
    listQuery: PlanTargetListQuery,
    domain: { list: listPlanTargets, get: getPlanTarget, create: createPlanTarget, update: updatePlanTarget, remove: deletePlanTarget },
    listDescription: 'The line-up plan: one target per year (model count, units, band of the share of growth outside Japan).',
  });
}
