// Walks the app as a client sees it: the operations of the OpenAPI document, valid sample requests
// built from their schemas (and fast-check arbitraries for fuzzing), a response checker that
// validates bodies against the documented schema, and every route Fastify registered (pages too).
import diagnostics from 'node:diagnostics_channel';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Schema = Record<string, any>;
export type OpenApiDoc = { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, Schema> } } & Record<string, any>;

export interface Param {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: Schema;
}

export interface Operation {
  operationId: string;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** As the document writes it: `/api/v1/series/{id}`. */
  path: string;
  /** As Fastify registers it: `/api/v1/series/:id`. */
  route: string;
  params: Param[];
  /** The JSON body schema, when the operation takes one. */
  body?: Schema;
  /** Every request body content type the operation documents. */
  bodyTypes: string[];
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

const METHODS = ['get', 'post', 'patch', 'put', 'delete'] as const;

export async function fetchOpenApi(app: FastifyInstance): Promise<OpenApiDoc> {
  const res = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  if (res.statusCode !== 200) throw new Error(`GET /api/v1/openapi.json answered ${res.statusCode}`);
  return res.json() as OpenApiDoc;
}

export function listOperations(doc: OpenApiDoc): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      const params: Param[] = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: any) => {
        // A parameter's own example counts as an example of its schema.
        const examples = [...(p.example !== undefined ? [p.example] : []), ...Object.values<any>(p.examples ?? {}).map((e) => e.value)];
        const schema = p.schema ?? {};
        return { name: p.name, in: p.in, required: Boolean(p.required), schema: examples.length && !schema.examples ? { ...schema, examples } : schema };
      });
      const content = op.requestBody?.content ?? {};
      out.push({
        operationId: op.operationId,
        method: m.toUpperCase() as Operation['method'],
        path,
        route: path.replace(/\{([^}]+)\}/g, ':$1'),
        params,
        body: content['application/json']?.schema,
        bodyTypes: Object.keys(content),
        responses: op.responses ?? {},
      });
    }
  }
  return out;
}

