// Road models: Nismo road cars with their planned yearly units per market (owned rows).
import { and, asc, count, eq, gte, inArray, type SQL } from 'drizzle-orm';
import { markets, POWERTRAINS, prototypes, road_model_markets, road_models, ROAD_MODEL_STATUSES, transfers } from '../../db/schema.js';
import type { Db } from '../db.js';
import type { Actor } from './actor.js';
import { recordAudit } from './audit.js';
import { ConflictError, InvalidInputError, NotFoundError, type FieldProblem } from './errors.js';
import { keyset, type KeysetSpec, type Page, type PageQuery } from './paging.js';
import { bumped, definedFields, expectVersion, inTransaction } from './records.js';
import { textMatchLike } from './search.js';
import { nowIso } from './time.js';

export type Powertrain = (typeof POWERTRAINS)[number];
export type RoadModelStatus = (typeof ROAD_MODEL_STATUSES)[number];

export interface RoadModelMarket {
  market_id: number;
  year: number;
  planned_units: number;
}

type RoadModelRow = typeof road_models.$inferSelect;

export interface RoadModel extends Omit<RoadModelRow, 'powertrain' | 'status'> {
  powertrain: Powertrain;
  status: RoadModelStatus;
  markets: RoadModelMarket[];
}

export interface RoadModelInput {
  name: string;
  base_model?: string;
  powertrain: Powertrain;
  status: RoadModelStatus;
  launch_date?: string | null;
  end_date?: string | null;
  partner?: string | null;
  description?: string;
  markets?: RoadModelMarket[];
}
export type RoadModelPatch = Partial<RoadModelInput>;
export interface RoadModelListQuery extends PageQuery {
  updated_since?: string;
  status?: RoadModelStatus;
  powertrain?: Powertrain;
  q?: string;
}

const ENTITY = 'road_model';

const SORT: KeysetSpec = {
  fields: { name: road_models.name, id: road_models.id, updated_at: road_models.updated_at },
  id: road_models.id,
  defaultSort: 'name',
};

/** The markets of many road models in one query, in a stable order (year, then market). */
function marketsOf(db: Db, ids: number[]): Map<number, RoadModelMarket[]> {
  const byModel = new Map<number, RoadModelMarket[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byModel;
  const rows = db.orm
    .select()
    .from(road_model_markets)
    .where(inArray(road_model_markets.road_model_id, ids))
    .orderBy(asc(road_model_markets.road_model_id), asc(road_model_markets.year), asc(road_model_markets.market_id))
    .all();
  for (const r of rows) {
    byModel.get(r.road_model_id)!.push({ market_id: r.market_id, year: r.year, planned_units: r.planned_units });
  }
  return byModel;
}

function withMarkets(db: Db, rows: RoadModelRow[]): RoadModel[] {
  const byModel = marketsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    ...r,
    powertrain: r.powertrain as Powertrain,
    status: r.status as RoadModelStatus,
    markets: byModel.get(r.id) ?? [],
  }));
}

/** Values that do not fit together or point at nothing, all reported at once (422). */
function checkRoadModel(db: Db, launchDate: string | null, endDate: string | null, entries: RoadModelMarket[] | undefined): void {
  const errors: FieldProblem[] = [];
  if (launchDate !== null && endDate !== null && endDate < launchDate) {
    errors.push({ path: '/end_date', message: `must not be before launch_date (${launchDate})` });
  }
  if (entries && entries.length > 0) {
    const ids = [...new Set(entries.map((e) => e.market_id))];
    const known = new Set(
      db.orm
        .select({ id: markets.id })
        .from(markets)
        .where(inArray(markets.id, ids))
        .all()
        .map((r) => r.id),
    );
    const seen = new Set<string>();
    entries.forEach((e, i) => {
      if (!known.has(e.market_id)) errors.push({ path: `/markets/${i}/market_id`, message: 'does not exist' });
      const key = `${e.market_id}:${e.year}`;
      if (seen.has(key)) {
        errors.push({ path: `/markets/${i}`, message: `repeats market ${e.market_id} in ${e.year}: one entry per market and year` });
      }
      seen.add(key);
    });
  }
  if (errors.length > 0) throw new InvalidInputError(errors);
}

function insertMarkets(db: Db, roadModelId: number, entries: RoadModelMarket[]): void {
  if (entries.length === 0) return;
  db.orm
    .insert(road_model_markets)
    .values(entries.map((e) => ({ road_model_id: roadModelId, market_id: e.market_id, year: e.year, planned_units: e.planned_units })))
    .run();
}

