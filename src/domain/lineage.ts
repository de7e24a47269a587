// The lineage graph (DESIGN §3), race → road:
//
//   series → program → prototype → test run ─evidence→ technology ─derives→ technology ─transfer→ road model
//                 ├──────────── program_run ─────↗ (a run's race context)
//                 └──────────────────── origin ──────────────────↗
//
// Edge semantics chosen here:
// - `evidence` edges come only from completed runs (EVD-1); a run in any other status keeps its
//   prototype/program edges but leads to no technology.
// - Rejected transfers are not lineage edges: the technology does not feed that road model.
// - A prototype's road model (road prototypes) is not a lineage edge: it points road → race.
// - A walk never turns round: upstream follows edges backwards only, downstream forwards only.
// - `depth` is hops in the full graph, whatever kinds are shown, so a depth means the same thing
//   with or without hidden kinds.
//
// The walk and the edges among the found nodes come from the in-memory lineage index when it holds
// the current edges (src/domain/lineage-index.ts). Otherwise one recursive query walks the indexed
// edge tables breadth first (each edge kind is its own recursive SELECT, so every step is an index
// lookup) and the edges are fetched with one query. Labels are read by id lists (and remembered
// until the next write). Hidden kinds are contracted into implied edges and runs are folded into
// per-technology groups in memory, over the small found subgraph.
//
// The usual graph, every kind shown and the index current, takes a shorter way: which nodes are
// shown (runs folded, the node limit applied) needs no edge, so it is settled first, in typed
// arrays by id (WalkMarks), and only the edges among the nodes kept are read from the index
// (edgesAmongShown). The tests hold it to the general way's answers (test/domain/lineage-index.test.ts
// compares every demo node with the SQL walk).
//
// Either way the answer is written as JSON bytes from its parts (graphJson): the API sends them as
// they are, the pages parse them, and the graph cache keeps them.
import type Database from 'better-sqlite3';
import { cachedUntilChange, type Db } from '../db.js';
import { MalformedInputError, NotFoundError } from './errors.js';
import { EVIDENCE_OUTCOMES, TRANSFER_STAGES } from '../../db/schema.js';
import { currentLineageIndex, INDEXED_EDGE_TYPES, type Adjacency, type IndexedEdgeType, type LineageIndexData } from './lineage-index.js';
import { JsonBytes } from './json-bytes.js';
import { canBeSuspect, suspectTransfers } from './suspect.js';
import { currentSuspectSet } from './suspect-set.js';

export const LINEAGE_NODE_KINDS = ['series', 'program', 'prototype', 'test-run', 'technology', 'road-model'] as const;
export type LineageNodeKind = (typeof LINEAGE_NODE_KINDS)[number];
/** Kinds of nodes in a result: the graph's kinds plus groups of runs. */
export const LINEAGE_RESULT_KINDS = [...LINEAGE_NODE_KINDS, 'run-group'] as const;
export type LineageResultKind = (typeof LINEAGE_RESULT_KINDS)[number];
export const LINEAGE_DIRECTIONS = ['upstream', 'downstream'] as const;
export type LineageDirection = (typeof LINEAGE_DIRECTIONS)[number];
export const LINEAGE_EDGE_TYPES = [...INDEXED_EDGE_TYPES, 'implied'] as const;
export type LineageEdgeType = (typeof LINEAGE_EDGE_TYPES)[number];

export const LINEAGE_MIN_DEPTH = 1;
export const LINEAGE_MAX_DEPTH = 10;
export const LINEAGE_DEFAULT_LIMIT = 500;
export const LINEAGE_MAX_LIMIT = 2000;
/**
 * The walk stops after this many (node, depth) rows, nearest first; the result is then
 * `truncated`. It bounds the work of one request whatever the graph, while leaving room for
 * thousands of runs that fold into a few groups.
 */
export const LINEAGE_WALK_CAP = 20_000;

const KIND_ORDER: Record<LineageResultKind, number> = {
  series: 0,
  program: 1,
  prototype: 2,
  'test-run': 3,
  'run-group': 4,
  technology: 5,
  'road-model': 6,
};
const KIND_BIT: Record<LineageNodeKind, number> = {
  series: 1,
  program: 2,
  prototype: 4,
  'test-run': 8,
  technology: 16,
  'road-model': 32,
};
const EDGE_ENDS: Record<IndexedEdgeType, [LineageNodeKind, LineageNodeKind]> = {
  series_program: ['series', 'program'],
  program_prototype: ['program', 'prototype'],
  prototype_run: ['prototype', 'test-run'],
  program_run: ['program', 'test-run'],
  evidence: ['test-run', 'technology'],
  derives: ['technology', 'technology'],
  origin: ['program', 'technology'],
  transfer: ['technology', 'road-model'],
};
const PAGE_PATH: Record<LineageNodeKind, string> = {
  series: '/series',
  program: '/programs',
  prototype: '/prototypes',
  'test-run': '/test-runs',
  technology: '/technologies',
  'road-model': '/road-models',
};
const TABLE: Record<LineageNodeKind, string> = {
  series: 'series',
  program: 'programs',
  prototype: 'prototypes',
  'test-run': 'test_runs',
  technology: 'technologies',
  'road-model': 'road_models',
};

export type EvidenceOutcome = 'pass' | 'fail' | 'inconclusive';

export interface LineageNode {
  id: string;
  kind: LineageResultKind;
  label: string;
  depth: number;
  href: string;
  /** Prototype and test run code. */
  code?: string;
  /** Program, test run and road model status. */
  status?: string;
  /** Technology domain (hardware, software). */
  domain?: string;
  /** Run groups: the technology whose runs these are, and their evidence outcomes for it. */
  technology_id?: number;
  count?: number;
  passes?: number;
  fails?: number;
  inconclusive?: number;
}

export interface LineageEdge {
  from: string;
  to: string;
  type: LineageEdgeType;
  implied?: boolean;
  /** Implied edges: the hidden kinds the contracted paths pass through. */
  via?: LineageNodeKind[];
  outcome?: EvidenceOutcome;
  stage?: string;
  failing?: boolean;
  suspect?: boolean;
}

export interface LineageGraph {
  root: string;
  direction: LineageDirection;
  depth: number;
  nodes: LineageNode[];
  edges: LineageEdge[];
  truncated: boolean;
}

/** A query as it arrives (API query string or page URL): lists may be repeated or comma-separated. */
export interface LineageQueryInput {
  node: string;
  direction?: string;
  depth?: number;
  kinds?: string | string[];
  expand?: string | string[];
  limit?: number;
}

export interface LineageQuery {
  node: { kind: LineageNodeKind; id: number };
  direction: LineageDirection;
  depth: number;
  /** Kinds shown; the root is shown whatever its kind. */
  kinds: Set<LineageNodeKind>;
  /** Technologies whose runs are listed one by one instead of as a group. */
  expand: Set<number>;
  limit: number;
}

export interface LineageOptions {
  /**
   * Transfers to mark `suspect: true`, for tests of the marking itself. Without it, the suspect
   * ones (SUS-1, SUS-2) among the transfers the graph shows are asked once per graph.
   */
  suspectTransferIds?: ReadonlySet<number>;
  /** Rows the walk may visit; LINEAGE_WALK_CAP unless a test wants it smaller. */
  walkCap?: number;
  /** false: walk with SQL even when the in-memory index is current (tests compare the two). */
  useIndex?: boolean;
}

const NODE_ID = /^([a-z-]+):([1-9][0-9]{0,15})$/;

function isNodeKind(kind: string): kind is LineageNodeKind {
  return (LINEAGE_NODE_KINDS as readonly string[]).includes(kind);
}

export function nodeId(kind: LineageResultKind, id: number): string {
  return `${kind}:${id}`;
}

/** `road-model:12` → { kind, id }; a MalformedInputError (400) naming `path` otherwise. */
export function parseNodeId(value: string, path = '/node'): { kind: LineageNodeKind; id: number } {
  const match = NODE_ID.exec(value.trim());
  if (!match) throw new MalformedInputError([{ path, message: `"${value}" is not a node id like road-model:12` }]);
  const kind = match[1]!;
  if (!isNodeKind(kind)) {
    throw new MalformedInputError([{ path, message: `unknown node kind "${kind}"; kinds are ${LINEAGE_NODE_KINDS.join(', ')}` }]);
  }
  const id = Number(match[2]);
  if (!Number.isSafeInteger(id)) throw new MalformedInputError([{ path, message: `"${value}" has an id out of range` }]);
  return { kind, id };
}

function listValues(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function bounded(value: number | undefined, fallback: number, min: number, max: number, path: string): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new MalformedInputError([{ path, message: `must be an integer from ${min} to ${max}` }]);
  }
  return n;
}

/** Validates and normalises a query; every refusal is a 400 naming the parameter. */
export function parseLineageQuery(input: LineageQueryInput): LineageQuery {
  const node = parseNodeId(input.node);
  const direction = input.direction ?? 'upstream';
  if (!(LINEAGE_DIRECTIONS as readonly string[]).includes(direction)) {
    throw new MalformedInputError([{ path: '/direction', message: 'must be upstream or downstream' }]);
  }
  const kindList = listValues(input.kinds);
  const kinds = new Set<LineageNodeKind>();
  for (const k of kindList) {
    if (!isNodeKind(k)) {
      throw new MalformedInputError([{ path: '/kinds', message: `unknown node kind "${k}"; kinds are ${LINEAGE_NODE_KINDS.join(', ')}` }]);
    }
    kinds.add(k);
  }
  const expand = new Set<number>();
  for (const e of listValues(input.expand)) {
    // A group's own id expands it too, so a page can put the id of the node clicked in the URL.
    const parsed = e.startsWith('run-group:') ? parseNodeId(`technology:${e.slice('run-group:'.length)}`, '/expand') : parseNodeId(e, '/expand');
    if (parsed.kind !== 'technology') {
      throw new MalformedInputError([{ path: '/expand', message: `"${e}" is not a technology node id (expand takes technology:<id>)` }]);
    }
    expand.add(parsed.id);
  }
  return {
    node,
    direction: direction as LineageDirection,
    depth: bounded(input.depth, LINEAGE_MIN_DEPTH, LINEAGE_MIN_DEPTH, LINEAGE_MAX_DEPTH, '/depth'),
    kinds: kinds.size ? kinds : new Set(LINEAGE_NODE_KINDS),
    expand,
    // The API caps the limit at LINEAGE_MAX_LIMIT; callers inside the app may ask for more.
    limit: bounded(input.limit, LINEAGE_DEFAULT_LIMIT, 1, Number.MAX_SAFE_INTEGER, '/limit'),
  };
}