/** Follows `$ref`s at the top of a schema. */
export function deref(doc: OpenApiDoc, schema: Schema | undefined): Schema {
  let s = schema ?? {};
  for (let i = 0; i < 20 && typeof s.$ref === 'string'; i++) {
    const m = /^#\/components\/schemas\/(.+)$/.exec(s.$ref);
    if (!m) throw new Error(`unsupported $ref ${s.$ref}`);
    const target = doc.components.schemas[decodeURIComponent(m[1]!)];
    if (!target) throw new Error(`dangling $ref ${s.$ref}`);
    s = target;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Ids: the path segment a route's `:id` belongs to, and id-valued fields by name.

/** `/api/v1/technologies/{id}/readiness` → `technologies`; the collection an id param names. */
export function segmentOfId(route: string): string | undefined {
  const parts = route.split('/').filter(Boolean);
  const i = parts.findIndex((p) => p === ':id' || p === '{id}');
  return i > 0 ? parts[i - 1] : undefined;
}

/** Collection segment of a field or query parameter that holds an id (`prototype_id` → `prototypes`). */
const ID_FIELDS: Record<string, string> = {
  series_id: 'series',
  program_id: 'programs',
  origin_program_id: 'programs',
  prototype_id: 'prototypes',
  category_id: 'technology-categories',
  technology_category_id: 'technology-categories',
  technology_id: 'technologies',
  derived_from: 'technologies',
  parent_id: 'technologies',
  source_technology_id: 'technologies',
  test_run_id: 'test-runs',
  run_id: 'test-runs',
  evidence_run_id: 'test-runs',
  market_id: 'markets',
  road_model_id: 'road-models',
  transfer_id: 'transfers',
};

export function segmentOfField(name: string): string | undefined {
  if (ID_FIELDS[name]) return ID_FIELDS[name];
  if (name.endsWith('_ids')) return segmentOfField(`${name.slice(0, -4)}_id`);
  const m = /^(.+)_id$/.exec(name);
  if (!m) return undefined;
  const base = m[1]!.replace(/_/g, '-');
  return base.endsWith('y') ? `${base.slice(0, -1)}ies` : base.endsWith('s') ? base : `${base}s`;
}

/** Known row ids per collection segment (`series` → [1, 2]). */
export type Ids = Record<string, number[]>;

export function fillRoute(route: string, ids: Ids, fallback = 1): string {
  const seg = segmentOfId(route);
  return route.replace(/:([A-Za-z_]+)|\{([A-Za-z_]+)\}/g, (_m, a: string | undefined, b: string | undefined) => {
    const name = (a ?? b)!;
    if (name === 'id') return String(ids[seg ?? '']?.[0] ?? fallback);
    const s = segmentOfField(name);
    return String((s && ids[s]?.[0]) ?? fallback);
  });
}

/** Port 9 (discard): nothing listens on it here, so a webhook delivery fails at once. */
export const CLOSED_PORT = 9;
export const LOOPBACK_URL = `http://127.0.0.1:${CLOSED_PORT}/pitlane-hook`;

// ---------------------------------------------------------------------------------------------
// Valid samples (deterministic): examples first, then defaults, enums and bounds.

interface SampleContext {
  ids: Ids;
  /** Makes unique strings unique: appended to sampled strings of unique-looking fields. */
  salt?: string;
}

const UNIQUE_FIELDS = /^(code|name|slug|username|email|title|key)$/;

export function sampleValue(doc: OpenApiDoc, schema: Schema | undefined, ctx: SampleContext, field = ''): unknown {
  const s = deref(doc, schema);
  const idSeg = field ? segmentOfField(field) : undefined;
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  const variants: Schema[] | undefined = s.anyOf ?? s.oneOf;
  if (variants) {
    // Prefer a non-null variant: a sample should say something.
    const v = variants.map((x) => deref(doc, x)).find((x) => x.type !== 'null') ?? variants[0]!;
    return sampleValue(doc, v, ctx, field);
  }
  if (s.allOf) return Object.assign({}, ...s.allOf.map((x: Schema) => sampleValue(doc, x, ctx, field)));
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  const example = Array.isArray(s.examples) && s.examples.length ? s.examples[0] : s.example;
  switch (type) {
    case 'object':
    case undefined: {
      if (type === undefined && !s.properties) return example ?? null;
      const out: Record<string, unknown> = {};
      const required = new Set<string>(s.required ?? []);
      for (const [k, v] of Object.entries<Schema>(s.properties ?? {})) {
        if (!required.has(k) && !isIdLike(k)) continue;
        const value = sampleValue(doc, v, ctx, k);
        if (value !== undefined) out[k] = value;
      }
      return out;
    }
    case 'array': {
      const items = deref(doc, s.items);
      const n = Math.max(s.minItems ?? 0, field && /ids$|evidence|markets/.test(field) ? 1 : 0);
      const list = [] as unknown[];
      for (let i = 0; i < n; i++) list.push(sampleValue(doc, items, ctx, field.endsWith('_ids') ? field : ''));
      if (example !== undefined && n === 0) return [];
      return list;
    }
    case 'integer':
    case 'number': {
      if (idSeg && ctx.ids[idSeg]?.length) return ctx.ids[idSeg]![0];
      if (typeof example === 'number') return example;
      if (s.default !== undefined) return s.default;
      return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
    }
    case 'boolean':
      return example ?? s.default ?? false;
    case 'null':
      return null;
    case 'string': {
      if (s.format === 'uri' || s.format === 'url') return LOOPBACK_URL;
      let value: string = typeof example === 'string' ? example : typeof s.default === 'string' ? s.default : stringFor(s);
      if (ctx.salt && UNIQUE_FIELDS.test(field) && !s.format) {
        value = `${value}${s.pattern ? '-' : ' '}${ctx.salt}`.slice(-(s.maxLength ?? 200));
        if (s.pattern && !new RegExp(s.pattern).test(value)) value = typeof example === 'string' ? example : stringFor(s);
      }
      return value;
    }
    default:
      return example ?? null;
  }
}

function isIdLike(name: string): boolean {
  return /_id$|_ids$/.test(name);
}

function stringFor(s: Schema): string {
  switch (s.format) {
    case 'date-time':
      return '2026-05-14T09:30:00.000Z';
    case 'date':
      return '2026-05-14';
    case 'uri':
    case 'url':
      return LOOPBACK_URL;
    case 'email':
      return 'someone@example.com';
    default:
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries for fuzzing: valid values from a schema, and mutated ones.

const MAX_GEN_STRING = 40;
const MAX_GEN_ITEMS = 4;

const WEIRD_STRINGS = [
  '',
  ' ',
  '0',
  '-1',
  'null',
  'true',
  '\u0000',
  '"; DROP TABLE series; --',
  "' OR 1=1 --",
  'NEAR(a b)',
  'a* OR b*',
  '"unterminated',
  'e-4ORCE',
  'TR-2026-0042',
  '日産 フォーミュラE',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🏎️👨‍👩‍👧',
  '\u202Eevil\u202C',
  '\ud800',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00%2e%2e',
  '__proto__',
  'constructor',
  '9007199254740993',
  '1e309',
  '2026-02-30T25:61:61Z',
];

const WEIRD_NUMBERS = [0, -0, -1, 1, 0.5, -0.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53, 2 ** 53 + 2, -(2 ** 53), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1e308, -1e308, 5e-324];

export interface ArbContext {
  ids: Ids;
}

export function arbValid(doc: OpenApiDoc, schema: Schema | undefined, ctx: ArbContext, field = '', depth = 0): fc.Arbitrary<unknown> {
  const s = deref(doc, schema);
  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  const variants: Schema[] | undefined = s.anyOf ?? s.oneOf;
  if (variants) return fc.oneof(...variants.map((v) => arbValid(doc, v, ctx, field, depth)));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  const examples: unknown[] = Array.isArray(s.examples) ? s.examples : s.example !== undefined ? [s.example] : [];
  const withExamples = (a: fc.Arbitrary<unknown>) => (examples.length ? fc.oneof(fc.constantFrom(...examples), a) : a);
  switch (type) {
    case 'object':
    case undefined: {
      if (type === undefined && !s.properties) return examples.length ? fc.constantFrom(...examples) : fc.constant(null);
      const props = Object.entries<Schema>(s.properties ?? {});
      const required = new Set<string>(s.required ?? []);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of props) model[k] = arbValid(doc, v, ctx, k, depth + 1);
      return fc.record(model, { requiredKeys: props.map(([k]) => k).filter((k) => required.has(k)) });
    }
    case 'array': {
      const max = Math.min(s.maxItems ?? MAX_GEN_ITEMS, MAX_GEN_ITEMS);
      const min = Math.min(s.minItems ?? 0, max);
      const item = arbValid(doc, s.items, ctx, field.endsWith('_ids') ? field : '', depth + 1);
      return fc.array(item, { minLength: min, maxLength: max, ...(s.uniqueItems ? {} : {}) }).map((xs) => (s.uniqueItems ? uniq(xs) : xs));
    }
    case 'integer': {
      const seg = field ? segmentOfField(field) : undefined;
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1_000_000);
      const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1_000_000);
      const range = fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max));
      const known = seg ? ctx.ids[seg] : field === 'id' ? Object.values(ctx.ids).flat() : undefined;
      return withExamples(known?.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: range }) : range);
    }
    case 'number': {
      const min = s.minimum ?? -1e9;
      const max = s.maximum ?? 1e9;
      return withExamples(fc.oneof(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), fc.constantFrom(min, max)));
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'string':
      // Node ids like `road-model:12`: aim them at rows that exist.
      if (examples.some((e) => typeof e === 'string' && /^[a-z-]+:\d+$/.test(e))) {
        const nodes = Object.entries(ctx.ids).flatMap(([segment, list]) => list.map((id) => `${singular(segment)}:${id}`));
        if (nodes.length) return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...nodes) }, { weight: 1, arbitrary: withExamples(arbString(s)) });
      }
      // URLs only ever point at a closed loopback port: webhook hosts are resolved (DNS) and
      // posted to, and a test sends traffic to this machine only. Examples name public hosts.
      if (s.format === 'uri' || s.format === 'url') return arbString(s);
      return withExamples(arbString(s));
    default:
      return fc.constant(null);
  }
}

