// The lineage engine on a small hand-built graph whose answers are worked out by hand.
//
//   S1 ─ P1 ─┬─ Q1 ─┬─ R1 (completed; T1 pass, T2 fail; race context P1)
//            │      └─ R4 (completed; T3 inconclusive)
//            └─ Q2 ─┬─ R2 (completed; T1 pass)
//   S2 ─ P2 ─── Q2  └─ R3 (planned; T3 pass — not evidence, EVD-1)
//   P1 ─origin→ T1 ─derives→ T2 ─derives→ T4 ←derives─ T3 ←origin─ P2
//   T4 ─approved→ M1, T2 ─in_production→ M2, T5 ─rejected→ M3
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MalformedInputError, NotFoundError } from '../../src/domain/errors.js';
import { getLineage, getLineageJson, parseLineageQuery, type LineageGraph, type LineageQueryInput } from '../../src/domain/lineage.js';
import { openDatabase, type Db } from '../../src/db.js';
import { openTempDatabase } from '../support/app.js';

let db: Db;
let closeDb: () => void;

beforeAll(() => {
  ({ db, close: closeDb } = openTempDatabase());
  db.sqlite.exec(`
    INSERT INTO series (id, name) VALUES (1, 'Formula E'), (2, 'Super GT');
    INSERT INTO programs (id, series_id, season, start_year, end_year, entry, car, status) VALUES
      (1, 1, '2024-25', 2024, 2025, 'Nissan Formula E Team', 'Nissan e-4ORCE 05', 'completed'),
      (2, 2, '2025', 2025, 2025, '#23 NISMO', 'Nissan Z NISMO GT500', 'active');
    INSERT INTO prototypes (id, code, kind) VALUES (1, 'FE-MULE-01', 'mule'), (2, 'HIL-RIG-02', 'hil_rig');
    INSERT INTO prototype_programs (prototype_id, program_id) VALUES (1, 1), (2, 1), (2, 2);
    INSERT INTO technology_categories (id, name) VALUES (1, 'Inverter');
    INSERT INTO technologies (id, name, domain, category_id, origin_program_id) VALUES
      (1, 'Race inverter', 'hardware', 1, 1),
      (2, 'Inverter control', 'software', 1, NULL),
      (3, 'GT500 cooling', 'hardware', 1, 2),
      (4, 'Road inverter', 'hardware', 1, NULL),
      (5, 'Orphan', 'hardware', 1, NULL);
    INSERT INTO technology_derivations (parent_id, child_id) VALUES (1, 2), (2, 4), (3, 4);
    INSERT INTO road_models (id, name, powertrain, status) VALUES
      (1, 'Ariya NISMO', 'ev', 'production'), (2, 'Z NISMO', 'ice', 'production'), (3, 'Micra NISMO', 'ev', 'concept');
    INSERT INTO transfers (id, technology_id, road_model_id, stage) VALUES (1, 4, 1, 'approved'), (2, 2, 2, 'in_production'), (3, 5, 3, 'rejected');
    INSERT INTO test_runs (id, code, prototype_id, program_id, title, venue_type, start_time, status) VALUES
      (1, 'TR-2025-0001', 1, 1, 'Inverter soak', 'dyno', '2025-01-01T00:00:00.000Z', 'completed'),
      (2, 'TR-2025-0002', 2, NULL, 'HIL sweep', 'hil', '2025-01-02T00:00:00.000Z', 'completed'),
      (3, 'TR-2025-0003', 2, 2, 'Cooling plan', 'hil', '2025-01-03T00:00:00.000Z', 'planned'),
      (4, 'TR-2025-0004', 1, NULL, 'Cooling check', 'dyno', '2025-01-04T00:00:00.000Z', 'completed');
    INSERT INTO evidence (test_run_id, technology_id, outcome) VALUES
      (1, 1, 'pass'), (1, 2, 'fail'), (2, 1, 'pass'), (3, 3, 'pass'), (4, 3, 'inconclusive');
  `);
});
afterAll(() => closeDb());

const ALL_TECHS = ['technology:1', 'technology:2', 'technology:3', 'technology:4', 'technology:5'];
// The graph's structure, with the suspect transfers these tests name (none unless given): which
// transfers are suspect is suspect.test.ts's business, and depends on when the rows were written.
const lineage = (input: LineageQueryInput, suspect: Set<number> = new Set()): LineageGraph =>
  getLineage(db, parseLineageQuery(input), { suspectTransferIds: suspect });
