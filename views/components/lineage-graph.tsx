// The lineage graph as the pages draw it: a server-laid SVG (boxes coloured by kind, each a link
// to its page; suspect transfers, failing evidence and implied paths marked), its legend, and a
// table of the same nodes. Colours are SVG presentation attributes (no style=, CSP); app.css adds
// hover and focus. State lives in the URL: expand/collapse links carry the whole query.
import type { LineageEdge, LineageGraph, LineageNode, LineageResultKind } from '../../src/domain/lineage.js';
import { LINEAGE_NODE_KINDS } from '../../src/domain/lineage.js';
import {
  FACTS_FONT_SIZE,
  LABEL_FONT_SIZE,
  TEXT_LEFT,
  TEXT_RIGHT,
  truncateLabel,
  type LaidOutEdge,
  type LaidOutNode,
  type LineageLayout,
} from '../../src/domain/lineage-layout.js';
import { Badge, humanize } from './common.js';
import { attrValue } from './forms.js';

/** The explorer's state, as it stands in the URL (parameter names are the API's). */
export interface LineageState {
  node: string;
  direction: string;
  depth: number;
  /** Shown kinds; empty means all. */
  kinds: string[];
  /** `technology:<id>` of each expanded run group. */
  expand: string[];
  limit?: number | undefined;
}

export const KIND_LABEL: Record<LineageResultKind, string> = {
  series: 'Series',
  program: 'Program',
  prototype: 'Prototype',
  'test-run': 'Test run',
  'run-group': 'Run group',
  technology: 'Technology',
  'road-model': 'Road model',
};

/** Box colours per kind: [stroke, fill]. Light fills with dark text read in both colour schemes. */
export const KIND_COLOURS: Record<LineageResultKind, [string, string]> = {
  series: ['#6a1b9a', '#f3e5f5'],
  program: ['#1565c0', '#e3f2fd'],
  prototype: ['#00838f', '#e0f7fa'],
  'test-run': ['#b45309', '#fff3e0'],
  'run-group': ['#b45309', '#ffe0b2'],
  technology: ['#2e7d32', '#e8f5e9'],
  'road-model': ['#c3002f', '#fde8ec'],
};

const EDGE_STYLE = {
  normal: { stroke: '#7b818c', width: 1.4, dash: undefined as string | undefined },
  implied: { stroke: '#7b818c', width: 1.4, dash: '6 4' },
  failing: { stroke: '#d35400', width: 2.2, dash: '3 3' },
  suspect: { stroke: '#b71c1c', width: 2.6, dash: '10 4' },
};
type EdgeMark = keyof typeof EDGE_STYLE;

export function edgeMark(edge: LineageEdge): EdgeMark {
  if (edge.suspect) return 'suspect';
  if (edge.failing) return 'failing';
  if (edge.implied) return 'implied';
  return 'normal';
}

/** `/lineage?node=…&direction=…&depth=…&kinds=…&expand=…`, with `changes` applied. */
export function lineageUrl(base: string, state: LineageState, changes: Partial<LineageState> = {}): string {
  const s = { ...state, ...changes };
  const params = new URLSearchParams();
  params.set('node', s.node);
  params.set('direction', s.direction);
  params.set('depth', String(s.depth));
  for (const k of s.kinds) params.append('kinds', k);
  for (const e of s.expand) params.append('expand', e);
  if (s.limit !== undefined) params.set('limit', String(s.limit));
  return `${base}?${params.toString()}`;
}

function nodeFacts(n: LineageNode): string {
  switch (n.kind) {
    case 'run-group': {
      const parts = [`${n.passes ?? 0} pass`, `${n.fails ?? 0} fail`];
      if (n.inconclusive) parts.push(`${n.inconclusive} inconcl.`);
      return parts.join(', ');
    }
    case 'technology':
      return n.domain ? `Technology · ${humanize(n.domain)}` : 'Technology';
    case 'prototype':
      return 'Prototype';
    case 'series':
      return 'Series';
    default:
      return n.status ? `${KIND_LABEL[n.kind]} · ${humanize(n.status)}` : KIND_LABEL[n.kind];
  }
}

function edgeText(edge: LineageEdge): string {
  const parts: string[] = [edge.implied ? `implied (via ${(edge.via ?? []).map((k) => KIND_LABEL[k].toLowerCase()).join(', ') || 'hidden kinds'})` : humanize(edge.type)];
  if (edge.stage) parts.push(humanize(edge.stage).toLowerCase());
  if (edge.outcome) parts.push(edge.outcome);
  if (edge.failing && edge.outcome !== 'fail') parts.push('with a fail');
  if (edge.suspect) parts.push('SUSPECT');
  return parts.join(', ');
}