/** `technologies` → `technology`, `test-runs` → `test-run`, `series` → `series`. */
export function singular(segment: string): string {
  if (segment.endsWith('ies')) return `${segment.slice(0, -3)}y`;
  if (segment.endsWith('series')) return segment;
  return segment.endsWith('s') ? segment.slice(0, -1) : segment;
}

function uniq(xs: unknown[]): unknown[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = JSON.stringify(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function arbString(s: Schema): fc.Arbitrary<string> {
  const minLength = s.minLength ?? 0;
  const maxLength = Math.min(s.maxLength ?? MAX_GEN_STRING, Math.max(MAX_GEN_STRING, minLength));
  switch (s.format) {
    case 'date-time':
      return fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2040-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'date':
      return fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2040-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'uri':
    case 'url':
      return fc
        .tuple(fc.constantFrom('http', 'https'), fc.constantFrom('127.0.0.1', '[::1]', '127.0.0.2'), fc.array(fc.webSegment(), { maxLength: 3 }), fc.option(fc.webQueryParameters()))
        .map(([scheme, host, segs, q]) => `${scheme}://${host}:${CLOSED_PORT}/${segs.join('/')}${q ? `?${q}` : ''}`)
        .filter((u) => u.length <= (s.maxLength ?? 2000));
    case 'email':
      return fc.emailAddress().filter((u) => u.length <= (s.maxLength ?? 200));
    default:
      break;
  }
  if (s.pattern) {
    return fc.stringMatching(new RegExp(s.pattern)).filter((x) => x.length >= minLength && x.length <= (s.maxLength ?? Infinity));
  }
  return fc.oneof(
    fc.string({ minLength, maxLength }),
    fc.string({ minLength, maxLength, unit: 'grapheme' }),
  ).filter((x) => x.length >= minLength && x.length <= (s.maxLength ?? Infinity));
}

/** A value of the wrong kind, or at the edges of the right one. */
export function arbWrong(doc: OpenApiDoc, schema: Schema | undefined): fc.Arbitrary<unknown> {
  const s = deref(doc, schema);
  const maxLength: number = s.maxLength ?? 1000;
  return fc.oneof(
    fc.constant(null),
    fc.constantFrom(...WEIRD_STRINGS),
    fc.constantFrom(...WEIRD_NUMBERS),
    fc.boolean(),
    fc.constant([]),
    fc.constant({}),
    fc.constant('x'.repeat(maxLength + 1)),
    fc.constant('é'.repeat(Math.min(maxLength + 1, 200_000))),
    fc.constant(typeof s.minimum === 'number' ? s.minimum - 1 : -1),
    fc.constant(typeof s.maximum === 'number' ? s.maximum + 1 : 2 ** 63),
    fc.constant(protoObject()),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
    fc.jsonValue({ maxDepth: 2 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
  );
}

/** `{"__proto__": {...}}` as JSON.parse makes it: an own property, not the prototype. */
export function protoObject(): Record<string, unknown> {
  return JSON.parse('{"__proto__": {"polluted": true, "role": "admin"}, "constructor": {"prototype": {"polluted": true}}}') as Record<string, unknown>;
}

type PathSeg = string | number;

/** Every place in a JSON value: the root, each key, each index. */
function placesOf(value: unknown, prefix: PathSeg[] = [], out: PathSeg[][] = []): PathSeg[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => placesOf(v, [...prefix, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) placesOf(v, [...prefix, k], out);
  return out;
}

/** The schema that describes the value at `place` (the first variant that fits). */
function schemaAt(doc: OpenApiDoc, schema: Schema | undefined, place: PathSeg[]): Schema {
  let s = deref(doc, schema);
  for (const seg of place) {
    const variants: Schema[] = (s.anyOf ?? s.oneOf ?? [s]).map((v: Schema) => deref(doc, v));
    const fit = variants.find((v) => (typeof seg === 'number' ? v.type === 'array' || v.items : v.type === 'object' || v.properties));
    if (!fit) return {};
    s = deref(doc, typeof seg === 'number' ? fit.items : fit.properties?.[seg]);
  }
  return s;
}

type Mutation = { kind: 'replace'; value: unknown } | { kind: 'delete' } | { kind: 'extra'; key: string; value: unknown } | { kind: 'wrap' };

function applyMutation(value: unknown, place: PathSeg[], m: Mutation): unknown {
  const root = { v: JSON.parse(JSON.stringify(value) ?? 'null') as unknown };
  let parent: any = root;
  let key: PathSeg = 'v';
  for (const seg of place) {
    parent = parent[key];
    key = seg;
  }
  const current = parent[key];
  switch (m.kind) {
    case 'replace':
      parent[key] = m.value;
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else if (parent !== root) delete parent[key];
      else parent[key] = {};
      break;
    case 'extra':
      if (current && typeof current === 'object' && !Array.isArray(current)) {
        // defineProperty: `__proto__` becomes an own key, as JSON.parse makes it on the server.
        Object.defineProperty(current, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
      } else parent[key] = [current, m.value];
      break;
    case 'wrap':
      parent[key] = Array.isArray(current) ? (current[0] ?? {}) : [current];
      break;
  }
  return root.v;
}

const EXTRA_KEYS = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'version', 'created_at', 'demo', 'role', ''), fc.string({ maxLength: 12 }));

/** One targeted mutation somewhere in `value`: a wrong or edge value, a key dropped or added, a value wrapped in an array. */
export function mutateOnce(doc: OpenApiDoc, schema: Schema | undefined, value: unknown): fc.Arbitrary<unknown> {
  const places = placesOf(value);
  return fc.constantFrom(...places).chain((place) => {
    const s = schemaAt(doc, schema, place);
    const mutation: fc.Arbitrary<Mutation> = fc.oneof(
      { weight: 5, arbitrary: arbWrong(doc, s).map((v) => ({ kind: 'replace' as const, value: v })) },
      { weight: place.length ? 2 : 0, arbitrary: fc.constant({ kind: 'delete' as const }) },
      { weight: 2, arbitrary: fc.tuple(EXTRA_KEYS, fc.jsonValue({ maxDepth: 2 })).map(([key, v]) => ({ kind: 'extra' as const, key, value: v })) },
      { weight: 1, arbitrary: fc.constant({ kind: 'wrap' as const }) },
    );
    return mutation.map((m) => applyMutation(value, place, m));
  });
}

/** Valid values with one or two targeted mutations. */
export function arbMutated(doc: OpenApiDoc, schema: Schema | undefined, ctx: ArbContext): fc.Arbitrary<unknown> {
  const valid = arbValid(doc, schema, ctx);
  return fc.oneof(
    { weight: 4, arbitrary: valid.chain((v) => mutateOnce(doc, schema, v)) },
    { weight: 1, arbitrary: valid.chain((v) => mutateOnce(doc, schema, v)).chain((v) => mutateOnce(doc, schema, v)) },
  );
}

// ---------------------------------------------------------------------------------------------
// Requests

export interface SampleRequest {
  method: Operation['method'];
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

export function toInject(req: SampleRequest, token: string | null): InjectOptions {
  return {
    method: req.method,
    url: req.url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...req.headers },
    ...(req.payload === undefined ? {} : { payload: req.payload }),
  };
}

function queryString(values: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) q.append(k, typeof item === 'string' ? item : JSON.stringify(item));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** encodeURIComponent that survives lone surrogates (it throws on them). */
function encodePathParam(text: string): string {
  return encodeURIComponent(text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
}

function pathWith(op: Operation, values: Record<string, unknown>): string {
  return op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodePathParam(paramText(values[name])));
}

/** A valid request: required params and body from samples, ids from `ids`. */
export function sampleRequest(doc: OpenApiDoc, op: Operation, ids: Ids, salt?: string): SampleRequest {
  const ctx = { ids, salt };
  const pathValues: Record<string, unknown> = {};
  const query: Record<string, unknown> = {};
  for (const p of op.params) {
    if (p.in === 'path') pathValues[p.name] = p.name === 'id' ? (ids[segmentOfId(op.path) ?? '']?.[0] ?? 1) : sampleValue(doc, p.schema, ctx, p.name);
    else if (p.in === 'query' && p.required) query[p.name] = sampleValue(doc, p.schema, ctx, p.name);
  }
  const headers: Record<string, string> = {};
  let payload: string | undefined;
  if (op.body) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(sampleValue(doc, op.body, ctx));
  }
  return { method: op.method, url: pathWith(op, pathValues) + queryString(query), headers, payload };
}

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'text/csv', 'application/xml', 'multipart/form-data; boundary=x'];

/**
 * Longest path parameter the router takes (Fastify `maxParamLength` in src/app.ts); longer ones
 * are answered by the router itself (see the fuzz test's known deviation).
 */
export const MAX_PATH_PARAM = 200;

function paramText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? '';
}

type Parts = { path: Record<string, unknown>; query: Record<string, unknown>; headers: Record<string, string>; body?: { payload: string | Buffer; type: string } };

export interface ArbRequestOptions {
  /** Valid bodies of non-JSON types to mutate, by content type (e.g. an exported `text/csv`). */
  samples?: Record<string, string[]>;
  /** Relative weight of non-JSON bodies (imports start jobs: keep them rare). Default 3. */
  otherBodyWeight?: number;
}

const WEIRD_CELLS = ['', '=1+1', '+cmd', '-2', '@SUM(A1)', '\t=x', '\r=x', "'=x", '"', '""', '"a""b"', ',', '\n', '日本語', '🏎️', '\u0000', 'x'.repeat(5000), 'NaN', '1e999', '2026-13-45', 'null'];

/** A CSV text with one or two line or cell mutations (quoting is kept naive on purpose). */
function arbCsv(samples: string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...samples), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('cell', 'drop', 'dup', 'extra', 'cut', 'bom', 'crlf')), { minLength: 0, maxLength: 2 }), fc.constantFrom(...WEIRD_CELLS)).map(([text, ops, weird]) => {
    let lines = text.split('\n');
    for (const [a, b, kind] of ops) {
      const i = a % lines.length;
      if (kind === 'cell') {
        const cells = lines[i]!.split(',');
        cells[b % cells.length] = weird;
        lines[i] = cells.join(',');
      } else if (kind === 'drop') lines.splice(i, 1);
      else if (kind === 'dup') lines.splice(i, 0, lines[i]!);
      else if (kind === 'extra') lines[i] = `${lines[i]},${weird}`;
      else if (kind === 'cut') lines = [lines.join('\n').slice(0, b % (text.length + 1))];
      else if (kind === 'bom') lines[0] = `\ufeff${lines[0]}`;
      else lines = lines.map((l) => `${l}\r`);
      if (!lines.length) lines = [''];
    }
    return lines.join('\n');
  });
}

