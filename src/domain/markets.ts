// Markets: the open set of sales markets (JP, US, EU, GCC, ...) road models plan units in.
import { and, countDistinct, eq, gte, type SQL } from 'drizzle-orm';
import { markets, road_model_markets } from '../../db/schema.js';
import type { Db } from '../db.js';
import type { Actor } from './actor.js';
import { recordAudit } from './audit.js';
import { ConflictError, NotFoundError } from './errors.js';
import { keyset, type KeysetSpec, type Page, type PageQuery } from './paging.js';
import { bumped, definedFields, expectVersion, inTransaction } from './records.js';
import { textMatchLike } from './search.js';
import { nowIso } from './time.js';

export type Market = typeof markets.$inferSelect;
export interface MarketInput {
  code: string;
  name: string;
}
export type MarketPatch = Partial<MarketInput>;
export interface MarketListQuery extends PageQuery {
  updated_since?: string;
  q?: string;
}

const ENTITY = 'market';

const SORT: KeysetSpec = {
  fields: { code: markets.code, name: markets.name, id: markets.id, updated_at: markets.updated_at },
  id: markets.id,
  defaultSort: 'code',
};

export function listMarkets(db: Db, query: MarketListQuery): Page<Market> {
  const ks = keyset(SORT, query);
  const where: (SQL | undefined)[] = [ks.where];
  if (query.updated_since) where.push(gte(markets.updated_at, query.updated_since));
  if (query.q) where.push(textMatchLike(query.q, [markets.code, markets.name]));
  const rows = db.orm.select().from(markets).where(and(...where)).orderBy(...ks.orderBy).limit(ks.limit + 1).all();
  return ks.page(rows);
}

export function findMarket(db: Db, id: number): Market | undefined {
  return db.orm.select().from(markets).where(eq(markets.id, id)).get();
}

export function getMarket(db: Db, id: number): Market {
  const row = findMarket(db, id);
  if (!row) throw new NotFoundError(ENTITY, id);
  return row;
}

export function findMarketByCode(db: Db, code: string): Market | undefined {
  return db.orm.select().from(markets).where(eq(markets.code, code)).get();
}

export function createMarket(db: Db, actor: Actor, input: MarketInput): Market {
  return inTransaction(db, () => {
    const at = nowIso();
    const row = db.orm
      .insert(markets)
      .values({ code: input.code, name: input.name, created_at: at, updated_at: at })
      .returning()
      .get();
    recordAudit(db, actor, { entity: ENTITY, entityId: row.id, action: 'create', after: row }, at);
    return row;
  });
}

export function updateMarket(db: Db, actor: Actor, id: number, expectedVersion: number | undefined, patch: MarketPatch): Market {
  return inTransaction(db, () => {
    const before = getMarket(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    const at = nowIso();
    const after = db.orm
      .update(markets)
      .set({ ...definedFields(patch), ...bumped(at) })
      .where(eq(markets.id, id))
      .returning()
      .get();
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'update', before, after }, at);
    return after;
  });
}

export function deleteMarket(db: Db, actor: Actor, id: number, expectedVersion: number | undefined): void {
  inTransaction(db, () => {
    const before = getMarket(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    // Planned units belong to the road model, so a market in a plan blocks the delete.
    const models = db.orm
      .select({ n: countDistinct(road_model_markets.road_model_id) })
      .from(road_model_markets)
      .where(eq(road_model_markets.market_id, id))
      .get()!.n;
    if (models > 0) {
      throw new ConflictError(`market ${before.code} is still planned in ${models} road model(s): remove it from their markets first`);
    }
    db.orm.delete(markets).where(eq(markets.id, id)).run();
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'delete', before });
  });
}