// ---------------------------------------------------------------------------------------------
// SQL. Each edge kind is one recursive SELECT joined on an indexed column; UNION drops repeated
// (node, depth) rows and ORDER BY depth makes the queue breadth first, so a node's first row is
// at its least depth and LIMIT keeps the nodes nearest the start. CROSS JOIN fixes the join order
// (the one queued row first, then index lookups) whatever statistics ANALYZE leaves.

const STEP = 'w.depth < @depth';
const DOWNSTREAM_STEPS = [
  `SELECT 'program', p.id, w.depth + 1 FROM walk w CROSS JOIN programs p ON p.series_id = w.id WHERE w.kind = 'series' AND ${STEP}`,
  `SELECT 'prototype', pp.prototype_id, w.depth + 1 FROM walk w CROSS JOIN prototype_programs pp ON pp.program_id = w.id WHERE w.kind = 'program' AND ${STEP}`,
  `SELECT 'test-run', r.id, w.depth + 1 FROM walk w CROSS JOIN test_runs r ON r.program_id = w.id WHERE w.kind = 'program' AND ${STEP}`,
  `SELECT 'technology', t.id, w.depth + 1 FROM walk w CROSS JOIN technologies t ON t.origin_program_id = w.id WHERE w.kind = 'program' AND ${STEP}`,
  `SELECT 'test-run', r.id, w.depth + 1 FROM walk w CROSS JOIN test_runs r ON r.prototype_id = w.id WHERE w.kind = 'prototype' AND ${STEP}`,
  `SELECT 'technology', e.technology_id, w.depth + 1 FROM walk w CROSS JOIN test_runs r CROSS JOIN evidence e
     WHERE r.id = w.id AND e.test_run_id = r.id AND w.kind = 'test-run' AND r.status = 'completed' AND ${STEP}`,
  `SELECT 'technology', d.child_id, w.depth + 1 FROM walk w CROSS JOIN technology_derivations d ON d.parent_id = w.id WHERE w.kind = 'technology' AND ${STEP}`,
  `SELECT 'road-model', x.road_model_id, w.depth + 1 FROM walk w CROSS JOIN transfers x ON x.technology_id = w.id
     WHERE w.kind = 'technology' AND x.stage <> 'rejected' AND ${STEP}`,
];
const UPSTREAM_STEPS = [
  `SELECT 'series', p.series_id, w.depth + 1 FROM walk w CROSS JOIN programs p ON p.id = w.id WHERE w.kind = 'program' AND ${STEP}`,
  `SELECT 'program', pp.program_id, w.depth + 1 FROM walk w CROSS JOIN prototype_programs pp ON pp.prototype_id = w.id WHERE w.kind = 'prototype' AND ${STEP}`,
  `SELECT 'prototype', r.prototype_id, w.depth + 1 FROM walk w CROSS JOIN test_runs r ON r.id = w.id WHERE w.kind = 'test-run' AND ${STEP}`,
  `SELECT 'program', r.program_id, w.depth + 1 FROM walk w CROSS JOIN test_runs r ON r.id = w.id
     WHERE w.kind = 'test-run' AND r.program_id IS NOT NULL AND ${STEP}`,
  // Without a fixed order the planner may drive from the status index over every completed run.
  `SELECT 'test-run', e.test_run_id, w.depth + 1 FROM walk w CROSS JOIN evidence e CROSS JOIN test_runs r
     WHERE e.technology_id = w.id AND r.id = e.test_run_id AND w.kind = 'technology' AND r.status = 'completed' AND ${STEP}`,
  `SELECT 'program', t.origin_program_id, w.depth + 1 FROM walk w CROSS JOIN technologies t ON t.id = w.id
     WHERE w.kind = 'technology' AND t.origin_program_id IS NOT NULL AND ${STEP}`,
  `SELECT 'technology', d.parent_id, w.depth + 1 FROM walk w CROSS JOIN technology_derivations d ON d.child_id = w.id WHERE w.kind = 'technology' AND ${STEP}`,
  `SELECT 'technology', x.technology_id, w.depth + 1 FROM walk w CROSS JOIN transfers x ON x.road_model_id = w.id
     WHERE w.kind = 'road-model' AND x.stage <> 'rejected' AND ${STEP}`,
];

function walkSql(steps: string[]): string {
  return `WITH RECURSIVE walk(kind, id, depth) AS (
    SELECT @kind, @id, 0
    UNION ${steps.join('\n    UNION ')}
    ORDER BY 3 LIMIT @cap
  )
  SELECT kind, id, depth FROM walk`;
}

export const LINEAGE_WALK_SQL: Record<LineageDirection, string> = {
  downstream: walkSql(DOWNSTREAM_STEPS),
  upstream: walkSql(UPSTREAM_STEPS),
};

const ids = (param: string) => `(SELECT value FROM json_each(@${param}))`;

/**
 * Every edge among the found nodes except evidence (fetched with the runs' groups). Each branch is
 * driven by one id list through an index; the unary `+` keeps the other list a mere filter (two
 * indexed IN lists would probe their cross product).
 */
export const LINEAGE_EDGES_SQL = `
  SELECT 'series_program' AS type, series_id AS a, id AS b, NULL AS stage, NULL AS xid FROM programs
    WHERE id IN ${ids('program')} AND +series_id IN ${ids('series')}
  UNION ALL SELECT 'program_prototype', program_id, prototype_id, NULL, NULL FROM prototype_programs
    WHERE prototype_id IN ${ids('prototype')} AND +program_id IN ${ids('program')}
  UNION ALL SELECT 'prototype_run', prototype_id, id, NULL, NULL FROM test_runs
    WHERE id IN ${ids('run')} AND +prototype_id IN ${ids('prototype')}
  UNION ALL SELECT 'program_run', program_id, id, NULL, NULL FROM test_runs
    WHERE id IN ${ids('run')} AND +program_id IN ${ids('program')}
  UNION ALL SELECT 'derives', parent_id, child_id, NULL, NULL FROM technology_derivations
    WHERE child_id IN ${ids('technology')} AND +parent_id IN ${ids('technology')}
  UNION ALL SELECT 'origin', origin_program_id, id, NULL, NULL FROM technologies
    WHERE id IN ${ids('technology')} AND +origin_program_id IN ${ids('program')}
  UNION ALL SELECT 'transfer', technology_id, road_model_id, stage, id FROM transfers
    WHERE road_model_id IN ${ids('model')} AND +technology_id IN ${ids('technology')} AND stage <> 'rejected'`;

/** The evidence of the found runs that counts (completed runs), for edges and run groups. */
export const LINEAGE_RUN_EVIDENCE_SQL = `
  SELECT e.test_run_id, e.technology_id, e.outcome FROM test_runs r CROSS JOIN evidence e
  WHERE r.id IN ${ids('run')} AND +r.status = 'completed' AND e.test_run_id = r.id`;

export const LINEAGE_LABEL_SQL: Record<LineageNodeKind, string> = {
  series: `SELECT id, name FROM series WHERE id IN ${ids('ids')}`,
  program: `SELECT p.id, s.name AS series, p.season, p.class, p.entry, p.status FROM programs p CROSS JOIN series s ON s.id = p.series_id
    WHERE p.id IN ${ids('ids')}`,
  prototype: `SELECT id, code, name FROM prototypes WHERE id IN ${ids('ids')}`,
  'test-run': `SELECT id, code, title, status FROM test_runs WHERE id IN ${ids('ids')}`,
  technology: `SELECT id, name, domain FROM technologies WHERE id IN ${ids('ids')}`,
  'road-model': `SELECT id, name, status FROM road_models WHERE id IN ${ids('ids')}`,
};

interface Statements {
  walk: Record<LineageDirection, Database.Statement>;
  exists: Record<LineageNodeKind, Database.Statement>;
  edges: Database.Statement;
  runEvidence: Database.Statement;
  labels: Record<LineageNodeKind, Database.Statement>;
}

const statementCache = new WeakMap<Database.Database, Statements>();

