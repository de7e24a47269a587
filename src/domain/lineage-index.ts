// The lineage edges in memory (DESIGN §3), so a cold lineage graph is a walk over arrays instead of
// a recursive query: on the bench database (100,000 runs, 200,000 evidence links) a road model's
// depth-6 upstream graph took ~25 ms of SQL and now takes a few ms (README "Performance").
//
// - Every edge kind is kept both ways as a CSR adjacency (offsets by source id, then targets), in
//   typed arrays: about 8 MB for the bench database, nothing per node for the garbage collector.
// - It knows which state it holds by `lineage_version`, a counter that triggers move in the same
//   transaction as any write to an edge column (migration 0004). A reader compares it with the
//   index's own, in its read transaction; when they differ it walks with SQL (src/domain/lineage.ts)
//   and a new index is built. Writes elsewhere (names, sessions, audit) leave the index current.
// - It is read in chunks between requests (a few ms each), not in one long transaction: the build
//   is kept only if `lineage_version` read after the last chunk is still the one read before the
//   first, so every chunk saw the same edges. A small database is read at once.
import { EVIDENCE_OUTCOMES, TRANSFER_STAGES } from '../../db/schema.js';
import { prepared, type Db } from '../db.js';

/** The edges of the lineage graph (DESIGN §3); the lineage adds contracted `implied` ones. */
export const INDEXED_EDGE_TYPES = ['series_program', 'program_prototype', 'prototype_run', 'program_run', 'evidence', 'derives', 'origin', 'transfer'] as const;
export type IndexedEdgeType = (typeof INDEXED_EDGE_TYPES)[number];

/** Compressed sparse rows: the neighbours of source id `s` are `targets[offsets[s] .. offsets[s+1])`. */
export interface Adjacency {
  offsets: Int32Array;
  targets: Int32Array;
  /** Evidence: outcome (index in EVIDENCE_OUTCOMES); transfers: stage (index in TRANSFER_STAGES). */
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
const INLINE_BUILD_ROWS = 20_000;
/** Ids are array positions: edges whose largest source id is this far past their count are not indexed. */
const MAX_ID_SLACK = 8;
/** Rows read per chunk: a few ms on the bench database. */
const CHUNK_ROWS = 4_000;
const VERSION_SQL = 'SELECT version FROM lineage_version WHERE id = 1';

/** Ids are array positions: too large or too sparse ones leave the lineage to the SQL walk. */
function tooSparse(maxId: number, rows: number): boolean {
  return maxId > 2 ** 31 - 2 || maxId > MAX_ID_SLACK * rows + 100_000;
}

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
  evidence: { columns: ['test_run_id', 'technology_id', caseOf('outcome', EVIDENCE_OUTCOMES)], from: 'evidence' },
  derivations: { columns: ['parent_id', 'child_id'], from: 'technology_derivations' },
  technologies: { columns: ['id', 'coalesce(origin_program_id, 0)'], from: 'technologies' },
  transfers: { columns: ['technology_id', 'road_model_id', 'id', caseOf('stage', TRANSFER_STAGES)], from: 'transfers', where: "stage <> 'rejected'" },
} satisfies Record<string, Source>;

/** Rows were added while a chunked build read them: the build is stale, as its version check would find. */
class StaleBuildError extends Error {}

function countSql(source: Source): string {
  return `SELECT count(*) FROM ${source.from}${source.where ? ` WHERE ${source.where}` : ''}`;
}

/** A chunk: the next CHUNK_ROWS rows after a rowid, their columns joined by commas. */
function chunkSql(source: Source): string {
  const line = source.columns.map((c) => `(${c})`).join(` || ',' || `);
  const where = source.where ? `${source.where} AND ` : '';
  return `SELECT count(*), max(r), group_concat(line, ',') FROM
    (SELECT rowid AS r, ${line} AS line FROM ${source.from} WHERE ${where}rowid > ? ORDER BY rowid LIMIT ${CHUNK_ROWS})`;
}

