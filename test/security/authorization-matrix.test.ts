// Every route × every kind of caller gets the status one table of rules expects: the API takes
// only valid bearer tokens, pages only sessions, reads need any signed-in user, and each write
// needs a role that owns the resource (src/domain/permissions.ts is the oracle) plus, for tokens,
// the write scope. Minimal bodies: a 400/404/422 after the auth decision counts as "allowed".
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canWrite, resourceOfRoute } from '../../src/domain/permissions.js';
import { createToken } from '../../src/domain/tokens.js';
import { findUserByUsername, type Role } from '../../src/domain/users.js';
import { addUser, createTestApp, type TestApp } from '../support/app.js';
import { collectRoutes, fetchOpenApi, fillRoute, injectSender, listOperations, seedThroughApi, type Ids, type RouteInfo } from '../support/openapi-walk.js';
import { csrfTokenOf, encodeForm, pageSession, type PageSession } from '../support/pages.js';

const ROLES: Role[] = ['viewer', 'engineer', 'product', 'admin'];

type Principal =
  | { name: string; kind: 'anonymous' }
  | { name: string; kind: 'session'; role: Role; session: PageSession }
  | { name: string; kind: 'token'; role: Role; scopes: 'read' | 'read,write'; valid: boolean; token: string };

interface Route extends RouteInfo {
  api: boolean;
  unsafe: boolean;
}

