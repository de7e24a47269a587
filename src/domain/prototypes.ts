// Prototypes: test vehicles and rigs (race cars, mules, road prototypes, dyno/bench/HIL rigs,
// simulators). The programs a prototype serves (prototype_programs) are owned by the prototype.
import { and, asc, count, eq, gte, inArray, type SQL } from 'drizzle-orm';
import { programs, prototype_programs, prototypes, road_models, test_runs, type PROTOTYPE_KINDS } from '../../db/schema.js';
import { cachedUntilChange, type Db } from '../db.js';
import type { Actor } from './actor.js';
import { recordAudit } from './audit.js';
import { ConflictError, InvalidInputError, NotFoundError, type FieldProblem } from './errors.js';
import { keyset, type KeysetSpec, type Page, type PageQuery } from './paging.js';
import { bumped, expectVersion, inTransaction } from './records.js';
import { likeLiteral, textMatchLike } from './search.js';
import { nowIso } from './time.js';

export type PrototypeKind = (typeof PROTOTYPE_KINDS)[number];
type PrototypeRow = typeof prototypes.$inferSelect;

export type Prototype = Omit<PrototypeRow, 'kind'> & { kind: PrototypeKind; program_ids: number[] };

export interface PrototypeInput {
  code: string;
  name?: string;
  kind: PrototypeKind;
  hardware_revision?: string;
  road_model_id?: number | null;
  notes?: string;
  program_ids?: number[];
  /** Demo data marker: only the seed sets it; the HTTP schemas do not offer it. */
  demo?: boolean;
}
export type PrototypePatch = Partial<Omit<PrototypeInput, 'demo'>>;
export interface PrototypeListQuery extends PageQuery {
  updated_since?: string;
  kind?: PrototypeKind;
  program_id?: number;
  road_model_id?: number;
  q?: string;
}

const ENTITY = 'prototype';

const SORT: KeysetSpec = {
  fields: { code: prototypes.code, id: prototypes.id, updated_at: prototypes.updated_at },
  id: prototypes.id,
  defaultSort: 'code',
};

/** The program ids of many prototypes with one IN query. */
function programIdsOf(db: Db, ids: number[]): Map<number, number[]> {
  const byPrototype = new Map<number, number[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byPrototype;
  const links = db.orm
    .select()
    .from(prototype_programs)
    .where(inArray(prototype_programs.prototype_id, ids))
    .orderBy(asc(prototype_programs.prototype_id), asc(prototype_programs.program_id))
    .all();
  for (const link of links) byPrototype.get(link.prototype_id)!.push(link.program_id);
  return byPrototype;
}

function withPrograms(db: Db, rows: PrototypeRow[]): Prototype[] {
  const programIds = programIdsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ ...r, kind: r.kind as PrototypeKind, program_ids: programIds.get(r.id)! }));
}

export function listPrototypes(db: Db, query: PrototypeListQuery): Page<Prototype> {
  const ks = keyset(SORT, query);
  const where: (SQL | undefined)[] = [ks.where];
  if (query.updated_since) where.push(gte(prototypes.updated_at, query.updated_since));
  if (query.kind) where.push(eq(prototypes.kind, query.kind));
  if (query.road_model_id !== undefined) where.push(eq(prototypes.road_model_id, query.road_model_id));
  if (query.program_id !== undefined) {
    where.push(
      inArray(
        prototypes.id,
        db.orm
          .select({ id: prototype_programs.prototype_id })
          .from(prototype_programs)
          .where(eq(prototype_programs.program_id, query.program_id)),
      ),
    );
  }
  if (query.q) {
    where.push(textMatchLike(query.q, [prototypes.code, prototypes.name, prototypes.hardware_revision, prototypes.notes]));
  }
  const rows = db.orm.select().from(prototypes).where(and(...where)).orderBy(...ks.orderBy).limit(ks.limit + 1).all();
  const page = ks.page(rows);
  return { items: withPrograms(db, page.items), next_cursor: page.next_cursor };
}

