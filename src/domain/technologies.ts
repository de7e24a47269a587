// Technologies: hardware and software capabilities. A technology derives from others (a road
// inverter from a race inverter); its own derivation rows (`derived_from`) are owned by it, and
// the derivation graph stays acyclic (rule DER-1).
import { and, asc, count, eq, gte, inArray, type SQL } from 'drizzle-orm';
import {
  evidence,
  programs,
  readiness_assessments,
  technologies,
  technology_categories,
  technology_derivations,
  transfers,
  TECHNOLOGY_DOMAINS,
} from '../../db/schema.js';
import type { Db } from '../db.js';
import type { Actor } from './actor.js';
import { recordAudit } from './audit.js';
import { ConflictError, InvalidInputError, NotFoundError, RuleViolationError, type FieldProblem } from './errors.js';
import { keyset, type KeysetSpec, type Page, type PageQuery } from './paging.js';
import { bumped, definedFields, expectVersion, inTransaction } from './records.js';
import { likeLiteral, textMatch } from './search.js';
import { nowIso } from './time.js';
import { watchSuspects } from './webhooks.js';

export type TechnologyDomain = (typeof TECHNOLOGY_DOMAINS)[number];
type TechnologyRow = typeof technologies.$inferSelect;
export type Technology = Omit<TechnologyRow, 'domain'> & { domain: TechnologyDomain; derived_from: number[] };
export interface TechnologyInput {
  name: string;
  domain: TechnologyDomain;
  category_id: number;
  description?: string;
  origin_program_id?: number | null;
  owner?: string;
  derived_from?: number[];
}
export type TechnologyPatch = Partial<TechnologyInput>;
export interface TechnologyListQuery extends PageQuery {
  updated_since?: string;
  q?: string;
  domain?: TechnologyDomain;
  category_id?: number;
  origin_program_id?: number;
  /** Only technologies that derive directly from this one. */
  derived_from?: number;
}

const ENTITY = 'technology';

const SORT: KeysetSpec = {
  fields: { name: technologies.name, id: technologies.id, updated_at: technologies.updated_at },
  id: technologies.id,
  defaultSort: 'name',
};

