// Who is asking, and may they? The API accepts only bearer tokens; the pages accept only
// sessions. Reads need any signed-in user; each write needs a role that owns the resource (one
// table in src/domain/permissions.ts for both faces), and a token also needs the `write` scope.
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../domain/actor.js';
import { canWrite, isAdminOnlyPath, resourceOfRoute, writersOf } from '../domain/permissions.js';
import { findSession } from '../domain/sessions.js';
import { verifyToken, type ApiToken } from '../domain/tokens.js';
import type { User } from '../domain/users.js';
import { HttpProblem, problem, sendProblem } from './problems.js';

export const SESSION_COOKIE = 'pitlane_session';

export interface Auth {
  kind: 'token' | 'session' | 'anonymous';
  user?: User;
  token?: ApiToken;
  sessionIdHash?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
    auth: Auth;
    /** Scope of idempotency keys and rate limits: the token, the session's user, or the address. */
    principal: string;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Open without signing in: they hold no data. */
export function isPublicPath(path: string): boolean {
  return (
    path === '/login' ||
    path === '/health' ||
    path === '/api/v1/openapi.json' ||
    path === '/api/docs' ||
    path.startsWith('/api/docs/') ||
    path.startsWith('/assets/') ||
    path.startsWith('/problems/') ||
    path === '/favicon.ico'
  );
}

function isApiPath(path: string): boolean {
  return path.startsWith('/api/');
}

function sendLoginRedirect(request: FastifyRequest, reply: FastifyReply) {
  const next = request.method === 'GET' ? request.url : '/';
  const location = `/login?next=${encodeURIComponent(next)}`;
  if (request.headers['hx-request'] === 'true') return reply.code(200).header('hx-redirect', location).send('');
  return reply.code(303).header('location', location).send('');
}

export const authPlugin = fp(
  async (app) => {
    app.decorateRequest('actor', null as unknown as Actor);
    app.decorateRequest('auth', null as unknown as Auth);
    app.decorateRequest('principal', '');

    app.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      request.auth = { kind: 'anonymous' };
      request.actor = { id: null, name: 'anonymous' };
      request.principal = `ip:${request.ip}`;

      if (isApiPath(path) && !isPublicPath(path)) {
        const header = request.headers.authorization ?? '';
        const match = /^Bearer\s+(\S+)$/i.exec(header);
        if (!match) {
          reply.header('www-authenticate', 'Bearer realm="pitlane"');
          return sendProblem(reply, problem('unauthorized', 'send an API token: Authorization: Bearer <token>'));
        }
        const check = verifyToken(app.db, match[1]!);
        if (!check.ok) {
          reply.header('www-authenticate', `Bearer realm="pitlane", error="invalid_token"`);
          const why = { unknown: 'the token is not valid', revoked: 'the token was revoked', expired: 'the token has expired', 'user-disabled': "the token's user is disabled" }[check.reason];
          return sendProblem(reply, problem('unauthorized', why));
        }
        const { token, user } = check.auth;
        request.auth = { kind: 'token', user, token };
        request.actor = { id: user.id, name: user.username };
        request.principal = `token:${token.id}`;
        if (isAdminOnlyPath(path) && user.role !== 'admin') {
          return sendProblem(reply, problem('forbidden', `${path.startsWith('/api/v1/webhooks') ? 'webhooks are' : 'this is'} for the admin role only; you are ${user.role}`));
        }
        if (UNSAFE.has(request.method)) {
          if (!token.scopes.split(',').includes('write')) {
            return sendProblem(reply, problem('forbidden', 'this token is read-only (scope read); create a read,write token to change data'));
          }
          const resource = resourceOfRoute(request.routeOptions.url ?? path);
          if (resource && !canWrite(user.role as User['role'] & never, resource)) {
            return sendProblem(reply, problem('forbidden', `changing ${resource.replace(/_/g, ' ')} needs the role ${writersOf(resource).join(' or ')}; you are ${user.role}`));
          }
        }
        return;
      }

      if (isPublicPath(path)) return;
      // Pages: a session, or off to the login page (and back afterwards).
      const cookie = request.cookies?.[SESSION_COOKIE];
      const session = cookie ? findSession(app.db, cookie) : undefined;
      if (!session) return sendLoginRedirect(request, reply);
      request.auth = { kind: 'session', user: session.user, sessionIdHash: session.idHash };
      request.actor = { id: session.user.id, name: session.user.username };
      request.principal = `user:${session.user.id}`;
      if (UNSAFE.has(request.method) && path !== '/logout') {
        const resource = resourceOfRoute(request.routeOptions.url ?? path);
        if (resource && !canWrite(session.user.role as never, resource)) {
          const err = problem('forbidden', `Changing ${resource.replace(/_/g, ' ')} needs the role ${writersOf(resource).join(' or ')}; you are signed in as ${session.user.role}.`);
          reply.code(403);
          throw Object.assign(new Error(err.detail), { statusCode: 403 });
        }
      }
    });

    // The admin area of the pages: refused in a preHandler, once the request is known as a page
    // (its 403 is the error page, not problem+json).
    app.addHook('preHandler', async (request, reply) => {
      const { kind, user } = request.auth;
      if (kind !== 'session' || !user || !isAdminOnlyPath(request.url.split('?')[0] ?? '/')) return;
      if (user.role !== 'admin') {
        throw new HttpProblem(problem('forbidden', `Administration is for the admin role; you are signed in as ${user.role}.`));
      }
      // Users, tokens and secrets: never from a shared cache.
      reply.header('cache-control', 'no-store');
    });
  },
  { name: 'auth', dependencies: ['database', 'problems', '@fastify/cookie'] },
);
