// Programs: one entry in a series for a season (Formula E 2024-25, Super GT 2025 GT500 #23 NISMO).
import { and, count, eq, gte, ne, type SQL } from 'drizzle-orm';
import { programs, prototype_programs, series, technologies, test_runs, type PROGRAM_STATUSES } from '../../db/schema.js';
import { cachedUntilChange, type Db } from '../db.js';
import type { Actor } from './actor.js';
import { recordAudit } from './audit.js';
import { ConflictError, InvalidInputError, NotFoundError, type FieldProblem } from './errors.js';
import { keyset, type KeysetSpec, type Page, type PageQuery } from './paging.js';
import { bumped, expectVersion, inTransaction } from './records.js';
import { textMatchLike } from './search.js';
import { nowIso } from './time.js';

export type ProgramStatus = (typeof PROGRAM_STATUSES)[number];
type ProgramRow = typeof programs.$inferSelect;

/** The API shape: `class` is null where the table stores '' (NOT NULL keeps the key unique). */
export type Program = Omit<ProgramRow, 'class' | 'status'> & { class: string | null; status: ProgramStatus };

export interface ProgramInput {
  series_id: number;
  season: string;
  start_year: number;
  end_year: number;
  class?: string | null;
  entry: string;
  car: string;
  status?: ProgramStatus;
}
export type ProgramPatch = Partial<ProgramInput>;
export interface ProgramListQuery extends PageQuery {
  updated_since?: string;
  series_id?: number;
  status?: ProgramStatus;
  season?: string;
  start_year?: number;
  q?: string;
}

const ENTITY = 'program';

const SORT: KeysetSpec = {
  fields: { start_year: programs.start_year, season: programs.season, id: programs.id, updated_at: programs.updated_at },
  id: programs.id,
  defaultSort: '-start_year',
};

function toProgram(row: ProgramRow): Program {
  return { ...row, class: row.class === '' ? null : row.class, status: row.status as ProgramStatus };
}

export function listPrograms(db: Db, query: ProgramListQuery): Page<Program> {
  const ks = keyset(SORT, query);
  const where: (SQL | undefined)[] = [ks.where];
  if (query.updated_since) where.push(gte(programs.updated_at, query.updated_since));
  if (query.series_id !== undefined) where.push(eq(programs.series_id, query.series_id));
  if (query.status) where.push(eq(programs.status, query.status));
  if (query.season) where.push(eq(programs.season, query.season));
  if (query.start_year !== undefined) where.push(eq(programs.start_year, query.start_year));
  if (query.q) where.push(textMatchLike(query.q, [programs.season, programs.entry, programs.car, programs.class]));
  const rows = db.orm.select().from(programs).where(and(...where)).orderBy(...ks.orderBy).limit(ks.limit + 1).all();
  const page = ks.page(rows);
  return { items: page.items.map(toProgram), next_cursor: page.next_cursor };
}

export function findProgram(db: Db, id: number): Program | undefined {
  const row = db.orm.select().from(programs).where(eq(programs.id, id)).get();
  return row && toProgram(row);
}

export function getProgram(db: Db, id: number): Program {
  const row = findProgram(db, id);
  if (!row) throw new NotFoundError(ENTITY, id);
  return row;
}

type ProgramValues = Omit<ProgramRow, 'id' | 'version' | 'created_at' | 'updated_at'>;

/** Checks what the schema cannot: the years' order, the series reference and the program key. */
function checkProgram(db: Db, values: ProgramValues, selfId?: number): void {
  const problems: FieldProblem[] = [];
  if (values.end_year < values.start_year) {
    problems.push({ path: '/end_year', message: `must be at or after start_year (${values.start_year})` });
  }
  if (!db.orm.select({ id: series.id }).from(series).where(eq(series.id, values.series_id)).get()) {
    problems.push({ path: '/series_id', message: 'does not exist' });
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  // Pre-checked so that the 409 names the key, not the four columns of the UNIQUE index.
  const taken = db.orm
    .select({ id: programs.id })
    .from(programs)
    .where(
      and(
        eq(programs.series_id, values.series_id),
        eq(programs.season, values.season),
        eq(programs.class, values.class),
        eq(programs.entry, values.entry),
        selfId === undefined ? undefined : ne(programs.id, selfId),
      ),
    )
    .get();
  if (taken) {
    throw new ConflictError(`program ${taken.id} is already this entry for that series, season and class`, [
      { path: '/entry', message: 'this entry already exists for that series, season and class' },
    ]);
  }
}

export function createProgram(db: Db, actor: Actor, input: ProgramInput): Program {
  return inTransaction(db, () => {
    const values: ProgramValues = {
      series_id: input.series_id,
      season: input.season,
      start_year: input.start_year,
      end_year: input.end_year,
      class: input.class ?? '',
      entry: input.entry,
      car: input.car,
      status: input.status ?? 'planned',
    };
    checkProgram(db, values);
    const at = nowIso();
    const row = toProgram(db.orm.insert(programs).values({ ...values, created_at: at, updated_at: at }).returning().get());
    recordAudit(db, actor, { entity: ENTITY, entityId: row.id, action: 'create', after: row }, at);
    return row;
  });
}

export function updateProgram(
  db: Db,
  actor: Actor,
  id: number,
  expectedVersion: number | undefined,
  patch: ProgramPatch,
): Program {
  return inTransaction(db, () => {
    const before = getProgram(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    // `class: null` clears it; an absent field keeps the stored value.
    const values: ProgramValues = {
      series_id: patch.series_id ?? before.series_id,
      season: patch.season ?? before.season,
      start_year: patch.start_year ?? before.start_year,
      end_year: patch.end_year ?? before.end_year,
      class: patch.class === undefined ? (before.class ?? '') : (patch.class ?? ''),
      entry: patch.entry ?? before.entry,
      car: patch.car ?? before.car,
      status: patch.status ?? before.status,
    };
    checkProgram(db, values, id);
    const at = nowIso();
    const after = toProgram(
      db.orm
        .update(programs)
        .set({ ...values, ...bumped(at) })
        .where(eq(programs.id, id))
        .returning()
        .get(),
    );
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'update', before, after }, at);
    return after;
  });
}

