// Lineage pages: the explorer (/lineage) and the panel each record page loads (/lineage/panel).
// Same query as GET /api/v1/lineage (same schema, same parameter names), suspect transfers
// marked, the graph laid out on the server.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Db } from '../../db.js';
import { MalformedInputError, NotFoundError } from '../../domain/errors.js';
import {
  getLineage,
  LINEAGE_DEFAULT_LIMIT,
  LINEAGE_NODE_KINDS,
  parseLineageQuery,
  type LineageDirection,
  type LineageEdge,
  type LineageGraph,
  type LineageNode,
  type LineageNodeKind,
  type LineageQuery as ParsedQuery,
} from '../../domain/lineage.js';
import { layoutLineage } from '../../domain/lineage-layout.js';
import { listPrototypes } from '../../domain/prototypes.js';
import { listRoadModels } from '../../domain/road-models.js';
import { listTechnologies } from '../../domain/technologies.js';
import { LineageQuery } from '../../schemas/lineage.js';
import { LineagePanel, LineageRegion, type LineageState } from '../../../views/components/lineage-graph.js';
import { ExplorerPage, type ExplorerFormValues, type NodeChoice } from '../../../views/pages/lineage/lineage-pages.js';
import { allOf } from './programs.js';
import { programChoices } from '../../domain/programs.js';
import { pageContext, renderPage } from './render.js';

/** The API's query, every parameter optional: an explorer without a node shows only its controls. */
const ExplorerQuery = Type.Partial(LineageQuery);
type RawQuery = Static<typeof ExplorerQuery>;

/** The direction a record's panel and lineage link show when the URL names none. */
export const DEFAULT_DIRECTION: Record<LineageNodeKind, LineageDirection> = {
  series: 'downstream',
  program: 'downstream',
  prototype: 'downstream',
  'test-run': 'downstream',
  technology: 'upstream',
  'road-model': 'upstream',
};

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function stateOf(query: ParsedQuery, raw: RawQuery): LineageState {
  const allKinds = LINEAGE_NODE_KINDS.every((k) => query.kinds.has(k));
  return {
    node: `${query.node.kind}:${query.node.id}`,
    direction: query.direction,
    depth: query.depth,
    kinds: allKinds ? [] : LINEAGE_NODE_KINDS.filter((k) => query.kinds.has(k)),
    expand: [...query.expand].map((id) => `technology:${id}`),
    limit: raw.limit === undefined || raw.limit === LINEAGE_DEFAULT_LIMIT ? undefined : raw.limit,
  };
}

/** The form's values from the raw query, whatever it holds (a refused one is shown as typed). */
function formValues(raw: Record<string, unknown>): ExplorerFormValues {
  const text = (v: unknown) => (Array.isArray(v) ? String(v[v.length - 1] ?? '') : v === undefined || v === null ? '' : String(v));
  const kinds = asList(raw.kinds as string | string[] | undefined)
    .flatMap((k) => String(k).split(','))
    .map((k) => k.trim())
    .filter((k) => k !== '');
  const all = LINEAGE_NODE_KINDS.every((k) => kinds.includes(k));
  return { node: text(raw.node), direction: text(raw.direction) || 'upstream', depth: text(raw.depth) || '1', kinds: all ? [] : kinds };
}

/** Quick picks for the node field: road models, technologies, programs and prototypes (first 200 of each). */
function nodeChoices(db: Db): NodeChoice[] {
  const models = allOf((q) => listRoadModels(db, q)).map((m) => ({ value: `road-model:${m.id}`, label: `${m.name} (road model)` }));
  const technologies = listTechnologies(db, { limit: 200 }).items.map((t) => ({ value: `technology:${t.id}`, label: `${t.name} (technology)` }));
  const programs = programChoices(db).map((p) => ({ value: `program:${p.id}`, label: `${p.label} (program)` }));
  const prototypes = listPrototypes(db, { limit: 200 }).items.map((p) => ({ value: `prototype:${p.id}`, label: `${p.code} (prototype)` }));
  return [...models, ...technologies, ...programs, ...prototypes];
}

function validationMessage(request: FastifyRequest): string {
  const problems = (request.validationError as { validation?: { instancePath?: string; message?: string }[] } | undefined)?.validation ?? [];
  const text = problems.map((p) => `${(p.instancePath ?? '').replace(/^\//, '').replace(/\/\d+$/, '') || 'query'}: ${p.message ?? 'is not valid'}`);
  return `That query cannot be shown. ${text.join('; ') || (request.validationError?.message ?? '')}`;
}

