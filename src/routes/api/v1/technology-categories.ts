import type { FastifyInstance } from 'fastify';
import {
  createTechnologyCategory,
  deleteTechnologyCategory,
  getTechnologyCategory,
  listTechnologyCategories,
  updateTechnologyCategory,
} from '../../../domain/technology-categories.js';
import {
  TechnologyCategory,
  TechnologyCategoryCreate,
  TechnologyCategoryListQuery,
  TechnologyCategoryPatch,
} from '../../../schemas/technology-categories.js';
import { registerCrud } from './crud.js';

export async function technologyCategoriesRoutes(app: FastifyInstance) {
  registerCrud(app, {
    path: '/technology-categories',
    tag: 'Technology categories',
    noun: 'TechnologyCategory',
    plural: 'TechnologyCategories',
    words: ['technology category', 'technology categories'],
    item: TechnologyCategory,
    create: TechnologyCategoryCreate,
    patch: TechnologyCategoryPatch,
    listQuery: TechnologyCategoryListQuery,
    domain: {
      list: listTechnologyCategories,
      get: getTechnologyCategory,
      create: createTechnologyCategory,
      update: updateTechnologyCategory,
      remove: deleteTechnologyCategory,
    },
    listDescription:
      'Technology categories with their relevant venue types. `q` searches name and description. A category with technologies cannot be deleted (409).',
  });
}
