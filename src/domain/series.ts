// Series: the racing disciplines (Formula E, Super GT, Super Taikyu, ...).
import { and, count, eq, gte, type SQL } from 'drizzle-orm';
import { programs, series } from '../../db/schema.js';
import type { Db } from '../db.js';
import type { Actor } from './actor.js';
import { recordAudit } from './audit.js';
import { ConflictError, NotFoundError } from './errors.js';
import { keyset, type KeysetSpec, type Page, type PageQuery } from './paging.js';
import { bumped, definedFields, expectVersion, inTransaction } from './records.js';
import { textMatchLike } from './search.js';
import { nowIso } from './time.js';

export type Series = typeof series.$inferSelect;
export interface SeriesInput {
  name: string;
  description?: string;
}
export type SeriesPatch = Partial<SeriesInput>;
export interface SeriesListQuery extends PageQuery {
  updated_since?: string;
  q?: string;
}

const ENTITY = 'series';

const SORT: KeysetSpec = {
  fields: { name: series.name, id: series.id, updated_at: series.updated_at },
  id: series.id,
  defaultSort: 'name',
};

export function listSeries(db: Db, query: SeriesListQuery): Page<Series> {
  const ks = keyset(SORT, query);
  const where: (SQL | undefined)[] = [ks.where];
  if (query.updated_since) where.push(gte(series.updated_at, query.updated_since));
  if (query.q) where.push(textMatchLike(query.q, [series.name, series.description]));
  const rows = db.orm.select().from(series).where(and(...where)).orderBy(...ks.orderBy).limit(ks.limit + 1).all();
  return ks.page(rows);
}

export function findSeries(db: Db, id: number): Series | undefined {
  return db.orm.select().from(series).where(eq(series.id, id)).get();
}

export function getSeries(db: Db, id: number): Series {
  const row = findSeries(db, id);
  if (!row) throw new NotFoundError(ENTITY, id);
  return row;
}

export function createSeries(db: Db, actor: Actor, input: SeriesInput): Series {
  return inTransaction(db, () => {
    const at = nowIso();
    const row = db.orm
      .insert(series)
      .values({ name: input.name, description: input.description ?? '', created_at: at, updated_at: at })
      .returning()
      .get();
    recordAudit(db, actor, { entity: ENTITY, entityId: row.id, action: 'create', after: row }, at);
    return row;
  });
}

export function updateSeries(db: Db, actor: Actor, id: number, expectedVersion: number | undefined, patch: SeriesPatch): Series {
  return inTransaction(db, () => {
    const before = getSeries(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    const at = nowIso();
    const after = db.orm
      .update(series)
      .set({ ...definedFields(patch), ...bumped(at) })
      .where(eq(series.id, id))
      .returning()
      .get();
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'update', before, after }, at);
    return after;
  });
}

export function deleteSeries(db: Db, actor: Actor, id: number, expectedVersion: number | undefined): void {
  inTransaction(db, () => {
    const before = getSeries(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    const dependents = db.orm.select({ n: count() }).from(programs).where(eq(programs.series_id, id)).get()!.n;
    if (dependents > 0) {
      throw new ConflictError(`series ${id} still has ${dependents} program(s): delete or move them first`);
    }
    db.orm.delete(series).where(eq(series.id, id)).run();
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'delete', before });
  });
}