function statements(db: Db): Statements {
  let s = statementCache.get(db.sqlite);
  if (!s) {
    const p = (text: string) => db.sqlite.prepare(text);
    const perKind = (make: (k: LineageNodeKind) => string, raw = false) =>
      Object.fromEntries(LINEAGE_NODE_KINDS.map((k) => [k, p(make(k)).raw(raw)])) as Record<LineageNodeKind, Database.Statement>;
    s = {
      walk: { downstream: p(LINEAGE_WALK_SQL.downstream).raw(true), upstream: p(LINEAGE_WALK_SQL.upstream).raw(true) },
      exists: perKind((k) => `SELECT 1 FROM ${TABLE[k]} WHERE id = ?`),
      edges: p(LINEAGE_EDGES_SQL).raw(true),
      runEvidence: p(LINEAGE_RUN_EVIDENCE_SQL).raw(true),
      labels: perKind((k) => LINEAGE_LABEL_SQL[k], true),
    };
    statementCache.set(db.sqlite, s);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// The graph in memory
//
// Nodes are numbers while the graph is built (id * 8 + the kind's code): a cold graph walks
// thousands of runs, and string keys and their maps were most of its time. They become
// `kind:id` strings only in the result.

const KIND_CODE = Object.fromEntries(LINEAGE_RESULT_KINDS.map((k, i) => [k, i])) as Record<LineageResultKind, number>;
const RUN_GROUP_CODE = KIND_CODE['run-group'];
const TECHNOLOGY_CODE = KIND_CODE.technology;
const TEST_RUN_CODE = KIND_CODE['test-run'];

type Key = number;
const keyOfCode = (id: number, code: number): Key => id * 8 + code;
const keyOf = (kind: LineageResultKind, id: number): Key => keyOfCode(id, KIND_CODE[kind]);
const kindOfKey = (key: Key): LineageResultKind => LINEAGE_RESULT_KINDS[key % 8]!;
const idOfKey = (key: Key): number => Math.floor(key / 8);
const nodeIdOfKey = (key: Key): string => `${kindOfKey(key)}:${idOfKey(key)}`;

interface RawNode {
  kind: LineageNodeKind;
  id: number;
  depth: number;
}

interface WorkEdge {
  from: Key;
  to: Key;
  type: LineageEdgeType;
  outcome?: EvidenceOutcome;
  stage?: string;
  failing?: boolean;
  suspect?: boolean;
  /** Implied edges: bitmask of hidden kinds passed through. */
  via?: number;
  /** Implied edges: what each first hop of the contracted paths contributes (runs fold by it). */
  firstHops?: Map<Key, Reach>;
}

interface Walked {
  nodes: Map<Key, RawNode>;
  capped: boolean;
}

function walk(db: Db, query: LineageQuery, cap: number): Walked {
  const rows = statements(db)
    .walk[query.direction].all({ kind: query.node.kind, id: query.node.id, depth: query.depth, cap: cap + 1 }) as [
    LineageNodeKind,
    number,
    number,
  ][];
  const nodes = new Map<Key, RawNode>();
  const kept = Math.min(rows.length, cap);
  for (let i = 0; i < kept; i++) {
    const [kind, id, depth] = rows[i]!;
    const key = keyOf(kind, id);
    const had = nodes.get(key);
    if (!had) nodes.set(key, { kind, id, depth });
    else if (depth < had.depth) had.depth = depth;
  }
  return { nodes, capped: rows.length > cap };
}

function idsOf(nodes: Iterable<RawNode>, kind: LineageNodeKind): number[] {
  const out: number[] = [];
  for (const n of nodes) if (n.kind === kind) out.push(n.id);
  return out;
}

interface RunEvidence {
  technologyId: number;
  outcome: EvidenceOutcome;
}

/**
 * The transfers to mark suspect among those the graph shows: looked up in the whole database's
 * suspect set when it is current (src/domain/suspect-set.ts), else asked once per graph.
 */
function suspectsAmong(db: Db, transfers: { xid: number; stage: string }[], options: LineageOptions): ReadonlySet<number> {
  if (options.suspectTransferIds) return options.suspectTransferIds;
  if (transfers.length === 0) return new Set();
  const all = currentSuspectSet(db);
  if (all) return all;
  const transferIds = transfers.filter((t) => canBeSuspect(t.stage)).map((t) => t.xid);
  return new Set(transferIds.length ? suspectTransfers(db, { transferIds }).map((x) => x.transfer_id) : []);
}

function transferEdge(from: Key, to: Key, stage: string, suspect: boolean): WorkEdge {
  const edge: WorkEdge = { from, to, type: 'transfer', stage };
  if (suspect) edge.suspect = true;
  return edge;
}

function evidenceEdge(runId: number, technologyId: number, outcome: EvidenceOutcome): WorkEdge {
  const edge: WorkEdge = { from: keyOfCode(runId, TEST_RUN_CODE), to: keyOfCode(technologyId, TECHNOLOGY_CODE), type: 'evidence', outcome };
  if (outcome === 'fail') edge.failing = true;
  return edge;
}

function edgesAmong(db: Db, nodes: Map<Key, RawNode>, options: LineageOptions) {
  const s = statements(db);
  const list = (kind: LineageNodeKind) => JSON.stringify(idsOf(nodes.values(), kind));
  const runs = list('test-run');
  const edges: WorkEdge[] = [];
  const rows = s.edges.all({
    series: list('series'),
    program: list('program'),
    prototype: list('prototype'),
    run: runs,
    technology: list('technology'),
    model: list('road-model'),
  }) as [IndexedEdgeType, number, number, string | null, number | null][];
  const suspects = suspectsAmong(
    db,
    rows.flatMap(([type, , , stage, xid]) => (type === 'transfer' && xid !== null && stage !== null ? [{ xid, stage }] : [])),
    options,
  );
  for (const [type, a, b, stage, xid] of rows) {
    const [fromKind, toKind] = EDGE_ENDS[type];
    if (type === 'transfer') edges.push(transferEdge(keyOf(fromKind, a), keyOf(toKind, b), stage!, xid !== null && suspects.has(xid)));
    else edges.push({ from: keyOf(fromKind, a), to: keyOf(toKind, b), type });
  }
  const runEvidence = new Map<number, RunEvidence[]>();
  for (const [runId, technologyId, outcome] of s.runEvidence.all({ run: runs }) as [number, number, EvidenceOutcome][]) {
    let list = runEvidence.get(runId);
    if (!list) runEvidence.set(runId, (list = []));
    list.push({ technologyId, outcome });
    if (nodes.has(keyOf('technology', technologyId))) edges.push(evidenceEdge(runId, technologyId, outcome));
  }
  return { edges, runEvidence };
}

// ---------------------------------------------------------------------------------------------
// The same walk and edges over the in-memory index

interface IndexStep {
  type: IndexedEdgeType;
  kind: LineageNodeKind;
  code: number;
}
const stepsFrom = (end: 0 | 1) =>
  Object.fromEntries(
    LINEAGE_NODE_KINDS.map((k) => [
      k,
      INDEXED_EDGE_TYPES.filter((t) => EDGE_ENDS[t][end] === k).map((type) => {
        const kind = EDGE_ENDS[type][1 - end]!;
        return { type, kind, code: KIND_CODE[kind] };
      }),
    ]),
  ) as Record<LineageNodeKind, IndexStep[]>;
/** For each kind, the edge kinds a walk follows from it: upstream backwards, downstream forwards. */
const INDEX_STEPS: Record<LineageDirection, Record<LineageNodeKind, IndexStep[]>> = { upstream: stepsFrom(1), downstream: stepsFrom(0) };

function neighbours(a: Adjacency, id: number): [number, number] {
  return id + 1 < a.offsets.length ? [a.offsets[id]!, a.offsets[id + 1]!] : [0, 0];
}

// A cold depth-6 graph of a road model walks ~600–4,000 nodes, folds most of its runs into groups
// and keeps 500. An object and a map entry for each of them were most of what such a graph
// allocated (~1.8 MB), and so of the garbage collections behind the slow cold requests. The walk
// over the index marks nodes in typed arrays by id instead, kept for the next walk: an entry is
// the current walk's when its stamp is the walk's number, so nothing is cleared between walks.

/** A list of numbers (keys, ids, sort keys) that grows, kept between walks. */
class NumberList {
  items = new Float64Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.items.length) {
      const grown = new Float64Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.length++] = value;
  }
}

/** Per kind code, one past the largest id the index holds for it (run groups: technologies'). */
const idBounds = new WeakMap<LineageIndexData, number[]>();
function idBoundsOf(index: LineageIndexData): number[] {
  let bounds = idBounds.get(index);
  if (!bounds) {
    bounds = LINEAGE_RESULT_KINDS.map(() => 0);
    for (const type of INDEXED_EDGE_TYPES) {
      const [from, to] = EDGE_ENDS[type];
      bounds[KIND_CODE[from]] = Math.max(bounds[KIND_CODE[from]]!, index.down[type].offsets.length - 1);
      bounds[KIND_CODE[to]] = Math.max(bounds[KIND_CODE[to]]!, index.up[type].offsets.length - 1);
    }
    bounds[RUN_GROUP_CODE] = bounds[TECHNOLOGY_CODE]!;
    idBounds.set(index, bounds);
  }
  return bounds;
}

/** What a walk over the index found, by kind code and id; one set serves every walk in turn. */
class WalkMarks {
  /** This walk's number: the stamp of what it marked. */
  walk = 0;
  readonly found: Int32Array[] = [];
  /** The depth a node was first found at (a run group: the least of its runs'). */
  readonly depth: Uint8Array[] = [];
  /** The last level a node was put in. */
  readonly level: Uint8Array[] = [];
  /** The node's position among the nodes shown, when `shown` has the walk's stamp. */
  readonly shown: Int32Array[] = [];
  readonly position: Int32Array[] = [];
  /** Run groups, by technology id: their runs' outcomes (EVIDENCE_OUTCOMES order); the count is their sum. */
  readonly groupOutcomes: Int32Array[] = EVIDENCE_OUTCOMES.map(() => new Int32Array(0));
  /** Every row of the walk, level after level, as keys. */
  readonly rows = new NumberList();
  /** Each node once, as keys, in the order found. */
  readonly nodes = new NumberList();
  /** Runs folded into groups (ids), in the order found; and the groups' technologies, in the order made. */
  readonly folded = new NumberList();
  readonly groups = new NumberList();
  /** Sort keys of the nodes that may be shown (orderKey). */
  readonly candidates = new NumberList();