const depths = (g: LineageGraph) => Object.fromEntries(g.nodes.map((n) => [n.id, n.depth]));
const edge = (g: LineageGraph, from: string, to: string) => g.edges.filter((e) => e.from === from && e.to === to);
const edgeKeys = (g: LineageGraph) => g.edges.map((e) => `${e.from} ${e.type} ${e.to}`).sort();

const UPSTREAM_M1 = {
  'road-model:1': 0,
  'technology:4': 1,
  'technology:2': 2,
  'technology:3': 2,
  'technology:1': 3,
  'test-run:1': 3,
  'program:2': 3,
  'test-run:4': 3,
  'program:1': 4,
  'test-run:2': 4,
  'prototype:1': 4,
  'series:2': 4,
  'series:1': 5,
  'prototype:2': 5,
};

describe('lineage upstream', () => {
  it('walks from a road model to its technologies, their ancestors, origin programs and evidence runs, each at its least depth', () => {
    const g = lineage({ node: 'road-model:1', direction: 'upstream', depth: 10, expand: ALL_TECHS });
    expect(g.root).toBe('road-model:1');
    expect(g.direction).toBe('upstream');
    expect(g.truncated).toBe(false);
    expect(depths(g)).toEqual(UPSTREAM_M1);
    expect(g.nodes[0]).toMatchObject({ id: 'road-model:1', kind: 'road-model', label: 'Ariya NISMO', href: '/road-models/1', status: 'production' });
    // Edges point race → road even when walking upstream.
    expect(edgeKeys(g)).toEqual(
      [
        'series:1 series_program program:1',
        'series:2 series_program program:2',
        'program:1 program_prototype prototype:1',
        'program:1 program_prototype prototype:2',
        'program:2 program_prototype prototype:2',
        'program:1 program_run test-run:1',
        'prototype:1 prototype_run test-run:1',
        'prototype:1 prototype_run test-run:4',
        'prototype:2 prototype_run test-run:2',
        'test-run:1 evidence technology:1',
        'test-run:1 evidence technology:2',
        'test-run:2 evidence technology:1',
        'test-run:4 evidence technology:3',
        'program:1 origin technology:1',
        'program:2 origin technology:3',
        'technology:1 derives technology:2',
        'technology:2 derives technology:4',
        'technology:3 derives technology:4',
        'technology:4 transfer road-model:1',
      ].sort(),
    );
    expect(edge(g, 'technology:4', 'road-model:1')).toEqual([{ from: 'technology:4', to: 'road-model:1', type: 'transfer', stage: 'approved' }]);
  });

  it('stops at the asked depth', () => {
    const expected = (d: number) => Object.fromEntries(Object.entries(UPSTREAM_M1).filter(([, depth]) => depth <= d));
    for (let d = 1; d <= 6; d++) {
      const g = lineage({ node: 'road-model:1', direction: 'upstream', depth: d, expand: ALL_TECHS });
      expect(depths(g), `depth ${d}`).toEqual(expected(d));
      expect(g.depth).toBe(d);
    }
    expect(Object.keys(depths(lineage({ node: 'road-model:1', direction: 'upstream', depth: 1 })))).toEqual(['road-model:1', 'technology:4']);
  });

  it('lists a node reached by several paths once, at its least depth (diamond)', () => {
    // T4 derives from T2 and T3; P1 is reached as T1's origin, as R1's program (both depth 4) and via Q1 (5).
    const g = lineage({ node: 'technology:4', direction: 'upstream', depth: 10, expand: ALL_TECHS });
    expect(g.nodes.filter((n) => n.id === 'technology:1')).toHaveLength(1);
    expect(g.nodes.filter((n) => n.id === 'program:1')).toEqual([expect.objectContaining({ depth: 3 })]);
    expect(depths(g)['technology:2']).toBe(1);
    expect(depths(g)['technology:3']).toBe(1);
  });

  it('counts only completed runs as evidence (EVD-1)', () => {
    const g = lineage({ node: 'technology:3', direction: 'upstream', depth: 1, expand: ['technology:3'] });
    expect(depths(g)).toEqual({ 'technology:3': 0, 'program:2': 1, 'test-run:4': 1 });
    const planned = lineage({ node: 'test-run:3', direction: 'downstream', depth: 10 });
    expect(planned.nodes.map((n) => n.id)).toEqual(['test-run:3']);
    expect(planned.nodes[0]).toMatchObject({ kind: 'test-run', code: 'TR-2025-0003', status: 'planned', href: '/test-runs/3' });
  });

  it('leaves rejected transfers out of the lineage', () => {
    expect(lineage({ node: 'road-model:3', direction: 'upstream', depth: 10 }).nodes.map((n) => n.id)).toEqual(['road-model:3']);
    expect(lineage({ node: 'technology:5', direction: 'downstream', depth: 10 }).nodes.map((n) => n.id)).toEqual(['technology:5']);
  });
});