/** What a technology's runs can do here: be expanded (a group is shown) or collapsed (expanded). */
function runToggle(n: LineageNode, graph: LineageGraph, state: LineageState): 'expand' | 'collapse' | undefined {
  const techId = n.kind === 'run-group' ? n.technology_id : n.kind === 'technology' ? Number(n.id.slice('technology:'.length)) : undefined;
  if (techId === undefined) return undefined;
  if (state.expand.includes(`technology:${techId}`)) return n.kind === 'technology' ? 'collapse' : undefined;
  if (n.kind === 'run-group') return 'expand';
  return graph.nodes.some((m) => m.id === `run-group:${techId}`) ? 'expand' : undefined;
}

function toggledUrl(base: string, n: LineageNode, state: LineageState, action: 'expand' | 'collapse'): string {
  const techId = n.kind === 'run-group' ? n.technology_id! : Number(n.id.slice('technology:'.length));
  const key = `technology:${techId}`;
  const expand = action === 'expand' ? [...state.expand.filter((e) => e !== key), key] : state.expand.filter((e) => e !== key);
  return lineageUrl(base, state, { expand });
}

export interface LineageViewProps {
  graph: LineageGraph;
  layout: LineageLayout;
  state: LineageState;
  /** The explorer swaps its graph region in place; the panel links to the explorer instead. */
  mode: 'explorer' | 'panel';
}

/** Attributes that make a link swap the explorer's graph region and push its URL. */
function swapAttrs(url: string, mode: 'explorer' | 'panel'): Record<string, string> {
  return mode === 'explorer' ? { 'hx-get': url, 'hx-target': '#lineage-graph', 'hx-swap': 'outerHTML', 'hx-push-url': 'true' } : {};
}

/** The "+ runs" button at the bottom right of a box, and the room kept free for it. */
const TOGGLE_WIDTH = 52;
const TOGGLE_ROOM = TOGGLE_WIDTH + 14;

function SvgNode({ laid, graph, state, mode, prefix }: { laid: LaidOutNode; graph: LineageGraph; state: LineageState; mode: 'explorer' | 'panel'; prefix: string }) {
  const n = laid.node;
  const [stroke, fill] = KIND_COLOURS[n.kind];
  const toggle = runToggle(n, graph, state);
  const facts = truncateLabel(nodeFacts(n), laid.width - TEXT_LEFT - (toggle ? TOGGLE_ROOM : TEXT_RIGHT), FACTS_FONT_SIZE, false).text;
  const x = laid.x;
  const y = laid.y;
  const toggleUrl = toggle ? toggledUrl('/lineage', n, state, toggle) : '';
  const toggleTitle = toggle === 'expand' ? `Expand the runs of ${n.label}` : `Group the runs of ${n.label} again`;
  return (
    <g class={`lineage-node kind-${n.kind}${laid.root ? ' root' : ''}`} data-node-id={n.id} id={`${prefix}-${n.id}`}>
      {/* Its accessible name is its visible text (label and facts); the <title> holds the full label. */}
      <a href={n.href} class="lineage-node-link">
        <title safe>{`${n.label}\n${KIND_LABEL[n.kind]} · depth ${n.depth}`}</title>
        <rect class="box" x={x} y={y} width={laid.width} height={laid.height} rx="6" fill={fill} stroke={stroke} stroke-width={laid.root ? 3 : 1.5} />
        <rect x={x} y={y} width="6" height={laid.height} rx="3" fill={stroke} />
        <text x={x + TEXT_LEFT} y={y + 19} font-size={LABEL_FONT_SIZE} font-weight="600" fill="#1a1a1a" safe>
          {laid.shortLabel}
        </text>
        <text x={x + TEXT_LEFT} y={y + 36} font-size={FACTS_FONT_SIZE} fill="#3d3d3d" safe>
          {facts}
        </text>
      </a>
      {toggle ? (
        <a href={toggleUrl} class="lineage-toggle" data-toggle={toggle} data-node-id={n.id} {...swapAttrs(toggleUrl, mode)}>
          <title safe>{toggleTitle}</title>
          <rect x={x + laid.width - TOGGLE_WIDTH - 6} y={y + 25} width={TOGGLE_WIDTH} height="17" rx="8" fill="#ffffff" stroke={stroke} />
          <text x={x + laid.width - 6 - TOGGLE_WIDTH / 2} y={y + 37.5} font-size="11.5" font-weight="700" text-anchor="middle" fill={stroke}>
            {toggle === 'expand' ? '+ runs' : '− runs'}
          </text>
        </a>
      ) : (
        ''
      )}
      {laid.root ? <circle class="root-mark" cx={x + laid.width - 10} cy={y + 10} r="4.5" fill="#1a1a1a" /> : ''}
    </g>
  );
}

