import type { FastifyInstance } from 'fastify';
import { createTechnology, deleteTechnology, getTechnology, listTechnologies, updateTechnology } from '../../../domain/technologies.js';
import { Technology, TechnologyCreate, TechnologyListQuery, TechnologyPatch } from '../../../schemas/technologies.js';
import { registerCrud } from './crud.js';

export async function technologiesRoutes(app: FastifyInstance) {
  registerCrud(app, {
    path: '/technologies',
    tag: 'Technologies',
    noun: 'Technology',
    plural: 'Technologies',
    words: ['technology', 'technologies'],
    item: Technology,
    create: TechnologyCreate,
    patch: TechnologyPatch,
    listQuery: TechnologyListQuery,
    domain: { list: listTechnologies, get: getTechnology, create: createTechnology, update: updateTechnology, remove: deleteTechnology },
    listDescription:
      'Technologies with their derivations. Filters: `domain`, `category_id`, `origin_program_id`, `derived_from` (direct children of a technology). ' +
      '`q` searches name, description and owner: hyphenated words (`e-4ORCE`), Japanese and short words. ' +
      'A `derived_from` that would make a cycle is refused with rule DER-1 (422).',
  });
}