  constructor() {
    for (let code = 0; code < LINEAGE_RESULT_KINDS.length; code++) {
      this.found.push(new Int32Array(0));
      this.depth.push(new Uint8Array(0));
      this.level.push(new Uint8Array(0));
      this.shown.push(new Int32Array(0));
      this.position.push(new Int32Array(0));
    }
  }

  /**
   * Starts a walk over `index` from `root`: arrays large enough for its ids, lists empty. False
   * when the root is past the index's ids (it has no edge there): the SQL walk serves it.
   */
  begin(index: LineageIndexData, root: Key): boolean {
    const bounds = idBoundsOf(index);
    if (idOfKey(root) >= bounds[root % 8]!) return false;
    for (let code = 0; code < bounds.length; code++) {
      const size = bounds[code]!;
      if (this.found[code]!.length < size) this.grow(code, size + (size >> 3));
    }
    if (this.walk === 2 ** 31 - 1) {
      // Stamps would repeat: every mark is cleared once.
      for (const stamps of [...this.found, ...this.shown]) stamps.fill(0);
      this.walk = 0;
    }
    this.walk++;
    for (const list of [this.rows, this.nodes, this.folded, this.groups, this.candidates]) list.length = 0;
    return true;
  }

  private grow(code: number, size: number): void {
    // New arrays are zeros: no stamp of any walk.
    this.found[code] = new Int32Array(size);
    this.depth[code] = new Uint8Array(size);
    this.level[code] = new Uint8Array(size);
    this.shown[code] = new Int32Array(size);
    this.position[code] = new Int32Array(size);
    if (code === RUN_GROUP_CODE) {
      for (let o = 0; o < this.groupOutcomes.length; o++) this.groupOutcomes[o] = new Int32Array(size);
    }
  }

  /** The position of a node among those shown, or -1. */
  positionOf(code: number, id: number): number {
    return this.shown[code]![id] === this.walk ? this.position[code]![id]! : -1;
  }
}

const walkMarks = new WalkMarks();

/** For tests: the number of the last walk (the next one follows it; stamps wrap after 2^31 - 1). */
export function setLineageWalkNumber(walk: number): void {
  walkMarks.walk = walk;
}

/** The step codes of INDEX_STEPS by kind code. */
const INDEX_STEPS_BY_CODE: Record<LineageDirection, IndexStep[][]> = {
  upstream: LINEAGE_RESULT_KINDS.map((k) => (k === 'run-group' ? [] : INDEX_STEPS.upstream[k])),
  downstream: LINEAGE_RESULT_KINDS.map((k) => (k === 'run-group' ? [] : INDEX_STEPS.downstream[k])),
};

/**
 * The walk of the SQL query, level by level: a level is every node one step from a node of the
 * level before (a node reached at two depths is a row at each, as UNION keeps them), and the walk
 * stops after `cap` rows. When the cap cuts a level, which of its nodes are kept may differ from
 * the SQL walk's choice; every nearer node is kept by both. Marks what it finds in `marks` (begun
 * for this walk); returns whether the cap stopped it.
 */
function walkIndex(index: LineageIndexData, query: LineageQuery, cap: number, marks: WalkMarks): boolean {
  const adjacencies = query.direction === 'upstream' ? index.up : index.down;
  const steps = INDEX_STEPS_BY_CODE[query.direction];
  const walk = marks.walk;
  const root = keyOf(query.node.kind, query.node.id);
  marks.found[root % 8]![query.node.id] = walk;
  marks.depth[root % 8]![query.node.id] = 0;
  marks.level[root % 8]![query.node.id] = 0;
  marks.rows.push(root);
  marks.nodes.push(root);
  let levelStart = 0;
  let levelEnd = 1;
  for (let depth = 1; depth <= query.depth && levelEnd > levelStart; depth++) {
    for (let r = levelStart; r < levelEnd; r++) {
      const key = marks.rows.items[r]!;
      const id = idOfKey(key);
      for (const step of steps[key % 8]!) {
        const { offsets, targets } = adjacencies[step.type];
        if (id + 1 >= offsets.length) continue;
        const found = marks.found[step.code]!;
        const level = marks.level[step.code]!;
        for (let i = offsets[id]!, end = offsets[id + 1]!; i < end; i++) {
          const target = targets[i]!;
          const seen = found[target] === walk;
          if (seen && level[target] === depth) continue;
          if (marks.rows.length === cap) return true;
          level[target] = depth;
          if (!seen) {
            found[target] = walk;
            marks.depth[step.code]![target] = depth;
            marks.nodes.push(keyOfCode(target, step.code));
          }
          marks.rows.push(keyOfCode(target, step.code));
        }
      }
    }
    levelStart = levelEnd;
    levelEnd = marks.rows.length;
  }
  return false;
}

/** The nodes a walk over the index found, for the general way (hidden kinds contracted). */
function walkedNodes(marks: WalkMarks): Map<Key, RawNode> {
  const nodes = new Map<Key, RawNode>();
  for (let i = 0; i < marks.nodes.length; i++) {
    const key = marks.nodes.items[i]!;
    const id = idOfKey(key);
    nodes.set(key, { kind: kindOfKey(key) as LineageNodeKind, id, depth: marks.depth[key % 8]![id]! });
  }
  return nodes;
}

/** A transfer edge's stage and the transfer's id (its suspicion is asked by id). */
interface TransferOf {
  stage: string;
  xid: number;
}

/**
 * Each edge of the index into node `id` of `kind`, but evidence (read from its run's end,
 * evidenceInIndex): its type, the key of its `from` end, and for a transfer its stage and id.
 */
function forEachEdgeInto(index: LineageIndexData, kind: LineageNodeKind, id: number, visit: (type: IndexedEdgeType, from: Key, transfer?: TransferOf) => void): void {
  for (const { type, code } of INDEX_STEPS.upstream[kind]) {
    if (type === 'evidence') continue;
    const a = index.up[type];
    const [start, end] = neighbours(a, id);
    for (let i = start; i < end; i++) {
      const from = keyOfCode(a.targets[i]!, code);
      if (type === 'transfer') visit(type, from, { stage: TRANSFER_STAGES[a.codes![i]!]!, xid: a.ids![i]! });
      else visit(type, from);
    }
  }
}

/** The counting evidence of a run (completed runs only are in the index); undefined when none. */
function evidenceInIndex(index: LineageIndexData, runId: number): RunEvidence[] | undefined {
  const a = index.down.evidence;
  const [start, end] = neighbours(a, runId);
  if (start === end) return undefined;
  const list: RunEvidence[] = [];
  for (let i = start; i < end; i++) list.push({ technologyId: a.targets[i]!, outcome: EVIDENCE_OUTCOMES[a.codes![i]!]! });
  return list;
}

function edgesFromIndex(db: Db, index: LineageIndexData, nodes: Map<Key, RawNode>, options: LineageOptions) {
  const edges: WorkEdge[] = [];
  const transfers: ({ from: Key; to: Key } & TransferOf)[] = [];
  const runEvidence = new Map<number, RunEvidence[]>();
  for (const [key, node] of nodes) {
    // Every edge into a found node from a found node, once: looked up from its `to` end.
    forEachEdgeInto(index, node.kind, node.id, (type, from, transfer) => {
      if (!nodes.has(from)) return;
      if (transfer) transfers.push({ from, to: key, ...transfer });
      else edges.push({ from, to: key, type });
    });
    const evidence = node.kind === 'test-run' ? evidenceInIndex(index, node.id) : undefined;
    if (!evidence) continue;
    runEvidence.set(node.id, evidence);
    for (const { technologyId, outcome } of evidence) {
      if (nodes.has(keyOfCode(technologyId, TECHNOLOGY_CODE))) edges.push(evidenceEdge(node.id, technologyId, outcome));
    }
  }
  const suspects = suspectsAmong(db, transfers, options);
  for (const t of transfers) edges.push(transferEdge(t.from, t.to, t.stage, suspects.has(t.xid)));
  return { edges, runEvidence };
}

interface Reach {
  via: number;
  failing: boolean;
  suspect: boolean;
}

/**
 * Replaces paths through hidden nodes by implied edges between the visible nodes on either side.
 * The found subgraph is acyclic (edges go race → road, derivations are acyclic: DER-1), so what
 * each hidden node reaches is computed once, in reverse topological order.
 */
