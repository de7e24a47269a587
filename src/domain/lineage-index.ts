// The lineage edges in memory (DESIGN §3), so a cold lineage graph is a walk over arrays instead of
// a recursive query: on the bench database (100,000 runs, 200,000 evidence links) a road model's
// depth-6 upstream graph took ~25 ms of SQL and now takes a few ms (README "Performance").
//
// - Every edge kind is kept both ways as a CSR adjacency (offsets by source id, then targets), in
//   typed arrays: about 4 MB for the bench database, nothing per node for the garbage collector.
// - It knows which state it holds by `lineage_version`, a counter that triggers move in the same
//   transaction as any write to an edge column (migration 0004). A reader compares it with the
//   index's own, in its read transaction; when they differ it walks with SQL (src/domain/lineage.ts)
//   and a new index is built. Writes elsewhere (names, sessions, audit) leave the index current.
// - It is read in chunks between requests (a few ms each), not in one long transaction: the build
//   is kept only if `lineage_version` read after the last chunk is still the one read before the
//   first, so every chunk saw the same edges. A small database is read at once.
import type Database from 'better-sqlite3';
import { EVIDENCE_OUTCOMES, TRANSFER_STAGES } from '../../db/schema.js';
import type { Db } from '../db.js';

/** The edges of the lineage graph (DESIGN §3); the lineage adds contracted `implied` ones. */
export const INDEXED_EDGE_TYPES = ['series_program', 'program_prototype', 'prototype_run', 'program_run', 'evidence', 'derives', 'origin', 'transfer'] as const;
export type IndexedEdgeType = (typeof INDEXED_EDGE_TYPES)[number];

export const EVIDENCE_OUTCOME_CODES = EVIDENCE_OUTCOMES;
export const TRANSFER_STAGE_CODES = TRANSFER_STAGES;

/** Compressed sparse rows: the neighbours of source id `s` are `targets[offsets[s] .. offsets[s+1])`. */
export interface Adjacency {
  offsets: Int32Array;
  targets: Int32Array;
  /** Evidence: outcome (EVIDENCE_OUTCOME_CODES); transfers: stage (TRANSFER_STAGE_CODES). */
  codes?: Uint8Array;
  /** Transfers: the transfer's id. */
  ids?: Int32Array;
}

export interface LineageIndexData {
  /** The `lineage_version` these edges are. */
  version: number;
  /** Forwards (race → road), by the edge's `from` id. */
  down: Record<IndexedEdgeType, Adjacency>;
  /** Backwards, by the edge's `to` id. */
  up: Record<IndexedEdgeType, Adjacency>;
}

// ---------------------------------------------------------------------------------------------
// Building

/** Up to this many runs + evidence links the index is read at once, on the request that needs it. */
export const INLINE_BUILD_ROWS = 20_000;
/** Ids are array positions: edges whose largest source id is this far past their count are not indexed. */
const MAX_ID_SLACK = 8;
/** Rows read per chunk: a few ms on the bench database. */
const CHUNK_ROWS = 8_000;

const caseOf = (column: string, values: readonly string[]) =>
  `CASE ${column} ${values.map((v, i) => `WHEN '${v}' THEN ${i}`).join(' ')} ELSE 255 END`;

// Integer columns of each table; group_concat hands a chunk of rows over as one string (parsed
// below), several times faster than a JavaScript row object per row.
interface Source {
  columns: string[];
  from: string;
  where?: string;
}
const SOURCES = {
  programs: { columns: ['id', 'series_id'], from: 'programs' },
  prototypePrograms: { columns: ['program_id', 'prototype_id'], from: 'prototype_programs' },
  runs: { columns: ['id', 'prototype_id', 'coalesce(program_id, 0)', "status = 'completed'"], from: 'test_runs' },
  evidence: { columns: ['test_run_id', 'technology_id', caseOf('outcome', EVIDENCE_OUTCOME_CODES)], from: 'evidence' },
  derivations: { columns: ['parent_id', 'child_id'], from: 'technology_derivations' },
  technologies: { columns: ['id', 'coalesce(origin_program_id, 0)'], from: 'technologies' },
  transfers: { columns: ['technology_id', 'road_model_id', 'id', caseOf('stage', TRANSFER_STAGE_CODES)], from: 'transfers', where: "stage <> 'rejected'" },
} satisfies Record<string, Source>;