/** Attaches derived_from to a page of technologies with one IN query. */
function withDerivations(db: Db, rows: TechnologyRow[]): Technology[] {
  if (rows.length === 0) return [];
  const links = db.orm
    .select({ parent_id: technology_derivations.parent_id, child_id: technology_derivations.child_id })
    .from(technology_derivations)
    .where(
      inArray(
        technology_derivations.child_id,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(technology_derivations.child_id), asc(technology_derivations.parent_id))
    .all();
  const parents = new Map<number, number[]>();
  for (const l of links) {
    const list = parents.get(l.child_id) ?? [];
    list.push(l.parent_id);
    parents.set(l.child_id, list);
  }
  return rows.map((r) => ({ ...r, domain: r.domain as TechnologyDomain, derived_from: parents.get(r.id) ?? [] }));
}

export function listTechnologies(db: Db, query: TechnologyListQuery): Page<Technology> {
  const ks = keyset(SORT, query);
  const where: (SQL | undefined)[] = [ks.where];
  if (query.updated_since) where.push(gte(technologies.updated_at, query.updated_since));
  if (query.domain) where.push(eq(technologies.domain, query.domain));
  if (query.category_id !== undefined) where.push(eq(technologies.category_id, query.category_id));
  if (query.origin_program_id !== undefined) where.push(eq(technologies.origin_program_id, query.origin_program_id));
  if (query.derived_from !== undefined) {
    where.push(
      inArray(
        technologies.id,
        db.orm
          .select({ id: technology_derivations.child_id })
          .from(technology_derivations)
          .where(eq(technology_derivations.parent_id, query.derived_from)),
      ),
    );
  }
  if (query.q) {
    where.push(textMatch(query.q, 'technologies_fts', technologies.id, [technologies.name, technologies.description, technologies.owner]));
  }
  const rows = db.orm
    .select()
    .from(technologies)
    .where(and(...where))
    .orderBy(...ks.orderBy)
    .limit(ks.limit + 1)
    .all();
  const page = ks.page(rows);
  return { items: withDerivations(db, page.items), next_cursor: page.next_cursor };
}

export function findTechnology(db: Db, id: number): Technology | undefined {
  const row = db.orm.select().from(technologies).where(eq(technologies.id, id)).get();
  return row ? withDerivations(db, [row])[0] : undefined;
}

export function getTechnology(db: Db, id: number): Technology {
  const row = findTechnology(db, id);
  if (!row) throw new NotFoundError(ENTITY, id);
  return row;
}

export function findTechnologyByName(db: Db, name: string): Technology | undefined {
  const row = db.orm.select().from(technologies).where(eq(technologies.name, name)).get();
  return row ? withDerivations(db, [row])[0] : undefined;
}

/** Every technology `id` derives from, directly or transitively (not itself). */
export function ancestorIds(db: Db, id: number): number[] {
  const rows = db.sqlite
    .prepare(
      `WITH RECURSIVE up(id) AS (
         SELECT parent_id FROM technology_derivations WHERE child_id = ?
         UNION
         SELECT d.parent_id FROM technology_derivations d JOIN up ON d.child_id = up.id
       )
       SELECT id FROM up WHERE id <> ? ORDER BY id`,
    )
    .all(id, id) as { id: number }[];
  return rows.map((r) => r.id);
}

/** Every technology that derives from `id`, directly or transitively (not itself). */
export function descendantIds(db: Db, id: number): number[] {
  const rows = db.sqlite
    .prepare(
      `WITH RECURSIVE down(id) AS (
         SELECT child_id FROM technology_derivations WHERE parent_id = ?
         UNION
         SELECT d.child_id FROM technology_derivations d JOIN down ON d.parent_id = down.id
       )
       SELECT id FROM down WHERE id <> ? ORDER BY id`,
    )
    .all(id, id) as { id: number }[];
  return rows.map((r) => r.id);
}

/** Refuses references to records that do not exist (422 naming each field). */
function checkReferences(db: Db, input: TechnologyPatch): void {
  const problems: FieldProblem[] = [];
  if (input.category_id !== undefined) {
    const found = db.orm.select({ id: technology_categories.id }).from(technology_categories).where(eq(technology_categories.id, input.category_id)).get();
    if (!found) problems.push({ path: '/category_id', message: 'does not exist' });
  }
  if (input.origin_program_id !== undefined && input.origin_program_id !== null) {
    const found = db.orm.select({ id: programs.id }).from(programs).where(eq(programs.id, input.origin_program_id)).get();
    if (!found) problems.push({ path: '/origin_program_id', message: 'does not exist' });
  }
  if (input.derived_from && input.derived_from.length > 0) {
    const existing = new Set(
      db.orm
        .select({ id: technologies.id })
        .from(technologies)
        .where(inArray(technologies.id, input.derived_from))
        .all()
        .map((r) => r.id),
    );
    input.derived_from.forEach((parentId, i) => {
      if (!existing.has(parentId)) problems.push({ path: `/derived_from/${i}`, message: 'does not exist' });
    });
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
}

/**
 * DER-1: deriving `child` from a parent P makes a cycle when P is the child itself or already
 * derives (transitively) from it. One recursive CTE walks down from the child, keeping for each
 * reached technology the parent it was reached through, so the refusal can show the cycle.
 */
function checkAcyclic(db: Db, child: Technology, parents: number[], added: Set<number>): void {
  const reached = db.sqlite
    .prepare(
      `WITH RECURSIVE down(id, via) AS (
         SELECT ?, NULL
         UNION
         SELECT d.child_id, d.parent_id FROM technology_derivations d JOIN down ON d.parent_id = down.id
       )
       SELECT down.id AS id, down.via AS via, t.name AS name FROM down JOIN technologies t ON t.id = down.id`,
    )
    .all(child.id) as { id: number; via: number | null; name: string }[];
  const via = new Map<number, number | null>();
  const names = new Map<number, string>();
  for (const r of reached) {
    if (!via.has(r.id) || r.via === null) via.set(r.id, r.via);
    names.set(r.id, r.name);
  }
  const problems: FieldProblem[] = [];
  let first: string | undefined;
  parents.forEach((parentId, i) => {
    if (!added.has(parentId) || !via.has(parentId)) return;
    // Walk back from the parent to the child: child → … → parent, then the new edge closes it.
    const path: number[] = [parentId];
    const seen = new Set<number>([parentId]);
    let at = via.get(parentId) ?? null;
    while (at !== null && !seen.has(at)) {
      path.unshift(at);
      seen.add(at);
      at = via.get(at) ?? null;
    }
    const cycle = [...path, child.id].map((id) => names.get(id) ?? `technology ${id}`).join(' → ');
    const parentName = names.get(parentId) ?? `technology ${parentId}`;
    const message = `deriving ${child.name} from ${parentName} would make a cycle: ${cycle}`;
    first ??= message;
    problems.push({ path: `/derived_from/${i}`, message });
  });
  if (first !== undefined) throw new RuleViolationError('DER-1', first, problems);
}

function writeDerivations(db: Db, childId: number, parents: readonly number[], at: string): void {
  db.orm.delete(technology_derivations).where(eq(technology_derivations.child_id, childId)).run();
  const unique = [...new Set(parents)];
  if (unique.length > 0) {
    db.orm
      .insert(technology_derivations)
      .values(unique.map((parent_id) => ({ parent_id, child_id: childId, created_at: at })))
      .run();
  }
}

export function createTechnology(db: Db, actor: Actor, input: TechnologyInput): Technology {
  return inTransaction(db, () => {
    checkReferences(db, input);
    const at = nowIso();
    const row = db.orm
      .insert(technologies)
      .values({
        name: input.name,
        domain: input.domain,
        category_id: input.category_id,
        description: input.description ?? '',
        origin_program_id: input.origin_program_id ?? null,
        owner: input.owner ?? '',
        created_at: at,
        updated_at: at,
      })
      .returning()
      .get();
    // A new technology has no descendants yet, so its parents cannot make a cycle (DER-1).
    writeDerivations(db, row.id, input.derived_from ?? [], at);
    const after = getTechnology(db, row.id);
    recordAudit(db, actor, { entity: ENTITY, entityId: row.id, action: 'create', after }, at);
    return after;
  });
}

export function updateTechnology(
  db: Db,
  actor: Actor,
  id: number,
  expectedVersion: number | undefined,
  patch: TechnologyPatch,
): Technology {
  return inTransaction(db, () => {
    const before = getTechnology(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    checkReferences(db, patch);
    const { derived_from, ...fields } = patch;
    if (derived_from !== undefined) {
      const current = new Set(before.derived_from);
      checkAcyclic(db, before, derived_from, new Set(derived_from.filter((p) => !current.has(p))));
    }
    const suspects = watchSuspects(db, [id]);
    const at = nowIso();
    db.orm
      .update(technologies)
      .set({ ...definedFields(fields), ...bumped(at) })
      .where(eq(technologies.id, id))
      .run();
    if (derived_from !== undefined) writeDerivations(db, id, derived_from, at);
    const after = getTechnology(db, id);
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'update', before, after }, at);
    suspects.emit(at);
    return after;
  });
}

export function deleteTechnology(db: Db, actor: Actor, id: number, expectedVersion: number | undefined): void {
  inTransaction(db, () => {
    const before = getTechnology(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    const n = (q: { n: number } | undefined) => q?.n ?? 0;
    const blockers: string[] = [];
    const children = n(db.orm.select({ n: count() }).from(technology_derivations).where(eq(technology_derivations.parent_id, id)).get());
    if (children > 0) blockers.push(`${children} technolog${children === 1 ? 'y derives' : 'ies derive'} from it`);
    const runs = n(db.orm.select({ n: count() }).from(evidence).where(eq(evidence.technology_id, id)).get());
    if (runs > 0) blockers.push(`${runs} test run(s) hold evidence for it`);
    const feeds = n(db.orm.select({ n: count() }).from(transfers).where(eq(transfers.technology_id, id)).get());
    if (feeds > 0) blockers.push(`${feeds} transfer(s) to road models`);
    const assessments = n(
      db.orm.select({ n: count() }).from(readiness_assessments).where(eq(readiness_assessments.technology_id, id)).get(),
    );
    if (assessments > 0) blockers.push(`${assessments} readiness assessment(s)`);
    if (blockers.length > 0) {
      throw new ConflictError(`technology ${id} cannot be deleted: ${blockers.join(', ')}`);
    }
    db.orm.delete(technology_derivations).where(eq(technology_derivations.child_id, id)).run();
    db.orm.delete(technologies).where(eq(technologies.id, id)).run();
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'delete', before });
  });
}

