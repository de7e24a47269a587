// Signing in and out. The login form posts `username` and `password` to POST /login; a new
// session id is issued at every login; failed attempts are throttled and logged (never the password).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LoginThrottle } from '../../domain/login-throttle.js';
import { createSession, endSession } from '../../domain/sessions.js';
import { verifyLogin } from '../../domain/users.js';
import { SESSION_COOKIE } from '../../plugins/auth.js';
import { LoginPage } from '../../../views/pages/auth/login-page.js';
import type { FormBody } from './forms.js';
import { pageContext, renderPage } from './render.js';

/** Only same-site paths: `next` must never send someone to another host. */
export function safeNext(value: unknown): string {
  const next = typeof value === 'string' ? value : '';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') && !next.startsWith('/login') ? next : '/';
}

function text(body: FormBody, name: string): string {
  const v = body[name];
  return (Array.isArray(v) ? v[v.length - 1] : v) ?? '';
}

export async function authPages(app: FastifyInstance) {
  const throttle = new LoginThrottle();

  function show(request: FastifyRequest, reply: FastifyReply, props: { next: string; username?: string; error?: string }, status?: number) {
    const ctx = pageContext(request, reply);
    return renderPage(request, reply, ctx, { title: 'Sign in', status }, <LoginPage csrfToken={ctx.csrfToken} {...props} />);
  }

  app.get('/login', async (request, reply) => {
    if (request.auth.kind === 'session') return reply.redirect('/', 303);
    return show(request, reply, { next: safeNext((request.query as Record<string, unknown>).next) });
  });

  app.post('/login', async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const username = text(body, 'username').trim().toLowerCase().slice(0, 40);
    const password = text(body, 'password');
    const next = safeNext(text(body, 'next'));
    const wait = throttle.retryAfter(request.ip, username);
    if (wait > 0) {
      request.log.warn({ username, ip: request.ip, event: 'login-throttled' }, 'login refused: too many failed attempts');
      reply.header('retry-after', String(wait));
      return show(request, reply, { next, username, error: `Too many failed attempts. Try again in ${Math.ceil(wait / 60)} minute(s).` }, 429);
    }
    const user = password.length <= 128 ? verifyLogin(app.db, username, password) : undefined;
    if (!user) {
      throttle.fail(request.ip, username);
      request.log.warn({ username, ip: request.ip, event: 'login-failed' }, 'login failed');
      return show(request, reply, { next, username, error: 'Wrong username or password, or the account is disabled.' }, 401);
    }
    throttle.succeed(request.ip, username);
    // A fresh session id at every login: a session planted before login is worthless.
    const old = request.cookies[SESSION_COOKIE];
    if (old) endSession(app.db, old);
    const session = createSession(app.db, user.id);
    request.log.info({ username, ip: request.ip, event: 'login' }, 'signed in');
    reply.setCookie(SESSION_COOKIE, session.cookieValue, { path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https' });
    return reply.code(303).header('location', next).send('');
  });

  app.post('/logout', async (request, reply) => {
    const cookie = request.cookies[SESSION_COOKIE];
    if (cookie) endSession(app.db, cookie);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(303).header('location', '/login').send('');
  });
}