/** The source's columns, row after row, read in chunks of CHUNK_ROWS by rowid (a yield after each). */
function* readInts(sqlite: Database.Database, source: Source): Generator<void, Int32Array, void> {
  const columns = source.columns.length;
  const line = source.columns.map((c) => `(${c})`).join(` || ',' || `);
  const where = source.where ? `${source.where} AND ` : '';
  const page = sqlite
    .prepare(
      `SELECT count(*), max(r), group_concat(line, ',') FROM
        (SELECT rowid AS r, ${line} AS line FROM ${source.from} WHERE ${where}rowid > ? ORDER BY rowid LIMIT ${CHUNK_ROWS})`,
    )
    .raw(true);
  const parts: Int32Array[] = [];
  let total = 0;
  for (let after = 0; ; ) {
    const [count, last, text] = page.get(after) as [number, number | null, string | null];
    if (count === 0 || text === null) break;
    const ints = new Int32Array(count * columns);
    let n = 0;
    let value = 0;
    let negative = false;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 44) {
        ints[n++] = negative ? -value : value;
        value = 0;
        negative = false;
      } else if (c === 45) negative = true;
      else value = value * 10 + (c - 48);
    }
    ints[n++] = negative ? -value : value;
    if (n !== count * columns) throw new Error(`lineage index: read ${n} values for ${count} rows of ${columns}`);
    parts.push(ints);
    total += n;
    if (count < CHUNK_ROWS) break;
    after = last!;
    yield;
  }
  if (parts.length === 1) return parts[0]!;
  const all = new Int32Array(total);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

interface EdgeList {
  from: Int32Array;
  to: Int32Array;
  codes?: Uint8Array;
  ids?: Int32Array;
  length: number;
}

/** Undefined when the source ids are too sparse to be array positions. */
function adjacency(edges: EdgeList, by: 'from' | 'to'): Adjacency | undefined {
  const source = edges[by];
  const target = by === 'from' ? edges.to : edges.from;
  let max = 0;
  for (let i = 0; i < edges.length; i++) if (source[i]! > max) max = source[i]!;
  if (max > 2 ** 31 - 2 || max > MAX_ID_SLACK * edges.length + 100_000) return undefined;
  const offsets = new Int32Array(max + 2);
  for (let i = 0; i < edges.length; i++) offsets[source[i]! + 1]!++;
  for (let s = 1; s < offsets.length; s++) offsets[s]! += offsets[s - 1]!;
  const next = offsets.slice(0, max + 1);
  const targets = new Int32Array(edges.length);
  const codes = edges.codes ? new Uint8Array(edges.length) : undefined;
  const ids = edges.ids ? new Int32Array(edges.length) : undefined;
  for (let i = 0; i < edges.length; i++) {
    const at = next[source[i]!]!++;
    targets[at] = target[i]!;
    if (codes) codes[at] = edges.codes![i]!;
    if (ids) ids[at] = edges.ids![i]!;
  }
  return { offsets, targets, ...(codes ? { codes } : {}), ...(ids ? { ids } : {}) };
}

/** Picks column `a` and `b` (and optional code/id columns) of rows `width` wide, where `keep`. */
function edgeList(
  ints: Int32Array,
  width: number,
  a: number,
  b: number,
  keep: (row: number) => boolean,
  extra: { code?: number; id?: number } = {},
): EdgeList {
  const rows = ints.length / width;
  const from = new Int32Array(rows);
  const to = new Int32Array(rows);
  const codes = extra.code === undefined ? undefined : new Uint8Array(rows);
  const ids = extra.id === undefined ? undefined : new Int32Array(rows);
  let n = 0;
  for (let r = 0; r < rows; r++) {
    const at = r * width;
    if (!keep(at)) continue;
    from[n] = ints[at + a]!;
    to[n] = ints[at + b]!;
    if (codes) codes[n] = ints[at + extra.code!]!;
    if (ids) ids[n] = ints[at + extra.id!]!;
    n++;
  }
  return { from, to, codes, ids, length: n };
}

/** Reads every lineage edge, yielding between chunks. Undefined when ids are too sparse to be array positions. */
function* readIndex(sqlite: Database.Database): Generator<void, LineageIndexData | undefined, void> {
  const version = readVersion(sqlite);
  const programs = yield* readInts(sqlite, SOURCES.programs);
  const prototypePrograms = yield* readInts(sqlite, SOURCES.prototypePrograms);
  const runs = yield* readInts(sqlite, SOURCES.runs);
  const evidence = yield* readInts(sqlite, SOURCES.evidence);
  const derivations = yield* readInts(sqlite, SOURCES.derivations);
  const technologies = yield* readInts(sqlite, SOURCES.technologies);
  const transfers = yield* readInts(sqlite, SOURCES.transfers);

  // Only completed runs are evidence (EVD-1): the others lead to no technology.
  let maxRun = 0;
  for (let i = 0; i < runs.length; i += 4) if (runs[i]! > maxRun) maxRun = runs[i]!;
  if (maxRun > 2 ** 31 - 2 || maxRun > MAX_ID_SLACK * (runs.length / 4) + 100_000) return undefined;
  const completed = new Uint8Array(maxRun + 1);
  for (let i = 0; i < runs.length; i += 4) completed[runs[i]!] = runs[i + 3]!;

  const all = () => true;
  const lists: Record<IndexedEdgeType, () => EdgeList> = {
    series_program: () => edgeList(programs, 2, 1, 0, all),
    program_prototype: () => edgeList(prototypePrograms, 2, 0, 1, all),
    prototype_run: () => edgeList(runs, 4, 1, 0, all),
    program_run: () => edgeList(runs, 4, 2, 0, (at) => runs[at + 2]! !== 0),
    evidence: () => edgeList(evidence, 3, 0, 1, (at) => completed[evidence[at]!] === 1, { code: 2 }),
    derives: () => edgeList(derivations, 2, 0, 1, all),
    origin: () => edgeList(technologies, 2, 1, 0, (at) => technologies[at + 1]! !== 0),
    transfer: () => edgeList(transfers, 4, 0, 1, all, { id: 2, code: 3 }),
  };
  const down = {} as Record<IndexedEdgeType, Adjacency>;
  const up = {} as Record<IndexedEdgeType, Adjacency>;
  for (const type of INDEXED_EDGE_TYPES) {
    const list = lists[type]();
    yield;
    const forwards = adjacency(list, 'from');
    yield;
    const backwards = adjacency(list, 'to');
    if (!forwards || !backwards) return undefined;
    down[type] = forwards;
    up[type] = backwards;
    yield;
  }
  return { version, down, up };
}