export function deleteProgram(db: Db, actor: Actor, id: number, expectedVersion: number | undefined): void {
  inTransaction(db, () => {
    const before = getProgram(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    const n = (rows: { n: number } | undefined) => rows?.n ?? 0;
    const blockers = [
      [n(db.orm.select({ n: count() }).from(prototype_programs).where(eq(prototype_programs.program_id, id)).get()), 'prototype(s) serving it'],
      [n(db.orm.select({ n: count() }).from(test_runs).where(eq(test_runs.program_id, id)).get()), 'test run(s)'],
      [n(db.orm.select({ n: count() }).from(technologies).where(eq(technologies.origin_program_id, id)).get()), 'technology(ies) originating in it'],
    ] as const;
    const found = blockers.filter(([count]) => count > 0).map(([count, what]) => `${count} ${what}`);
    if (found.length > 0) {
      throw new ConflictError(`program ${id} still has ${found.join(', ')}: remove or move them first`);
    }
    db.orm.delete(programs).where(eq(programs.id, id)).run();
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'delete', before });
  });
}

/** What a program is called in pickers: its series, season, class and entry (no whole records). */
export interface ProgramName {
  id: number;
  series_name: string;
  season: string;
  /** null when the series has no classes, as in the API. */
  class: string | null;
  entry: string;
}

const programNameStatements = new WeakMap<Db, ReturnType<typeof prepareProgramNames>>();

function prepareProgramNames(db: Db) {
  return db.sqlite.prepare<[], ProgramName>(
    `SELECT p.id, s.name AS series_name, p.season, nullif(p.class, '') AS class, p.entry
       FROM programs p JOIN series s ON s.id = p.series_id
      ORDER BY p.start_year DESC, p.id DESC`,
  );
}

/** Every program's name parts, newest season first (the order of `sort=-start_year`). */
export function programNames(db: Db): ProgramName[] {
  let statement = programNameStatements.get(db);
  if (!statement) programNameStatements.set(db, (statement = prepareProgramNames(db)));
  return statement.all();
}

// ---------------------------------------------------------------------------------------------
// Labels: how pages name a program, and finding one by what someone typed

/** `Formula E 2024-25 · Nissan Formula E Team` or `Super GT 2025 GT500 · #23 NISMO`. */
export function programLabel(p: Pick<Program, 'season' | 'class' | 'entry'>, seriesName: string | undefined): string {
  return `${seriesName ?? 'Series ?'} ${p.season}${p.class ? ` ${p.class}` : ''} · ${p.entry}`;
}

/**
 * Programs with their labels, newest first. Run lists, forms and filters offer them: read again
 * only after a write (a shared array: do not mutate).
 */
export const programChoices: (db: Db) => readonly { id: number; label: string }[] = cachedUntilChange((db) =>
  programNames(db).map((p) => ({ id: p.id, label: programLabel(p, p.series_name) })),
);

/** Each program's label by id, and lower-cased for matching what someone typed. */
const programLabelIndex = cachedUntilChange((db: Db) => {
  const list = programChoices(db).map((p) => ({ ...p, folded: p.label.toLowerCase() }));
  return { list, byId: new Map(list.map((p) => [p.id, p.label])) as ReadonlyMap<number, string> };
});

/** Every program's label by id (a shared map: do not mutate). */
export function programLabelsById(db: Db): ReadonlyMap<number, string> {
  return programLabelIndex(db).byId;
}

const holdsEvery = (folded: string, words: string[]) => words.every((w) => folded.includes(w));

/**
 * The program a typed label names (what the run list's Program field sends): the label itself,
 * ignoring case, or words that only one program's label holds all of (`gt500 2025`).
 */
export function resolveProgramLabel(db: Db, typed: string): { id: number; label: string } | undefined {
  const text = typed.trim().toLowerCase();
  if (!text) return undefined;
  const list = programLabelIndex(db).list;
  const exact = list.find((p) => p.folded === text);
  if (exact) return exact;
  const words = text.split(/\s+/);
  const holding = list.filter((p) => holdsEvery(p.folded, words));
  return holding.length === 1 ? holding[0] : undefined;
}

/**
 * Up to `limit` program labels for what someone is typing: labels starting with the text first,
 * then those holding each of its words; newest first within each. Nothing typed: the newest.
 */
export function suggestProgramLabels(db: Db, typed: string, limit = 20): string[] {
  const text = typed.trim().toLowerCase();
  const list = programLabelIndex(db).list;
  if (!text) return list.slice(0, limit).map((p) => p.label);
  const words = text.split(/\s+/);
  const starting: string[] = [];
  const holding: string[] = [];
  for (const p of list) {
    if (p.folded.startsWith(text)) starting.push(p.label);
    else if (holdsEvery(p.folded, words)) holding.push(p.label);
    if (starting.length >= limit) break;
  }
  return [...starting, ...holding].slice(0, limit);
}