function refusalMessage(error: unknown): { status: number; message: string } | undefined {
  if (error instanceof MalformedInputError) {
    return { status: 400, message: `That query cannot be shown. ${error.errors.map((e) => `${e.path.replace(/^\//, '')}: ${e.message}`).join('; ')}` };
  }
  if (error instanceof NotFoundError) return { status: 404, message: `There is no such node: ${error.message}` };
  return undefined;
}

/** Both directions of one node in one graph (a technology's panel: what feeds it and what it feeds). */
function merged(a: LineageGraph, b: LineageGraph): LineageGraph {
  const nodes = new Map<string, LineageNode>();
  for (const n of [...a.nodes, ...b.nodes]) {
    const had = nodes.get(n.id);
    if (!had || n.depth < had.depth) nodes.set(n.id, n);
  }
  const edges = new Map<string, LineageEdge>();
  for (const e of [...a.edges, ...b.edges]) edges.set(`${e.from}>${e.to}>${e.type}`, e);
  const list = [...nodes.values()].sort((x, y) => x.depth - y.depth);
  return { ...a, nodes: list, edges: [...edges.values()], truncated: a.truncated || b.truncated };
}

export async function lineagePages(app: FastifyInstance) {
  app.get('/lineage', { schema: { querystring: ExplorerQuery, hide: true }, attachValidation: true }, async (request, reply) => {
    const raw = request.query as RawQuery;
    const values = formValues(request.query as Record<string, unknown>);
    let status: number | undefined;
    let error: string | undefined;
    let state: LineageState | undefined;
    let result: { graph: LineageGraph; layout: Awaited<ReturnType<typeof layoutLineage>> } | undefined;
    if (request.validationError) {
      status = 400;
      error = validationMessage(request);
    } else if (raw.node) {
      try {
        const query = parseLineageQuery({ ...raw, node: raw.node });
        state = stateOf(query, raw);
        const graph = getLineage(app.db, query);
        result = { graph, layout: await layoutLineage(graph) };
      } catch (e) {
        const refused = refusalMessage(e);
        if (!refused) throw e;
        ({ status, message: error } = refused);
      }
    }
    const ctx = pageContext(request, reply);
    const root = result?.graph.nodes.find((n) => n.id === result?.graph.root);
    const title = root ? `Lineage of ${root.label}` : 'Lineage explorer';
    const region = <LineageRegion result={result} state={state} error={error} />;
    if (request.isPartial) {
      if (status) reply.code(status);
      return reply.html(region);
    }
    return renderPage(
      request,
      reply,
      ctx,
      { title, status, breadcrumbs: [{ label: 'Lineage', href: '/lineage' }, ...(root ? [{ label: root.label }] : [])] },
      <ExplorerPage values={values} choices={nodeChoices(app.db)} result={result} state={state} error={error} />,
    );
  });

  app.get('/lineage/panel', { schema: { querystring: ExplorerQuery, hide: true } }, async (request, reply) => {
    const raw = request.query as RawQuery;
    if (!raw.node) throw new MalformedInputError([{ path: '/node', message: 'is required' }]);
    const first = parseLineageQuery({ ...raw, node: raw.node });
    // The schema fills in a default direction: whether the URL named one is in the URL itself.
    const directionGiven = new URL(request.url, 'http://x').searchParams.has('direction');
    let graph: LineageGraph;
    let directionLabel: string | undefined;
    if (!directionGiven && first.node.kind === 'technology') {
      graph = merged(getLineage(app.db, { ...first, direction: 'upstream' }), getLineage(app.db, { ...first, direction: 'downstream' }));
      directionLabel = 'Both directions';
    } else {
      const query = directionGiven ? first : { ...first, direction: DEFAULT_DIRECTION[first.node.kind] };
      graph = getLineage(app.db, query);
    }
    const state = stateOf({ ...first, direction: graph.direction }, raw);
    const panel = <LineagePanel graph={graph} layout={await layoutLineage(graph)} state={state} directionLabel={directionLabel} />;
    return panelReply(request, reply, panel, graph);
  });

  function panelReply(request: FastifyRequest, reply: FastifyReply, panel: JSX.Element, graph: LineageGraph) {
    const ctx = pageContext(request, reply);
    const root = graph.nodes.find((n) => n.id === graph.root);
    return renderPage(request, reply, ctx, { title: `Lineage of ${root?.label ?? graph.root}`, breadcrumbs: [{ label: 'Lineage', href: '/lineage' }] }, panel, panel);
  }
}
