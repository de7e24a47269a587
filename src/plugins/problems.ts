// Every error becomes an RFC 9457 problem (application/problem+json). Domain refusals map to
// 404/409/412/422, schema failures to 400 with a JSON Pointer per field, and nothing a client
// sends ever yields a 500; a real 500 carries no SQL, driver text or stack.
import fp from 'fastify-plugin';
import type {} from '@fastify/rate-limit';
import type { FastifyError, FastifyReply } from 'fastify';
import {
  ConflictError,
  InvalidInputError,
  MalformedInputError,
  NotFoundError,
  RuleViolationError,
  StaleVersionError,
  type FieldProblem,
} from '../domain/errors.js';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldProblem[];
  rule?: string;
}

/** The problem types this API answers with; each is documented at GET /problems/{slug}. */
export const PROBLEM_TYPES = {
  validation: { status: 400, title: 'The request does not match its schema', about: 'Bad JSON, a wrong type, a missing or unknown field, or a malformed query parameter. `errors` names each field by JSON Pointer.' },
  unauthorized: { status: 401, title: 'Authentication required', about: 'Send a valid bearer token (API) or sign in (pages).' },
  forbidden: { status: 403, title: 'Not allowed', about: 'Your role or token scope does not allow this.' },
  'not-found': { status: 404, title: 'Not found', about: 'No record or route at this address.' },
  'method-not-allowed': { status: 405, title: 'Method not allowed', about: 'The route exists but not with this method.' },
  conflict: { status: 409, title: 'Conflict with the current state', about: 'A unique value is taken, or records that depend on this one block its deletion.' },
  'idempotency-key-in-flight': { status: 409, title: 'A request with this Idempotency-Key is still being processed', about: 'Wait for the first request to finish, then retry to get its response.' },
  'precondition-failed': { status: 412, title: 'The record has changed since you read it', about: 'The If-Match ETag is stale: fetch the record again and re-apply your change.' },
  'payload-too-large': { status: 413, title: 'Request body too large', about: 'The body exceeds the size limit of this endpoint.' },
  'unsupported-media-type': { status: 415, title: 'Unsupported Content-Type', about: 'Send `application/json` (or the type the operation documents).' },
  'rule-violation': { status: 422, title: 'Refused by a rule', about: 'The request is well-formed but breaks a rule of the domain; `rule` names it (e.g. DER-1).' },
  'invalid-input': { status: 422, title: 'Some values are not acceptable', about: 'The request is well-formed but a value points at nothing or does not fit with the others; `errors` names each field.' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency-Key reused with another body', about: 'A key identifies one request; use a new key for a different body.' },
  'precondition-required': { status: 428, title: 'If-Match required', about: 'PATCH and DELETE need the ETag of the version you edited in If-Match.' },
  'too-many-requests': { status: 429, title: 'Too many requests', about: 'Slow down; see Retry-After.' },
  'service-unavailable': { status: 503, title: 'Busy, try again', about: 'The database was busy; retry after a moment.' },
  internal: { status: 500, title: 'Internal error', about: 'Something failed on our side. Nothing you sent caused it; the log has the details.' },
} as const;

export type ProblemSlug = keyof typeof PROBLEM_TYPES;

export function problem(slug: ProblemSlug, detail: string, extra: Partial<ProblemBody> = {}): ProblemBody {
  const t = PROBLEM_TYPES[slug];
  return { type: `/problems/${slug}`, title: t.title, status: t.status, detail, ...extra };
}

export class HttpProblem extends Error {
  constructor(readonly body: ProblemBody) {
    super(body.detail);
  }
}

function statusSlug(status: number): ProblemSlug {
  switch (status) {
    case 400: return 'validation';
    case 401: return 'unauthorized';
    case 403: return 'forbidden';
    case 404: return 'not-found';
    case 405: return 'method-not-allowed';
    case 409: return 'conflict';
    case 412: return 'precondition-failed';
    case 413: return 'payload-too-large';
    case 415: return 'unsupported-media-type';
    case 422: return 'invalid-input';
    case 428: return 'precondition-required';
    case 429: return 'too-many-requests';
    case 503: return 'service-unavailable';
    default: return 'validation';
  }
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function validationProblems(errors: AjvError[]): FieldProblem[] {
  return errors.map((e) => {
    let path = e.instancePath || '';
    if (e.keyword === 'required') path += `/${String(e.params.missingProperty)}`;
    if (e.keyword === 'additionalProperties') {
      return { path: `${path}/${String(e.params.additionalProperty)}`, message: 'is not a known field' };
    }
    return { path: path || '/', message: e.keyword === 'required' ? 'is required' : (e.message ?? 'is invalid') };
  });
}

interface SqliteLikeError {
  code?: unknown;
  message: string;
}

function sqliteProblem(error: SqliteLikeError): ProblemBody | undefined {
  if (typeof error.code !== 'string' || !error.code.startsWith('SQLITE_')) return undefined;
  if (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    // "UNIQUE constraint failed: test_runs.code, ..." names the columns; never echo the SQL itself.
    const columns = [...error.message.matchAll(/\b\w+\.(\w+)\b/g)].map((m) => m[1]!);
    return problem('conflict', columns.length ? `${columns.join(', ')} already taken` : 'a unique value is already taken', {
      errors: columns.map((c) => ({ path: `/${c}`, message: 'is already taken' })),
    });
  }
  if (error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return problem('conflict', 'other records still refer to this one, or a referenced record does not exist');
  }
  if (error.code === 'SQLITE_CONSTRAINT_CHECK') {
    return problem('invalid-input', 'a value is outside its allowed set');
  }
  if (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_LOCKED') {
    return problem('service-unavailable', 'the database is busy; retry in a moment');
  }
  return undefined;
}

/** Maps any thrown value to the problem a client should see. */
export function toProblem(error: unknown): ProblemBody {
  if (error instanceof HttpProblem) return error.body;
  if (error instanceof NotFoundError) return problem('not-found', error.message);
  if (error instanceof StaleVersionError) return problem('precondition-failed', error.message);
  if (error instanceof ConflictError) return problem('conflict', error.message, error.errors.length ? { errors: error.errors } : {});
  if (error instanceof RuleViolationError) {
    return problem('rule-violation', error.message, { rule: error.rule, ...(error.errors.length ? { errors: error.errors } : {}) });
  }
  if (error instanceof InvalidInputError) return problem('invalid-input', error.message, { errors: error.errors });
  if (error instanceof MalformedInputError) return problem('validation', error.message, { errors: error.errors });
  const e = error as FastifyError & SqliteLikeError;
  if (e && Array.isArray(e.validation)) {
    const errors = validationProblems(e.validation as AjvError[]);
    const where = e.validationContext && e.validationContext !== 'body' ? `${e.validationContext} ` : '';
    return problem('validation', errors.map((x) => `${where}${x.path} ${x.message}`).join('; '), { errors });
  }
  const fromSqlite = e ? sqliteProblem(e) : undefined;
  if (fromSqlite) return fromSqlite;
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    // Fastify's own client errors (bad JSON, 413, 415, proto poisoning): their messages hold no internals.
    return problem(statusSlug(status), e.message, { status });
  }
  return problem('internal', 'An unexpected error occurred. It has been logged.');
}

export function sendProblem(reply: FastifyReply, body: ProblemBody): FastifyReply {
  return reply.code(body.status).type('application/problem+json').send(body);
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Lets the pages plugin render HTML errors for browser routes; the default answers problem+json. */
    renderErrorPage?: (request: FastifyRequest, reply: FastifyReply, body: ProblemBody) => FastifyReply | undefined;
  }
}