const FILE_NAMES = ['run.csv', 'notes.txt', 'plot.png', '../../../etc/passwd', '..\\..\\boot.ini', 'a/b/c.pdf', '', '.', '..', '.htaccess', 'x'.repeat(300), 'テスト結果.csv', 'evil<script>.txt', 'name\u0000.png', 'CON', 'a"b.txt', 'semi;colon.txt'];
const FILE_HEADS: Buffer[] = [
  Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), // PNG
  Buffer.from('%PDF-1.7\n'),
  Buffer.from('504b0304', 'hex'), // ZIP
  Buffer.from('name,value\npeak,1\n'),
  Buffer.from('{"a":1}'),
  Buffer.from('MZ\x90\x00'), // an executable
  Buffer.from('<html><script>alert(1)</script>'),
  Buffer.alloc(0),
];

/** multipart/form-data with files (weird names, recognised or not from their bytes) and fields. */
function arbMultipart(): fc.Arbitrary<{ payload: Buffer; type: string }> {
  const part = fc.record({
    field: fc.constantFrom('files', 'file', 'x', '__proto__', ''),
    filename: fc.option(fc.constantFrom(...FILE_NAMES), { freq: 6 }),
    type: fc.constantFrom('application/octet-stream', 'image/png', 'text/plain', 'application/pdf', 'text/html'),
    head: fc.constantFrom(...FILE_HEADS),
    tail: fc.uint8Array({ maxLength: 64 }),
  });
  return fc.array(part, { minLength: 0, maxLength: 12 }).map((parts) => {
    const boundary = 'pitlaneFuzzBoundary';
    const chunks: Buffer[] = [];
    for (const p of parts) {
      const disposition = `form-data; name="${p.field}"${p.filename === null ? '' : `; filename="${p.filename}"`}`;
      chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: ${disposition}\r\ncontent-type: ${p.type}\r\n\r\n`, 'utf8'), p.head, Buffer.from(p.tail), Buffer.from('\r\n'));
    }
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
    return { payload: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
  });
}

/**
 * Fuzzed requests for one operation. Most are valid in every part but one: a valid request
 * (optional parameters sometimes present), then a single targeted mutation of the path, the
 * query, a header or the body; now and then a broken body or another content type.
 */
export function arbRequest(doc: OpenApiDoc, op: Operation, ids: Ids, options: ArbRequestOptions = {}): fc.Arbitrary<SampleRequest> {
  const ctx = { ids };
  const byIn = (where: Param['in']) => op.params.filter((p) => p.in === where);
  const pathArbs: Record<string, fc.Arbitrary<unknown>> = {};
  for (const p of byIn('path')) pathArbs[p.name] = arbValid(doc, p.schema, ctx, p.name);
  const queryArbs: Record<string, fc.Arbitrary<unknown>> = {};
  for (const p of byIn('query')) queryArbs[p.name] = arbValid(doc, p.schema, ctx, p.name);
  const headerArbs: Record<string, fc.Arbitrary<string>> = {};
  for (const p of byIn('header')) {
    headerArbs[p.name] = p.name === 'if-match' ? fc.constantFrom('"1"', '"2"', '"3"', 'W/"1"', '*', '"0"', '"abc"', '1') : fc.uuid();
  }
  const requiredQuery = byIn('query').filter((p) => p.required).map((p) => p.name);
  // Optional query parameters are each present about a third of the time.
  const query = fc.record(
    Object.fromEntries(Object.entries(queryArbs).map(([k, a]) => [k, requiredQuery.includes(k) ? a : fc.option(a, { freq: 2, nil: undefined })])),
  );
  const valid: fc.Arbitrary<Parts> = fc.record({
    path: fc.record(pathArbs),
    query,
    headers: fc.record(headerArbs, { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>,
    body: op.body ? arbValid(doc, op.body, ctx).map((v) => ({ payload: JSON.stringify(v), type: 'application/json' })) : fc.constant(undefined),
  }) as fc.Arbitrary<Parts>;

  const pathNames = Object.keys(pathArbs);
  const queryNames = Object.keys(queryArbs);
  const headerNames = Object.keys(headerArbs);
  const mutations: { weight: number; arbitrary: fc.Arbitrary<(parts: Parts) => Parts> }[] = [
    { weight: 4, arbitrary: fc.constant((x: Parts) => x) },
  ];
  if (pathNames.length) {
    mutations.push({
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(...pathNames), arbWrong(doc, {})).map(([name, v]) => (x: Parts) => {
        // Never empty, `.` or `..` (another route), nor longer than the router takes.
        let text = paramText(v);
        while (encodePathParam(text).length > MAX_PATH_PARAM) text = text.slice(0, Math.floor(text.length / 2));
        if (text.trim() === '' || text === '.' || text === '..') text = 'x';
        return { ...x, path: { ...x.path, [name]: text } };
      }),
    });
  }
  if (queryNames.length) {
    mutations.push({
      weight: 3,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...queryNames),
          fc.oneof(
            arbWrong(doc, {}).map((v) => paramText(v)),
            fc.constant(undefined),
            fc.array(fc.string({ maxLength: 10 }), { minLength: 2, maxLength: 3 }),
          ),
        )
        .chain(([name, v]) =>
          (name && queryArbs[name] ? fc.array(queryArbs[name]!, { minLength: 2, maxLength: 3 }) : fc.constant(undefined)).map((repeated) => (x: Parts) => {
            const q = { ...x.query };
            // Wrong, missing (required ones too), or repeated: `?limit=1&limit=2`.
            q[name] = v === undefined ? undefined : Array.isArray(v) ? repeated : v;
            return { ...x, query: q };
          }),
        ),
    });
  }
  // Content negotiation: every answer must still be one the document names.
  mutations.push({
    weight: 1,
    arbitrary: fc.constantFrom('text/csv', 'application/json', '*/*', 'text/html', 'application/xml', 'text/csv;q=0.5, application/json', 'application/problem+json', 'image/png').map((accept) => (x: Parts) => ({ ...x, headers: { ...x.headers, accept } })),
  });
  mutations.push({
    weight: 1,
    arbitrary: fc.tuple(EXTRA_KEYS, fc.string({ maxLength: 20 })).map(([k, v]) => (x: Parts) => ({ ...x, query: k in x.query ? x.query : { ...x.query, [k]: v } })),
  });
  if (headerNames.length) {
    mutations.push({
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(...headerNames), fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('', ' ', '"', 'W/', '"99999999999999999999"', 'x'.repeat(300)))).map(([k, v]) => (x: Parts) => ({ ...x, headers: { ...x.headers, [k]: v } })),
    });
  }
  if (op.body) {
    const body = op.body;
    mutations.push({
      weight: 6,
      arbitrary: arbMutated(doc, body, ctx).map((v) => (x: Parts) => ({ ...x, body: { payload: JSON.stringify(v) ?? 'null', type: 'application/json' } })),
    });
    mutations.push({
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.constantFrom('{', '{"a":', 'nul', '[1,2', '{"__proto__":{"polluted":1}}', '"just a string"', '123', '[]', 'null', '', '{"a":1}garbage', '\ufeff{}').map((payload) => ({ payload, type: 'application/json' })),
          fc.tuple(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...CONTENT_TYPES)).map(([v, type]) => ({ payload: JSON.stringify(v) ?? 'null', type })),
          fc.constant({ payload: JSON.stringify({ blob: 'x'.repeat(1024 * 1024 + 10) }), type: 'application/json' }),
        )
        .map((b) => (x: Parts) => ({ ...x, body: b })),
    });
  }
  const otherWeight = options.otherBodyWeight ?? 3;
  if (op.bodyTypes.includes('multipart/form-data')) {
    mutations.push({ weight: otherWeight, arbitrary: arbMultipart().map((b) => (x: Parts) => ({ ...x, body: b })) });
  }
  for (const type of op.bodyTypes.filter((t) => t.startsWith('text/'))) {
    const samples = options.samples?.[type];
    if (samples?.length) mutations.push({ weight: otherWeight, arbitrary: arbCsv(samples).map((payload) => (x: Parts) => ({ ...x, body: { payload, type } })) });
  }
  if (!op.bodyTypes.length) {
    // A body where none is expected.
    mutations.push({ weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }).map((v) => (x: Parts) => ({ ...x, body: { payload: JSON.stringify(v) ?? 'null', type: 'application/json' } })) });
  }

  return fc.tuple(valid, fc.oneof(...mutations)).map(([parts, mutate]) => {
    const x = mutate(parts);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(x.headers)) headers[k] = String(v).replace(/[^\t\x20-\x7e]/g, '?');
    if (x.body) headers['content-type'] = x.body.type;
    return { method: op.method, url: pathWith(op, x.path) + queryString(x.query), headers, payload: x.body?.payload };
  });
}

// ---------------------------------------------------------------------------------------------
// Response checking against the document.

const DEFS_ID = 'https://pitlane.test/openapi-components';

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) out[k] = `${DEFS_ID}#/$defs/${v.slice('#/components/schemas/'.length)}`;
      else if (k === '$id') continue;
      else out[k] = rewriteRefs(v);
    }
    return out;
  }
  return value;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

export interface ResponseLike {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

/** Validates a response against what the operation documents for that status and content type. */
export function responseChecker(doc: OpenApiDoc): (op: Operation, res: ResponseLike) => string | null {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ $id: DEFS_ID, $defs: rewriteRefs(doc.components.schemas) as Record<string, unknown> });
  const cache = new Map<string, ValidateFunction>();
  return (op, res) => {
    const documented = op.responses[String(res.statusCode)] ?? op.responses[`${String(res.statusCode)[0]}XX`] ?? op.responses.default;
    if (!documented) return `status ${res.statusCode} is not documented (documented: ${Object.keys(op.responses).join(', ')})`;
    const rawType = String(res.headers['content-type'] ?? '');
    const type = rawType.split(';')[0]!.trim().toLowerCase();
    const content = documented.content ?? {};
    if (!Object.keys(content).length) {
      return res.body.length === 0 ? null : `status ${res.statusCode} documents no body, got ${rawType} ${res.body.slice(0, 200)}`;
    }
    const media = content[type];
    if (!media) return `content type "${rawType}" is not documented for ${res.statusCode} (documented: ${Object.keys(content).join(', ')})`;
    if (!media.schema) return null;
    if (!/json/.test(type)) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body);
    } catch {
      return `body is not JSON: ${res.body.slice(0, 200)}`;
    }
    const key = `${op.operationId} ${res.statusCode} ${type}`;
    let validate = cache.get(key);
    if (!validate) {
      validate = ajv.compile(rewriteRefs(media.schema) as Schema);
      cache.set(key, validate);
    }
    if (validate(parsed)) return null;
    return `body does not match the ${res.statusCode} ${type} schema: ${ajv.errorsText(validate.errors, { separator: '; ' })}; body: ${res.body.slice(0, 300)}`;
  };
}

