import type { FastifyInstance } from 'fastify';
import { createSeries, deleteSeries, getSeries, listSeries, updateSeries } from '../../../domain/series.js';
import { Series, SeriesCreate, SeriesListQuery, SeriesPatch } from '../../../schemas/series.js';
import { registerCrud } from './crud.js';

export async function seriesRoutes(app: FastifyInstance) {
  registerCrud(app, {
    path: '/series',
    tag: 'Series',
    noun: 'Series',
    plural: 'Series',
    words: ['series', 'series'],
    item: Series,
    create: SeriesCreate,
    patch: SeriesPatch,
    listQuery: SeriesListQuery,
    domain: { list: listSeries, get: getSeries, create: createSeries, update: updateSeries, remove: deleteSeries },
    listDescription: 'Racing disciplines. `q` searches name and description.',
  });
}
