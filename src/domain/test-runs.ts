// Test runs: the most used record. A run owns its measurements and evidence (deleted and replaced
// with it); readiness assessments that cite it block its delete. Codes are generated as
// TR-YYYY-NNNN from a yearly sequence when not given.
import { and, asc, eq, gt, gte, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import {
  EVIDENCE_OUTCOMES,
  RUN_STATUSES,
  VENUE_TYPES,
  evidence,
  measurements,
  programs,
  prototypes,
  readiness_evidence_runs,
  sequences,
  technologies,
  test_runs,
} from '../../db/schema.js';
import { rawQuery, type Db, type RawQuery } from '../db.js';
import type { Actor } from './actor.js';
import { deleteRunAttachments, removeAttachmentFiles } from './attachments.js';
import { recordAudit } from './audit.js';
import { ConflictError, InvalidInputError, MalformedInputError, NotFoundError, type FieldProblem } from './errors.js';
import { keyset, type KeysetSpec, type Page, type PageQuery } from './paging.js';
import { bumped, definedFields, expectVersion, inTransaction } from './records.js';
import { textMatch } from './search.js';
import { nowIso } from './time.js';
import { enqueueEvent, watchSuspects } from './webhooks.js';

export type VenueType = (typeof VENUE_TYPES)[number];
export type RunStatus = (typeof RUN_STATUSES)[number];
export type EvidenceOutcome = (typeof EVIDENCE_OUTCOMES)[number];

export interface Measurement {
  name: string;
  value: number;
  unit: string;
}

export interface Evidence {
  technology_id: number;
  outcome: EvidenceOutcome;
  notes: string;
}

export interface TestRun {
  id: number;
  code: string;
  prototype_id: number;
  program_id: number | null;
  title: string;
  objective: string;
  venue_type: VenueType;
  location: string;
  start_time: string;
  end_time: string | null;
  status: RunStatus;
  software_version: string;
  hardware_revision: string;
  engineer: string;
  result_summary: string;
  demo: boolean;
  /** In the order they were given (by position). */
  measurements: Measurement[];
  /** In the order they were given; one entry per technology. */
  evidence: Evidence[];
  version: number;
  created_at: string;
  updated_at: string;
}

export interface MeasurementInput {
  name: string;
  value: number;
  unit?: string;
}

export interface EvidenceInput {
  technology_id: number;
  outcome: EvidenceOutcome;
  notes?: string;
}

export interface TestRunInput {
  /** Generated as TR-YYYY-NNNN (year of start_time) when absent. */
  code?: string;
  prototype_id: number;
  program_id?: number | null;
  title: string;
  objective?: string;
  venue_type: VenueType;
  location?: string;
  start_time: string;
  end_time?: string | null;
  /** Default `completed`. */
  status?: RunStatus;
  software_version?: string;
  hardware_revision?: string;
  /** Default: the actor's name. */
  engineer?: string;
  result_summary?: string;
  /** Demo data marker: set by the seed, not by the API. */
  demo?: boolean;
  measurements?: MeasurementInput[];
  /** At least one. */
  evidence: EvidenceInput[];
}

/** Every field optional; a named `measurements` or `evidence` replaces that whole set. */
export type TestRunPatch = Partial<TestRunInput>;

export interface TestRunListQuery extends PageQuery {
  prototype_id?: number;
  program_id?: number;
  /** Runs with evidence for this technology (with `outcome`: that outcome for it). */
  technology_id?: number;
  /** Runs with evidence of this outcome (for `technology_id` if given, else for any technology). */
  outcome?: EvidenceOutcome;
  status?: RunStatus;
  venue_type?: VenueType;
  engineer?: string;
  /** start_time at or after. */
  started_after?: string;
  /** start_time strictly before. */
  started_before?: string;
  updated_since?: string;
  q?: string;
}

/** Limits shared by the HTTP schema and the domain checks (the CSV import has no schema). */
export const TEST_RUN_LIMITS = {
  code: 40,
  title: 200,
  objective: 10_000,
  location: 200,
  software_version: 100,
  hardware_revision: 100,
  engineer: 100,
  result_summary: 10_000,
  measurements: 500,
  measurement_name: 100,
  measurement_unit: 30,
  evidence: 100,
  evidence_notes: 2_000,
} as const;

export const TEST_RUN_CODE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';
const CODE_RE = new RegExp(TEST_RUN_CODE_PATTERN);

const ENTITY = 'test_run';

const SORT: KeysetSpec = {
  fields: { start_time: test_runs.start_time, code: test_runs.code, id: test_runs.id, updated_at: test_runs.updated_at },
  id: test_runs.id,
  defaultSort: '-start_time',
};

const SEARCH_COLUMNS = [
  test_runs.code,
  test_runs.title,
  test_runs.objective,
  test_runs.location,
  test_runs.result_summary,
  test_runs.engineer,
  test_runs.software_version,
  test_runs.hardware_revision,
];

// ---------------------------------------------------------------------------------------------
// Timestamps: stored as UTC `YYYY-MM-DDTHH:mm:ss.sssZ` so that text order is time order.

const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** An RFC 3339 date-time as stored (UTC, milliseconds), or undefined when it is not one. */
export function normalizeTimestamp(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TIMESTAMP_RE.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return undefined;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return undefined;
  const date = new Date(value.toUpperCase().replace(' ', 'T'));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

// ---------------------------------------------------------------------------------------------
// Prepared statements, one set per connection: get-by-id and the children of a page are the hot path.

/** A test_runs row as SQLite gives it (read through rawQuery: `demo` is 0 or 1). */
type RunRow = Omit<typeof test_runs.$inferSelect, 'demo'> & { demo: number };

function prepareStatements(db: Db) {
  const ids = sql.placeholder('ids');
  const inIds = (column: SQLiteColumn) => sql`${column} IN (SELECT value FROM json_each(${ids}))`;
  /** A child table's rows for a whole page of runs (`ids`), run by run, each run's in `order`. */
  const childrenOf = <Row>(table: typeof measurements | typeof evidence, columns: Record<string, SQLiteColumn>, order: SQL) =>
    rawQuery<Row & { test_run_id: number }>(
      db,
      db.orm
        .select({ test_run_id: table.test_run_id, ...columns })
        .from(table)
        .where(inIds(table.test_run_id))
        .orderBy(asc(table.test_run_id), order),
    );
  return {
    runById: rawQuery<RunRow>(db, db.orm.select().from(test_runs).where(eq(test_runs.id, sql.placeholder('id')))),
    runIdByCode: db.orm.select({ id: test_runs.id }).from(test_runs).where(eq(test_runs.code, sql.placeholder('code'))).prepare(),
    measurementsOf: childrenOf<{ name: string; value: number; unit: string }>(
      measurements,
      { name: measurements.name, value: measurements.value, unit: measurements.unit },
      asc(measurements.position),
    ),
    // Evidence has no position column: rowid keeps the order the rows were written in.
    evidenceOf: childrenOf<{ technology_id: number; outcome: string; notes: string }>(
      evidence,
      { technology_id: evidence.technology_id, outcome: evidence.outcome, notes: evidence.notes },
      sql`${evidence}.rowid`,
    ),
    insertMeasurement: db.orm
      .insert(measurements)
      .values({
        test_run_id: sql.placeholder('test_run_id'),
        position: sql.placeholder('position'),
        name: sql.placeholder('name'),
        value: sql.placeholder('value'),
        unit: sql.placeholder('unit'),
      })
      .prepare(),
    insertEvidence: db.orm
      .insert(evidence)
      .values({
        test_run_id: sql.placeholder('test_run_id'),
        technology_id: sql.placeholder('technology_id'),
        outcome: sql.placeholder('outcome'),
        notes: sql.placeholder('notes'),
      })
      .prepare(),
    deleteMeasurements: db.orm.delete(measurements).where(eq(measurements.test_run_id, sql.placeholder('id'))).prepare(),
    deleteEvidence: db.orm.delete(evidence).where(eq(evidence.test_run_id, sql.placeholder('id'))).prepare(),
    prototypeExists: db.orm.select({ id: prototypes.id }).from(prototypes).where(eq(prototypes.id, sql.placeholder('id'))).prepare(),
    programExists: db.orm.select({ id: programs.id }).from(programs).where(eq(programs.id, sql.placeholder('id'))).prepare(),
    existingTechnologies: db.orm
      .select({ id: technologies.id })
      .from(technologies)
      .where(sql`${technologies.id} IN (SELECT value FROM json_each(${ids}))`)
      .prepare(),
    sequenceValue: db.orm.select({ value: sequences.value }).from(sequences).where(eq(sequences.name, sql.placeholder('name'))).prepare(),
    setSequence: db.orm
      .insert(sequences)
      .values({ name: sql.placeholder('name'), value: sql.placeholder('value') })
      .onConflictDoUpdate({ target: sequences.name, set: { value: sql`excluded.value` } })
      .prepare(),
    citingAssessments: db.orm
      .select({ n: sql<number>`count(*)` })
      .from(readiness_evidence_runs)
      .where(eq(readiness_evidence_runs.test_run_id, sql.placeholder('id')))
      .prepare(),
  };
}

const statementCache = new WeakMap<Db, ReturnType<typeof prepareStatements>>();

function statements(db: Db) {
  let s = statementCache.get(db);
  if (!s) {
    s = prepareStatements(db);
    statementCache.set(db, s);
  }
  return s;
}

/** Attaches measurements and evidence to runs: one query per child table, whatever the page size. */
/** A run without its measurements: what lists of runs on pages show. */
export type TestRunSummary = Omit<TestRun, 'measurements'>;

function withChildren(db: Db, rows: RunRow[]): TestRun[];
function withChildren(db: Db, rows: RunRow[], withMeasurements: false): TestRunSummary[];
function withChildren(db: Db, rows: RunRow[], withMeasurements = true): (TestRun | TestRunSummary)[] {
  if (rows.length === 0) return [];
  const s = statements(db);
  const ids = JSON.stringify(rows.map((r) => r.id));
  const ms = new Map<number, Measurement[]>();
  for (const m of withMeasurements ? s.measurementsOf.all({ ids }) : []) {
    let list = ms.get(m.test_run_id);
    if (!list) ms.set(m.test_run_id, (list = []));
    list.push({ name: m.name, value: m.value, unit: m.unit });
  }
  const ev = new Map<number, Evidence[]>();
  for (const e of s.evidenceOf.all({ ids })) {
    let list = ev.get(e.test_run_id);
    if (!list) ev.set(e.test_run_id, (list = []));
    list.push({ technology_id: e.technology_id, outcome: e.outcome as EvidenceOutcome, notes: e.notes });
  }
  // One object literal, the same keys in the same order for every run: the serializer and every
  // other reader meet a single object shape (a spread of drizzle's rows makes dictionary objects;
  // a spread here cost the API list a third of its speed). Summaries keep the shape: their
  // measurements are empty, and their type leaves them out.
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    prototype_id: r.prototype_id,
    program_id: r.program_id,
    title: r.title,
    objective: r.objective,
    venue_type: r.venue_type as VenueType,
    location: r.location,
    start_time: r.start_time,
    end_time: r.end_time,
    status: r.status as RunStatus,
    software_version: r.software_version,
    hardware_revision: r.hardware_revision,
    engineer: r.engineer,
    result_summary: r.result_summary,
    demo: r.demo === 1,
    version: r.version,
    created_at: r.created_at,
    updated_at: r.updated_at,
    measurements: ms.get(r.id) ?? [],
    evidence: ev.get(r.id) ?? [],
  }));
}

