// One way to expose a resource: list, get, create, PATCH and DELETE with the conventions of
// DESIGN §4. Each resource module supplies its schemas and domain functions; the rules live in
// the domain, this file only speaks HTTP.
import type { FastifyInstance } from 'fastify';
import { Type, type Static, type TObject, type TSchema } from 'typebox';
import type { Actor } from '../../../domain/actor.js';
import type { Db } from '../../../db.js';
import type { Page } from '../../../domain/paging.js';
import { IdempotencyHeader, IdParams, IfMatchHeader, PageOf, ref } from '../../../schemas/common.js';
import { wantsCsv } from '../../../domain/csv.js';
import { csvFormatFromSchema, sendCsvList, type CsvFormat } from '../../csv-export.js';
import { errorResponses, etagOf, jsonResponse, listResponse, requireIfMatch, sendPage } from './http.js';

interface Versioned {
  id: number;
  version: number;
}

export interface CrudSpec<Item extends TSchema, Create extends TObject, Patch extends TObject, ListQuery extends TObject> {
  /** Collection path below /api/v1, e.g. `/test-runs`. */
  path: string;
  tag: string;
  /** For operationIds and summaries: `TestRun` → getTestRun; plural `TestRuns` → listTestRuns. */
  noun: string;
  plural: string;
  /** Human words for summaries: `test run`, `test runs`. */
  words: [singular: string, plural: string];
  /** A named schema (with `$id`), registered by src/schemas/registry.ts. */
  item: Item;
  create: Create;
  patch: Patch;
  listQuery: ListQuery;
  domain: {
    list(db: Db, query: Static<ListQuery>): Page<Static<Item> & Versioned>;
    get(db: Db, id: number): Static<Item> & Versioned;
    create(db: Db, actor: Actor, input: Static<Create>): Static<Item> & Versioned;
    update(db: Db, actor: Actor, id: number, expectedVersion: number | undefined, patch: Static<Patch>): Static<Item> & Versioned;
    remove(db: Db, actor: Actor, id: number, expectedVersion: number | undefined): void;
  };
  /** Extra description for the list operation (filters, search). */
  listDescription?: string;
  /** The CSV layout of the list; by default the item's fields in order. */
  csv?: (db: Db) => CsvFormat<Static<Item> & Versioned>;
}

export function registerCrud<Item extends TSchema, Create extends TObject, Patch extends TObject, ListQuery extends TObject>(
  app: FastifyInstance,
  spec: CrudSpec<Item, Create, Patch, ListQuery>,
): void {
  const base = `/api/v1${spec.path}`;
  const itemPath = `${base}/:id`;
  const [one, many] = spec.words;
  const itemRef = ref(spec.item);
  const tags = [spec.tag];

  app.get(base, {
    schema: {
      operationId: `list${spec.plural}`,
      tags,
      summary: `List ${many}`,
      description: spec.listDescription ?? `A page of ${many}; follow \`next_cursor\` or the Link header.`,
      querystring: spec.listQuery,
      response: { 200: listResponse(PageOf(itemRef), `A page of ${many}, or all of them as CSV`), ...errorResponses.read },
    },
    handler: async (request, reply) => {
      const query = request.query as Static<ListQuery> & { format?: string; cursor?: string };
      if (wantsCsv(query.format, request.headers.accept)) {
        const format = spec.csv ? spec.csv(app.db) : csvFormatFromSchema<Static<Item> & Versioned>(spec.item);
        return sendCsvList(reply, spec.path.slice(1), query, (q) => spec.domain.list(app.db, q), format);
      }
      return sendPage(request, reply, spec.domain.list(app.db, query));
    },
  });

  app.get(itemPath, {
    schema: {
      operationId: `get${spec.noun}`,
      tags,
      summary: `Get a ${one}`,
      params: IdParams,
      response: { 200: jsonResponse(itemRef, `The ${one}`, ['etag']), ...errorResponses.item },
    },
    handler: async (request, reply) => {
      const { id } = request.params as Static<typeof IdParams>;
      const item = spec.domain.get(app.db, id);
      reply.header('etag', etagOf(item.version));
      return item;
    },
  });

  app.post(base, {
    schema: {
      operationId: `create${spec.noun}`,
      tags,
      summary: `Create a ${one}`,
      headers: IdempotencyHeader,
      body: spec.create,
      response: { 201: jsonResponse(itemRef, `The created ${one}`, ['etag', 'location']), ...errorResponses.create },
    },
    handler: async (request, reply) => {
      const item = spec.domain.create(app.db, request.actor, request.body as Static<Create>);
      reply.code(201).header('location', `${base}/${item.id}`).header('etag', etagOf(item.version));
      return item;
    },
  });

  app.patch(itemPath, {
    schema: {
      operationId: `update${spec.noun}`,
      tags,
      summary: `Update a ${one}`,
      description: 'Sets the fields it names; an array it names replaces the whole set. Needs If-Match.',
      params: IdParams,
      headers: IfMatchHeader,
      body: spec.patch,
      response: { 200: jsonResponse(itemRef, `The updated ${one}`, ['etag']), ...errorResponses.update },
    },
    handler: async (request, reply) => {
      const { id } = request.params as Static<typeof IdParams>;
      const expected = requireIfMatch(request);
      const item = spec.domain.update(app.db, request.actor, id, expected, request.body as Static<Patch>);
      reply.header('etag', etagOf(item.version));
      return item;
    },
  });

  app.delete(itemPath, {
    schema: {
      operationId: `delete${spec.noun}`,
      tags,
      summary: `Delete a ${one}`,
      description: 'Rows the record owns are deleted with it; records that merely refer to it block the delete (409). Needs If-Match.',
      params: IdParams,
      headers: IfMatchHeader,
      response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses.remove },
    },
    handler: async (request, reply) => {
      const { id } = request.params as Static<typeof IdParams>;
      const expected = requireIfMatch(request);
      spec.domain.remove(app.db, request.actor, id, expected);
      return reply.code(204).send();
    },
  });
}