function contract(nodes: Map<Key, RawNode>, edges: WorkEdge[], visible: (key: Key) => boolean): WorkEdge[] {
  const out = new Map<Key, WorkEdge[]>();
  const indegree = new Map<Key, number>();
  for (const key of nodes.keys()) indegree.set(key, 0);
  for (const e of edges) {
    let list = out.get(e.from);
    if (!list) out.set(e.from, (list = []));
    list.push(e);
    indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
  }
  const order: Key[] = [];
  for (const [key, d] of indegree) if (d === 0) order.push(key);
  for (let i = 0; i < order.length; i++) {
    for (const e of out.get(order[i]!) ?? []) {
      const d = indegree.get(e.to)! - 1;
      indegree.set(e.to, d);
      if (d === 0) order.push(e.to);
    }
  }
  const reach = new Map<Key, Map<Key, Reach>>();
  const merge = (into: Map<Key, Reach>, target: Key, r: Reach) => {
    const had = into.get(target);
    if (had) {
      had.via |= r.via;
      had.failing ||= r.failing;
      had.suspect ||= r.suspect;
    } else into.set(target, { ...r });
  };
  // What a path starting with edge e reaches: the visible end, or what the hidden end reaches.
  const through = (e: WorkEdge, each: (target: Key, r: Reach) => void) => {
    const failing = e.failing === true;
    const suspect = e.suspect === true;
    if (visible(e.to)) return each(e.to, { via: 0, failing, suspect });
    const bit = KIND_BIT[nodes.get(e.to)!.kind];
    for (const [target, r] of reach.get(e.to) ?? []) {
      each(target, { via: r.via | bit, failing: failing || r.failing, suspect: suspect || r.suspect });
    }
  };
  for (let i = order.length - 1; i >= 0; i--) {
    const key = order[i]!;
    if (visible(key)) continue;
    const mine = new Map<Key, Reach>();
    for (const e of out.get(key) ?? []) through(e, (target, r) => merge(mine, target, r));
    reach.set(key, mine);
  }

  const result: WorkEdge[] = edges.filter((e) => visible(e.from) && visible(e.to));
  const implied = new EdgeMap();
  for (const e of edges) {
    if (!visible(e.from) || visible(e.to)) continue;
    through(e, (target, r) => {
      let edge = implied.get(e.from, target, 'implied');
      if (!edge) implied.set((edge = { from: e.from, to: target, type: 'implied', via: 0, firstHops: new Map() }));
      edge.via! |= r.via;
      if (r.failing) edge.failing = true;
      if (r.suspect) edge.suspect = true;
      merge(edge.firstHops!, e.to, r);
    });
  }
  result.push(...implied.values());
  return result;
}

/** Edges by (from, to, type), in the order first set. A node has few edges out: a list each. */
class EdgeMap {
  private readonly byFrom = new Map<Key, WorkEdge[]>();
  private readonly all: WorkEdge[] = [];
  get(from: Key, to: Key, type: LineageEdgeType): WorkEdge | undefined {
    const list = this.byFrom.get(from);
    if (list) for (const e of list) if (e.to === to && e.type === type) return e;
    return undefined;
  }
  /** Whether any edge goes from `from` to `to`. */
  joins(from: Key, to: Key): boolean {
    return this.byFrom.get(from)?.some((e) => e.to === to) ?? false;
  }
  set(edge: WorkEdge): void {
    const list = this.byFrom.get(edge.from);
    if (list) list.push(edge);
    else this.byFrom.set(edge.from, [edge]);
    this.all.push(edge);
  }
  values(): WorkEdge[] {
    return this.all;
  }
}

interface Group {
  technologyId: number;
  depth: number;
  count: number;
  passes: number;
  fails: number;
  inconclusive: number;
}

interface DisplayNode {
  key: Key;
  kind: LineageResultKind;
  id: number;
  depth: number;
  /** depth, then kind (KIND_ORDER), as one number: nodes are sorted by it, then by id. */
  order: number;
  group?: Group;
}

function displayNode(key: Key, kind: LineageResultKind, id: number, depth: number, group?: Group): DisplayNode {
  const node: DisplayNode = { key, kind, id, depth, order: depth * 8 + KIND_ORDER[kind] };
  if (group) node.group = group;
  return node;
}

/** Runs folded into one node per technology they are evidence for (foldRuns). */
interface Folded {
  /** The nodes shown: those not folded, then the groups. */
  nodes: DisplayNode[];
  /** Each folded run (by key) and the evidence that put it in its groups. */
  foldedInto: Map<Key, RunEvidence[]>;
  groups: Map<number, Group>;
}

/**
 * Folds runs into one node per technology they are evidence for (a run with evidence for two
 * technologies counts in both groups). A run stays a node of its own when it is the root, when it
 * has no counting evidence (not completed, or none recorded), or when one of its technologies is
 * expanded. Needs no edges: the nodes shown, and so the node limit, are known before any edge.
 */
function foldRuns(
  nodes: DisplayNode[],
  evidenceOf: (runId: number) => RunEvidence[] | undefined,
  expand: Set<number>,
  rootKey: Key,
): Folded {
  const foldedInto = new Map<Key, RunEvidence[]>();
  const groups = new Map<number, Group>();
  const kept: DisplayNode[] = [];
  for (const n of nodes) {
    const evidence = n.kind === 'test-run' && n.key !== rootKey ? evidenceOf(n.id) : undefined;
    if (!evidence || evidence.length === 0 || evidence.some((e) => expand.has(e.technologyId))) {
      kept.push(n);
      continue;
    }
    foldedInto.set(n.key, evidence);
    for (const e of evidence) {
      let g = groups.get(e.technologyId);
      if (!g) groups.set(e.technologyId, (g = { technologyId: e.technologyId, depth: n.depth, count: 0, passes: 0, fails: 0, inconclusive: 0 }));
      if (n.depth < g.depth) g.depth = n.depth;
      g.count++;
      if (e.outcome === 'pass') g.passes++;
      else if (e.outcome === 'fail') g.fails++;
      else g.inconclusive++;
    }
  }
  if (groups.size === 0) return { nodes, foldedInto, groups };
  for (const g of groups.values()) {
    kept.push(displayNode(keyOfCode(g.technologyId, RUN_GROUP_CODE), 'run-group', g.technologyId, g.depth, g));
  }
  return { nodes: kept, foldedInto, groups };
}

/** A technology's run group: the same id, the group's kind code. */
const groupOf = (technologyKey: Key): Key => keyOfCode(idOfKey(technologyKey), RUN_GROUP_CODE);

/**
 * The edges of the graph once runs are folded: an edge into a folded run goes into each of its
 * groups, evidence out of it becomes one edge per group, and an implied edge leaves from the
 * groups of the technologies its paths start with. `present`: the nodes before folding.
 */
function groupEdges(edges: WorkEdge[], { foldedInto, groups }: Folded, present: ReadonlySet<Key>): WorkEdge[] {
  if (groups.size === 0) return edges;
  const merged = new EdgeMap();
  const add = (e: WorkEdge) => {
    const had = merged.get(e.from, e.to, e.type);
    if (!had) return merged.set(e);
    if (e.via !== undefined) had.via = (had.via ?? 0) | e.via;
    if (e.failing) had.failing = true;
    if (e.suspect) had.suspect = true;
  };
  for (const e of edges) {
    const fromGroups = foldedInto.has(e.from);
    const intoGroups = foldedInto.get(e.to);
    if (fromGroups) {
      // Evidence edges out of a folded run become the groups' own (added below).
      if (e.type === 'implied') {
        for (const [hop, r] of e.firstHops ?? []) {
          const edge: WorkEdge = { from: groupOf(hop), to: e.to, type: 'implied', via: r.via };
          if (r.failing) edge.failing = true;
          if (r.suspect) edge.suspect = true;
          add(edge);
        }
      }
      continue;
    }
    if (intoGroups) {
      for (const t of intoGroups) {
        const edge: WorkEdge = { from: e.from, to: keyOfCode(t.technologyId, RUN_GROUP_CODE), type: e.type };
        if (e.via !== undefined) edge.via = e.via;
        if (e.failing) edge.failing = true;
        if (e.suspect) edge.suspect = true;
        add(edge);
      }
      continue;
    }
    add(e);
  }
  for (const g of groups.values()) {
    const technology = keyOfCode(g.technologyId, TECHNOLOGY_CODE);
    if (!present.has(technology)) continue;
    add(groupEvidenceEdge(g));
  }
  return merged.values();
}

function groupEvidenceEdge(g: Group): WorkEdge {
  const edge: WorkEdge = { from: keyOfCode(g.technologyId, RUN_GROUP_CODE), to: keyOfCode(g.technologyId, TECHNOLOGY_CODE), type: 'evidence' };
  if (g.fails > 0) edge.failing = true;
  return edge;
}

function compareNodes(a: DisplayNode, b: DisplayNode): number {
  return a.order - b.order || a.id - b.id;
}

// The text of nodes written before, until the database changes (changeStamp, as for the graphs
// below). Graphs near each other share most of their technologies, programs and prototypes:
// reading ~500 rows by id was a quarter of a cold depth-6 graph on the bench database, and
// writing their JSON as much again. Bounded: past LABEL_CACHE_ROWS nodes it starts again.
const LABEL_CACHE_ROWS = 50_000;

/**
 * Nodes' JSON after their depth (`,"label":…}`), and technologies' names as in a JSON string (for
 * their run groups' labels).
 */
interface NodeTexts {
  tails: Map<Key, string>;
  names: Map<number, string>;
}
const nodeTextCache = cachedUntilChange((): NodeTexts => ({ tails: new Map(), names: new Map() }));

/** The texts of the nodes (a run group: its technology's); read from the database when missing. */
function nodeTexts(db: Db, g: GraphColumns): NodeTexts {
  const texts = nodeTextCache(db);
  if (texts.tails.size > LABEL_CACHE_ROWS) {
    texts.tails.clear();
    texts.names.clear();
  }
  const missing = new Map<LineageNodeKind, number[]>();
  for (let at = 0; at < g.nodes; at++) {
    const code = g.code[at] === RUN_GROUP_CODE ? TECHNOLOGY_CODE : g.code[at]!;
    if (texts.tails.has(keyOfCode(g.id[at]!, code))) continue;
    const kind = LINEAGE_NODE_KINDS[code]!;
    let list = missing.get(kind);
    if (!list) missing.set(kind, (list = []));
    list.push(g.id[at]!);
  }
  const s = statements(db);
  for (const [kind, list] of missing) {
    const code = KIND_CODE[kind];
    for (const row of s.labels[kind].all({ ids: JSON.stringify(list) }) as unknown[][]) {
      const id = row[0] as number;
      texts.tails.set(keyOfCode(id, code), nodeTail(kind, id, row));
      if (kind === 'technology' && row[1] !== null && row[1] !== undefined) texts.names.set(id, JSON.stringify(String(row[1])).slice(1, -1));
    }
  }
  return texts;
}