export function listRoadModels(db: Db, query: RoadModelListQuery): Page<RoadModel> {
  const ks = keyset(SORT, query);
  const where: (SQL | undefined)[] = [ks.where];
  if (query.updated_since) where.push(gte(road_models.updated_at, query.updated_since));
  if (query.status) where.push(eq(road_models.status, query.status));
  if (query.powertrain) where.push(eq(road_models.powertrain, query.powertrain));
  if (query.q) {
    where.push(textMatchLike(query.q, [road_models.name, road_models.base_model, road_models.partner, road_models.description]));
  }
  const rows = db.orm.select().from(road_models).where(and(...where)).orderBy(...ks.orderBy).limit(ks.limit + 1).all();
  const page = ks.page(rows);
  return { items: withMarkets(db, page.items), next_cursor: page.next_cursor };
}

export function findRoadModel(db: Db, id: number): RoadModel | undefined {
  const row = db.orm.select().from(road_models).where(eq(road_models.id, id)).get();
  return row ? withMarkets(db, [row])[0] : undefined;
}

export function getRoadModel(db: Db, id: number): RoadModel {
  const item = findRoadModel(db, id);
  if (!item) throw new NotFoundError(ENTITY, id);
  return item;
}

export function findRoadModelByName(db: Db, name: string): RoadModel | undefined {
  const row = db.orm.select().from(road_models).where(eq(road_models.name, name)).get();
  return row ? withMarkets(db, [row])[0] : undefined;
}

export function createRoadModel(db: Db, actor: Actor, input: RoadModelInput): RoadModel {
  return inTransaction(db, () => {
    checkRoadModel(db, input.launch_date ?? null, input.end_date ?? null, input.markets);
    const at = nowIso();
    const row = db.orm
      .insert(road_models)
      .values({
        name: input.name,
        base_model: input.base_model ?? '',
        powertrain: input.powertrain,
        status: input.status,
        launch_date: input.launch_date ?? null,
        end_date: input.end_date ?? null,
        partner: input.partner ?? null,
        description: input.description ?? '',
        created_at: at,
        updated_at: at,
      })
      .returning()
      .get();
    insertMarkets(db, row.id, input.markets ?? []);
    const after = getRoadModel(db, row.id);
    recordAudit(db, actor, { entity: ENTITY, entityId: row.id, action: 'create', after }, at);
    return after;
  });
}

export function updateRoadModel(
  db: Db,
  actor: Actor,
  id: number,
  expectedVersion: number | undefined,
  patch: RoadModelPatch,
): RoadModel {
  return inTransaction(db, () => {
    const before = getRoadModel(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    const { markets: entries, ...fields } = definedFields(patch);
    checkRoadModel(
      db,
      fields.launch_date !== undefined ? fields.launch_date : before.launch_date,
      fields.end_date !== undefined ? fields.end_date : before.end_date,
      entries,
    );
    const at = nowIso();
    // The parent's version moves even when only the markets change.
    db.orm
      .update(road_models)
      .set({ ...fields, ...bumped(at) })
      .where(eq(road_models.id, id))
      .run();
    if (entries !== undefined) {
      db.orm.delete(road_model_markets).where(eq(road_model_markets.road_model_id, id)).run();
      insertMarkets(db, id, entries);
    }
    const after = getRoadModel(db, id);
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'update', before, after }, at);
    return after;
  });
}

export function deleteRoadModel(db: Db, actor: Actor, id: number, expectedVersion: number | undefined): void {
  inTransaction(db, () => {
    const before = getRoadModel(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    const transferCount = db.orm.select({ n: count() }).from(transfers).where(eq(transfers.road_model_id, id)).get()!.n;
    const prototypeCount = db.orm.select({ n: count() }).from(prototypes).where(eq(prototypes.road_model_id, id)).get()!.n;
    if (transferCount > 0 || prototypeCount > 0) {
      const blockers = [
        transferCount > 0 ? `${transferCount} transfer(s)` : undefined,
        prototypeCount > 0 ? `${prototypeCount} prototype(s)` : undefined,
      ].filter(Boolean);
      throw new ConflictError(`road model ${id} still has ${blockers.join(' and ')}: delete or move them first`);
    }
    // The planned units are owned by the road model and go with it.
    db.orm.delete(road_model_markets).where(eq(road_model_markets.road_model_id, id)).run();
    db.orm.delete(road_models).where(eq(road_models.id, id)).run();
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'delete', before });
  });
}
