// /account: any signed-in user's own page — who they are, their API tokens (created, shown once,
// revoked) and their password (changing it ends every session, this one too).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { InvalidInputError, NotFoundError } from '../../domain/errors.js';
import { LoginThrottle } from '../../domain/login-throttle.js';
import { tokenScopesFor } from '../../domain/permissions.js';
import { createToken, listTokens, revokeToken, type ApiToken, type TokenScopes } from '../../domain/tokens.js';
import { setPassword, toPublicUser, verifyLogin, type Role, type User } from '../../domain/users.js';
import { SESSION_COOKIE } from '../../plugins/auth.js';
import { IdParams } from '../../schemas/common.js';
import {
  AccountPage,
  PasswordForm,
  RevokeConfirm,
  TokensSection,
  type PasswordFormProps,
  type TokenFormValues,
  type TokensSectionProps,
} from '../../../views/pages/account/account-pages.js';
import { domainErrorToForm, problemsToFields, type FieldErrors, type FormBody } from './forms.js';
import { pageContext, renderPage, seeOther, setFlash, type PageContext } from './render.js';

const CRUMB = { label: 'Your account', href: '/account' };

function field(body: FormBody, name: string): string {
  const v = body[name];
  return (Array.isArray(v) ? v[v.length - 1] : v) ?? '';
}

/** The session's user: the auth plugin lets only signed-in requests reach these routes. */
function me(request: FastifyRequest): User {
  const user = request.auth.user;
  if (!user) throw new NotFoundError('user', 'anonymous');
  return user;
}

