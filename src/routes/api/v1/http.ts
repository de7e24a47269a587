// HTTP details shared by the API routes: ETags from versions, If-Match, Link headers, and the
// documented error responses of each kind of operation.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import { Problem, ref } from '../../../schemas/common.js';
import { HttpProblem, problem, PROBLEM_TYPES, type ProblemSlug } from '../../../plugins/problems.js';

export function etagOf(version: number): string {
  return `"${version}"`;
}

/** The version named by If-Match: required on PATCH and DELETE (428), `*` matches any version. */
export function requireIfMatch(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || header === '') {
    throw new HttpProblem(problem('precondition-required', 'send If-Match with the ETag of the version you edited'));
  }
  const value = String(header).trim();
  if (value === '*') return undefined;
  const match = /^(?:W\/)?"(\d+)"$/.exec(value) ?? /^(\d+)$/.exec(value);
  if (!match) throw new HttpProblem(problem('precondition-failed', `If-Match ${value} does not name a version of this record`));
  return Number(match[1]);
}

export function nextLink(request: FastifyRequest, cursor: string): string {
  const url = new URL(request.url, 'http://x');
  url.searchParams.set('cursor', cursor);
  return `<${url.pathname}${url.search}>; rel="next"`;
}

/** Sets Link for a page and returns it. */
export function sendPage<T extends { next_cursor: string | null }>(request: FastifyRequest, reply: FastifyReply, page: T): T {
  if (page.next_cursor) reply.header('link', nextLink(request, page.next_cursor));
  return page;
}

const HEADER_DOCS = {
  etag: { type: 'string', description: 'The version of the record, for If-Match.' },
  location: { type: 'string', description: 'The address of the created record.' },
  link: { type: 'string', description: 'The next page: `<…>; rel="next"` (absent on the last page).' },
} as const;

/** A documented JSON success response, with the headers it carries. */
export function jsonResponse<T extends TSchema>(schema: T, description: string, headers: (keyof typeof HEADER_DOCS)[] = []) {
  return {
    description,
    ...(headers.length ? { headers: Object.fromEntries(headers.map((h) => [h, HEADER_DOCS[h]])) } : {}),
    content: { 'application/json': { schema } },
  };
}

/** A list's 200: JSON pages, or the whole filtered list as CSV. */
export function listResponse<T extends TSchema>(schema: T, description: string) {
  return {
    description,
    headers: { link: HEADER_DOCS.link },
    content: {
      'application/json': { schema },
      'text/csv': { schema: { type: 'string', description: 'Every row matching the filters, streamed; text cells that look like formulas start with `\'`.' } },
    },
  };
}

export function problemResponse(slug: ProblemSlug | 'default', description?: string) {
  return {
    description: description ?? (slug === 'default' ? 'Error' : PROBLEM_TYPES[slug].title),
    content: { 'application/problem+json': { schema: ref(Problem) } },
  };
}

const guarded = {
  401: problemResponse('unauthorized', 'No valid bearer token (missing, unknown, expired or revoked)'),
  429: problemResponse('too-many-requests'),
};
const guardedWrite = { ...guarded, 403: problemResponse('forbidden', "The token is read-only or the user's role may not change this") };

/** The documented error responses of each kind of operation. */
export const errorResponses = {
  read: { 400: problemResponse('validation'), ...guarded, 500: problemResponse('internal') },
  item: { 400: problemResponse('validation'), ...guarded, 404: problemResponse('not-found'), 500: problemResponse('internal') },
  create: {
    ...guardedWrite,
    400: problemResponse('validation'),
    409: problemResponse('conflict', 'A unique value is taken, or the Idempotency-Key is in flight'),
    413: problemResponse('payload-too-large'),
    415: problemResponse('unsupported-media-type'),
    422: problemResponse('invalid-input', 'Refused by a rule, an invalid reference, or a reused Idempotency-Key'),
    500: problemResponse('internal'),
  },
  update: {
    ...guardedWrite,
    400: problemResponse('validation'),
    404: problemResponse('not-found'),
    409: problemResponse('conflict'),
    412: problemResponse('precondition-failed'),
    413: problemResponse('payload-too-large'),
    415: problemResponse('unsupported-media-type'),
    422: problemResponse('invalid-input', 'Refused by a rule or an invalid reference'),
    428: problemResponse('precondition-required'),
    500: problemResponse('internal'),
  },
  remove: {
    ...guardedWrite,
    400: problemResponse('validation'),
    404: problemResponse('not-found'),
    409: problemResponse('conflict', 'Other records depend on this one'),
    412: problemResponse('precondition-failed'),
    428: problemResponse('precondition-required'),
    500: problemResponse('internal'),
  },
};