/** The statements a build runs, for the query-plan tests (each chunk must start at its rowid). */
export const LINEAGE_INDEX_SQL = Object.values(SOURCES).flatMap((source) => [countSql(source), chunkSql(source)]);

/**
 * The source's columns, row after row, into `scratch` (sized from the counts), read in chunks of
 * CHUNK_ROWS by rowid (a yield after each). One scratch array serves every table in turn and the
 * index arrays are allocated once at their final size: a build's passing allocations were most of
 * what it added to the server's RSS (the allocator keeps freed memory below live arrays).
 */
function* readInts(db: Db, source: Source, count: number, scratch: Int32Array): Generator<void, Int32Array, void> {
  const columns = source.columns.length;
  const page = prepared(db, chunkSql(source)).raw(true);
  const ints = scratch.subarray(0, count * columns);
  let n = 0;
  for (let after = 0; ; ) {
    const [rows, last, text] = page.get(after) as [number, number | null, string | null];
    if (rows === 0 || text === null) break;
    if (n + rows * columns > ints.length) throw new StaleBuildError();
    const start = n;
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
    if (n - start !== rows * columns) throw new Error(`lineage index: read ${n - start} values for ${rows} rows of ${columns}`);
    if (rows < CHUNK_ROWS) break;
    after = last!;
    yield;
  }
  return ints.subarray(0, n);
}

/** Rows `width` integers wide; an edge goes from column `from` to column `to` of each row kept. */
interface EdgeColumns {
  ints: Int32Array;
  width: number;
  from: number;
  to: number;
  keep?: (at: number) => boolean;
  /** The column of evidence outcomes or transfer stages. */
  code?: number;
  /** The column of transfer ids. */
  id?: number;
}

/** The edges by their `from` or `to` end. Undefined when those ids are too sparse to be array positions. */
function adjacency(edges: EdgeColumns, by: 'from' | 'to'): Adjacency | undefined {
  const { ints, width, keep } = edges;
  const source = by === 'from' ? edges.from : edges.to;
  const target = by === 'from' ? edges.to : edges.from;
  let max = 0;
  let n = 0;
  for (let at = 0; at < ints.length; at += width) {
    if (keep && !keep(at)) continue;
    if (ints[at + source]! > max) max = ints[at + source]!;
    n++;
  }
  if (tooSparse(max, n)) return undefined;
  const offsets = new Int32Array(max + 2);
  for (let at = 0; at < ints.length; at += width) if (!keep || keep(at)) offsets[ints[at + source]! + 1]!++;
  for (let s = 1; s < offsets.length; s++) offsets[s]! += offsets[s - 1]!;
  const targets = new Int32Array(n);
  const codes = edges.code === undefined ? undefined : new Uint8Array(n);
  const ids = edges.id === undefined ? undefined : new Int32Array(n);
  // offsets[s] serves as the cursor of s while filling (no second array), then shifts back by one.
  for (let at = 0; at < ints.length; at += width) {
    if (keep && !keep(at)) continue;
    const i = offsets[ints[at + source]!]!++;
    targets[i] = ints[at + target]!;
    if (codes) codes[i] = ints[at + edges.code!]!;
    if (ids) ids[i] = ints[at + edges.id!]!;
  }
  offsets.copyWithin(1, 0, max + 1);
  offsets[0] = 0;
  return { offsets, targets, ...(codes ? { codes } : {}), ...(ids ? { ids } : {}) };
}