export function findPrototype(db: Db, id: number): Prototype | undefined {
  const row = db.orm.select().from(prototypes).where(eq(prototypes.id, id)).get();
  return row && withPrograms(db, [row])[0];
}

export function getPrototype(db: Db, id: number): Prototype {
  const row = findPrototype(db, id);
  if (!row) throw new NotFoundError(ENTITY, id);
  return row;
}

export function findPrototypeByCode(db: Db, code: string): Prototype | undefined {
  const row = db.orm.select().from(prototypes).where(eq(prototypes.code, code)).get();
  return row && withPrograms(db, [row])[0];
}

/** Checks the references: a road model only for a road prototype, and every id must exist. */
function checkReferences(db: Db, kind: string, roadModelId: number | null, programIds: number[] | undefined): void {
  const problems: FieldProblem[] = [];
  if (roadModelId !== null) {
    if (kind !== 'road_prototype') {
      problems.push({ path: '/road_model_id', message: `must be null unless kind is road_prototype (kind is ${kind})` });
    } else if (!db.orm.select({ id: road_models.id }).from(road_models).where(eq(road_models.id, roadModelId)).get()) {
      problems.push({ path: '/road_model_id', message: 'does not exist' });
    }
  }
  if (programIds && programIds.length > 0) {
    const existing = new Set(
      db.orm
        .select({ id: programs.id })
        .from(programs)
        .where(inArray(programs.id, programIds))
        .all()
        .map((r) => r.id),
    );
    programIds.forEach((id, i) => {
      if (!existing.has(id)) problems.push({ path: `/program_ids/${i}`, message: 'does not exist' });
    });
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
}

function replacePrograms(db: Db, prototypeId: number, programIds: number[]): void {
  db.orm.delete(prototype_programs).where(eq(prototype_programs.prototype_id, prototypeId)).run();
  const unique = [...new Set(programIds)];
  if (unique.length > 0) {
    db.orm
      .insert(prototype_programs)
      .values(unique.map((program_id) => ({ prototype_id: prototypeId, program_id })))
      .run();
  }
}

export function createPrototype(db: Db, actor: Actor, input: PrototypeInput): Prototype {
  return inTransaction(db, () => {
    const roadModelId = input.road_model_id ?? null;
    checkReferences(db, input.kind, roadModelId, input.program_ids);
    const at = nowIso();
    const row = db.orm
      .insert(prototypes)
      .values({
        code: input.code,
        name: input.name ?? '',
        kind: input.kind,
        hardware_revision: input.hardware_revision ?? '',
        road_model_id: roadModelId,
        notes: input.notes ?? '',
        demo: input.demo ?? false,
        created_at: at,
        updated_at: at,
      })
      .returning()
      .get();
    replacePrograms(db, row.id, input.program_ids ?? []);
    const after = getPrototype(db, row.id);
    recordAudit(db, actor, { entity: ENTITY, entityId: row.id, action: 'create', after }, at);
    return after;
  });
}

export function updatePrototype(
  db: Db,
  actor: Actor,
  id: number,
  expectedVersion: number | undefined,
  patch: PrototypePatch,
): Prototype {
  return inTransaction(db, () => {
    const before = getPrototype(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    const kind = patch.kind ?? before.kind;
    const roadModelId = patch.road_model_id === undefined ? before.road_model_id : patch.road_model_id;
    checkReferences(db, kind, roadModelId, patch.program_ids);
    const at = nowIso();
    // The version moves even when only program_ids change: they are part of the item.
    db.orm
      .update(prototypes)
      .set({
        code: patch.code ?? before.code,
        name: patch.name ?? before.name,
        kind,
        hardware_revision: patch.hardware_revision ?? before.hardware_revision,
        road_model_id: roadModelId,
        notes: patch.notes ?? before.notes,
        ...bumped(at),
      })
      .where(eq(prototypes.id, id))
      .run();
    if (patch.program_ids !== undefined) replacePrograms(db, id, patch.program_ids);
    const after = getPrototype(db, id);
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'update', before, after }, at);
    return after;
  });
}