// ---------------------------------------------------------------------------------------------
// Typed names: forms and filters let people type a technology's name (10,000 of them do not fit
// a <select>), with suggestions as they type.

const technologyNameStatements = new WeakMap<Db, ReturnType<typeof prepareTechnologyNames>>();

function prepareTechnologyNames(db: Db) {
  return {
    exact: db.sqlite.prepare<[string], { id: number; name: string }>('SELECT id, name FROM technologies WHERE name = ?'),
    folded: db.sqlite.prepare<[string], { id: number; name: string }>('SELECT id, name FROM technologies WHERE name = ? COLLATE NOCASE LIMIT 2'),
    byId: db.sqlite.prepare<[number], { id: number; name: string }>('SELECT id, name FROM technologies WHERE id = ?'),
    all: db.sqlite.prepare<[], { id: number; name: string }>('SELECT id, name FROM technologies ORDER BY name, id'),
    // Names that start with the text first, then names that contain it; each alphabetical.
    suggest: db.sqlite.prepare<{ prefix: string; contains: string; limit: number }, { name: string }>(
      `SELECT name FROM technologies WHERE name LIKE :contains ESCAPE '\\'
        ORDER BY name NOT LIKE :prefix ESCAPE '\\', name LIMIT :limit`,
    ),
  };
}