describe('lineage downstream', () => {
  it('walks from a program to its prototypes, runs, technologies and the road models they feed', () => {
    const g = lineage({ node: 'program:1', direction: 'downstream', depth: 10, expand: ALL_TECHS });
    expect(depths(g)).toEqual({
      'program:1': 0,
      'prototype:1': 1,
      'prototype:2': 1,
      'test-run:1': 1,
      'technology:1': 1,
      'test-run:2': 2,
      'test-run:3': 2,
      'test-run:4': 2,
      'technology:2': 2,
      'technology:3': 3,
      'technology:4': 3,
      'road-model:2': 3,
      'road-model:1': 4,
    });
    expect(g.nodes[0]).toMatchObject({ id: 'program:1', kind: 'program', label: 'Formula E 2024-25 Nissan Formula E Team', status: 'completed' });
    // The impact of the failed run: it reaches both road models.
    const fromRun = lineage({ node: 'test-run:1', direction: 'downstream', depth: 3 });
    expect(depths(fromRun)).toEqual({ 'test-run:1': 0, 'technology:1': 1, 'technology:2': 1, 'technology:4': 2, 'road-model:2': 2, 'road-model:1': 3 });
    expect(edge(fromRun, 'program:1', 'test-run:1')).toEqual([]);
    expect(edge(g, 'program:1', 'prototype:1')).toEqual([{ from: 'program:1', to: 'prototype:1', type: 'program_prototype' }]);
  });

  it('stops at the asked depth', () => {
    const g = lineage({ node: 'series:1', direction: 'downstream', depth: 2, expand: ALL_TECHS });
    expect(depths(g)).toEqual({ 'series:1': 0, 'program:1': 1, 'prototype:1': 2, 'prototype:2': 2, 'test-run:1': 2, 'technology:1': 2 });
  });

  it('marks evidence edges with their outcome, and failing ones', () => {
    const g = lineage({ node: 'test-run:1', direction: 'downstream', depth: 1 });
    expect(edge(g, 'test-run:1', 'technology:2')).toEqual([{ from: 'test-run:1', to: 'technology:2', type: 'evidence', outcome: 'fail', failing: true }]);
    expect(edge(g, 'test-run:1', 'technology:1')).toEqual([{ from: 'test-run:1', to: 'technology:1', type: 'evidence', outcome: 'pass' }]);
  });

  it('marks the transfers it is told are suspect', () => {
    const g = lineage({ node: 'technology:2', direction: 'downstream', depth: 2 }, new Set([1]));
    expect(edge(g, 'technology:4', 'road-model:1')).toEqual([{ from: 'technology:4', to: 'road-model:1', type: 'transfer', stage: 'approved', suspect: true }]);
    expect(edge(g, 'technology:2', 'road-model:2')[0]!.suspect).toBeUndefined();
  });
});

