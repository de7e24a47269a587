// Technology categories: an open lookup set; each lists the venue types that count as a relevant
// environment for its technologies (TRL-6). The venue types are owned by the category.
import { and, count, eq, gte, inArray, type SQL } from 'drizzle-orm';
import { category_venue_types, technologies, technology_categories, VENUE_TYPES } from '../../db/schema.js';
import type { Db } from '../db.js';
import type { Actor } from './actor.js';
import { recordAudit } from './audit.js';
import { ConflictError, NotFoundError } from './errors.js';
import { keyset, type KeysetSpec, type Page, type PageQuery } from './paging.js';
import { bumped, definedFields, expectVersion, inTransaction } from './records.js';
import { textMatchLike } from './search.js';
import { nowIso } from './time.js';

export type VenueType = (typeof VENUE_TYPES)[number];
type CategoryRow = typeof technology_categories.$inferSelect;
export type TechnologyCategory = CategoryRow & { venue_types: VenueType[] };
export interface TechnologyCategoryInput {
  name: string;
  description?: string;
  venue_types?: VenueType[];
}
export type TechnologyCategoryPatch = Partial<TechnologyCategoryInput>;
export interface TechnologyCategoryListQuery extends PageQuery {
  updated_since?: string;
  q?: string;
}

const ENTITY = 'technology_category';

const SORT: KeysetSpec = {
  fields: { name: technology_categories.name, id: technology_categories.id, updated_at: technology_categories.updated_at },
  id: technology_categories.id,
  defaultSort: 'name',
};

/** Venue types in the canonical order of VENUE_TYPES, so responses are stable whatever order was sent. */
function canonical(types: Iterable<string>): VenueType[] {
  const set = new Set(types);
  return VENUE_TYPES.filter((v) => set.has(v));
}

/** Attaches venue_types to a page of categories with one IN query. */
function withVenueTypes(db: Db, rows: CategoryRow[]): TechnologyCategory[] {
  if (rows.length === 0) return [];
  const links = db.orm
    .select()
    .from(category_venue_types)
    .where(
      inArray(
        category_venue_types.category_id,
        rows.map((r) => r.id),
      ),
    )
    .all();
  const byCategory = new Map<number, string[]>();
  for (const l of links) {
    const list = byCategory.get(l.category_id) ?? [];
    list.push(l.venue_type);
    byCategory.set(l.category_id, list);
  }
  return rows.map((r) => ({ ...r, venue_types: canonical(byCategory.get(r.id) ?? []) }));
}

function writeVenueTypes(db: Db, categoryId: number, types: readonly VenueType[]): void {
  db.orm.delete(category_venue_types).where(eq(category_venue_types.category_id, categoryId)).run();
  const unique = canonical(types);
  if (unique.length > 0) {
    db.orm
      .insert(category_venue_types)
      .values(unique.map((venue_type) => ({ category_id: categoryId, venue_type })))
      .run();
  }
}

export function listTechnologyCategories(db: Db, query: TechnologyCategoryListQuery): Page<TechnologyCategory> {
  const ks = keyset(SORT, query);
  const where: (SQL | undefined)[] = [ks.where];
  if (query.updated_since) where.push(gte(technology_categories.updated_at, query.updated_since));
  if (query.q) where.push(textMatchLike(query.q, [technology_categories.name, technology_categories.description]));
  const rows = db.orm
    .select()
    .from(technology_categories)
    .where(and(...where))
    .orderBy(...ks.orderBy)
    .limit(ks.limit + 1)
    .all();
  const page = ks.page(rows);
  return { items: withVenueTypes(db, page.items), next_cursor: page.next_cursor };
}

export function findTechnologyCategory(db: Db, id: number): TechnologyCategory | undefined {
  const row = db.orm.select().from(technology_categories).where(eq(technology_categories.id, id)).get();
  return row ? withVenueTypes(db, [row])[0] : undefined;
}

export function getTechnologyCategory(db: Db, id: number): TechnologyCategory {
  const row = findTechnologyCategory(db, id);
  if (!row) throw new NotFoundError(ENTITY, id);
  return row;
}

export function findTechnologyCategoryByName(db: Db, name: string): TechnologyCategory | undefined {
  const row = db.orm.select().from(technology_categories).where(eq(technology_categories.name, name)).get();
  return row ? withVenueTypes(db, [row])[0] : undefined;
}

export function createTechnologyCategory(db: Db, actor: Actor, input: TechnologyCategoryInput): TechnologyCategory {
  return inTransaction(db, () => {
    const at = nowIso();
    const row = db.orm
      .insert(technology_categories)
      .values({ name: input.name, description: input.description ?? '', created_at: at, updated_at: at })
      .returning()
      .get();
    writeVenueTypes(db, row.id, input.venue_types ?? []);
    const after = getTechnologyCategory(db, row.id);
    recordAudit(db, actor, { entity: ENTITY, entityId: row.id, action: 'create', after }, at);
    return after;
  });
}

export function updateTechnologyCategory(
  db: Db,
  actor: Actor,
  id: number,
  expectedVersion: number | undefined,
  patch: TechnologyCategoryPatch,
): TechnologyCategory {
  return inTransaction(db, () => {
    const before = getTechnologyCategory(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    const at = nowIso();
    const { venue_types, ...fields } = patch;
    db.orm
      .update(technology_categories)
      .set({ ...definedFields(fields), ...bumped(at) })
      .where(eq(technology_categories.id, id))
      .run();
    if (venue_types !== undefined) writeVenueTypes(db, id, venue_types);
    const after = getTechnologyCategory(db, id);
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'update', before, after }, at);
    return after;
  });
}

export function deleteTechnologyCategory(db: Db, actor: Actor, id: number, expectedVersion: number | undefined): void {
  inTransaction(db, () => {
    const before = getTechnologyCategory(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    const dependents = db.orm.select({ n: count() }).from(technologies).where(eq(technologies.category_id, id)).get()!.n;
    if (dependents > 0) {
      throw new ConflictError(`technology category ${id} still has ${dependents} technolog${dependents === 1 ? 'y' : 'ies'}: move or delete them first`);
    }
    db.orm.delete(category_venue_types).where(eq(category_venue_types.category_id, id)).run();
    db.orm.delete(technology_categories).where(eq(technology_categories.id, id)).run();
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'delete', before });
  });
}
