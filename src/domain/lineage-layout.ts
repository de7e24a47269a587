// Lays a lineage graph out on the server (elkjs, layered, left to right) so the pages can draw it
// as plain SVG: race on the left, road on the right. Each node's layer is fixed here by its kind's
// rank (plus derivation depth among technologies), so the columns follow series → program →
// prototype → runs → technology → road model whatever the edges say; ELK orders and places the
// nodes within the layers and routes the edges. Boxes have a fixed size, which is what lets ELK
// guarantee that none overlap; labels are cut to fit them.
import type ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { LineageEdge, LineageGraph, LineageNode, LineageResultKind } from './lineage.js';

/** Column of each kind, race → road; runs and their groups share a column. */
export const KIND_RANK: Record<LineageResultKind, number> = {
  series: 0,
  program: 1,
  prototype: 2,
  'test-run': 3,
  'run-group': 3,
  technology: 4,
  'road-model': 5,
};

export const NODE_WIDTH = 248;
export const NODE_HEIGHT = 46;
/** SVG units (= CSS px at natural size): the label line and the facts line. */
export const LABEL_FONT_SIZE = 13;
export const FACTS_FONT_SIZE = 11.5;
/** Where text starts inside a box (after the kind bar) and the room kept on its right. */
export const TEXT_LEFT = 14;
export const TEXT_RIGHT = 10;
/** Room for the start node's mark at the top right. */
export const ROOT_MARK_ROOM = 14;
const PADDING = 16;

export interface LaidOutNode {
  node: LineageNode;
  x: number;
  y: number;
  width: number;
  height: number;
  /** The label as drawn (maybe truncated with an ellipsis); the full text goes in a <title>. */
  shortLabel: string;
  truncated: boolean;
  root: boolean;
}

export interface Point {
  x: number;
  y: number;
}

export interface LaidOutEdge {
  edge: LineageEdge;
  points: Point[];
}

export interface LineageLayout {
  width: number;
  height: number;
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
}

// One instance: it holds no graph state between calls (the bundled build runs in this thread).
// Loaded at the first layout, not at start: 1.6 MB of JavaScript, 80 ms and 23 MB of memory.
let elkInstance: Promise<InstanceType<typeof ELK.default>> | undefined;
function elk() {
  return (elkInstance ??= import('elkjs/lib/elk.bundled.js').then((m) => new m.default.default()));
}

// Advance widths in em, close to DejaVu Sans Bold (the widest common fallback for system-ui), so
// a label that fits here fits in the fonts browsers actually pick.
const NARROW = new Set(Array.from("iljI|!.,:;'`"));
const SEMI = new Set(Array.from('frt()[]{}-/"*'));
const WIDE_LATIN = new Set(Array.from('mwMW@%'));

function charEm(ch: string): number {
  const code = ch.codePointAt(0) ?? 0;
  if (code >= 0x2e80) return 1.05; // CJK, kana, full-width forms, emoji
  if (ch === ' ') return 0.35;
  if (NARROW.has(ch)) return 0.36;
  if (SEMI.has(ch)) return 0.5;
  if (WIDE_LATIN.has(ch)) return 1.1;
  if (ch >= 'A' && ch <= 'Z') return ch === 'J' ? 0.42 : 0.84;
  if (ch >= '0' && ch <= '9') return 0.7;
  if (ch >= 'a' && ch <= 'z') return 0.72;
  if (ch === '#' || ch === '&') return 0.88;
  return 0.8;
}

/** The estimated drawn width of `text` (bold for labels; the regular face is about 10 % narrower). */
export function textWidth(text: string, fontSize: number, bold: boolean): number {
  let em = 0;
  for (const ch of text) em += charEm(ch);
  return em * fontSize * (bold ? 1 : 0.9);
}

/** Cuts `text` to fit `maxWidth`, ending with an ellipsis when cut (never inside a surrogate pair). */
export function truncateLabel(
  text: string,
  maxWidth = NODE_WIDTH - TEXT_LEFT - TEXT_RIGHT,
  fontSize = LABEL_FONT_SIZE,
  bold = true,
): { text: string; truncated: boolean } {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (textWidth(clean, fontSize, bold) <= maxWidth) return { text: clean, truncated: false };
  const chars = Array.from(clean);
  const room = maxWidth - textWidth('…', fontSize, bold);
  let width = 0;
  let n = 0;
  for (; n < chars.length; n++) {
    const w = textWidth(chars[n]!, fontSize, bold);
    if (width + w > room) break;
    width += w;
  }
  return { text: `${chars.slice(0, n).join('').trimEnd()}…`, truncated: true };
}