// ---------------------------------------------------------------------------------------------
// Every route Fastify registers, pages included, collected as the app is built.

export interface RouteInfo {
  method: string;
  url: string;
}

/**
 * Runs `build` while recording every route of any Fastify instance created meanwhile: Fastify
 * publishes each new instance on the `fastify.initialization` diagnostics channel, before any
 * plugin or route is registered, so an `onRoute` hook added there sees them all.
 */
export async function collectRoutes<T>(build: () => Promise<T>): Promise<{ result: T; routes: RouteInfo[] }> {
  const routes: RouteInfo[] = [];
  const onInit = (message: unknown) => {
    const { fastify } = message as { fastify: FastifyInstance };
    fastify.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url ?? route.path });
    });
  };
  diagnostics.subscribe('fastify.initialization', onInit);
  try {
    const result = await build();
    return { result, routes: uniqBy(routes, (r) => `${r.method} ${r.url}`) };
  } finally {
    diagnostics.unsubscribe('fastify.initialization', onInit);
  }
}

function uniqBy<T>(xs: T[], key: (x: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const x of xs) if (!seen.has(key(x))) seen.set(key(x), x);
  return [...seen.values()];
}

// ---------------------------------------------------------------------------------------------
// Seeding: one row per collection through the API, so that ids exist.