function pathOf(e: LaidOutEdge): string {
  return e.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' ');
}

function SvgEdge({ laid, labels, prefix }: { laid: LaidOutEdge; labels: Map<string, string>; prefix: string }) {
  if (laid.points.length < 2) return '';
  const mark = edgeMark(laid.edge);
  const style = EDGE_STYLE[mark];
  const title = `${labels.get(laid.edge.from) ?? laid.edge.from} → ${labels.get(laid.edge.to) ?? laid.edge.to}: ${edgeText(laid.edge)}`;
  return (
    <path
      class={`lineage-edge ${mark}`}
      data-from={laid.edge.from}
      data-to={laid.edge.to}
      data-type={laid.edge.type}
      d={pathOf(laid)}
      fill="none"
      stroke={style.stroke}
      stroke-width={style.width}
      stroke-dasharray={style.dash}
      marker-end={`url(#${prefix}-arrow-${mark === 'implied' ? 'normal' : mark})`}
    >
      <title safe>{title}</title>
    </path>
  );
}

function Marker({ id, colour }: { id: string; colour: string }) {
  return (
    <marker id={id} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse" markerUnits="userSpaceOnUse">
      <path d="M0 0 L10 5 L0 10 z" fill={colour} />
    </marker>
  );
}

export function LineageSvg({ graph, layout, state, mode }: LineageViewProps) {
  const prefix = mode === 'explorer' ? 'lg' : 'lp';
  const labels = new Map(graph.nodes.map((n) => [n.id, n.label]));
  const root = graph.nodes.find((n) => n.id === graph.root);
  const name = `Lineage graph of ${root?.label ?? graph.root}: ${graph.nodes.length} nodes, ${graph.edges.length} links`;
  return (
    <svg
      class="lineage-svg"
      xmlns="http://www.w3.org/2000/svg"
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      width={layout.width}
      height={layout.height}
      role="graphics-document"
      aria-label={attrValue(name)}
      font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
      data-node-count={graph.nodes.length}
    >
      <defs>
        <Marker id={`${prefix}-arrow-normal`} colour={EDGE_STYLE.normal.stroke} />
        <Marker id={`${prefix}-arrow-failing`} colour={EDGE_STYLE.failing.stroke} />
        <Marker id={`${prefix}-arrow-suspect`} colour={EDGE_STYLE.suspect.stroke} />
      </defs>
      <g class="lineage-edges">
        {layout.edges.map((e) => (
          <SvgEdge laid={e} labels={labels} prefix={prefix} />
        ))}
      </g>
      <g class="lineage-nodes">
        {layout.nodes.map((n) => (
          <SvgNode laid={n} graph={graph} state={state} mode={mode} prefix={prefix} />
        ))}
      </g>
    </svg>
  );
}

function Swatch({ kind }: { kind: LineageResultKind }) {
  const [stroke, fill] = KIND_COLOURS[kind];
  return (
    <svg class="lineage-swatch" width="22" height="14" viewBox="0 0 22 14" aria-hidden="true">
      <rect x="1" y="1" width="20" height="12" rx="3" fill={fill} stroke={stroke} stroke-width="1.5" />
      <rect x="1" y="1" width="4" height="12" rx="2" fill={stroke} />
    </svg>
  );
}

function LineSwatch({ mark }: { mark: EdgeMark }) {
  const style = EDGE_STYLE[mark];
  return (
    <svg class="lineage-swatch" width="40" height="14" viewBox="0 0 40 14" aria-hidden="true">
      <line x1="1" y1="7" x2="39" y2="7" stroke={style.stroke} stroke-width={style.width} stroke-dasharray={style.dash} />
    </svg>
  );
}

const EDGE_LEGEND: [EdgeMark, string][] = [
  ['normal', 'Link (race → road)'],
  ['implied', 'Implied: a path through hidden kinds'],
  ['failing', 'Failing evidence (a fail on a completed run)'],
  ['suspect', 'Suspect transfer (SUS-1, SUS-2)'],
];

