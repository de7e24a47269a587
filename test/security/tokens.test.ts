// API tokens: scope, expiry, revocation and the user's role all limit what a token can do; the
// security headers are on API answers too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, revokeToken } from '../../src/domain/tokens.js';
import { findUserByUsername } from '../../src/domain/users.js';
import { addUser, api, countRows, createTestApp, json, tokenFor, type TestApp } from '../support/app.js';
import { pageSession } from '../support/pages.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  addUser(t.db, 'v.viewer', 'viewer');
  addUser(t.db, 'e.engineer', 'engineer');
});
afterAll(async () => t.close());

function expectUnauthorized(res: { statusCode: number; headers: Record<string, unknown>; json(): any }, detail: RegExp) {
  expect(res.statusCode).toBe(401);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="pitlane"/);
  expect(res.json()).toMatchObject({ type: '/problems/unauthorized', status: 401, detail: expect.stringMatching(detail) });
}

describe('token scope and role', () => {
  it('a read token reads (200) but cannot write (403), and nothing is stored', async () => {
    const token = tokenFor(t.db, 'admin', 'read');
    const http = api(t.app, { token });
    expect((await http.get('/api/v1/series')).statusCode).toBe(200);
    const rows = countRows(t.db, 'series');
    const res = await http.post('/api/v1/series', { name: 'Read-only attempt' });
    expect(res.statusCode).toBe(403);
    expect(json(res)).toMatchObject({ type: '/problems/forbidden', detail: expect.stringMatching(/read-only/) });
    expect(countRows(t.db, 'series')).toBe(rows);
    const s = (await api(t.app).post('/api/v1/series', { name: 'Target' })).json();
    expect((await http.patch(`/api/v1/series/${s.id}`, { description: 'x' }, { 'if-match': '"1"' })).statusCode).toBe(403);
    expect((await http.delete(`/api/v1/series/${s.id}`, { 'if-match': '"1"' })).statusCode).toBe(403);
    expect((await api(t.app).get(`/api/v1/series/${s.id}`)).json()).toMatchObject({ version: 1, description: '' });
  });

  it("a viewer's token cannot write even with the write scope", async () => {
    const http = api(t.app, { token: tokenFor(t.db, 'v.viewer', 'read,write') });
    expect((await http.get('/api/v1/series')).statusCode).toBe(200);
    for (const [url, body] of [
      ['/api/v1/series', { name: 'Viewer series' }],
      ['/api/v1/prototypes', { code: 'VIEW-1', kind: 'mule' }],
      ['/api/v1/road-models', { name: 'Viewer NISMO', powertrain: 'ice', status: 'concept' }],
    ] as const) {
      const res = await http.post(url, body);
      expect(res.statusCode, url).toBe(403);
      expect(json(res).detail).toMatch(/you are viewer/);
    }
    expect(countRows(t.db, 'prototypes')).toBe(0);
  });

  it("an engineer's token writes what engineers own, and not the reference data", async () => {
    const http = api(t.app, { token: tokenFor(t.db, 'e.engineer') });
    expect((await http.post('/api/v1/prototypes', { code: 'ENG-1', kind: 'mule' })).statusCode).toBe(201);
    const res = await http.post('/api/v1/series', { name: 'Engineer series' });
    expect(res.statusCode).toBe(403);
    expect(json(res).detail).toMatch(/needs the role admin; you are engineer/);
  });
});

describe('token validity', () => {
  it('an expired token answers 401 naming the expiry', async () => {
    const user = findUserByUsername(t.db, 'admin')!;
    const longAgo = new Date(Date.now() - 3 * 86_400_000);
    const { secret } = createToken(t.db, { id: user.id, name: 'admin' }, { userId: user.id, name: 'short-lived', scopes: 'read,write', expiresInDays: 1 }, longAgo);
    expectUnauthorized(await api(t.app, { token: secret }).get('/api/v1/series'), /expired/);
    // A token that has not yet expired works.
    expect((await api(t.app, { token: tokenFor(t.db, 'admin', 'read', 1) }).get('/api/v1/series')).statusCode).toBe(200);
  });

  it('a revoked token answers 401 naming the revocation', async () => {
    const user = findUserByUsername(t.db, 'e.engineer')!;
    const { token, secret } = createToken(t.db, { id: user.id, name: user.username }, { userId: user.id, name: 'to revoke', scopes: 'read,write' });
    expect((await api(t.app, { token: secret }).get('/api/v1/series')).statusCode).toBe(200);
    revokeToken(t.db, { id: user.id, name: user.username }, user.id, token.id);
    expectUnauthorized(await api(t.app, { token: secret }).get('/api/v1/series'), /revoked/);
  });

  it('missing, malformed and unknown tokens answer 401', async () => {
    expectUnauthorized(await api(t.app, { token: null }).get('/api/v1/series'), /Authorization: Bearer/);
    expectUnauthorized(await api(t.app, { token: 'not-a-token' }).get('/api/v1/series'), /not valid/);
    expectUnauthorized(await api(t.app, { token: `pl_00000000_${'x'.repeat(32)}` }).get('/api/v1/series'), /not valid/);
    const basic = await t.app.inject({ method: 'GET', url: '/api/v1/series', headers: { authorization: 'Basic YWRtaW46eA==' } });
    expect(basic.statusCode).toBe(401);
  });

  it('a token does not open the pages (they accept only sessions)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/series', headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/login/);
  });
});

describe('security headers', () => {
  it('API answers (success and problems) carry HSTS, nosniff and frame-ancestors none', async () => {
    for (const res of [
      await api(t.app).get('/api/v1/series'),
      await api(t.app).get('/api/v1/nowhere'),
      await api(t.app).post('/api/v1/series', { name: 7 }),
      await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }),
    ]) {
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    }
  });

  it('401/403 answers and login redirects sent by the auth hook carry the security headers too', async () => {
    const readOnly = tokenFor(t.db, 'admin', 'read');
    for (const res of [
      await api(t.app, { token: null }).get('/api/v1/series'),
      await api(t.app, { token: readOnly }).post('/api/v1/series', { name: 'Refused' }),
      await t.app.inject({ method: 'GET', url: '/test-runs' }),
    ]) {
      expect([401, 403, 303]).toContain(res.statusCode);
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    }
  });

  it('pages carry them too, with a CSP that allows no inline script', async () => {
    const s = await pageSession(t.app);
    const res = await s.get('/series');
    expect(res.headers['strict-transport-security']).toMatch(/includeSubDomains/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  });
});