describe('lineage with hidden kinds', () => {
  it('contracts paths through hidden kinds into implied edges between the visible nodes', () => {
    const g = lineage({ node: 'road-model:1', direction: 'upstream', depth: 10, kinds: 'program,road-model' });
    expect(depths(g)).toEqual({ 'road-model:1': 0, 'program:2': 3, 'program:1': 4 });
    expect(g.edges).toEqual([
      // P2 → T3 → T4 → M1, and P2 → Q2 → R2 → T1 → T2 → T4 → M1: no fail on the way.
      { from: 'program:2', to: 'road-model:1', type: 'implied', implied: true, via: ['prototype', 'test-run', 'technology'] },
      // P1's paths include R1's failed evidence for T2.
      { from: 'program:1', to: 'road-model:1', type: 'implied', implied: true, via: ['prototype', 'test-run', 'technology'], failing: true },
    ]);
  });

  it('keeps real edges between visible nodes and implies only the missing links', () => {
    const g = lineage({ node: 'program:1', direction: 'downstream', depth: 2, kinds: ['test-run', 'technology'], expand: ALL_TECHS });
    // The root is shown whatever the kinds; prototypes are hidden.
    expect(depths(g)).toEqual({ 'program:1': 0, 'test-run:1': 1, 'technology:1': 1, 'test-run:2': 2, 'test-run:3': 2, 'test-run:4': 2, 'technology:2': 2 });
    expect(edge(g, 'program:1', 'test-run:1')).toEqual([{ from: 'program:1', to: 'test-run:1', type: 'program_run' }]);
    expect(edge(g, 'program:1', 'test-run:2')).toEqual([{ from: 'program:1', to: 'test-run:2', type: 'implied', implied: true, via: ['prototype'] }]);
    expect(edge(g, 'program:1', 'test-run:4')).toEqual([{ from: 'program:1', to: 'test-run:4', type: 'implied', implied: true, via: ['prototype'] }]);
    expect(edge(g, 'program:1', 'technology:1')).toEqual([{ from: 'program:1', to: 'technology:1', type: 'origin' }]);
  });

  it('folds runs into groups whose implied edges start at the right technology', () => {
    const g = lineage({ node: 'road-model:1', direction: 'upstream', depth: 10, kinds: 'test-run,road-model' });
    expect(depths(g)).toEqual({ 'road-model:1': 0, 'run-group:1': 3, 'run-group:2': 3, 'run-group:3': 3 });
    expect(g.nodes.find((n) => n.id === 'run-group:1')).toMatchObject({ count: 2, passes: 2, fails: 0 });
    expect(g.edges).toEqual([
      // R1 failed T2 but passed T1: the group of T1 carries no fail.
      { from: 'run-group:1', to: 'road-model:1', type: 'implied', implied: true, via: ['technology'] },
      { from: 'run-group:2', to: 'road-model:1', type: 'implied', implied: true, via: ['technology'], failing: true },
      { from: 'run-group:3', to: 'road-model:1', type: 'implied', implied: true, via: ['technology'] },
    ]);
  });
});

describe('lineage run groups', () => {
  it('groups runs per technology with their outcomes, unless the technology is expanded', () => {
    const g = lineage({ node: 'road-model:1', direction: 'upstream', depth: 10 });
    expect(g.nodes.filter((n) => n.kind === 'test-run')).toEqual([]);
    const groups = g.nodes.filter((n) => n.kind === 'run-group');
    expect(groups).toEqual([
      expect.objectContaining({ id: 'run-group:1', label: '2 runs of Race inverter', count: 2, passes: 2, fails: 0, depth: 3 }),
      {
        id: 'run-group:2',
        kind: 'run-group',
        label: '1 run of Inverter control',
        depth: 3,
        href: '/test-runs?technology_id=2&status=completed',
        technology_id: 2,
        count: 1,
        passes: 0,
        fails: 1,
        inconclusive: 0,
      },
      expect.objectContaining({ id: 'run-group:3', count: 1, passes: 0, fails: 0, inconclusive: 1, depth: 3 }),
    ]);
    expect(edge(g, 'run-group:2', 'technology:2')).toEqual([{ from: 'run-group:2', to: 'technology:2', type: 'evidence', failing: true }]);
    expect(edge(g, 'run-group:1', 'technology:1')).toEqual([{ from: 'run-group:1', to: 'technology:1', type: 'evidence' }]);
    // R1 (prototype Q1, program P1) is in the groups of T1 and T2; R2 (Q2) only in T1's.
    expect(edgeKeys(g).filter((k) => k.includes('run-group'))).toEqual(
      [
        'program:1 program_run run-group:1',
        'program:1 program_run run-group:2',
        'prototype:1 prototype_run run-group:1',
        'prototype:1 prototype_run run-group:2',
        'prototype:1 prototype_run run-group:3',
        'prototype:2 prototype_run run-group:1',
        'run-group:1 evidence technology:1',
        'run-group:2 evidence technology:2',
        'run-group:3 evidence technology:3',
      ].sort(),
    );

    const expanded = lineage({ node: 'road-model:1', direction: 'upstream', depth: 10, expand: 'technology:2' });
    expect(expanded.nodes.filter((n) => n.kind === 'test-run').map((n) => n.id)).toEqual(['test-run:1']);
    // T1's group keeps R2 alone, now at R2's depth.
    expect(expanded.nodes.filter((n) => n.kind === 'run-group').map((n) => [n.id, n.count, n.depth])).toEqual([
      ['run-group:3', 1, 3],
      ['run-group:1', 1, 4],
    ]);
    expect(edge(expanded, 'test-run:1', 'technology:2')).toEqual([{ from: 'test-run:1', to: 'technology:2', type: 'evidence', outcome: 'fail', failing: true }]);
    expect(edge(expanded, 'test-run:1', 'technology:1')).toHaveLength(1);
    // A group's own id expands it as well.
    expect(depths(lineage({ node: 'road-model:1', direction: 'upstream', depth: 10, expand: 'run-group:2' }))).toEqual(depths(expanded));
  });

  it('groups runs by the technologies they evidence even before those are within depth', () => {
    const g = lineage({ node: 'prototype:2', direction: 'downstream', depth: 1 });
    // R2 (T1 pass) is folded; R3 (planned) has no counting evidence and stays a node.
    expect(depths(g)).toEqual({ 'prototype:2': 0, 'test-run:3': 1, 'run-group:1': 1 });
    expect(edgeKeys(g)).toEqual(['prototype:2 prototype_run run-group:1', 'prototype:2 prototype_run test-run:3']);
  });

  it('never folds the root run', () => {
    const g = lineage({ node: 'test-run:2', direction: 'upstream', depth: 1 });
    expect(depths(g)).toEqual({ 'test-run:2': 0, 'prototype:2': 1 });
  });
});