// ---------------------------------------------------------------------------------------------
// Reads

function startedBound(value: string, path: string): string {
  const at = normalizeTimestamp(value);
  if (!at) throw new MalformedInputError([{ path, message: 'must be a date-time (RFC 3339)' }]);
  return at;
}

type Placeholder = ReturnType<typeof sql.placeholder>;

/** Filters by query parameter; each condition reads its value from a placeholder of the same name. */
const FILTERS: Record<string, (p: Placeholder) => SQL> = {
  prototype_id: (p) => eq(test_runs.prototype_id, p),
  program_id: (p) => eq(test_runs.program_id, p),
  // Drives from the evidence index (technology_id, outcome, test_run_id).
  technology_id: (p) => sql`${test_runs.id} IN (SELECT ${evidence.test_run_id} FROM ${evidence} WHERE ${evidence.technology_id} = ${p})`,
  technology_outcome: (p) =>
    sql`${test_runs.id} IN (SELECT ${evidence.test_run_id} FROM ${evidence} WHERE ${evidence.technology_id} = ${sql.placeholder('technology_id')} AND ${evidence.outcome} = ${p})`,
  outcome: (p) => sql`EXISTS (SELECT 1 FROM ${evidence} WHERE ${evidence.test_run_id} = ${test_runs.id} AND ${evidence.outcome} = ${p})`,
  status: (p) => eq(test_runs.status, p),
  venue_type: (p) => eq(test_runs.venue_type, p),
  engineer: (p) => eq(test_runs.engineer, p),
  started_after: (p) => gte(test_runs.start_time, p),
  started_before: (p) => lt(test_runs.start_time, p),
  updated_since: (p) => gte(test_runs.updated_at, p),
};