/** Reads every lineage edge, yielding between chunks. Undefined when ids are too sparse to be array positions. */
function* readIndex(db: Db): Generator<void, LineageIndexData | undefined, void> {
  const version = readVersion(db);
  if (version === undefined) return undefined;
  const counts = {} as Record<keyof typeof SOURCES, number>;
  let largest = 0;
  for (const name of Object.keys(SOURCES) as (keyof typeof SOURCES)[]) {
    counts[name] = prepared(db, countSql(SOURCES[name])).pluck().get() as number;
    largest = Math.max(largest, counts[name] * SOURCES[name].columns.length);
    yield;
  }
  const scratch = new Int32Array(largest);
  const read = (name: keyof typeof SOURCES) => readInts(db, SOURCES[name], counts[name], scratch);
  const down = {} as Record<IndexedEdgeType, Adjacency>;
  const up = {} as Record<IndexedEdgeType, Adjacency>;
  // Both ends of each edge kind from the rows just read, before the next table reuses the scratch.
  function* index(type: IndexedEdgeType, columns: EdgeColumns): Generator<void, boolean, void> {
    const forwards = adjacency(columns, 'from');
    yield;
    const backwards = adjacency(columns, 'to');
    yield;
    if (!forwards || !backwards) return false;
    down[type] = forwards;
    up[type] = backwards;
    return true;
  }

  const programs = yield* read('programs');
  if (!(yield* index('series_program', { ints: programs, width: 2, from: 1, to: 0 }))) return undefined;
  const prototypePrograms = yield* read('prototypePrograms');
  if (!(yield* index('program_prototype', { ints: prototypePrograms, width: 2, from: 0, to: 1 }))) return undefined;
  const runs = yield* read('runs');
  // Only completed runs are evidence (EVD-1): the others lead to no technology.
  let maxRun = 0;
  for (let i = 0; i < runs.length; i += 4) if (runs[i]! > maxRun) maxRun = runs[i]!;
  if (tooSparse(maxRun, runs.length / 4)) return undefined;
  const completed = new Uint8Array(maxRun + 1);
  for (let i = 0; i < runs.length; i += 4) completed[runs[i]!] = runs[i + 3]!;
  if (!(yield* index('prototype_run', { ints: runs, width: 4, from: 1, to: 0 }))) return undefined;
  if (!(yield* index('program_run', { ints: runs, width: 4, from: 2, to: 0, keep: (at) => runs[at + 2]! !== 0 }))) return undefined;
  const evidence = yield* read('evidence');
  if (!(yield* index('evidence', { ints: evidence, width: 3, from: 0, to: 1, keep: (at) => completed[evidence[at]!] === 1, code: 2 }))) return undefined;
  const derivations = yield* read('derivations');
  if (!(yield* index('derives', { ints: derivations, width: 2, from: 0, to: 1 }))) return undefined;
  const technologies = yield* read('technologies');
  if (!(yield* index('origin', { ints: technologies, width: 2, from: 1, to: 0, keep: (at) => technologies[at + 1]! !== 0 }))) return undefined;
  const transfers = yield* read('transfers');
  if (!(yield* index('transfer', { ints: transfers, width: 4, from: 0, to: 1, id: 2, code: 3 }))) return undefined;
  return { version, down, up };
}

function readVersion(db: Db): number | undefined {
  return prepared(db, VERSION_SQL).pluck().get() as number | undefined;
}

/** Every lineage edge, read at once in one read transaction. */
function buildLineageIndex(db: Db): LineageIndexData | undefined {
  return db.sqlite
    .transaction(() => {
      const steps = readIndex(db);
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
  const size = prepared(db, 'SELECT coalesce((SELECT max(rowid) FROM test_runs), 0) + coalesce((SELECT max(rowid) FROM evidence), 0)').pluck().get() as number;
  if (size <= h.inlineRows) {
    h.data = buildLineageIndex(db);
    h.builds++;
    return;
  }
  h.building = true;
  const steps = readIndex(db);
  const step = () => {
    if (h.closed) return;
    try {
      const next = steps.next();
      if (!next.done) return void setImmediate(step);
      h.building = false;
      const data = next.value;
      if (data === undefined) h.retryAfter = Date.now() + RETRY_AFTER_FAILURE_MS;
      // Kept only if no edge changed since the first chunk: then every chunk read the same edges.
      else if (readVersion(db) === data.version) {
        h.data = data;
        h.builds++;
      }
    } catch (error) {
      // Rows added mid-build: the next lineage request starts another. A closed connection or a
      // database error: the SQL walk goes on serving, and a new build is tried later.
      h.building = false;
      if (!(error instanceof StaleBuildError)) h.retryAfter = Date.now() + RETRY_AFTER_FAILURE_MS;
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
  const version = readVersion(db);
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