function technologyNames(db: Db) {
  let s = technologyNameStatements.get(db);
  if (!s) technologyNameStatements.set(db, (s = prepareTechnologyNames(db)));
  return s;
}

/** The technology a typed name names: exact, then ignoring (ASCII) case when that is unambiguous. */
export function resolveTechnologyName(db: Db, typed: string): { id: number; name: string } | undefined {
  const s = technologyNames(db);
  const text = typed.trim();
  if (!text) return undefined;
  const exact = s.exact.get(text);
  if (exact) return exact;
  const folded = s.folded.all(text);
  return folded.length === 1 ? folded[0] : undefined;
}

/** Every technology's id and name, by name: for pickers (no whole records). */
export function allTechnologyNames(db: Db): { id: number; name: string }[] {
  return technologyNames(db).all.all();
}

/** A technology's id and name, or undefined. */
export function technologyName(db: Db, id: number): { id: number; name: string } | undefined {
  return technologyNames(db).byId.get(id);
}

/** Up to `limit` names for what someone is typing: those starting with it, then those containing it. */
export function suggestTechnologyNames(db: Db, typed: string, limit = 20): string[] {
  const text = likeLiteral(typed.trim());
  return technologyNames(db)
    .suggest.all({ prefix: `${text}%`, contains: `%${text}%`, limit })
    .map((r) => r.name);
}