/** The sort value and id of a cursor that keyset() has already validated (same format as paging.ts). */
function cursorPosition(cursor: string): { v: string | number | null; i: number } {
  return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v: string | number | null; i: number };
}

type ListStatement = RawQuery<RunRow>;
const listStatementCache = new WeakMap<Db, Map<string, ListStatement>>();
const MAX_LIST_STATEMENTS = 256;

export function listTestRuns(db: Db, query: TestRunListQuery): Page<TestRun>;
/** Without measurements (one query less): the list pages show none. */
export function listTestRuns(db: Db, query: TestRunListQuery, parts: { measurements: false }): Page<TestRunSummary>;
export function listTestRuns(db: Db, query: TestRunListQuery, parts?: { measurements: false }): Page<TestRun | TestRunSummary> {
  const ks = keyset(SORT, query);
  const params: Record<string, unknown> = { limit: ks.limit + 1 };
  const used: string[] = [];
  const use = (name: string, value: unknown) => {
    if (value === undefined || value === '') return;
    params[name] = value;
    used.push(name);
  };
  use('prototype_id', query.prototype_id);
  use('program_id', query.program_id);
  if (query.technology_id !== undefined && query.outcome !== undefined) {
    params.technology_id = query.technology_id;
    use('technology_outcome', query.outcome);
  } else {
    use('technology_id', query.technology_id);
    use('outcome', query.outcome);
  }
  use('status', query.status);
  use('venue_type', query.venue_type);
  use('engineer', query.engineer);
  if (query.started_after) use('started_after', startedBound(query.started_after, '/started_after'));
  if (query.started_before) use('started_before', startedBound(query.started_before, '/started_before'));
  if (query.updated_since) use('updated_since', startedBound(query.updated_since, '/updated_since'));
  if (query.cursor) {
    const c = cursorPosition(query.cursor);
    params.cursor_value = c.v;
    params.cursor_id = c.i;
  }

  // One prepared statement per query shape (sort, cursor, filters named): drizzle builds and SQLite
  // compiles it once. Text search embeds its words, so a search is prepared for its own request.
  const build = (): ListStatement => {
    const field = ks.sort.replace(/^-/, '');
    const column = SORT.fields[field]!;
    const beyond = ks.sort.startsWith('-') ? lt : gt;
    const bound = ks.sort.startsWith('-') ? lte : gte;
    const where: (SQL | undefined)[] = used.map((name) => FILTERS[name]!(sql.placeholder(name)));
    if (query.cursor) {
      const v = sql.placeholder('cursor_value');
      // The plain bound lets SQLite start the index walk at the cursor (it cannot tell that the
      // two placeholders below hold the same value): without it a deep page reads every row before it.
      where.push(bound(column, v), or(beyond(column, v), and(eq(column, v), beyond(test_runs.id, sql.placeholder('cursor_id')))));
    }
    if (query.q) where.push(textMatch(query.q, 'test_runs_fts', test_runs.id, SEARCH_COLUMNS));
    return rawQuery(db, db.orm.select().from(test_runs).where(and(...where)).orderBy(...ks.orderBy).limit(sql.placeholder('limit')));
  };
  let statement: ListStatement;
  if (query.q?.trim()) {
    statement = build();
  } else {
    let cache = listStatementCache.get(db);
    if (!cache) listStatementCache.set(db, (cache = new Map()));
    const key = [ks.sort, query.cursor ? 'after' : 'first', ...used].join(' ');
    statement = cache.get(key) ?? build();
    if (!cache.has(key)) {
      if (cache.size >= MAX_LIST_STATEMENTS) cache.delete(cache.keys().next().value!);
      cache.set(key, statement);
    }
  }
  const page = ks.page(statement.all(params));
  return { items: parts ? withChildren(db, page.items, false) : withChildren(db, page.items), next_cursor: page.next_cursor };
}

