import type { FastifyInstance } from 'fastify';
import { createProgram, deleteProgram, getProgram, listPrograms, updateProgram } from '../../../domain/programs.js';
import { Program, ProgramCreate, ProgramListQuery, ProgramPatch } from '../../../schemas/programs.js';
import { registerCrud } from './crud.js';

export async function programsRoutes(app: FastifyInstance) {
  registerCrud(app, {
    path: '/programs',
    tag: 'Programs',
    noun: 'Program',
    plural: 'Programs',
    words: ['program', 'programs'],
    item: Program,
    create: ProgramCreate,
    patch: ProgramPatch,
    listQuery: ProgramListQuery,
    domain: { list: listPrograms, get: getProgram, create: createProgram, update: updateProgram, remove: deleteProgram },
    listDescription:
      'Programs, newest season first by default. Filters: `series_id`, `status`, `season`, `start_year`. ' +
      '`q` searches season, entry, car and class. A program is unique on (series_id, season, class, entry): a duplicate is 409. ' +
      'Deleting a program that prototypes serve, or that test runs or technologies refer to, is 409.',
  });
}