export function LineageLegend({ graph }: { graph: LineageGraph }) {
  const kinds = (['series', 'program', 'prototype', 'test-run', 'run-group', 'technology', 'road-model'] as LineageResultKind[]).filter((k) =>
    graph.nodes.some((n) => n.kind === k),
  );
  return (
    <div class="lineage-legend" aria-label="Legend">
      <ul>
        {kinds.map((k) => (
          <li>
            <Swatch kind={k} />
            <span safe>{KIND_LABEL[k]}</span>
          </li>
        ))}
      </ul>
      <ul>
        {EDGE_LEGEND.map(([mark, text]) => (
          <li class={`edge-${mark}`}>
            <LineSwatch mark={mark} />
            <span safe>{text}</span>
          </li>
        ))}
        <li>
          <svg class="lineage-swatch" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">
            <circle cx="7" cy="7" r="5" fill="#1a1a1a" />
          </svg>
          <span>Start node (thick border)</span>
        </li>
      </ul>
    </div>
  );
}

function FactsCell({ n, graph }: { n: LineageNode; graph: LineageGraph }) {
  const touching = graph.edges.filter((e) => e.from === n.id || e.to === n.id);
  const suspect = touching.some((e) => e.suspect && (e.type === 'transfer' || e.implied));
  const failing = touching.some((e) => e.failing);
  return (
    <span class="lineage-facts">
      {n.kind === 'run-group' ? (
        <span safe>{`${n.count ?? 0} completed run${n.count === 1 ? '' : 's'}: ${n.passes ?? 0} pass, ${n.fails ?? 0} fail, ${n.inconclusive ?? 0} inconclusive`}</span>
      ) : (
        ''
      )}
      {n.code ? <code safe>{n.code}</code> : ''}
      {n.status ? <Badge value={n.status} /> : ''}
      {n.domain ? <span safe>{humanize(n.domain)}</span> : ''}
      {suspect ? <Badge value="suspect" label="Suspect transfer" /> : ''}
      {failing ? <Badge value="fail" label="Failing evidence" /> : ''}
    </span>
  );
}

function LinksCell({ n, graph, labels }: { n: LineageNode; graph: LineageGraph; labels: Map<string, LineageNode> }) {
  const out = graph.edges.filter((e) => e.from === n.id);
  if (out.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="lineage-links">
      {out.map((e) => {
        const target = labels.get(e.to);
        return (
          <li class={`edge-${edgeMark(e)}`}>
            {'→ '}
            {target ? (
              <a href={target.href} safe>
                {target.label}
              </a>
            ) : (
              <span safe>{e.to}</span>
            )}{' '}
            <small safe>{edgeText(e)}</small>
          </li>
        );
      })}
    </ul>
  );
}