export const problemsPlugin = fp(
  async (app) => {
    app.setErrorHandler((error, request, reply) => {
      const body = toProblem(error);
      if (body.status >= 500) {
        request.log.error({ err: error }, 'request failed');
      } else {
        request.log.info({ status: body.status, type: body.type }, body.detail);
      }
      if (body.status === 503) reply.header('retry-after', '1');
      return app.renderErrorPage?.(request, reply, body) ?? sendProblem(reply, body);
    });
    // Unknown URLs count against the rate limit too (when it is on: src/plugins/rate-limit.ts).
    const limited = app.hasDecorator('rateLimit') ? { preHandler: app.rateLimit() } : {};
    app.setNotFoundHandler(limited, (request, reply) => {
      const body = problem('not-found', `no route ${request.method} ${request.url.split('?')[0]}`);
      return app.renderErrorPage?.(request, reply, body) ?? sendProblem(reply, body);
    });
    app.get('/problems/:slug', { schema: { hide: true } }, (request, reply) => {
      const slug = (request.params as { slug: string }).slug as ProblemSlug;
      const t = PROBLEM_TYPES[slug];
      if (!Object.hasOwn(PROBLEM_TYPES, slug)) return sendProblem(reply, problem('not-found', 'no such problem type'));
      return reply.type('text/plain; charset=utf-8').send(`${t.title} (HTTP ${t.status})\n\n${t.about}\n`);
    });
  },
  { name: 'problems' },
);
