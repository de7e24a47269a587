// The lineage engine on a generated graph of 50,000 nodes and 100,000 edge rows, checked against a
// plain breadth-first search in memory over the same edges (the rules applied by the generator:
// only completed runs' evidence, no rejected transfers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getLineage,
  LINEAGE_EDGES_SQL,
  LINEAGE_LABEL_SQL,
  LINEAGE_RUN_EVIDENCE_SQL,
  LINEAGE_WALK_SQL,
  parseLineageQuery,
  type LineageDirection,
  type LineageGraph,
  type LineageNodeKind,
} from '../../src/domain/lineage.js';
import type { Db } from '../../src/db.js';
import { LINEAGE_INDEX_SQL, lineageIndexState, prepareLineageIndex } from '../../src/domain/lineage-index.js';
import { buildLineageGraph, GRAPH_EDGE_ROWS, GRAPH_NODES, GRAPH_SIZE, type GeneratedGraph } from '../bench/lineage.js';
import { countRows, openTempDatabase } from '../support/app.js';

let db: Db;
let closeDb: () => void;
let graph: GeneratedGraph;
const forward = new Map<string, string[]>();
const backward = new Map<string, string[]>();
let allTechnologies: string[];

beforeAll(() => {
  ({ db, close: closeDb } = openTempDatabase());
  graph = buildLineageGraph(db, 7);
  // Read at once here (the app reads a database this size in chunks between requests).
  prepareLineageIndex(db, { inlineRows: Number.POSITIVE_INFINITY });
  for (const [from, to] of graph.edges) {
    (forward.get(from) ?? forward.set(from, []).get(from)!).push(to);
    (backward.get(to) ?? backward.set(to, []).get(to)!).push(from);
  }
  allTechnologies = Array.from({ length: GRAPH_SIZE.technologies }, (_, i) => `technology:${graph.first.technology + i}`);
}, 60_000);
afterAll(() => closeDb());

/** Least hops from the root, following edges forwards (downstream) or backwards (upstream). */
function bfs(root: string, direction: LineageDirection, depth: number): Map<string, number> {
  const next = direction === 'downstream' ? forward : backward;
  const seen = new Map([[root, 0]]);
  let frontier = [root];
  for (let d = 1; d <= depth && frontier.length; d++) {
    const after: string[] = [];
    for (const node of frontier) {
      for (const n of next.get(node) ?? []) {
        if (!seen.has(n)) {
          seen.set(n, d);
          after.push(n);
        }
      }
    }
    frontier = after;
  }
  return seen;
}

function edgePairsAmong(nodes: Map<string, number>): string[] {
  return graph.edges.filter(([a, b]) => nodes.has(a) && nodes.has(b)).map(([a, b]) => `${a}>${b}`).sort();
}

function run(
  node: string,
  direction: LineageDirection,
  depth: number,
  extra: { kinds?: string; expand?: string[]; walkCap?: number; useIndex?: boolean } = {},
): LineageGraph {
  const query = parseLineageQuery({ node, direction, depth, kinds: extra.kinds, expand: extra.expand ?? allTechnologies, limit: 1_000_000 });
  // Structure only: no suspect transfers (their rules are suspect.test.ts's).
  const result = getLineage(db, query, { suspectTransferIds: new Set(), useIndex: extra.useIndex, ...(extra.walkCap ? { walkCap: extra.walkCap } : {}) });
  if (extra.useIndex !== false) expect(lineageIndexState(db).version, 'the index is current').toBe(lineageVersion());
  return result;
}

const lineageVersion = () => db.sqlite.prepare('SELECT version FROM lineage_version').pluck().get() as number;

const kindOf = (key: string) => key.slice(0, key.lastIndexOf(':')) as LineageNodeKind;