/** Bodies the generic sampler cannot guess (rules of §3), by operationId. Merged over the sample. */
export type SeedOverrides = Record<string, (ids: Ids) => Record<string, unknown>>;

/** The sampler links every optional reference; these rules of §3 forbid some combinations. */
export const DEFAULT_SEED_OVERRIDES: SeedOverrides = {
  createPrototype: () => ({ road_model_id: null }),
  // Evidence runs must have ended by the assessment date (EVD-1); sampled runs end in 2026.
  createReadinessAssessment: () => ({ assessed_on: '2030-01-01', level: 2 }),
};

export interface SeedResult {
  ids: Ids;
  failed: { operationId: string; status: number; body: string }[];
}

/** Sends a request somewhere (in-process or over HTTP) as one caller. */
export type Send = (req: SampleRequest) => Promise<{ statusCode: number; body: string }>;

export function injectSender(app: FastifyInstance, token: string): Send {
  return async (req) => {
    const res = await app.inject(toInject(req, token));
    return { statusCode: res.statusCode, body: res.body };
  };
}

export function httpSender(baseUrl: string, token: string): Send {
  return async (req) => {
    const res = await fetch(new URL(req.url, baseUrl), { method: req.method, headers: { authorization: `Bearer ${token}`, ...req.headers }, body: typeof req.payload === 'string' || req.payload === undefined ? req.payload : new Uint8Array(req.payload) });
    return { statusCode: res.status, body: await res.text() };
  };
}