const LAYOUT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  // Layers come from the x positions given below (see `columns`): cheaper than ELK's partitioning,
  // which constrains every pair of nodes of neighbouring partitions (seconds at 200 nodes).
  'elk.layered.layering.strategy': 'INTERACTIVE',
  // One layering for everything, so a stray component cannot shift a kind out of its column.
  'elk.separateConnectedComponents': 'false',
  'elk.edgeRouting': 'POLYLINE',
  'elk.randomSeed': '1',
  'elk.spacing.nodeNode': '14',
  'elk.spacing.edgeNode': '10',
  'elk.spacing.edgeEdge': '6',
  'elk.layered.spacing.nodeNodeBetweenLayers': '64',
  'elk.layered.spacing.edgeNodeBetweenLayers': '16',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.padding': `[top=${PADDING},left=${PADDING},bottom=${PADDING},right=${PADDING}]`,
};

const LAYER_SLOT = NODE_WIDTH * 2;

/**
 * The layer of each node: kinds in their rank order, and within a kind (derivations between
 * technologies) the longest path from a node of that kind without a predecessor of that kind.
 */
function columns(nodes: LineageNode[], edges: LineageEdge[]): Map<string, number> {
  const rank = new Map(nodes.map((n) => [n.id, KIND_RANK[n.kind]]));
  const inner = new Map(nodes.map((n) => [n.id, 0]));
  const same = edges.filter((e) => rank.get(e.from) === rank.get(e.to));
  // Bellman-Ford style relaxation; the found subgraph is acyclic (DER-1), the bound guards anyway.
  for (let round = 0, changed = true; changed && round < nodes.length; round++) {
    changed = false;
    for (const e of same) {
      const want = inner.get(e.from)! + 1;
      if (want > inner.get(e.to)!) {
        inner.set(e.to, want);
        changed = true;
      }
    }
  }
  const widths = new Map<number, number>();
  for (const n of nodes) widths.set(rank.get(n.id)!, Math.max(widths.get(rank.get(n.id)!) ?? 0, inner.get(n.id)! + 1));
  const offset = new Map<number, number>();
  let next = 0;
  for (const r of [...widths.keys()].sort((a, b) => a - b)) {
    offset.set(r, next);
    next += widths.get(r)!;
  }
  return new Map(nodes.map((n) => [n.id, offset.get(rank.get(n.id)!)! + inner.get(n.id)!]));
}

/** The layout of a lineage graph; the same graph always gives the same layout. */
export async function layoutLineage(graph: LineageGraph): Promise<LineageLayout> {
  if (graph.nodes.length === 0) return { width: 0, height: 0, nodes: [], edges: [] };
  const present = new Set(graph.nodes.map((n) => n.id));
  const edges = graph.edges.filter((e) => present.has(e.from) && present.has(e.to) && e.from !== e.to);
  const layer = columns(graph.nodes, edges);
  const input: ElkNode = {
    id: 'lineage',
    layoutOptions: LAYOUT_OPTIONS,
    children: graph.nodes.map((n) => ({
      id: n.id,
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
      x: layer.get(n.id)! * LAYER_SLOT,
      y: 0,
    })),
    edges: edges.map((e, i): ElkExtendedEdge => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
  };
  const out = await (await elk()).layout(input);

  const placed = new Map((out.children ?? []).map((c) => [c.id, c]));
  const nodes: LaidOutNode[] = graph.nodes.map((n) => {
    const c = placed.get(n.id)!;
    const root = n.id === graph.root;
    const short = truncateLabel(n.label, NODE_WIDTH - TEXT_LEFT - TEXT_RIGHT - (root ? ROOT_MARK_ROOM : 0));
    return {
      node: n,
      x: round(c.x ?? 0),
      y: round(c.y ?? 0),
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
      shortLabel: short.text,
      truncated: short.truncated,
      root,
    };
  });
  const routed = new Map((out.edges ?? []).map((e) => [e.id, e]));
  const laidEdges: LaidOutEdge[] = edges.map((e, i) => {
    const section = routed.get(`e${i}`)?.sections?.[0];
    const points = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [];
    return { edge: e, points: points.map((p) => ({ x: round(p.x), y: round(p.y) })) };
  });
  return { width: Math.ceil(out.width ?? 0), height: Math.ceil(out.height ?? 0), nodes, edges: laidEdges };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
