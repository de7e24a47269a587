import type { FastifyInstance } from 'fastify';
import { createMarket, deleteMarket, getMarket, listMarkets, updateMarket } from '../../../domain/markets.js';
import { Market, MarketCreate, MarketListQuery, MarketPatch } from '../../../schemas/markets.js';
import { registerCrud } from './crud.js';

export async function marketsRoutes(app: FastifyInstance) {
  registerCrud(app, {
    path: '/markets',
    tag: 'Markets',
    noun: 'Market',
    plural: 'Markets',
    words: ['market', 'markets'],
    item: Market,
    create: MarketCreate,
    patch: MarketPatch,
    listQuery: MarketListQuery,
    domain: { list: listMarkets, get: getMarket, create: createMarket, update: updateMarket, remove: deleteMarket },
    listDescription: 'Sales markets road models plan units in. `q` searches code and name. A market planned in a road model cannot be deleted (409).',
  });
}