function readVersion(sqlite: Database.Database): number {
  return sqlite.prepare('SELECT version FROM lineage_version WHERE id = 1').pluck().get() as number;
}

/** Every lineage edge, read at once in one read transaction. */
export function buildLineageIndex(sqlite: Database.Database): LineageIndexData | undefined {
  return sqlite
    .transaction(() => {
      const steps = readIndex(sqlite);
      for (;;) {
        const step = steps.next();
        if (step.done) return step.value;
      }
    })
    .deferred();
}

// ---------------------------------------------------------------------------------------------
// Keeping it current

interface Holder {
  data?: LineageIndexData;
  version: Database.Statement;
  size: Database.Statement;
  /** A chunked build in progress. */
  building: boolean;
  /** After a failed build the SQL walk serves for a while before the next try. */
  retryAfter: number;
  closed: boolean;
  /** Builds kept (tests read it). */
  builds: number;
  /** Up to this many runs + evidence links a build reads at once. */
  inlineRows: number;
}

const RETRY_AFTER_FAILURE_MS = 60_000;
const holders = new WeakMap<Db, Holder>();

function holderOf(db: Db): Holder {
  let h = holders.get(db);
  if (!h) {
    h = {
      version: db.sqlite.prepare('SELECT version FROM lineage_version WHERE id = 1').pluck(),
      size: db.sqlite.prepare('SELECT coalesce((SELECT max(rowid) FROM test_runs), 0) + coalesce((SELECT max(rowid) FROM evidence), 0)').pluck(),
      building: false,
      retryAfter: 0,
      closed: false,
      builds: 0,
      inlineRows: INLINE_BUILD_ROWS,
    };
    holders.set(db, h);
  }
  return h;
}

function startBuild(db: Db, h: Holder): void {
  if (h.building || h.closed || Date.now() < h.retryAfter) return;
  if ((h.size.get() as number) <= h.inlineRows) {
    h.data = buildLineageIndex(db.sqlite);
    h.builds++;
    return;
  }
  h.building = true;
  const steps = readIndex(db.sqlite);
  const step = () => {
    if (h.closed) return;
    try {
      const next = steps.next();
      if (!next.done) return void setImmediate(step);
      h.building = false;
      const data = next.value;
      if (data === undefined) h.retryAfter = Date.now() + RETRY_AFTER_FAILURE_MS;
      // Kept only if no edge changed since the first chunk: then every chunk read the same edges.
      else if (readVersion(db.sqlite) === data.version) {
        h.data = data;
        h.builds++;
      }
    } catch {
      // A closed connection or a database error: the SQL walk goes on serving.
      h.building = false;
      h.retryAfter = Date.now() + RETRY_AFTER_FAILURE_MS;
    }
  };
  setImmediate(step);
}

/**
 * The index, when it holds the edges this connection sees now; otherwise undefined, and a build
 * starts (at once for a small database, else in chunks between requests). Call it inside the
 * read transaction the walk uses, so the version compared is the one read.
 */
export function currentLineageIndex(db: Db): LineageIndexData | undefined {
  const h = holderOf(db);
  const version = h.version.get() as number | undefined;
  if (version === undefined) return undefined;
  if (h.data?.version === version) return h.data;
  startBuild(db, h);
  return h.data?.version === version ? h.data : undefined;
}

export interface LineageIndexOptions {
  /** Up to this many runs + evidence links, read at once (INLINE_BUILD_ROWS); tests move it. */
  inlineRows?: number;
}

/** Starts the first build, so the first lineage request finds the index (app start). */
export function prepareLineageIndex(db: Db, options: LineageIndexOptions = {}): void {
  const h = holderOf(db);
  if (options.inlineRows !== undefined) h.inlineRows = options.inlineRows;
  if (!h.data) startBuild(db, h);
}

/** Stops a build in progress and drops the index (app close). */
export function closeLineageIndex(db: Db): void {
  const h = holders.get(db);
  if (!h) return;
  h.closed = true;
  h.data = undefined;
  // An app built again on the same connection starts afresh.
  holders.delete(db);
}

/** For tests: builds kept so far, whether one is in progress, and the version held. */
export function lineageIndexState(db: Db): { builds: number; building: boolean; version: number | undefined } {
  const h = holderOf(db);
  return { builds: h.builds, building: h.building, version: h.data?.version };
}
