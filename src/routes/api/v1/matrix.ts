// The traceability matrix: GET /api/v1/matrix, as JSON or as a CSV pivot.
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { matrixCsv, transferMatrix } from '../../../domain/matrix.js';
import { ref } from '../../../schemas/common.js';
import { Matrix, MatrixQuery } from '../../../schemas/matrix.js';
import { errorResponses } from './http.js';
import { asksForCsv, jsonOrCsvResponse, sendCsv } from './reports.js';

export async function matrixRoutes(app: FastifyInstance) {
  app.get('/api/v1/matrix', {
    schema: {
      operationId: 'getMatrix',
      tags: ['Reports'],
      summary: 'Traceability matrix: technologies × road models',
      description: [
        'Each transfer is a cell at the crossing of its technology (row) and road model (column), with its stage and',
        'whether it is suspect (SUS-1/SUS-2, with the reasons). Only technologies and road models with at least one',
        'transfer after the filters are listed. `series_id` filters by the series of the technology\'s origin program.',
        '',
        'CSV (`?format=csv` or `Accept: text/csv`): a pivot with the columns technology, category, series and one',
        'column per road model; a cell holds the stage (`approved (suspect)` when suspect) or is empty.',
      ].join('\n'),
      querystring: MatrixQuery,
      response: {
        200: jsonOrCsvResponse(ref(Matrix), 'Rows, columns and the cells that hold a transfer', 'technology, category, series, then one column per road model.'),
        ...errorResponses.read,
      },
    },
    handler: async (request, reply) => {
      const query = request.query as Static<typeof MatrixQuery>;
      const matrix = transferMatrix(app.db, query);
      if (asksForCsv(request)) return sendCsv(reply, 'matrix', matrixCsv(matrix));
      void reply.header('vary', 'Accept');
      return matrix;
    },
  });
}