const textOr = (value: unknown, fallback: string) => (value === null || value === undefined ? fallback : String(value));

/** A node's JSON after its depth, from its row of LINEAGE_LABEL_SQL (undefined: no row, the id stands in). */
function nodeTail(kind: LineageNodeKind, id: number, row: unknown[] | undefined): string {
  const nodeId = `${kind}:${id}`;
  const r = row ?? [];
  const fields = { label: nodeId, href: `${PAGE_PATH[kind]}/${id}` } as Pick<LineageNode, 'label' | 'href' | 'code' | 'status' | 'domain'>;
  switch (kind) {
    case 'series':
      fields.label = textOr(r[1], nodeId);
      break;
    case 'program':
      fields.label = [r[1], r[2], r[3], r[4]].filter((p) => typeof p === 'string' && p !== '').join(' ') || nodeId;
      fields.status = textOr(r[5], '');
      break;
    case 'prototype':
      fields.label = r[2] ? `${String(r[1])} ${String(r[2])}` : textOr(r[1], nodeId);
      fields.code = textOr(r[1], '');
      break;
    case 'test-run':
      fields.label = `${textOr(r[1], nodeId)} ${textOr(r[2], '')}`.trim();
      fields.code = textOr(r[1], '');
      fields.status = textOr(r[3], '');
      break;
    case 'technology':
      fields.label = textOr(r[1], nodeId);
      fields.domain = textOr(r[2], '');
      break;
    case 'road-model':
      fields.label = textOr(r[1], nodeId);
      fields.status = textOr(r[2], '');
      break;
  }
  return `,${JSON.stringify(fields).slice(1)}`;
}

// The JSON before a node's id, and between its id and its depth, by kind code.
const NODE_OPEN = LINEAGE_RESULT_KINDS.map((k) => `{"id":"${k}:`);
const NODE_DEPTH = LINEAGE_RESULT_KINDS.map((k) => `","kind":"${k}","depth":`);
const ID_OPEN = LINEAGE_RESULT_KINDS.map((k) => `"${k}:`);

/** A run group's JSON after its depth, as JSON.stringify writes a LineageNode: its label names its technology. */
function writeRunGroupTail(json: JsonBytes, id: number, passes: number, fails: number, inconclusive: number, technologyName: string | undefined): void {
  // Each folded run counts once per outcome it gave the technology: the count is their sum.
  const count = passes + fails + inconclusive;
  json.text(',"label":"').number(count).text(count === 1 ? ' run of ' : ' runs of ');
  // The label's other characters need no escaping, so the name escaped alone escapes the label.
  if (technologyName !== undefined) json.text(technologyName);
  else json.text('technology ').number(id);
  json.text('","href":"/test-runs?technology_id=').number(id).text('&status=completed","technology_id":').number(id);
  json.text(',"count":').number(count).text(',"passes":').number(passes).text(',"fails":').number(fails);
  json.text(',"inconclusive":').number(inconclusive).text('}');
}

function viaKinds(mask: number): LineageNodeKind[] {
  return LINEAGE_NODE_KINDS.filter((k) => (mask & KIND_BIT[k]) !== 0);
}

/** Throws NotFoundError (404) when the node does not exist. */
export function assertLineageNode(db: Db, node: { kind: LineageNodeKind; id: number }): void {
  if (statements(db).exists[node.kind].get(node.id) === undefined) throw new NotFoundError('node', nodeId(node.kind, node.id));
}

// Graphs answered again from memory until the database changes (changeStamp: a write on this
// connection or a commit on another). The same lineage is opened again and again (the page, its
// panels, the API), and a cold depth-6 graph of a road model costs a few ms on the bench database.
// Bounded, least recently used out first. A graph is kept as its JSON, one buffer outside V8's
// heap (~125 KB at depth 6), not as the thousands of small objects it is built from: kept objects
// were promoted to the old generation and dropped from it again at each new graph, and the major
// collections that followed were most of the slow cold requests (12–20 ms spikes every ~15 graphs).
const GRAPH_CACHE_ENTRIES = 32;
const graphCache = cachedUntilChange((): Map<string, LineageAnswer> => new Map());

// The answers' buffers are used again once nothing holds them: a new ~125 KB buffer for every cold
// graph made V8 run a major collection every ~100 cold graphs (it weighs memory allocated outside
// its heap), and its pause fell in a request. An answer is held by the cache while it is cached,
// and by whoever acquired it (acquireLineageJson) until released: the API, until its response has
// been written. Answers larger than ANSWER_CAPACITY, and buffers beyond POOLED_ANSWERS, are left to
// the garbage collector.
const ANSWER_CAPACITY = 192 * 1024;
const POOLED_ANSWERS = 48;
const freeAnswerBuffers: ArrayBuffer[] = [];

/** A graph's JSON, and who holds it. */
interface LineageAnswer {
  bytes: Buffer;
  holders: number;
}

function answerOf(json: JsonBytes): LineageAnswer {
  if (json.length > ANSWER_CAPACITY) return { bytes: json.done(), holders: 1 };
  return { bytes: json.doneInto(freeAnswerBuffers.pop() ?? new ArrayBuffer(ANSWER_CAPACITY)), holders: 1 };
}

function letGo(answer: LineageAnswer): void {
  answer.holders--;
  const buffer = answer.bytes.buffer;
  if (answer.holders === 0 && buffer.byteLength === ANSWER_CAPACITY && freeAnswerBuffers.length < POOLED_ANSWERS) {
    freeAnswerBuffers.push(buffer as ArrayBuffer);
  }
}

function cacheKey(query: LineageQuery, options: LineageOptions): string {
  const sorted = <T>(values: Iterable<T>) => [...values].sort();
  const suspects = options.suspectTransferIds ? sorted(options.suspectTransferIds) : null;
  const { node, direction, depth, kinds, expand, limit } = query;
  return JSON.stringify([node.kind, node.id, direction, depth, sorted(kinds), sorted(expand), limit, options.walkCap ?? null, suspects, options.useIndex ?? true]);
}

/** The JSON of a graph: cached, or computed now (and cached). Valid until the next graph unless acquired. */
function lineageOf(db: Db, query: LineageQuery, options: LineageOptions): LineageAnswer {
  const graphs = graphCache(db);
  const key = cacheKey(query, options);
  const hit = graphs.get(key);
  if (hit) {
    // Move it to the end: the map's order is the order of use.
    graphs.delete(key);
    graphs.set(key, hit);
    return hit;
  }
  const answer = answerOf(computeLineage(db, query, options));
  graphs.set(key, answer);
  if (graphs.size > GRAPH_CACHE_ENTRIES) {
    const [oldest, evicted] = graphs.entries().next().value!;
    graphs.delete(oldest);
    letGo(evicted);
  }
  return answer;
}

/** The lineage of one node (DESIGN §3). */
export function getLineage(db: Db, query: LineageQuery, options: LineageOptions = {}): LineageGraph {
  return JSON.parse(lineageOf(db, query, options).bytes.toString('utf8')) as LineageGraph;
}

/**
 * The lineage of one node as JSON (UTF-8), and `release` to call once the bytes are no longer
 * read (the API: when its response has been written): then the buffer may hold another graph.
 */
export function acquireLineageJson(db: Db, query: LineageQuery, options: LineageOptions = {}): { bytes: Buffer; release: () => void } {
  const answer = lineageOf(db, query, options);
  answer.holders++;
  let released = false;
  return {
    bytes: answer.bytes,
    release: () => {
      if (released) return;
      released = true;
      letGo(answer);
    },
  };
}

/** For tests: answer buffers waiting to be used again. */
export function freeLineageAnswerBuffers(): readonly ArrayBuffer[] {
  return freeAnswerBuffers;
}

/** The lineage of one node as JSON (UTF-8), the caller's to keep (its buffer is never used again). */
export function getLineageJson(db: Db, query: LineageQuery, options: LineageOptions = {}): Buffer {
  return acquireLineageJson(db, query, options).bytes;
}

/** An edge kept, with the positions of its ends among the nodes shown. */
interface PlacedEdge {
  edge: WorkEdge;
  from: number;
  to: number;
}

// Edges between the same two nodes are ordered by type, as localeCompare orders the type names.
const EDGE_TYPE_RANK = Object.fromEntries(
  [...LINEAGE_EDGE_TYPES].sort((a, b) => a.localeCompare(b)).map((type, rank) => [type, rank]),
) as Record<LineageEdgeType, number>;

/** The nodes shown, nearest first, cut at the limit; and each one's position. */
function nearestNodes(nodes: DisplayNode[], limit: number): { nodes: DisplayNode[]; position: Map<Key, number>; cut: boolean } {
  nodes.sort(compareNodes);
  const cut = nodes.length > limit;
  if (cut) nodes = nodes.slice(0, limit);
  const position = new Map<Key, number>();
  for (let i = 0; i < nodes.length; i++) position.set(nodes[i]!.key, i);
  return { nodes, position, cut };
}

// ---------------------------------------------------------------------------------------------
// The graph to write, as columns
//
// The usual graph fills them straight from the walk's marks, so a cold graph makes no object per
// node or edge: a depth-6 graph of a road model on the bench database allocates ~25 KB on V8's
// heap (its answer, ~125 KB, is a buffer outside it), where objects for its nodes and edges made
// it ~1.65 MB. The general way (hidden kinds, the SQL walk) copies its nodes and edges in.

const LINEAGE_EDGE_TYPE_CODE = Object.fromEntries(LINEAGE_EDGE_TYPES.map((t, i) => [t, i])) as Record<LineageEdgeType, number>;
const EDGE_FAILING = 1;
const EDGE_SUSPECT = 2;
/** An edge into a run group for a folded run's edge: several runs may give the same one. */
const EDGE_GROUPED = 4;