describe('lineage node limit', () => {
  it('keeps the nodes nearest the start and says it truncated', () => {
    const g = lineage({ node: 'road-model:1', direction: 'upstream', depth: 10, expand: ALL_TECHS, limit: 5 });
    expect(g.truncated).toBe(true);
    expect(g.nodes.map((n) => n.id)).toEqual(['road-model:1', 'technology:4', 'technology:2', 'technology:3', 'program:2']);
    expect(edgeKeys(g)).toEqual([
      'program:2 origin technology:3',
      'technology:2 derives technology:4',
      'technology:3 derives technology:4',
      'technology:4 transfer road-model:1',
    ]);
    const all = lineage({ node: 'road-model:1', direction: 'upstream', depth: 10, expand: ALL_TECHS, limit: 14 });
    expect(all.truncated).toBe(false);
    expect(all.nodes).toHaveLength(14);
  });
});

describe('lineage queries', () => {
  it('refuses malformed node ids, kinds and ranges as bad input, and a missing node as not found', () => {
    expect(() => parseLineageQuery({ node: 'nonsense' })).toThrow(MalformedInputError);
    expect(() => parseLineageQuery({ node: 'car:1' })).toThrow(/unknown node kind "car"/);
    expect(() => parseLineageQuery({ node: 'program:0' })).toThrow(MalformedInputError);
    expect(() => parseLineageQuery({ node: 'program:1', kinds: 'program,cars' })).toThrow(/unknown node kind "cars"/);
    expect(() => parseLineageQuery({ node: 'program:1', expand: 'program:1' })).toThrow(/not a technology/);
    expect(() => parseLineageQuery({ node: 'program:1', depth: 11 })).toThrow(MalformedInputError);
    expect(() => parseLineageQuery({ node: 'program:1', direction: 'sideways' })).toThrow(MalformedInputError);
    expect(() => lineage({ node: 'road-model:99' })).toThrow(NotFoundError);
  });

  it('defaults to upstream, depth 1, all kinds and 500 nodes, and takes lists comma-separated or repeated', () => {
    const q = parseLineageQuery({ node: 'road-model:1', kinds: ['technology,program', 'road-model'], expand: ['technology:1,technology:2'] });
    expect(q).toMatchObject({ node: { kind: 'road-model', id: 1 }, direction: 'upstream', depth: 1, limit: 500 });
    expect([...q.kinds]).toEqual(['technology', 'program', 'road-model']);
    expect([...q.expand]).toEqual([1, 2]);
    expect(parseLineageQuery({ node: 'series:1' }).kinds.size).toBe(6);
  });
});