/**
 * Creates rows through every create operation (POST on a collection, or nested under an id),
 * in passes until nothing more can be created (a create needs its references first).
 */
export async function seedThroughApi(send: Send, doc: OpenApiDoc, options: { rounds?: number; overrides?: SeedOverrides; salt?: string } = {}): Promise<SeedResult> {
  const ids: Ids = {};
  const creates = listOperations(doc).filter((op) => op.method === 'POST' && op.body && /^create/.test(op.operationId));
  const rounds = options.rounds ?? 1;
  let lastFailure = new Map<string, { status: number; body: string }>();
  for (let round = 0; round < rounds; round++) {
    let pending = [...creates];
    for (let pass = 0; pass < creates.length && pending.length; pass++) {
      const next: Operation[] = [];
      lastFailure = new Map();
      for (const op of pending) {
        const req = sampleRequest(doc, op, ids, `${options.salt ?? 's'}${round}`);
        const override = options.overrides?.[op.operationId] ?? DEFAULT_SEED_OVERRIDES[op.operationId];
        if (typeof req.payload === 'string' && override) {
          req.payload = JSON.stringify({ ...(JSON.parse(req.payload) as object), ...override(ids) });
        }
        const res = await send(req);
        if (res.statusCode === 201) {
          const seg = op.path.split('/').filter(Boolean).at(-1)!;
          const segment = seg === 'readiness' ? 'readiness-assessments' : seg;
          const id = (JSON.parse(res.body) as { id?: number }).id;
          if (typeof id === 'number') (ids[segment] ??= []).push(id);
        } else {
          next.push(op);
          lastFailure.set(op.operationId, { status: res.statusCode, body: res.body.slice(0, 300) });
        }
      }
      if (next.length === pending.length) break;
      pending = next;
    }
  }
  const failed = [...lastFailure].map(([operationId, f]) => ({ operationId, ...f }));
  return { ids, failed };
}
