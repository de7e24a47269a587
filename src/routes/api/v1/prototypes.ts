import type { FastifyInstance } from 'fastify';
import { createPrototype, deletePrototype, getPrototype, listPrototypes, updatePrototype } from '../../../domain/prototypes.js';
import { Prototype, PrototypeCreate, PrototypeListQuery, PrototypePatch } from '../../../schemas/prototypes.js';
import { registerCrud } from './crud.js';

export async function prototypesRoutes(app: FastifyInstance) {
  registerCrud(app, {
    path: '/prototypes',
    tag: 'Prototypes',
    noun: 'Prototype',
    plural: 'Prototypes',
    words: ['prototype', 'prototypes'],
    item: Prototype,
    create: PrototypeCreate,
    patch: PrototypePatch,
    listQuery: PrototypeListQuery,
    domain: { list: listPrototypes, get: getPrototype, create: createPrototype, update: updatePrototype, remove: deletePrototype },
    listDescription:
      'Test vehicles and rigs with the programs they serve. Filters: `kind`, `program_id` (serves that program), ' +
      '`road_model_id`. `q` searches code, name, hardware revision and notes. `road_model_id` is only for kind ' +
      '`road_prototype`. Deleting a prototype with test runs is 409; its program links go with it.',
  });
}