export function deletePrototype(db: Db, actor: Actor, id: number, expectedVersion: number | undefined): void {
  inTransaction(db, () => {
    const before = getPrototype(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    const runs = db.orm.select({ n: count() }).from(test_runs).where(eq(test_runs.prototype_id, id)).get()!.n;
    if (runs > 0) {
      throw new ConflictError(`prototype ${id} still has ${runs} test run(s): delete or move them first`);
    }
    db.orm.delete(prototype_programs).where(eq(prototype_programs.prototype_id, id)).run();
    db.orm.delete(prototypes).where(eq(prototypes.id, id)).run();
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'delete', before });
  });
}

// ---------------------------------------------------------------------------------------------
// Typed codes: forms and filters let people type a prototype's code or name, with suggestions.

export interface PrototypeLabel {
  id: number;
  code: string;
  name: string;
}

const prototypeLabelStatements = new WeakMap<Db, ReturnType<typeof preparePrototypeLabels>>();

function preparePrototypeLabels(db: Db) {
  return {
    exact: db.sqlite.prepare<[string], PrototypeLabel>('SELECT id, code, name FROM prototypes WHERE code = ?'),
    foldedCode: db.sqlite.prepare<[string], PrototypeLabel>('SELECT id, code, name FROM prototypes WHERE code = ? COLLATE NOCASE LIMIT 2'),
    foldedName: db.sqlite.prepare<[string], PrototypeLabel>('SELECT id, code, name FROM prototypes WHERE name = ? COLLATE NOCASE LIMIT 2'),
    byId: db.sqlite.prepare<[number], PrototypeLabel>('SELECT id, code, name FROM prototypes WHERE id = ?'),
    all: db.sqlite.prepare<[], PrototypeLabel>('SELECT id, code, name FROM prototypes'),
    suggest: db.sqlite.prepare<{ prefix: string; contains: string; limit: number }, PrototypeLabel>(
      `SELECT id, code, name FROM prototypes WHERE code LIKE :contains ESCAPE '\\' OR name LIKE :contains ESCAPE '\\'
        ORDER BY code NOT LIKE :prefix ESCAPE '\\', code LIMIT :limit`,
    ),
  };
}

function labelStatements(db: Db) {
  let s = prototypeLabelStatements.get(db);
  if (!s) prototypeLabelStatements.set(db, (s = preparePrototypeLabels(db)));
  return s;
}

/**
 * The prototype typed text names: the exact code, then the code or the name ignoring (ASCII) case
 * when that is unambiguous. A suggestion's label (`CODE — name`) names its code too.
 */
export function resolvePrototypeCode(db: Db, typed: string): PrototypeLabel | undefined {
  const s = labelStatements(db);
  const text = typed.trim();
  if (!text) return undefined;
  const exact = s.exact.get(text) ?? s.exact.get(text.split(' — ')[0]!.trim());
  if (exact) return exact;
  for (const statement of [s.foldedCode, s.foldedName]) {
    const found = statement.all(text);
    if (found.length === 1) return found[0];
    if (found.length > 1) return undefined;
  }
  return undefined;
}

/** A prototype's id, code and name, or undefined. */
export function prototypeLabel(db: Db, id: number): PrototypeLabel | undefined {
  return labelStatements(db).byId.get(id);
}

/** Up to `limit` prototypes for what someone is typing (code or name): codes starting with it first. */
export function suggestPrototypes(db: Db, typed: string, limit = 20): PrototypeLabel[] {
  const text = likeLiteral(typed.trim());
  return labelStatements(db).suggest.all({ prefix: `${text}%`, contains: `%${text}%`, limit });
}

/**
 * Every prototype's code and name by id, read again only after the database changes: each run
 * list names the prototypes of its rows (a few thousand prototypes at most: a small map).
 */
export const prototypeLabelsById: (db: Db) => ReadonlyMap<number, PrototypeLabel> = cachedUntilChange(
  (db) => new Map(labelStatements(db).all.all().map((p) => [p.id, p])),
);