describe('lineage on a 50,000-node graph', () => {
  it('holds 50,000 nodes and 100,000 edge rows', () => {
    const nodes = ['series', 'programs', 'prototypes', 'test_runs', 'technologies', 'road_models'].reduce((n, t) => n + countRows(db, t), 0);
    expect(nodes).toBe(GRAPH_NODES);
    expect(GRAPH_NODES).toBe(50_000);
    expect(graph.edgeRows).toBe(GRAPH_EDGE_ROWS);
    const edgeRows =
      countRows(db, 'programs') +
      countRows(db, 'prototype_programs') +
      countRows(db, 'test_runs') +
      (db.sqlite.prepare('SELECT count(*) AS n FROM test_runs WHERE program_id IS NOT NULL').get() as { n: number }).n +
      countRows(db, 'evidence') +
      countRows(db, 'technology_derivations') +
      (db.sqlite.prepare('SELECT count(*) AS n FROM technologies WHERE origin_program_id IS NOT NULL').get() as { n: number }).n +
      countRows(db, 'transfers');
    expect(edgeRows).toBe(100_000);
  });

  // The same checks on both walks: the in-memory index (src/domain/lineage-index.ts) and the SQL
  // it falls back to while the index is being read again.
  for (const useIndex of [true, false]) {
    describe(useIndex ? 'walking the in-memory index' : 'walking with SQL', () => {
      const f = () => graph.first;
      /** The first node of a kind (from its first id) whose BFS finds at least `min` nodes: a root worth testing. */
      const busy = (kind: LineageNodeKind, first: () => number, direction: LineageDirection, depth: number, min: number) => () => {
        for (let id = first(), end = id + 5_000; id < end; id++) {
          if (bfs(`${kind}:${id}`, direction, depth).size >= min) return `${kind}:${id}`;
        }
        throw new Error(`no ${kind} reaches ${min} nodes`);
      };
      const cases: [string, () => string, LineageDirection, number][] = [
        ['a road model upstream', () => `road-model:${f().roadModel + 3}`, 'upstream', 2],
        ['a road model upstream', () => `road-model:${f().roadModel + 3}`, 'upstream', 4],
        ['a road model upstream', () => `road-model:${f().roadModel + 3}`, 'upstream', 10],
        ['another road model upstream', () => `road-model:${f().roadModel + 250}`, 'upstream', 6],
        ['a program downstream', () => `program:${f().program + 5}`, 'downstream', 3],
        ['a program downstream', () => `program:${f().program + 5}`, 'downstream', 7],
        ['a busy prototype downstream', () => `prototype:${f().prototype}`, 'downstream', 2],
        ['a technology upstream', busy('technology', () => f().technology + 2500, 'upstream', 10, 100), 'upstream', 10],
        ['a technology downstream', busy('technology', () => f().technology + 40, 'downstream', 10, 100), 'downstream', 10],
        ['a run downstream', busy('test-run', () => f().run + 1000, 'downstream', 5, 50), 'downstream', 5],
        ['a series downstream', () => `series:${f().series + 2}`, 'downstream', 4],
      ];
      for (const [name, node, direction, depth] of cases) {
        it(`finds the same nodes at the same least depths and the same edges as a BFS: ${name}, depth ${depth}`, () => {
          const root = node();
          const expected = bfs(root, direction, depth);
          const result = run(root, direction, depth, { useIndex });
          expect(result.truncated).toBe(false);
          expect(result.nodes.length).toBe(expected.size);
          expect(new Map(result.nodes.map((n) => [n.id, n.depth]))).toEqual(expected);
          expect(result.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(edgePairsAmong(expected));
          // Nearest first.
          for (let i = 1; i < result.nodes.length; i++) expect(result.nodes[i]!.depth).toBeGreaterThanOrEqual(result.nodes[i - 1]!.depth);
        });
      }

      it('groups the runs a BFS finds per technology, with their counts', () => {
        const root = `road-model:${graph.first.roadModel + 3}`;
        const expected = bfs(root, 'upstream', 6);
        const result = run(root, 'upstream', 6, { expand: [], useIndex });
        const counts = new Map<string, number>();
        for (const [from, to] of graph.edges) {
          if (kindOf(from) === 'test-run' && expected.has(from)) counts.set(to, (counts.get(to) ?? 0) + 1);
        }
        const groups = result.nodes.filter((n) => n.kind === 'run-group');
        expect(new Map(groups.map((g) => [`technology:${g.technology_id}`, g.count]))).toEqual(counts);
        for (const g of groups) expect(g.passes! + g.fails! + g.inconclusive!).toBe(g.count);
        // Runs without counting evidence stay nodes; every other kind is as the BFS found it.
        const evidenced = new Set(graph.edges.filter(([a]) => kindOf(a) === 'test-run').map(([a]) => a));
        const individual = [...expected.keys()].filter((k) => !evidenced.has(k));
        expect(new Set(result.nodes.filter((n) => n.kind !== 'run-group').map((n) => n.id))).toEqual(new Set(individual));
      });

      it('implies an edge between visible nodes exactly where a BFS finds a path through hidden ones', () => {
        const root = `road-model:${graph.first.roadModel + 3}`;
        const found = bfs(root, 'upstream', 6);
        const visible = (k: string) => k === root || kindOf(k) === 'program' || kindOf(k) === 'road-model';
        const expectedEdges = new Set<string>();
        for (const start of found.keys()) {
          if (!visible(start)) continue;
          // Forward through hidden nodes of the found subgraph.
          const stack = (forward.get(start) ?? []).filter((n) => found.has(n));
          const seen = new Set(stack);
          while (stack.length) {
            const n = stack.pop()!;
            if (visible(n)) {
              expectedEdges.add(`${start}>${n}`);
              continue;
            }
            for (const m of forward.get(n) ?? []) if (found.has(m) && !seen.has(m)) seen.add(m), stack.push(m);
          }
        }
        const result = run(root, 'upstream', 6, { kinds: 'program,road-model', useIndex });
        expect(new Set(result.nodes.map((n) => n.id))).toEqual(new Set([...found.keys()].filter(visible)));
        expect(new Set(result.edges.map((e) => `${e.from}>${e.to}`))).toEqual(expectedEdges);
        for (const e of result.edges) {
          if (e.type === 'implied') expect(e.via!.length).toBeGreaterThan(0);
        }
      });

      it('keeps the nearest nodes when the walk hits its cap, and says so', () => {
        const root = `series:${graph.first.series}`;
        const expected = bfs(root, 'downstream', 6);
        const result = run(root, 'downstream', 6, { walkCap: 2_000, useIndex });
        expect(result.truncated).toBe(true);
        expect(result.nodes.length).toBeLessThanOrEqual(2_000);
        const deepest = result.nodes.at(-1)!.depth;
        for (const n of result.nodes) expect(n.depth, n.id).toBe(expected.get(n.id));
        // Every node nearer than the deepest level kept is there.
        const nearer = [...expected].filter(([, d]) => d < deepest).map(([k]) => k);
        const got = new Set(result.nodes.map((n) => n.id));
        for (const k of nearer) expect(got.has(k), k).toBe(true);
      });
    });
  }

  it('walks and fetches through indexes only, with and without ANALYZE statistics', () => {
    const ids = JSON.stringify(Array.from({ length: 300 }, (_, i) => i + 1));
    const params = { kind: 'program', id: 1, depth: 3, cap: 10, series: ids, program: ids, prototype: ids, run: ids, technology: ids, model: ids, ids };
    const statements = [LINEAGE_WALK_SQL.upstream, LINEAGE_WALK_SQL.downstream, LINEAGE_EDGES_SQL, LINEAGE_RUN_EVIDENCE_SQL, ...Object.values(LINEAGE_LABEL_SQL)];
    const plans = () =>
      statements.flatMap((sql) => {
        const used = Object.fromEntries(Object.entries(params).filter(([k]) => sql.includes(`@${k}`)));
        return (db.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(used) as { detail: string }[]).map((r) => r.detail);
      });
    // Scanning the queue row, the id lists and the handful of series is fine; any other scan is not,
    // nor is walking the status index (every completed run) instead of looking runs up by id.
    const fullScans = (lines: string[]) =>
      lines.filter((l) => /^SCAN (?!w$|walk$|json_each |CONSTANT ROW$|series )|AUTOMATIC|test_runs_status_idx/.test(l));
    expect(fullScans(plans())).toEqual([]);
    db.sqlite.exec('ANALYZE');
    expect(fullScans(plans())).toEqual([]);
    expect(plans()).toContain('SEARCH e USING COVERING INDEX evidence_technology_id_idx (technology_id=?)');
  });

  it('reads the in-memory index a chunk at a time from its rowid: no chunk scans its table or sorts', () => {
    const chunks = LINEAGE_INDEX_SQL.filter((sql) => sql.includes('rowid > ?'));
    expect(chunks).toHaveLength(7);
    for (const sql of chunks) {
      const plan = (db.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(0) as { detail: string }[]).map((r) => r.detail);
      expect(plan.some((l) => /^SEARCH \w+ USING INTEGER PRIMARY KEY \(rowid>\?\)$/.test(l)), sql).toBe(true);
      expect(plan.filter((l) => /TEMP B-TREE|^SCAN (?!\(subquery)/.test(l)), sql).toEqual([]);
    }
  });

  it('answers within the node limit', () => {
    const result = getLineage(db, parseLineageQuery({ node: `series:${graph.first.series}`, direction: 'downstream', depth: 10, limit: 300 }));
    expect(result.truncated).toBe(true);
    expect(result.nodes).toHaveLength(300);
    const kept = new Set(result.nodes.map((n) => n.id));
    for (const e of result.edges) expect(kept.has(e.from) && kept.has(e.to)).toBe(true);
  });
});