describe('lineage cache', () => {
  it('answers the same query from memory until the database changes, on this connection or another', () => {
    const query = { node: 'road-model:3', direction: 'upstream', depth: 2 };
    // The cache keeps a graph as its JSON: a query answered from memory gives the same bytes object.
    const json = (input: LineageQueryInput, suspect: Set<number> = new Set()) =>
      getLineageJson(db, parseLineageQuery(input), { suspectTransferIds: suspect });
    const first = lineage(query);
    const bytes = json(query);
    expect(JSON.parse(bytes.toString('utf8'))).toEqual(first);
    expect(json(query)).toBe(bytes);
    // A graph read back from memory is the graph computed.
    expect(lineage(query)).toEqual(first);
    // Another depth, kinds or suspect set is another graph.
    expect(json({ ...query, depth: 1 })).not.toBe(bytes);
    expect(json(query, new Set([3]))).not.toBe(bytes);
    expect(json(query)).toBe(bytes);
    // M3 is fed only by a rejected transfer: no technology yet.
    expect(first.nodes.map((n) => n.id)).toEqual(['road-model:3']);

    db.sqlite.prepare(`UPDATE transfers SET stage = 'approved' WHERE id = 3`).run();
    expect(json(query)).not.toBe(bytes);
    const afterWrite = lineage(query);
    expect(afterWrite.nodes.map((n) => n.id)).toEqual(['road-model:3', 'technology:5']);

    const other = openDatabase(db.sqlite.name);
    try {
      other.sqlite.prepare(`UPDATE transfers SET stage = 'rejected' WHERE id = 3`).run();
    } finally {
      other.sqlite.close();
    }
    expect(lineage(query).nodes.map((n) => n.id)).toEqual(['road-model:3']);
  });

  it('labels a node with its name as it is now, after a rename on this connection or another', () => {
    const query = { node: 'road-model:1', direction: 'upstream', depth: 2 };
    const labelOf = (id: string) => lineage(query).nodes.find((n) => n.id === id)?.label;
    const name = db.sqlite.prepare('SELECT name FROM technologies WHERE id = 4').pluck().get() as string;
    expect(labelOf('technology:4')).toBe(name);
    db.sqlite.prepare(`UPDATE technologies SET name = 'Renamed here' WHERE id = 4`).run();
    // Another graph holding the same technology: its label is read again, not remembered.
    expect(lineage({ ...query, depth: 3 }).nodes.find((n) => n.id === 'technology:4')?.label).toBe('Renamed here');
    expect(labelOf('technology:4')).toBe('Renamed here');
    const other = openDatabase(db.sqlite.name);
    try {
      other.sqlite.prepare(`UPDATE technologies SET name = ? WHERE id = 4`).run(name);
    } finally {
      other.sqlite.close();
    }
    expect(labelOf('technology:4')).toBe(name);
  });
});

describe('lineage JSON', () => {
  it('writes every name exactly as JSON.stringify would: quotes, backslashes, control characters, accents, emoji', () => {
    const tricky = 'Say "hi" \\ back\nnew\tline \u0001 Müller–Straße 🏎️ \u2028 end';
    const renames = [
      ['technologies', 'name', 1],
      ['road_models', 'name', 1],
      ['programs', 'entry', 1],
      ['prototypes', 'code', 1],
      ['test_runs', 'title', 1],
      ['series', 'name', 1],
    ] as const;
    const before = renames.map(([table, column, id]) => db.sqlite.prepare(`SELECT ${column} FROM ${table} WHERE id = ?`).pluck().get(id));
    try {
      for (const [table, column, id] of renames) db.sqlite.prepare(`UPDATE ${table} SET ${column} = ? WHERE id = ?`).run(`${tricky} (${table})`, id);
      // Upstream of M1, with R1 shown as itself (T1 expanded), and with the runs of T1 as a group.
      for (const expand of [['technology:1'], []]) {
        const bytes = getLineageJson(db, parseLineageQuery({ node: 'road-model:1', direction: 'upstream', depth: 6, expand }), { suspectTransferIds: new Set([1]) });
        const graph = JSON.parse(bytes.toString('utf8')) as LineageGraph;
        // The bytes are JSON.stringify's, key for key and character for character.
        expect(bytes.toString('utf8')).toBe(JSON.stringify(graph));
        const label = (id: string) => graph.nodes.find((n) => n.id === id)?.label;
        expect(label('technology:1')).toBe(`${tricky} (technologies)`);
        expect(label('road-model:1')).toBe(`${tricky} (road_models)`);
        expect(label('series:1')).toBe(`${tricky} (series)`);
        expect(label('program:1')).toContain(`${tricky} (programs)`);
        expect(graph.nodes.find((n) => n.id === 'prototype:1')).toMatchObject({ code: `${tricky} (prototypes)` });
        if (expand.length) expect(label('test-run:1')).toBe(`TR-2025-0001 ${tricky} (test_runs)`);
        else expect(label('run-group:1')).toBe(`2 runs of ${tricky} (technologies)`);
        expect(graph.edges.find((e) => e.type === 'transfer')).toMatchObject({ from: 'technology:4', to: 'road-model:1', stage: 'approved', suspect: true });
      }
    } finally {
      renames.forEach(([table, column, id], i) => db.sqlite.prepare(`UPDATE ${table} SET ${column} = ? WHERE id = ?`).run(before[i], id));
    }
  });
});