export function findTestRun(db: Db, id: number): TestRun | undefined {
  const [row] = statements(db).runById.all({ id });
  return row ? withChildren(db, [row])[0] : undefined;
}

export function getTestRun(db: Db, id: number): TestRun {
  const run = findTestRun(db, id);
  if (!run) throw new NotFoundError(ENTITY, id);
  return run;
}

export function findTestRunByCode(db: Db, code: string): TestRun | undefined {
  const hit = statements(db).runIdByCode.get({ code });
  return hit ? findTestRun(db, hit.id) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Checks shared by create, update and (later) the CSV import

type Field = keyof TestRunInput;

const REQUIRED: Field[] = ['prototype_id', 'title', 'venue_type', 'start_time', 'evidence'];
const TEXT_FIELDS = ['code', 'title', 'objective', 'location', 'software_version', 'hardware_revision', 'engineer', 'result_summary'] as const;

function oneOf(values: readonly string[], value: unknown): boolean {
  return typeof value === 'string' && values.includes(value);
}

function isId(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 1;
}

/**
 * Problems of the fields of `run` named in `fields` (all when absent), with JSON Pointer paths.
 * Reads the database for references; call inside the write's transaction.
 */
function check(db: Db, run: Partial<TestRunInput>, fields?: ReadonlySet<Field>): FieldProblem[] {
  const named = (f: Field) => (fields ? fields.has(f) : true);
  const problems: FieldProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const s = statements(db);

  for (const f of REQUIRED) {
    if (named(f) && (run[f] === undefined || run[f] === null)) add(`/${f}`, 'is required');
  }
  for (const f of TEXT_FIELDS) {
    const value = run[f];
    if (!named(f) || value === undefined || (value === null && REQUIRED.includes(f))) continue;
    if (typeof value !== 'string') add(`/${f}`, 'must be a string');
    else if (value.length > TEST_RUN_LIMITS[f]) add(`/${f}`, `must be at most ${TEST_RUN_LIMITS[f]} characters`);
  }
  if (named('title') && typeof run.title === 'string' && run.title.trim() === '') add('/title', 'must not be empty');
  if (named('code') && typeof run.code === 'string' && run.code.length <= TEST_RUN_LIMITS.code && !CODE_RE.test(run.code)) {
    add('/code', 'must start with a letter or digit and contain only letters, digits, ".", "_" and "-"');
  }
  if (named('venue_type') && run.venue_type !== undefined && !oneOf(VENUE_TYPES, run.venue_type)) {
    add('/venue_type', `must be one of ${VENUE_TYPES.join(', ')}`);
  }
  if (named('status') && run.status !== undefined && !oneOf(RUN_STATUSES, run.status)) {
    add('/status', `must be one of ${RUN_STATUSES.join(', ')}`);
  }

  if (named('prototype_id') && run.prototype_id !== undefined) {
    if (!isId(run.prototype_id) || !s.prototypeExists.get({ id: run.prototype_id })) add('/prototype_id', 'does not exist');
  }
  if (named('program_id') && run.program_id !== undefined && run.program_id !== null) {
    if (!isId(run.program_id) || !s.programExists.get({ id: run.program_id })) add('/program_id', 'does not exist');
  }

  const start = run.start_time === undefined ? undefined : normalizeTimestamp(run.start_time);
  const end = run.end_time === undefined || run.end_time === null ? undefined : normalizeTimestamp(run.end_time);
  if (named('start_time') && run.start_time !== undefined && !start) add('/start_time', 'must be a date-time (RFC 3339)');
  if (named('end_time') && run.end_time !== undefined && run.end_time !== null && !end) add('/end_time', 'must be a date-time (RFC 3339)');
  if ((named('start_time') || named('end_time')) && start && end && end < start) {
    // Name the field the caller changed (a PATCH of start_time alone points at start_time).
    if (named('end_time')) add('/end_time', 'must not be before start_time');
    else add('/start_time', 'must not be after end_time');
  }

  if (named('measurements') && run.measurements !== undefined) {
    if (!Array.isArray(run.measurements)) add('/measurements', 'must be an array');
    else {
      if (run.measurements.length > TEST_RUN_LIMITS.measurements) add('/measurements', `must have at most ${TEST_RUN_LIMITS.measurements} items`);
      run.measurements.forEach((m, i) => {
        if (typeof m?.name !== 'string' || m.name.trim() === '') add(`/measurements/${i}/name`, 'is required');
        else if (m.name.length > TEST_RUN_LIMITS.measurement_name) add(`/measurements/${i}/name`, `must be at most ${TEST_RUN_LIMITS.measurement_name} characters`);
        if (typeof m?.value !== 'number' || !Number.isFinite(m.value)) add(`/measurements/${i}/value`, 'must be a finite number');
        if (m?.unit !== undefined && (typeof m.unit !== 'string' || m.unit.length > TEST_RUN_LIMITS.measurement_unit)) {
          add(`/measurements/${i}/unit`, `must be a string of at most ${TEST_RUN_LIMITS.measurement_unit} characters`);
        }
      });
    }
  }

  if (named('evidence') && run.evidence !== undefined && run.evidence !== null) {
    if (!Array.isArray(run.evidence)) add('/evidence', 'must be an array');
    else if (run.evidence.length === 0) add('/evidence', 'needs at least one technology with its outcome');
    else {
      if (run.evidence.length > TEST_RUN_LIMITS.evidence) add('/evidence', `must have at most ${TEST_RUN_LIMITS.evidence} items`);
      const wanted = run.evidence.map((e) => e?.technology_id).filter(isId);
      const existing = new Set(s.existingTechnologies.all({ ids: JSON.stringify([...new Set(wanted)]) }).map((r) => r.id));
      const seen = new Set<number>();
      run.evidence.forEach((e, i) => {
        const id = e?.technology_id;
        if (!isId(id) || !existing.has(id)) add(`/evidence/${i}/technology_id`, 'does not exist');
        else if (seen.has(id)) add(`/evidence/${i}/technology_id`, 'is listed twice: give each technology once');
        else seen.add(id);
        if (!oneOf(EVIDENCE_OUTCOMES, e?.outcome)) add(`/evidence/${i}/outcome`, `must be one of ${EVIDENCE_OUTCOMES.join(', ')}`);
        if (e?.notes !== undefined && (typeof e.notes !== 'string' || e.notes.length > TEST_RUN_LIMITS.evidence_notes)) {
          add(`/evidence/${i}/notes`, `must be a string of at most ${TEST_RUN_LIMITS.evidence_notes} characters`);
        }
      });
    }
  }
  return problems;
}

/** Problems of a new run (empty when it can be created). The code's uniqueness is left to the write (409). */
export function validateTestRunInput(db: Db, input: TestRunInput): FieldProblem[] {
  return check(db, input);
}

/** Problems of `patch` applied to `current`: only named fields are checked, plus end vs start. */
export function validateTestRunPatch(db: Db, current: TestRun, patch: TestRunPatch): FieldProblem[] {
  const named = new Set(Object.keys(definedFields(patch)) as Field[]);
  const merged: Partial<TestRunInput> = { ...current, ...definedFields(patch) };
  return check(db, merged, named);
}

// ---------------------------------------------------------------------------------------------
// Codes

/** The next free generated code for `year`, advancing the sequence `test_run:YYYY` (call in a transaction). */
export function nextTestRunCode(db: Db, year: string): string {
  const s = statements(db);
  const name = `test_run:${year}`;
  let n = s.sequenceValue.get({ name })?.value ?? 0;
  let code: string;
  do {
    n += 1;
    code = `TR-${year}-${String(n).padStart(4, '0')}`;
  } while (s.runIdByCode.get({ code })); // skip numbers a user-given code already took
  s.setSequence.run({ name, value: n });
  return code;
}

// ---------------------------------------------------------------------------------------------
// Writes

function writeMeasurements(db: Db, runId: number, list: MeasurementInput[]): void {
  const s = statements(db);
  list.forEach((m, position) => s.insertMeasurement.run({ test_run_id: runId, position, name: m.name, value: m.value, unit: m.unit ?? '' }));
}

function writeEvidence(db: Db, runId: number, list: EvidenceInput[]): void {
  const s = statements(db);
  for (const e of list) s.insertEvidence.run({ test_run_id: runId, technology_id: e.technology_id, outcome: e.outcome, notes: e.notes ?? '' });
}

export function createTestRun(db: Db, actor: Actor, input: TestRunInput): TestRun {
  return inTransaction(db, () => {
    const problems = validateTestRunInput(db, input);
    if (problems.length > 0) throw new InvalidInputError(problems);
    const suspects = watchSuspects(db, input.evidence.map((e) => e.technology_id));
    const at = nowIso();
    const start = normalizeTimestamp(input.start_time)!;
    const row = db.orm
      .insert(test_runs)
      .values({
        code: input.code ?? nextTestRunCode(db, start.slice(0, 4)),
        prototype_id: input.prototype_id,
        program_id: input.program_id ?? null,
        title: input.title,
        objective: input.objective ?? '',
        venue_type: input.venue_type,
        location: input.location ?? '',
        start_time: start,
        end_time: input.end_time == null ? null : normalizeTimestamp(input.end_time)!,
        status: input.status ?? 'completed',
        software_version: input.software_version ?? '',
        hardware_revision: input.hardware_revision ?? '',
        engineer: input.engineer ?? actor.name,
        result_summary: input.result_summary ?? '',
        demo: input.demo ?? false,
        created_at: at,
        updated_at: at,
      })
      .returning({ id: test_runs.id })
      .get();
    writeMeasurements(db, row.id, input.measurements ?? []);
    writeEvidence(db, row.id, input.evidence);
    const after = getTestRun(db, row.id);
    recordAudit(db, actor, { entity: ENTITY, entityId: row.id, action: 'create', after }, at);
    enqueueEvent(db, 'test_run.created', { test_run: after }, at);
    suspects.emit(at);
    return after;
  });
}

export function updateTestRun(db: Db, actor: Actor, id: number, expectedVersion: number | undefined, patch: TestRunPatch): TestRun {
  return inTransaction(db, () => {
    const before = getTestRun(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    const problems = validateTestRunPatch(db, before, patch);
    if (problems.length > 0) throw new InvalidInputError(problems);
    const suspects = watchSuspects(db, [...before.evidence, ...(patch.evidence ?? [])].map((e) => e.technology_id));
    const { measurements: newMeasurements, evidence: newEvidence, ...fields } = definedFields(patch);
    const set: Partial<typeof test_runs.$inferInsert> = { ...fields };
    if (fields.start_time !== undefined) set.start_time = normalizeTimestamp(fields.start_time)!;
    if (fields.end_time != null) set.end_time = normalizeTimestamp(fields.end_time)!;
    const at = nowIso();
    // The parent's version moves even when only children change.
    db.orm.update(test_runs).set({ ...set, ...bumped(at) }).where(eq(test_runs.id, id)).run();
    const s = statements(db);
    if (newMeasurements !== undefined) {
      s.deleteMeasurements.run({ id });
      writeMeasurements(db, id, newMeasurements);
    }
    if (newEvidence !== undefined) {
      s.deleteEvidence.run({ id });
      writeEvidence(db, id, newEvidence);
    }
    const after = getTestRun(db, id);
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'update', before, after }, at);
    enqueueEvent(db, 'test_run.updated', { test_run: after }, at);
    suspects.emit(at);
    return after;
  });
}

export function deleteTestRun(db: Db, actor: Actor, id: number, expectedVersion: number | undefined): void {
  const files = inTransaction(db, () => {
    const before = getTestRun(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    const s = statements(db);
    const citing = s.citingAssessments.get({ id })?.n ?? 0;
    if (citing > 0) {
      throw new ConflictError(`test run ${before.code} is evidence for ${citing} readiness assessment(s): remove it from them first`);
    }
    const files = deleteRunAttachments(db, actor, id);
    s.deleteMeasurements.run({ id });
    s.deleteEvidence.run({ id });
    db.orm.delete(test_runs).where(eq(test_runs.id, id)).run();
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'delete', before });
    return files;
  });
  // Attached files go once the delete has committed.
  removeAttachmentFiles(db, files);
}