export function LineageTable({ graph, state, mode }: Omit<LineageViewProps, 'layout'>) {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return (
    <div class="table-scroll">
      <table class="lineage-table striped">
        <caption class="visually-hidden">The nodes of the graph, nearest first</caption>
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Node</th>
            <th scope="col" class="numeric">
              Depth
            </th>
            <th scope="col">Facts</th>
            <th scope="col">Leads to</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {graph.nodes.map((n) => {
            const toggle = runToggle(n, graph, state);
            const toggleUrl = toggle ? toggledUrl('/lineage', n, state, toggle) : '';
            const exploreKind = n.kind === 'run-group' ? undefined : n.kind;
            return (
              <tr data-node-id={n.id}>
                <td safe>{KIND_LABEL[n.kind]}</td>
                <th scope="row">
                  <a href={n.href} safe>
                    {n.label}
                  </a>
                  {n.id === graph.root ? <small> (start)</small> : ''}
                </th>
                <td class="numeric">{n.depth}</td>
                <td>
                  <FactsCell n={n} graph={graph} />
                </td>
                <td>
                  <LinksCell n={n} graph={graph} labels={byId} />
                </td>
                <td class="lineage-actions">
                  {toggle ? (
                    <a href={toggleUrl} class="lineage-toggle-link" data-toggle={toggle} {...swapAttrs(toggleUrl, mode)}>
                      {toggle === 'expand' ? 'Expand runs' : 'Group runs'}
                    </a>
                  ) : (
                    ''
                  )}
                  {exploreKind && n.id !== graph.root ? (
                    <a href={lineageUrl('/lineage', { ...state, node: n.id, expand: [] })} class="secondary">
                      Explore from here
                    </a>
                  ) : (
                    ''
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Hidden fields that keep the expansions when the controls form is submitted (form= attribute). */
function ExpandFields({ state }: { state: LineageState }) {
  return (
    <>
      {state.expand.map((e) => (
        <input type="hidden" name="expand" value={attrValue(e)} form="lineage-controls" />
      ))}
    </>
  );
}

export interface LineageRegionProps {
  result?: { graph: LineageGraph; layout: LineageLayout } | undefined;
  state?: LineageState | undefined;
  error?: string | undefined;
}

/** The explorer's swappable region: the graph, its legend and table, or what went wrong. */
export function LineageRegion({ result, state, error }: LineageRegionProps) {
  if (error || !result || !state) {
    return (
      <div id="lineage-graph" class="lineage-region">
        {state ? <ExpandFields state={state} /> : ''}
        {error ? (
          <p class="error-summary" role="alert" safe>
            {error}
          </p>
        ) : (
          <p class="empty-state">
            Pick a start node (for example <code>road-model:1</code>, or open a road model, technology, program, prototype or test run and follow its
            lineage link).
          </p>
        )}
      </div>
    );
  }
  const { graph, layout } = result;
  const root = graph.nodes.find((n) => n.id === graph.root);
  const kinds = state.kinds.length ? state.kinds.filter((k) => (LINEAGE_NODE_KINDS as readonly string[]).includes(k)) : [];
  const summary = `${humanize(graph.direction)}, depth ${graph.depth}${kinds.length ? `, showing ${kinds.join(', ')}` : ''} · ${graph.nodes.length} node${graph.nodes.length === 1 ? '' : 's'}, ${graph.edges.length} link${graph.edges.length === 1 ? '' : 's'}`;
  return (
    <div id="lineage-graph" class="lineage-region" data-root={graph.root} data-node-count={graph.nodes.length}>
      <ExpandFields state={state} />
      <hgroup>
        <h2>
          {'Lineage of '}
          {root ? (
            <a href={root.href} safe>
              {root.label}
            </a>
          ) : (
            <span safe>{graph.root}</span>
          )}
        </h2>
        <p>
          <span safe>{summary}</span>
          {graph.nodes.length > 12 ? (
            <>
              {' · '}
              <a href={`#lg-${graph.root}`}>Show the start node in the graph</a>
            </>
          ) : (
            ''
          )}
        </p>
      </hgroup>
      {graph.truncated ? (
        <p class="lineage-truncated" role="note">
          <strong>Not everything is shown:</strong>
          <span safe>{` the graph has more nodes than the limit; the ${graph.nodes.length} nearest are shown. Lower the depth or hide kinds to see the rest.`}</span>
        </p>
      ) : (
        ''
      )}
      <LineageLegend graph={graph} />
      <div class="lineage-scroll" tabindex="0" aria-label="Lineage graph (scrolls)">
        <LineageSvg graph={graph} layout={layout} state={state} mode="explorer" />
      </div>
      <h3>Nodes</h3>
      <LineageTable graph={graph} state={state} mode="explorer" />
    </div>
  );
}

/** The small lineage panel of a record's page (depth 1), loaded by htmx. */
export function LineagePanel({ graph, layout, state, directionLabel }: Omit<LineageViewProps, 'mode'> & { directionLabel?: string | undefined }) {
  const explorer = lineageUrl('/lineage', state);
  return (
    <div class="lineage-panel-body" data-root={graph.root} data-node-count={graph.nodes.length}>
      <h2>Lineage</h2>
      <p>
        <small safe>{`${directionLabel ?? humanize(graph.direction)}, depth ${graph.depth} · ${graph.nodes.length} node${graph.nodes.length === 1 ? '' : 's'}`}</small>{' '}
        <a href={explorer}>Open the lineage explorer</a>
      </p>
      {graph.nodes.length > 1 ? (
        <>
          <div class="lineage-scroll" tabindex="0" aria-label="Lineage graph (scrolls)">
            <LineageSvg graph={graph} layout={layout} state={state} mode="panel" />
          </div>
          <LineageLegend graph={graph} />
          <details>
            <summary>The same as a table</summary>
            <LineageTable graph={graph} state={state} mode="panel" />
          </details>
        </>
      ) : (
        <p class="muted">Nothing is linked to it yet.</p>
      )}
    </div>
  );
}