/** Open without signing in: they hold no data (DESIGN §4, §5). */
const PUBLIC: RegExp[] = [/^\/login$/, /^\/health$/, /^\/api\/v1\/openapi\.json$/, /^\/api\/docs(\/.*)?$/, /^\/assets\//, /^\/problems\//, /^\/favicon\.ico$/];
/**
 * The admin area (DESIGN §5 `/admin`: users, categories, markets, plan, webhooks): admins only,
 * reads included, whatever permissions.ts says about the resource; and webhooks in the API too
 * (they hold signing secrets).
 */
const ADMIN_AREA: RegExp[] = [/^\/admin(\/|$)/, /^\/api\/v1\/webhooks(\/|$)/];

type Expect = { text: string; ok: (res: LightMyRequestResponse) => boolean };
const allowed: Expect = { text: 'allowed', ok: (r) => r.statusCode !== 401 && r.statusCode !== 403 && r.statusCode < 500 };
const status = (code: number): Expect => ({ text: String(code), ok: (r) => r.statusCode === code });
const toLogin: Expect = { text: '303→/login', ok: (r) => r.statusCode === 303 && String(r.headers.location ?? '').startsWith('/login') };

/** THE table of rules. Everything below only applies it. */
function expected(route: Route, p: Principal): Expect {
  if (PUBLIC.some((re) => re.test(route.url))) return allowed;
  const adminArea = ADMIN_AREA.some((re) => re.test(route.url));
  if (route.api) {
    if (p.kind !== 'token' || !p.valid) return status(401);
    if (adminArea && p.role !== 'admin') return status(403);
    if (!route.unsafe) return allowed;
    if (!p.scopes.split(',').includes('write')) return status(403);
    const resource = resourceOfRoute(route.url);
    // Every unsafe API route names its resource (checked by its own test below).
    return resource && canWrite(p.role, resource) ? allowed : status(403);
  }
  if (p.kind !== 'session') return toLogin;
  if (adminArea && p.role !== 'admin') return status(403);
  if (!route.unsafe) return allowed;
  if (route.url === '/logout') return allowed;
  const resource = resourceOfRoute(route.url);
  return resource && !canWrite(p.role, resource) ? status(403) : allowed;
}

let t: TestApp;
let routes: Route[];
let ids: Ids;
let principals: Principal[];
const passwords: Record<string, { username: string; password: string }> = {};

function fill(url: string): string {
  return fillRoute(url, ids, 1)
    .replace(/\/assets\/1$/, '/assets/htmx.js')
    .replace(/\/problems\/1$/, '/problems/validation')
    .replace(/\*$/, 'index.html');
}

function tokenOf(username: string, scopes: 'read' | 'read,write', now?: Date, expiresInDays?: number): string {
  const user = findUserByUsername(t.db, username)!;
  return createToken(t.db, { id: user.id, name: username }, { userId: user.id, name: `matrix ${scopes}`, scopes, expiresInDays }, now).secret;
}

beforeAll(async () => {
  // Webhook URLs in samples point at a closed loopback port, which only this allows.
  const collected = await collectRoutes(() => createTestApp({ webhookAllowPrivate: true }));
  t = collected.result;
  const doc = await fetchOpenApi(t.app);
  const seeded = await seedThroughApi(injectSender(t.app, t.adminToken), doc);
  ids = seeded.ids;
  expect(seeded.failed, 'every collection could be seeded').toEqual([]);

  // API operations from the document, plus every route Fastify knows (pages, and API routes the
  // document hides, which must follow the same rules).
  const byKey = new Map<string, Route>();
  for (const op of listOperations(doc)) byKey.set(`${op.method} ${op.route}`, { method: op.method, url: op.route, api: true, unsafe: op.method !== 'GET' });
  for (const r of collected.routes) {
    const key = `${r.method} ${r.url}`;
    if (!byKey.has(key)) byKey.set(key, { ...r, api: r.url.startsWith('/api/'), unsafe: !['GET', 'HEAD', 'OPTIONS'].includes(r.method) });
  }
  routes = [...byKey.values()];

  for (const role of ROLES) passwords[role] = role === 'admin' ? { username: 'admin', password: 'Test-Pw-For-Pitlane-1' } : addUser(t.db, `${role}1`, role);
  addUser(t.db, 'gone1', 'engineer');
  // User routes (/admin/users/:id/disable …) aim at a bystander: an admin may not disable
  // themselves, and disabling a caller of the matrix would end its session.
  addUser(t.db, 'victim1', 'viewer');
  ids.users = [findUserByUsername(t.db, 'victim1')!.id];
  const disabledToken = tokenOf('gone1', 'read,write');
  t.db.sqlite.prepare(`UPDATE users SET disabled = 1 WHERE username = 'gone1'`).run();
  const revoked = tokenOf('admin', 'read,write');
  t.db.sqlite.prepare(`UPDATE api_tokens SET revoked_at = ? WHERE id = (SELECT max(id) FROM api_tokens)`).run(new Date().toISOString());

  principals = [{ name: 'anon', kind: 'anonymous' }];
  for (const role of ROLES) principals.push({ name: `s:${role}`, kind: 'session', role, session: await pageSession(t.app, passwords[role]) });
  for (const role of ROLES) principals.push({ name: `r:${role}`, kind: 'token', role, scopes: 'read', valid: true, token: tokenOf(passwords[role]!.username, 'read') });
  for (const role of ROLES) principals.push({ name: `w:${role}`, kind: 'token', role, scopes: 'read,write', valid: true, token: tokenOf(passwords[role]!.username, 'read,write') });
  principals.push(
    { name: 'expired', kind: 'token', role: 'admin', scopes: 'read,write', valid: false, token: tokenOf('admin', 'read,write', new Date(Date.now() - 3 * 86_400_000), 1) },
    { name: 'revoked', kind: 'token', role: 'admin', scopes: 'read,write', valid: false, token: revoked },
    { name: 'disabled', kind: 'token', role: 'engineer', scopes: 'read,write', valid: false, token: disabledToken },
    { name: 'bogus', kind: 'token', role: 'admin', scopes: 'read,write', valid: false, token: 'pl_00000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
  );
}, 120_000);

afterAll(async () => t?.close());

/** Sends one request as `p`: a bearer token, a session cookie (+ CSRF on page posts), or nothing. */
async function send(route: Route, p: Principal): Promise<LightMyRequestResponse> {
  const url = fill(route.url);
  const headers: Record<string, string> = {};
  let payload: string | undefined;
  if (p.kind === 'token') headers.authorization = `Bearer ${p.token}`;

  // Signing in or out ends the caller's session: use a throwaway one of the same role.
  if (route.method === 'POST' && (route.url === '/login' || route.url === '/logout')) {
    const fresh = p.kind === 'session' ? await pageSession(t.app, passwords[p.role]) : undefined;
    // The login form's token is bound to "anonymous" (a signed-in browser still has the form of
    // an older tab); logout takes the session's token.
    const withoutSession = fresh?.cookie.split('; ').filter((c) => !c.startsWith('pitlane_session=')).join('; ');
    const login = await t.app.inject({ method: 'GET', url: '/login', headers: withoutSession ? { cookie: withoutSession } : {} });
    const cookie = fresh?.cookie ?? (Array.isArray(login.headers['set-cookie']) ? login.headers['set-cookie'] : [String(login.headers['set-cookie'] ?? '')]).map((c) => c.split(';')[0]).join('; ');
    const csrf = route.url === '/logout' && fresh ? fresh.token : csrfTokenOf(login.body);
    const fields = route.url === '/login' ? { _csrf: csrf, ...passwords.viewer! } : { _csrf: csrf };
    return t.app.inject({ method: 'POST', url, headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: encodeForm(fields) });
  }

  if (p.kind === 'session') {
    if (!route.unsafe) return p.session.get(url);
    if (!route.api) return p.session.post(url, {});
    headers.cookie = p.session.cookie;
    headers['x-csrf-token'] = p.session.token;
  }
  if (route.unsafe) {
    if (route.api && route.method !== 'DELETE') {
      headers['content-type'] = 'application/json';
      payload = '{}';
    } else if (!route.api) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = '';
    }
  }
  return t.app.inject({ method: route.method as 'GET', url, headers, payload });
}

function table(results: Map<string, Map<string, { res: LightMyRequestResponse; exp: Expect }>>, onlyFailing: boolean): string {
  const names = principals.map((p) => p.name);
  const width = Math.max(...names.map((n) => n.length), 5);
  const routeWidth = Math.max(...[...results.keys()].map((k) => k.length));
  const lines = [`${'route'.padEnd(routeWidth)} ${names.map((n) => n.padStart(width)).join(' ')}`];
  for (const [key, row] of results) {
    const cells = names.map((n) => {
      const c = row.get(n)!;
      const mark = c.exp.ok(c.res) ? '' : `!${c.exp.text}:`;
      return `${mark}${c.res.statusCode}`.padStart(width);
    });
    if (onlyFailing && !names.some((n) => !row.get(n)!.exp.ok(row.get(n)!.res))) continue;
    lines.push(`${key.padEnd(routeWidth)} ${cells.join(' ')}`);
  }
  return lines.join('\n');
}

describe('authorization matrix', () => {
  it('finds the API operations and the page routes', () => {
    const api = routes.filter((r) => r.api && !PUBLIC.some((re) => re.test(r.url)));
    const pages = routes.filter((r) => !r.api && !PUBLIC.some((re) => re.test(r.url)));
    expect(api.length).toBeGreaterThan(50);
    expect(api.some((r) => r.unsafe)).toBe(true);
    expect(pages.some((r) => r.url === '/test-runs' && r.method === 'POST')).toBe(true);
    expect(pages.some((r) => r.url === '/series/:id' && r.method === 'GET')).toBe(true);
  });

  it('names the resource of every unsafe route, so that a role decides who may write it', () => {
    const unmapped = routes.filter((r) => r.unsafe && !PUBLIC.some((re) => re.test(r.url)) && r.url !== '/logout' && !resourceOfRoute(r.url)).map((r) => `${r.method} ${r.url}`);
    expect(unmapped, 'add these to SEGMENTS/NESTED in src/domain/permissions.ts').toEqual([]);
  });

  it('answers every route × caller as the rules say', async () => {
    const results = new Map<string, Map<string, { res: LightMyRequestResponse; exp: Expect }>>();
    // Reads first: page posts with minimal bodies may delete the seeded rows.
    const ordered = [...routes.filter((r) => !r.unsafe), ...routes.filter((r) => r.unsafe)];
    let failures = 0;
    const started = Date.now();
    for (const route of ordered) {
      const row = new Map<string, { res: LightMyRequestResponse; exp: Expect }>();
      for (const p of principals) {
        const res = await send(route, p);
        const exp = expected(route, p);
        if (!exp.ok(res)) failures++;
        row.set(p.name, { res, exp });
      }
      results.set(`${route.method} ${route.url}`, row);
    }
    const cells = routes.length * principals.length;
    console.info(`authorization matrix: ${routes.length} routes × ${principals.length} callers = ${cells} requests in ${Date.now() - started} ms, ${failures} unexpected`);
    if (process.env.PITLANE_MATRIX_TABLE) console.info(table(results, false));
    expect(failures, `unexpected statuses (cell "!expected:actual"):\n${table(results, true)}`).toBe(0);
  }, 180_000);

  // Spot checks written by hand, not derived from permissions.ts: if the oracle itself were
  // wrong, these still hold the line.
  const API_SPOTS: [role: Role, method: 'POST' | 'PATCH' | 'DELETE', url: string, mayWrite: boolean][] = [
    ['engineer', 'POST', '/api/v1/test-runs', true],
    ['product', 'POST', '/api/v1/test-runs', false],
    ['viewer', 'POST', '/api/v1/test-runs', false],
    ['product', 'POST', '/api/v1/transfers', true],
    ['engineer', 'POST', '/api/v1/transfers', false],
    ['admin', 'POST', '/api/v1/series', true],
    ['engineer', 'POST', '/api/v1/series', false],
    ['product', 'POST', '/api/v1/series', false],
    ['viewer', 'POST', '/api/v1/series', false],
    ['engineer', 'PATCH', '/api/v1/technologies/:id', true],
    ['product', 'PATCH', '/api/v1/technologies/:id', false],
    ['engineer', 'POST', '/api/v1/technologies/:id/readiness', true],
    ['product', 'POST', '/api/v1/technologies/:id/readiness', false],
    ['product', 'POST', '/api/v1/plan-targets', true],
    ['engineer', 'POST', '/api/v1/plan-targets', false],
    ['product', 'DELETE', '/api/v1/road-models/:id', true],
    ['engineer', 'DELETE', '/api/v1/road-models/:id', false],
    ['engineer', 'DELETE', '/api/v1/programs/:id', false],
    ['product', 'POST', '/api/v1/transfers/:id/review', true],
    ['engineer', 'POST', '/api/v1/transfers/:id/review', false],
  ];

  it.each(API_SPOTS)('API: a %s write token %s %s → %s', async (role, method, url, mayWrite) => {
    const p = principals.find((x) => x.name === `w:${role}`)!;
    const res = await send({ method, url, api: true, unsafe: true }, p);
    if (mayWrite) expect([401, 403]).not.toContain(res.statusCode);
    else expect(res.statusCode, res.body).toBe(403);
    if (!mayWrite) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('API: a read token never writes, even an admin one; an expired or revoked one never reads', async () => {
    const read = principals.find((x) => x.name === 'r:admin')!;
    expect((await send({ method: 'POST', url: '/api/v1/series', api: true, unsafe: true }, read)).statusCode).toBe(403);
    expect((await send({ method: 'GET', url: '/api/v1/series', api: true, unsafe: false }, read)).statusCode).toBe(200);
    for (const name of ['expired', 'revoked', 'disabled', 'bogus', 'anon', 's:admin']) {
      const res = await send({ method: 'GET', url: '/api/v1/series', api: true, unsafe: false }, principals.find((x) => x.name === name)!);
      expect(res.statusCode, name).toBe(401);
    }
  });

  const PAGE_SPOTS: [role: Role, url: string, mayWrite: boolean][] = [
    ['engineer', '/test-runs', true],
    ['product', '/test-runs', false],
    ['product', '/transfers', true],
    ['engineer', '/transfers', false],
    ['admin', '/series', true],
    ['engineer', '/series', false],
    ['viewer', '/series/:id/delete', false],
    ['viewer', '/prototypes', false],
  ];

  it.each(PAGE_SPOTS)('pages: a %s session POST %s → %s', async (role, url, mayWrite) => {
    const p = principals.find((x) => x.name === `s:${role}`)!;
    const res = await send({ method: 'POST', url, api: false, unsafe: true }, p);
    if (mayWrite) expect([401, 403]).not.toContain(res.statusCode);
    else expect(res.statusCode).toBe(403);
  });

  it('pages: without a session, a page sends the browser to /login and back', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/test-runs?status=completed' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/login?next=${encodeURIComponent('/test-runs?status=completed')}`);
  });
});
