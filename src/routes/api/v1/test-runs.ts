import type { FastifyInstance } from 'fastify';
import { createTestRun, deleteTestRun, getTestRun, listTestRuns, updateTestRun } from '../../../domain/test-runs.js';
import { TestRun, TestRunCreate, TestRunListQuery, TestRunPatch } from '../../../schemas/test-runs.js';
import { registerCrud } from './crud.js';
import { testRunCsvFormat } from '../../csv-export.js';

export async function testRunsRoutes(app: FastifyInstance) {
  registerCrud(app, {
    path: '/test-runs',
    tag: 'Test runs',
    noun: 'TestRun',
    plural: 'TestRuns',
    words: ['test run', 'test runs'],
    item: TestRun,
    create: TestRunCreate,
    patch: TestRunPatch,
    listQuery: TestRunListQuery,
    domain: { list: listTestRuns, get: getTestRun, create: createTestRun, update: updateTestRun, remove: deleteTestRun },
    listDescription:
      'Logged test runs with their measurements and evidence, newest first by default. Filters: `prototype_id`, `program_id`, ' +
      '`technology_id` (runs with evidence for it), `outcome` (evidence outcome, for `technology_id` when given), `status`, ' +
      '`venue_type`, `engineer`, `started_after` (inclusive), `started_before` (exclusive), `updated_since`. `q` searches code, ' +
      'title, objective, location, result summary, engineer, software version and hardware revision. ' +
      'As CSV (`format=csv` or `Accept: text/csv`) the list is a valid import file for `POST /api/v1/test-runs/import`.',
    csv: testRunCsvFormat,
  });
}