class GraphColumns {
  nodes = 0;
  code = new Uint8Array(0);
  id = new Float64Array(0);
  depth = new Uint8Array(0);
  /** Run groups: their runs' outcomes (a group's count is their sum). */
  passes = new Int32Array(0);
  fails = new Int32Array(0);
  inconclusive = new Int32Array(0);

  edges = 0;
  from = new Int32Array(0);
  to = new Int32Array(0);
  /** Index in LINEAGE_EDGE_TYPES. */
  type = new Uint8Array(0);
  /** Index in EVIDENCE_OUTCOMES + 1; 0: none. */
  outcome = new Uint8Array(0);
  /** Index in TRANSFER_STAGES + 1; 0: none. */
  stage = new Uint8Array(0);
  /** EDGE_FAILING | EDGE_SUSPECT | EDGE_GROUPED. */
  flags = new Uint8Array(0);
  /** Implied edges: the hidden kinds passed through (KIND_BIT). */
  via = new Uint8Array(0);
  /** The edges' order (graphJson). */
  sortKeys = new Float64Array(0);

  /** Starts a graph of `nodes` nodes (set with setNode). */
  startNodes(nodes: number): void {
    if (this.code.length < nodes) {
      this.code = new Uint8Array(nodes);
      this.id = new Float64Array(nodes);
      this.depth = new Uint8Array(nodes);
      this.passes = new Int32Array(nodes);
      this.fails = new Int32Array(nodes);
      this.inconclusive = new Int32Array(nodes);
    }
    this.nodes = nodes;
    this.edges = 0;
  }

  setNode(at: number, code: number, id: number, depth: number): void {
    this.code[at] = code;
    this.id[at] = id;
    this.depth[at] = depth;
  }

  addEdge(from: number, to: number, type: LineageEdgeType, outcome: number, stage: number, flags: number, via = 0): void {
    const at = this.edges++;
    if (at === this.from.length) this.growEdges(Math.max(1024, at * 2));
    this.from[at] = from;
    this.to[at] = to;
    this.type[at] = LINEAGE_EDGE_TYPE_CODE[type];
    this.outcome[at] = outcome;
    this.stage[at] = stage;
    this.flags[at] = flags;
    this.via[at] = via;
  }

  private growEdges(size: number): void {
    const grown = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(size);
      b.set(a);
      return b;
    };
    this.from = grown(this.from, Int32Array);
    this.to = grown(this.to, Int32Array);
    this.type = grown(this.type, Uint8Array);
    this.outcome = grown(this.outcome, Uint8Array);
    this.stage = grown(this.stage, Uint8Array);
    this.flags = grown(this.flags, Uint8Array);
    this.via = grown(this.via, Uint8Array);
    this.sortKeys = new Float64Array(size);
  }

  /** The nodes and edges of the general way. */
  static of(columns: GraphColumns, nodes: DisplayNode[], placed: PlacedEdge[]): GraphColumns {
    columns.startNodes(nodes.length);
    nodes.forEach((n, at) => {
      columns.setNode(at, KIND_CODE[n.kind], n.id, n.depth);
      if (n.group) {
        columns.passes[at] = n.group.passes;
        columns.fails[at] = n.group.fails;
        columns.inconclusive[at] = n.group.inconclusive;
      }
    });
    for (const { edge: e, from, to } of placed) {
      const outcome = e.outcome ? EVIDENCE_OUTCOMES.indexOf(e.outcome) + 1 : 0;
      const stage = e.stage ? TRANSFER_STAGES.indexOf(e.stage as (typeof TRANSFER_STAGES)[number]) + 1 : 0;
      columns.addEdge(from, to, e.type, outcome, stage, (e.failing ? EDGE_FAILING : 0) | (e.suspect ? EDGE_SUSPECT : 0), e.via ?? 0);
    }
    return columns;
  }
}

// One set of columns serves every graph in turn (a graph is written in one synchronous call).
const graphColumns = new GraphColumns();

// A node's place in the order shown (depth, then kind: KIND_ORDER, then id) as one number, so the
// candidates sort as a Float64Array without a comparator. Index ids are below 2^31.
const ORDER_UNIT = 2 ** 31;
const KIND_ORDER_BY_CODE = LINEAGE_RESULT_KINDS.map((k) => KIND_ORDER[k]);
const CODE_BY_KIND_ORDER = LINEAGE_RESULT_KINDS.map((_, order) => KIND_ORDER_BY_CODE.indexOf(order));
const orderKey = (code: number, id: number, depth: number): number => (depth * 8 + KIND_ORDER_BY_CODE[code]!) * ORDER_UNIT + id;
const [PASS, FAIL, INCONCLUSIVE] = (['pass', 'fail', 'inconclusive'] as const).map((o) => EVIDENCE_OUTCOMES.indexOf(o)) as [number, number, number];

/**
 * With every kind shown and the index current: the nodes shown, from a walk marked in `marks`, into
 * `out`. As foldRuns then nearestNodes: runs folded into groups, the nodes sorted nearest first
 * and cut at the limit; their positions are marked (positionOf). Returns whether the limit cut.
 */
function shownFromMarks(index: LineageIndexData, query: LineageQuery, rootKey: Key, marks: WalkMarks, out: GraphColumns): boolean {
  const { walk } = marks;
  const evidence = index.down.evidence;
  const runDepth = marks.depth[TEST_RUN_CODE]!;
  const groupFound = marks.found[RUN_GROUP_CODE]!;
  const groupDepth = marks.depth[RUN_GROUP_CODE]!;
  for (let i = 0; i < marks.nodes.length; i++) {
    const key = marks.nodes.items[i]!;
    const code = key % 8;
    const id = idOfKey(key);
    if (code === TEST_RUN_CODE && key !== rootKey && id + 1 < evidence.offsets.length) {
      const start = evidence.offsets[id]!;
      const end = evidence.offsets[id + 1]!;
      let expanded = false;
      if (query.expand.size > 0) for (let e = start; e < end && !expanded; e++) expanded = query.expand.has(evidence.targets[e]!);
      if (start < end && !expanded) {
        marks.folded.push(id);
        const depth = runDepth[id]!;
        for (let e = start; e < end; e++) {
          const technology = evidence.targets[e]!;
          if (groupFound[technology] !== walk) {
            groupFound[technology] = walk;
            groupDepth[technology] = depth;
            for (const outcomes of marks.groupOutcomes) outcomes[technology] = 0;
            marks.groups.push(technology);
          } else if (depth < groupDepth[technology]!) groupDepth[technology] = depth;
          const outcome = evidence.codes![e]!;
          marks.groupOutcomes[outcome < marks.groupOutcomes.length ? outcome : INCONCLUSIVE]![technology]!++;
        }
        continue;
      }
    }
    marks.candidates.push(orderKey(code, id, marks.depth[code]![id]!));
  }
  for (let i = 0; i < marks.groups.length; i++) {
    const technology = marks.groups.items[i]!;
    marks.candidates.push(orderKey(RUN_GROUP_CODE, technology, groupDepth[technology]!));
  }
  const sorted = marks.candidates.items.subarray(0, marks.candidates.length).sort();
  out.startNodes(Math.min(sorted.length, query.limit));
  for (let i = 0; i < out.nodes; i++) {
    const order = Math.floor(sorted[i]! / ORDER_UNIT);
    const id = sorted[i]! - order * ORDER_UNIT;
    const code = CODE_BY_KIND_ORDER[order % 8]!;
    marks.shown[code]![id] = walk;
    marks.position[code]![id] = i;
    out.setNode(i, code, id, (order - (order % 8)) / 8);
    if (code === RUN_GROUP_CODE) {
      out.passes[i] = marks.groupOutcomes[PASS]![id]!;
      out.fails[i] = marks.groupOutcomes[FAIL]![id]!;
      out.inconclusive[i] = marks.groupOutcomes[INCONCLUSIVE]![id]!;
    }
  }
  return sorted.length > query.limit;
}

/**
 * With every kind shown, the edges among the nodes kept (shownFromMarks), straight from the index,
 * into `out`: the edges into each node kept from nodes kept, and for each folded run the edges
 * into it, turned into edges into its groups. The same edges as edgesFromIndex and groupEdges
 * give, without an edge for every run found (most are folded, and most of those beyond the limit).
 */
