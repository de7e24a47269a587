// /matrix: the traceability matrix page, its #results fragment for the filters, and its CSV
// download (`?format=csv`, the API's pivot with a BOM for spreadsheets). The page shows
// MATRIX_TECHNOLOGIES_PER_PAGE technologies at a time (`page`); the download is whole.
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { matrixCsv, transferMatrix, transferMatrixPage } from '../../domain/matrix.js';
import { listTechnologyCategories } from '../../domain/technology-categories.js';
import { MatrixPageQuery } from '../../schemas/matrix.js';
import { asksForCsv, sendCsv } from '../api/v1/reports.js';
import { MatrixPage, MatrixResults } from '../../../views/pages/matrix/matrix-page.js';
import { allOf, allSeries } from './programs.js';
import { pageContext, renderPage } from './render.js';

export async function matrixPages(app: FastifyInstance) {
  app.get('/matrix', { schema: { querystring: MatrixPageQuery, hide: true } }, async (request, reply) => {
    const query = request.query as Static<typeof MatrixPageQuery>;
    // The download is the whole matrix; the page shows it a page of technologies at a time.
    if (asksForCsv(request)) return sendCsv(reply, 'matrix', matrixCsv(transferMatrix(app.db, query), { bom: true }));
    const slice = transferMatrixPage(app.db, query, query.page ?? 1);
    const ctx = pageContext(request, reply);
    const seriesOptions = allSeries(app.db).map((s) => ({ value: String(s.id), label: s.name }));
    const categoryOptions = allOf((q) => listTechnologyCategories(app.db, q)).map((c) => ({ value: String(c.id), label: c.name }));
    return renderPage(
      request,
      reply,
      ctx,
      { title: 'Traceability matrix' },
      <MatrixPage query={ctx.query} slice={slice} seriesOptions={seriesOptions} categoryOptions={categoryOptions} />,
      <MatrixResults query={ctx.query} slice={slice} />,
    );
  });
}
