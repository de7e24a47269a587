import type { FastifyInstance } from 'fastify';
import {
  createRoadModel,
  deleteRoadModel,
  getRoadModel,
  listRoadModels,
  updateRoadModel,
} from '../../../domain/road-models.js';
import { RoadModel, RoadModelCreate, RoadModelListQuery, RoadModelPatch } from '../../../schemas/road-models.js';
import { registerCrud } from './crud.js';

export async function roadModelsRoutes(app: FastifyInstance) {
  registerCrud(app, {
    path: '/road-models',
    tag: 'Road models',
    noun: 'RoadModel',
    plural: 'RoadModels',
    words: ['road model', 'road models'],
    item: RoadModel,
    create: RoadModelCreate,
    patch: RoadModelPatch,
    listQuery: RoadModelListQuery,
    domain: { list: listRoadModels, get: getRoadModel, create: createRoadModel, update: updateRoadModel, remove: deleteRoadModel },
    listDescription:
      'Nismo road cars with their planned units per market and year. Filter by `status` and `powertrain`; `q` searches name, base model, partner and description.',
  });
}