function edgesAmongShown(db: Db, index: LineageIndexData, marks: WalkMarks, out: GraphColumns, options: LineageOptions): void {
  const transfers: ({ from: number; to: number } & TransferOf)[] = [];
  const evidence = index.down.evidence;
  for (let to = 0; to < out.nodes; to++) {
    const code = out.code[to]!;
    const id = out.id[to]!;
    if (code === RUN_GROUP_CODE) {
      const technology = marks.positionOf(TECHNOLOGY_CODE, id);
      if (technology >= 0) out.addEdge(to, technology, 'evidence', 0, 0, out.fails[to]! > 0 ? EDGE_FAILING : 0);
      continue;
    }
    // Every edge into a node kept from a node kept, once: looked up from its `to` end.
    for (const { type, code: fromCode } of INDEX_STEPS_BY_CODE.upstream[code]!) {
      if (type === 'evidence') continue;
      const a = index.up[type];
      if (id + 1 >= a.offsets.length) continue;
      for (let i = a.offsets[id]!, end = a.offsets[id + 1]!; i < end; i++) {
        const from = marks.positionOf(fromCode, a.targets[i]!);
        if (from < 0) continue;
        if (type === 'transfer') transfers.push({ from, to, stage: TRANSFER_STAGES[a.codes![i]!]!, xid: a.ids![i]! });
        else out.addEdge(from, to, type, 0, 0, 0);
      }
    }
    // A run shown as itself: its evidence for the technologies shown.
    if (code !== TEST_RUN_CODE || id + 1 >= evidence.offsets.length) continue;
    for (let e = evidence.offsets[id]!, end = evidence.offsets[id + 1]!; e < end; e++) {
      const at = marks.positionOf(TECHNOLOGY_CODE, evidence.targets[e]!);
      const outcome = evidence.codes![e]!;
      if (at >= 0) out.addEdge(to, at, 'evidence', outcome + 1, 0, outcome === FAIL ? EDGE_FAILING : 0);
    }
  }
  // An edge into a folded run goes into each of its groups, once per (node, group, kind of edge):
  // graphJson writes the first of equal grouped edges, which its order puts side by side.
  for (let f = 0; f < marks.folded.length; f++) {
    const runId = marks.folded.items[f]!;
    // Folded runs have evidence, so they are within the evidence index.
    const evidenceStart = evidence.offsets[runId]!;
    const evidenceEnd = evidence.offsets[runId + 1]!;
    for (const { type, code } of INDEX_STEPS.upstream['test-run']) {
      if (type === 'evidence') continue;
      const a = index.up[type];
      if (runId + 1 >= a.offsets.length) continue;
      for (let i = a.offsets[runId]!, end = a.offsets[runId + 1]!; i < end; i++) {
        const from = marks.positionOf(code, a.targets[i]!);
        if (from < 0) continue;
        for (let e = evidenceStart; e < evidenceEnd; e++) {
          const to = marks.positionOf(RUN_GROUP_CODE, evidence.targets[e]!);
          if (to >= 0) out.addEdge(from, to, type, 0, 0, EDGE_GROUPED);
        }
      }
    }
  }
  const suspects = suspectsAmong(db, transfers, options);
  for (const t of transfers) {
    out.addEdge(t.from, t.to, 'transfer', 0, TRANSFER_STAGES.indexOf(t.stage as (typeof TRANSFER_STAGES)[number]) + 1, suspects.has(t.xid) ? EDGE_SUSPECT : 0);
  }
}

/** The graph as JSON, written into the writer (answerOf takes the bytes). */
function computeLineage(db: Db, query: LineageQuery, options: LineageOptions): JsonBytes {
  assertLineageNode(db, query.node);
  const rootKey = keyOf(query.node.kind, query.node.id);
  // One read transaction: the walk, edges and labels see the same snapshot.
  return db.sqlite
    .transaction(() => {
      const cap = options.walkCap ?? LINEAGE_WALK_CAP;
      const current = options.useIndex === false ? undefined : currentLineageIndex(db);
      const index = current && walkMarks.begin(current, rootKey) ? current : undefined;
      const allShown = LINEAGE_NODE_KINDS.every((k) => query.kinds.has(k));
      const capped = index ? walkIndex(index, query, cap, walkMarks) : false;
      if (index && allShown) {
        // The usual graph: which nodes are shown needs no edge, so only the edges among them are read.
        const cut = shownFromMarks(index, query, rootKey, walkMarks, graphColumns);
        edgesAmongShown(db, index, walkMarks, graphColumns, options);
        return graphJson(db, query, rootKey, graphColumns, capped || cut);
      }

      const walked: Walked = index ? { nodes: walkedNodes(walkMarks), capped } : walk(db, query, cap);
      const visible = (key: Key) => key === rootKey || query.kinds.has(kindOfKey(key) as LineageNodeKind);
      const shown: DisplayNode[] = [];
      for (const [key, n] of walked.nodes) if (visible(key)) shown.push(displayNode(key, n.kind, n.id, n.depth));
      const { edges: rawEdges, runEvidence } = index ? edgesFromIndex(db, index, walked.nodes, options) : edgesAmong(db, walked.nodes, options);
      let edges = allShown ? rawEdges : contract(walked.nodes, rawEdges, visible);
      let shownNodes = shown;
      if (query.kinds.has('test-run')) {
        const folded = foldRuns(shown, (runId) => runEvidence.get(runId), query.expand, rootKey);
        edges = groupEdges(edges, folded, new Set(shown.map((n) => n.key)));
        shownNodes = folded.nodes;
      }
      const { nodes, position, cut } = nearestNodes(shownNodes, query.limit);
      // A pair already joined by a real edge needs no implied one (only contraction makes them).
      let direct: EdgeMap | undefined;
      if (!allShown) {
        direct = new EdgeMap();
        for (const e of edges) if (e.type !== 'implied') direct.set(e);
      }
      const placed: PlacedEdge[] = [];
      for (const edge of edges) {
        const from = position.get(edge.from);
        const to = position.get(edge.to);
        if (from === undefined || to === undefined) continue;
        if (edge.type === 'implied' && direct?.joins(edge.from, edge.to)) continue;
        placed.push({ edge, from, to });
      }
      return graphJson(db, query, rootKey, GraphColumns.of(graphColumns, nodes, placed), walked.capped || cut);
    })
    .deferred();
}

/** Whether edges `a` and `b` join the same nodes the same way. */
const sameEnds = (g: GraphColumns, a: number, b: number): boolean => g.from[a] === g.from[b] && g.to[a] === g.to[b] && g.type[a] === g.type[b];

// One writer serves every graph in turn.
const jsonBytes = new JsonBytes();

const RANK_BY_TYPE_CODE = LINEAGE_EDGE_TYPES.map((t) => EDGE_TYPE_RANK[t]);

/**
 * The edges' indexes in the order written: by the positions of their ends, then type (as
 * localeCompare orders the names), equal edges in the order added. As one number per edge, sorted
 * without a comparator, when (from, to, type rank) above the edge's index fits a double exactly
 * (graphs up to ~20,000 nodes); else by a comparator.
 */
function edgeOrder(g: GraphColumns): ArrayLike<number> {
  const unit = 2 ** Math.ceil(Math.log2(g.edges + 1));
  if (g.nodes * g.nodes * 16 * unit > 2 ** 53) {
    const order = Array.from({ length: g.edges }, (_, e) => e);
    const rank = (e: number) => RANK_BY_TYPE_CODE[g.type[e]!]!;
    return order.sort((a, b) => g.from[a]! - g.from[b]! || g.to[a]! - g.to[b]! || rank(a) - rank(b) || a - b);
  }
  const keys = g.sortKeys.subarray(0, g.edges);
  for (let e = 0; e < g.edges; e++) keys[e] = ((g.from[e]! * g.nodes + g.to[e]!) * 16 + RANK_BY_TYPE_CODE[g.type[e]!]!) * unit + e;
  keys.sort();
  for (let i = 0; i < g.edges; i++) keys[i] = keys[i]! % unit;
  return keys;
}
const EDGE_TYPE_TEXT = LINEAGE_EDGE_TYPES.map((t) => `,"type":"${t}"`);
const EDGE_OUTCOME_TEXT = ['', ...EVIDENCE_OUTCOMES.map((o) => `,"outcome":"${o}"`)];
const EDGE_STAGE_TEXT = ['', ...TRANSFER_STAGES.map((stage) => `,"stage":${JSON.stringify(stage)}`)];
const IMPLIED_TYPE = LINEAGE_EDGE_TYPE_CODE.implied;

/**
 * The result as JSON, written from its columns: the same bytes JSON.stringify gives for a
 * LineageGraph (its keys in the same order), without the graph's objects or one long string.
 * Nodes come from nodeTexts (all after their depth, kept until the database changes), edges in
 * the order of their ends' positions.
 */
function graphJson(db: Db, query: LineageQuery, rootKey: Key, g: GraphColumns, truncated: boolean): JsonBytes {
  const texts = nodeTexts(db, g);
  const json = jsonBytes.start();
  json.text(`{"root":"${nodeIdOfKey(rootKey)}","direction":"${query.direction}","depth":`).number(query.depth).text(',"nodes":[');
  for (let at = 0; at < g.nodes; at++) {
    const code = g.code[at]!;
    const id = g.id[at]!;
    if (at > 0) json.text(',');
    json.text(NODE_OPEN[code]!).number(id).text(NODE_DEPTH[code]!).number(g.depth[at]!);
    if (code === RUN_GROUP_CODE) writeRunGroupTail(json, id, g.passes[at]!, g.fails[at]!, g.inconclusive[at]!, texts.names.get(id));
    else json.text(texts.tails.get(keyOfCode(id, code)) ?? nodeTail(LINEAGE_NODE_KINDS[code]!, id, undefined));
  }
  json.text('],"edges":[');
  const order = edgeOrder(g);
  const id = (at: number) => json.text(ID_OPEN[g.code[at]!]!).number(g.id[at]!).text('"');
  let written = -1;
  for (let i = 0; i < g.edges; i++) {
    const e = order[i]!;
    if (g.flags[e]! & EDGE_GROUPED && written >= 0 && g.flags[written]! & EDGE_GROUPED && sameEnds(g, e, written)) continue;
    json.text(written >= 0 ? ',{"from":' : '{"from":');
    written = e;
    id(g.from[e]!);
    json.text(',"to":');
    id(g.to[e]!);
    json.text(EDGE_TYPE_TEXT[g.type[e]!]!);
    if (g.type[e] === IMPLIED_TYPE) json.text(`,"implied":true,"via":${JSON.stringify(viaKinds(g.via[e]!))}`);
    json.text(EDGE_OUTCOME_TEXT[g.outcome[e]!]!).text(EDGE_STAGE_TEXT[g.stage[e]!]!);
    if (g.flags[e]! & EDGE_FAILING) json.text(',"failing":true');
    if (g.flags[e]! & EDGE_SUSPECT) json.text(',"suspect":true');
    json.text('}');
  }
  return json.text(`],"truncated":${truncated}}`);
}