export async function accountPages(app: FastifyInstance) {
  // Guessing the current password from a stolen session is slowed down like the login form.
  const throttle = new LoginThrottle();

  app.addHook('onRequest', async (_request, reply) => {
    // Token secrets and account details must not linger in caches.
    reply.header('cache-control', 'no-store');
  });

  interface ShowOptions {
    tokens?: Partial<Omit<TokensSectionProps, 'csrfToken' | 'tokens' | 'scopes'>>;
    password?: Partial<Omit<PasswordFormProps, 'csrfToken' | 'username'>>;
    /** Which part an htmx partial request gets. */
    part?: 'tokens' | 'password';
    status?: number;
  }

  function show(request: FastifyRequest, reply: FastifyReply, options: ShowOptions = {}) {
    const user = me(request);
    const ctx: PageContext = pageContext(request, reply);
    const tokens: TokensSectionProps = {
      csrfToken: ctx.csrfToken,
      tokens: listTokens(app.db, user.id),
      scopes: tokenScopesFor(user.role as Role),
      values: {},
      errors: {},
      ...options.tokens,
    };
    const password: PasswordFormProps = { csrfToken: ctx.csrfToken, username: user.username, errors: {}, ...options.password };
    const fragment = options.part === 'tokens' ? <TokensSection {...tokens} /> : options.part === 'password' ? <PasswordForm {...password} /> : undefined;
    return renderPage(
      request,
      reply,
      ctx,
      { title: 'Your account', status: options.status, breadcrumbs: [{ label: 'Your account' }] },
      <AccountPage user={toPublicUser(user)} tokens={tokens} password={password} />,
      fragment,
    );
  }

  app.get('/account', async (request, reply) => show(request, reply));

  app.post('/account/tokens', async (request, reply) => {
    const user = me(request);
    const body = (request.body ?? {}) as FormBody;
    const values: TokenFormValues = {
      name: field(body, 'name'),
      scopes: field(body, 'scopes') || 'read',
      expires_in_days: field(body, 'expires_in_days'),
      no_expiry: field(body, 'no_expiry') !== '',
    };
    const errors: FieldErrors = {};
    const allowed = tokenScopesFor(user.role as Role);
    if (values.scopes !== 'read' && values.scopes !== 'read,write') errors.scopes = 'must be read or read,write';
    else if (!(allowed as string[]).includes(values.scopes)) errors.scopes = `your role (${user.role}) may only create read tokens`;
    let days: number | null = null;
    if (!values.no_expiry) {
      const raw = (values.expires_in_days ?? '').trim();
      if (!/^\d+$/.test(raw)) errors.expires_in_days = 'must be a whole number of days (or tick “Never expires”)';
      else days = Number(raw);
    }
    if (!values.name?.trim()) errors.name = 'is required';
    const refuse = (e: FieldErrors, general?: string) => show(request, reply, { tokens: { values, errors: e, general }, part: 'tokens', status: 422 });
    if (Object.keys(errors).length) return refuse(errors);
    try {
      const created = createToken(app.db, request.actor, { userId: user.id, name: values.name!, scopes: values.scopes as TokenScopes, expiresInDays: days });
      request.log.info({ event: 'token-created', username: user.username, token_id: created.token.id, scopes: created.token.scopes }, 'API token created');
      // The only answer that carries the secret: never a redirect (it would have to travel in a URL or cookie).
      return show(request, reply, { tokens: { created }, part: 'tokens', status: 201 });
    } catch (error) {
      const refused = domainErrorToForm(error);
      return refuse(refused.errors, refused.general);
    }
  });

  function ownToken(user: User, id: number): ApiToken {
    const token = listTokens(app.db, user.id).find((t) => t.id === id);
    if (!token) throw new NotFoundError('api token', id);
    return token;
  }

  app.get('/account/tokens/:id/revoke', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const token = ownToken(me(request), id);
    const ctx = pageContext(request, reply);
    return renderPage(request, reply, ctx, { title: 'Revoke token', breadcrumbs: [CRUMB, { label: 'Revoke token' }] }, <RevokeConfirm token={token} csrfToken={ctx.csrfToken} />);
  });

  app.post('/account/tokens/:id/revoke', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const user = me(request);
    const token = revokeToken(app.db, request.actor, user.id, id);
    return seeOther(request, reply, '/account', `Token “${token.name}” revoked: it no longer works.`);
  });

  app.post('/account/password', async (request, reply) => {
    const user = me(request);
    const body = (request.body ?? {}) as FormBody;
    const current = field(body, 'current_password');
    const next = field(body, 'new_password');
    const confirm = field(body, 'confirm_password');
    const refuse = (errors: FieldErrors, status = 422, general?: string) => show(request, reply, { password: { errors, general }, part: 'password', status });

    const wait = throttle.retryAfter(request.ip, user.username);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      return refuse({}, 429, `Too many wrong current passwords. Try again in ${Math.ceil(wait / 60)} minute(s).`);
    }
    const errors: FieldErrors = {};
    if (!current) errors.current_password = 'is required';
    if (!next) errors.new_password = 'is required';
    else if (confirm !== next) errors.confirm_password = 'does not match the new password';
    if (Object.keys(errors).length) return refuse(errors);
    if (current.length > 128 || !verifyLogin(app.db, user.username, current)) {
      throttle.fail(request.ip, user.username);
      request.log.warn({ username: user.username, ip: request.ip, event: 'password-change-failed' }, 'wrong current password');
      return refuse({ current_password: 'is not your current password' });
    }
    throttle.succeed(request.ip, user.username);
    try {
      setPassword(app.db, request.actor, user.id, next);
    } catch (error) {
      if (error instanceof InvalidInputError) {
        const fields = problemsToFields(error.errors.map((e) => ({ ...e, path: e.path === '/password' ? '/new_password' : e.path })));
        return refuse(fields);
      }
      throw error;
    }
    request.log.info({ username: user.username, event: 'password-changed' }, 'password changed; sessions ended');
    // Every session ended, this one too: sign in again with the new password.
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    setFlash(reply, 'Password changed. Every session has ended: sign in with your new password.');
    if (request.headers['hx-request'] === 'true') return reply.code(200).header('hx-redirect', '/login').send('');
    return reply.code(303).header('location', '/login').send('');
  });
}
