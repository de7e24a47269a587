// The server-side layout of lineage graphs: columns race → road, no overlapping boxes even at
// 200 nodes, the same layout for the same graph, labels cut to fit.
import { describe, expect, it } from 'vitest';
import {
  KIND_RANK,
  LABEL_FONT_SIZE,
  layoutLineage,
  NODE_HEIGHT,
  NODE_WIDTH,
  ROOT_MARK_ROOM,
  TEXT_LEFT,
  TEXT_RIGHT,
  textWidth,
  truncateLabel,
  type LaidOutNode,
  type LineageLayout,
} from '../../src/domain/lineage-layout.js';
import type { LineageEdge, LineageGraph, LineageNode, LineageResultKind } from '../../src/domain/lineage.js';

/** A deterministic pseudo-random generator (mulberry32), so the generated graph is fixed. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A graph shaped like a deep downstream lineage with every run expanded: ~200 nodes. */
export function syntheticGraph(seed = 42): LineageGraph {
  const random = rng(seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
  const nodes: LineageNode[] = [];
  const edges: LineageEdge[] = [];
  const add = (kind: LineageResultKind, id: number, label: string, depth: number) => {
    nodes.push({ id: `${kind}:${id}`, kind, label, depth, href: `/x/${id}` });
    return `${kind}:${id}`;
  };
  const series = [add('series', 1, 'Formula E', 0), add('series', 2, 'Super GT', 1)];
  const programs = Array.from({ length: 6 }, (_, i) => {
    const p = add('program', i + 1, `Program ${i + 1} 2025 #23 NISMO with a rather long entry name`, 1);
    edges.push({ from: series[i % 2]!, to: p, type: 'series_program' });
    return p;
  });
  const prototypes = Array.from({ length: 16 }, (_, i) => {
    const q = add('prototype', i + 1, `FE-MULE-${String(i + 1).padStart(2, '0')}`, 2);
    edges.push({ from: programs[i % 6]!, to: q, type: 'program_prototype' });
    if (i % 5 === 0) edges.push({ from: programs[(i + 1) % 6]!, to: q, type: 'program_prototype' });
    return q;
  });
  const technologies = Array.from({ length: 40 }, (_, i) => {
    const t = add('technology', i + 1, i === 3 ? '極めて長い名前のインバーター制御ソフトウェア技術' : `Technology ${i + 1} inverter control`, 4);
    if (i % 4 === 0) edges.push({ from: programs[i % 6]!, to: t, type: 'origin' });
    return t;
  });
  for (let i = 10; i < 40; i++) edges.push({ from: technologies[Math.floor(random() * i)]!, to: technologies[i]!, type: 'derives' });
  for (let i = 0; i < 122; i++) {
    const r = add('test-run', i + 1, `TR-2026-${String(i + 1).padStart(4, '0')} Inverter soak test`, 3);
    edges.push({ from: pick(prototypes), to: r, type: 'prototype_run' });
    const tech = pick(technologies);
    const fail = random() < 0.1;
    edges.push({ from: r, to: tech, type: 'evidence', outcome: fail ? 'fail' : 'pass', ...(fail ? { failing: true } : {}) });
  }
  const models = Array.from({ length: 14 }, (_, i) => {
    const m = add('road-model', i + 1, `Road model ${i + 1} NISMO`, 5);
    edges.push({ from: technologies[20 + i]!, to: m, type: 'transfer', stage: 'approved', ...(i === 2 ? { suspect: true } : {}) });
    edges.push({ from: technologies[10 + i]!, to: m, type: 'transfer', stage: 'candidate' });
    return m;
  });
  edges.push({ from: programs[0]!, to: models[0]!, type: 'implied', implied: true, via: ['technology'] });
  edges.push({ from: 'run-group:1', to: technologies[0]!, type: 'evidence' });
  nodes.push({ id: 'run-group:1', kind: 'run-group', label: '3 runs of Technology 1', depth: 3, href: '/x', count: 3, passes: 2, fails: 1, inconclusive: 0 });
  return { root: series[0]!, direction: 'downstream', depth: 10, nodes, edges, truncated: false };
}

function overlap(a: LaidOutNode, b: LaidOutNode): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

describe('lineage layout', () => {
  let big: LineageLayout;

  it('lays out ~200 nodes with no two boxes overlapping, all inside the drawing', async () => {
    const graph = syntheticGraph();
    expect(graph.nodes.length).toBeGreaterThanOrEqual(200);
    big = await layoutLineage(graph);
    expect(big.nodes).toHaveLength(graph.nodes.length);
    const overlapping: string[] = [];
    for (let i = 0; i < big.nodes.length; i++) {
      for (let j = i + 1; j < big.nodes.length; j++) {
        if (overlap(big.nodes[i]!, big.nodes[j]!)) overlapping.push(`${big.nodes[i]!.node.id} × ${big.nodes[j]!.node.id}`);
      }
    }
    expect(overlapping).toEqual([]);
    for (const n of big.nodes) {
      expect(n.width).toBe(NODE_WIDTH);
      expect(n.height).toBe(NODE_HEIGHT);
      expect(n.x).toBeGreaterThanOrEqual(0);
      expect(n.y).toBeGreaterThanOrEqual(0);
      expect(n.x + n.width).toBeLessThanOrEqual(big.width);
      expect(n.y + n.height).toBeLessThanOrEqual(big.height);
    }
  }, 120_000);

  it('puts the kinds in columns race → road: every node lies right of every node of an earlier kind', () => {
    const byRank = new Map<number, LaidOutNode[]>();
    for (const n of big.nodes) {
      const rank = KIND_RANK[n.node.kind];
      byRank.set(rank, [...(byRank.get(rank) ?? []), n]);
    }
    const ranks = [...byRank.keys()].sort((a, b) => a - b);
    expect(ranks).toEqual([0, 1, 2, 3, 4, 5]);
    for (let i = 0; i + 1 < ranks.length; i++) {
      const leftEdge = Math.max(...byRank.get(ranks[i]!)!.map((n) => n.x + n.width));
      const rightStart = Math.min(...byRank.get(ranks[i + 1]!)!.map((n) => n.x));
      expect(leftEdge, `rank ${ranks[i]} ends before rank ${ranks[i + 1]} starts`).toBeLessThan(rightStart);
    }
  });

  it('routes every edge from its source box to its target box', () => {
    const at = new Map(big.nodes.map((n) => [n.node.id, n]));
    expect(big.edges.length).toBeGreaterThan(300);
    for (const e of big.edges) {
      expect(e.points.length).toBeGreaterThanOrEqual(2);
      const from = at.get(e.edge.from)!;
      const to = at.get(e.edge.to)!;
      const start = e.points[0]!;
      const end = e.points.at(-1)!;
      expect(start.x).toBeGreaterThanOrEqual(from.x - 1);
      expect(start.x).toBeLessThanOrEqual(from.x + from.width + 1);
      expect(end.x).toBeGreaterThanOrEqual(to.x - 1);
      expect(end.x).toBeLessThanOrEqual(to.x + to.width + 1);
      expect(end.y).toBeGreaterThanOrEqual(to.y - 1);
      expect(end.y).toBeLessThanOrEqual(to.y + to.height + 1);
    }
  });

  it('gives the same layout for the same graph', async () => {
    const again = await layoutLineage(syntheticGraph());
    expect(JSON.stringify(again)).toBe(JSON.stringify(big));
    const small = syntheticGraph(7);
    expect(JSON.stringify(await layoutLineage(small))).toBe(JSON.stringify(await layoutLineage(small)));
  }, 120_000);

  it('marks the root and lays out a lone node', async () => {
    const lone = await layoutLineage({
      root: 'road-model:1',
      direction: 'upstream',
      depth: 1,
      nodes: [{ id: 'road-model:1', kind: 'road-model', label: 'Ariya NISMO', depth: 0, href: '/road-models/1' }],
      edges: [],
      truncated: false,
    });
    expect(lone.nodes).toHaveLength(1);
    expect(lone.nodes[0]!.root).toBe(true);
    expect(lone.width).toBeGreaterThanOrEqual(NODE_WIDTH);
    expect(lone.edges).toEqual([]);
    expect(big.nodes.filter((n) => n.root).map((n) => n.node.id)).toEqual(['series:1']);
  });

  it('cuts long labels with an ellipsis to fit the box, counting wide characters wider', () => {
    const room = NODE_WIDTH - TEXT_LEFT - TEXT_RIGHT;
    expect(truncateLabel('Ariya NISMO')).toEqual({ text: 'Ariya NISMO', truncated: false });
    const long = truncateLabel('Program 1 2025 #23 NISMO with a rather long entry name');
    expect(long.truncated).toBe(true);
    expect(long.text.endsWith('…')).toBe(true);
    expect(long.text.startsWith('Program 1 2025 #23')).toBe(true);
    expect(textWidth(long.text, LABEL_FONT_SIZE, true)).toBeLessThanOrEqual(room);
    const wide = truncateLabel('極めて長い名前のインバーター制御ソフトウェア技術');
    expect(wide.truncated).toBe(true);
    expect(textWidth(wide.text, LABEL_FONT_SIZE, true)).toBeLessThanOrEqual(room);
    expect(Array.from(wide.text).length).toBeLessThan(20);
    // Capitals are wider than lower case: fewer of them fit.
    expect(Array.from(truncateLabel('W'.repeat(60)).text).length).toBeLessThan(Array.from(truncateLabel('i'.repeat(60)).text).length);
    // Never cuts a surrogate pair in half.
    expect(truncateLabel('🏎'.repeat(40)).text).toMatch(/^(🏎)+…$/u);
    // The root keeps room for its mark.
    expect(big.nodes.find((n) => n.node.id === 'technology:4')!.truncated).toBe(true);
    for (const n of big.nodes) expect(textWidth(n.shortLabel, LABEL_FONT_SIZE, true)).toBeLessThanOrEqual(room - (n.root ? ROOT_MARK_ROOM : 0));
  });
});
