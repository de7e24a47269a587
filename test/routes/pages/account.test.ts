// /account: API tokens (shown once, working, scoped by role, revocable) and the own password
// (policy, and every session ends on change).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, api, countRows, createTestApp, type TestApp } from '../../support/app.js';
import { pageSession, type PageSession } from '../../support/pages.js';

let t: TestApp;
let admin: PageSession;

const SECRET = /pl_[0-9a-f]{8}_[A-Za-z0-9_-]{20,64}/;

beforeAll(async () => {
  t = await createTestApp();
  admin = await pageSession(t.app);
});
afterAll(async () => t.close());

function secretOf(html: string): string {
  const secret = SECRET.exec(html)?.[0];
  if (!secret) throw new Error('no token secret on the page');
  return secret;
}

describe('account page', () => {
  it('shows who you are, and sends anonymous visitors to the login', async () => {
    const page = await admin.get('/account');
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<!doctype html>');
    expect(page.body).toContain('Administrator');
    expect(page.body).toMatch(/Role<\/dt>\s*<dd>\s*<span class="badge admin">Admin<\/span>/);
    expect(page.body).toContain('name="current_password"');
    expect(page.body).toContain('autocomplete="new-password"');

    const anonymous = await t.app.inject({ method: 'GET', url: '/account' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2Faccount');
  });

  it('creates a token shown once, which then works for the API until revoked', async () => {
    const before = countRows(t.db, 'api_tokens');
    const res = await admin.post('/account/tokens', { name: 'Lab sync', scopes: 'read,write', expires_in_days: '30' });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const secret = secretOf(res.body);
    expect(res.body).toContain('shown only this once');
    expect(countRows(t.db, 'api_tokens')).toBe(before + 1);

    // Works, and writes (read,write, admin).
    expect((await api(t.app, { token: secret }).get('/api/v1/series')).statusCode).toBe(200);
    expect((await api(t.app, { token: secret }).post('/api/v1/series', { name: 'Token-made series' })).statusCode).toBe(201);

    // Never shown again: the list has only the prefix, and the last use.
    const again = await admin.get('/account');
    expect(again.body).not.toContain(secret);
    const prefix = secret.slice(3, 11);
    expect(again.body).toContain(`pl_${prefix}_…`);
    expect(again.body).toContain('Lab sync');

    // Revoke: a confirmation page, then the POST; the API refuses the token from then on.
    const id = (t.db.sqlite.prepare('SELECT id FROM api_tokens WHERE prefix = ?').get(prefix) as { id: number }).id;
    const confirm = await admin.get(`/account/tokens/${id}/revoke`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Revoke the token “Lab sync”');
    const revoked = await admin.post(`/account/tokens/${id}/revoke`, {});
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toBe('/account');
    const refused = await api(t.app, { token: secret }).get('/api/v1/series');
    expect(refused.statusCode).toBe(401);
    expect(refused.json().detail).toContain('revoked');
    const listed = await admin.get('/account');
    expect(listed.body).toContain('badge revoked');
  });

  it('answers htmx with the tokens section only, and keeps typed values on a refusal', async () => {
    const ok = await admin.post('/account/tokens', { name: 'CI', scopes: 'read', expires_in_days: '', no_expiry: '1' }, { htmx: true });
    expect(ok.statusCode).toBe(201);
    expect(ok.body.startsWith('<section id="tokens"')).toBe(true);
    expect(ok.body).not.toContain('<!doctype html>');
    const secret = secretOf(ok.body);
    const row = t.db.sqlite.prepare('SELECT expires_at, scopes FROM api_tokens WHERE prefix = ?').get(secret.slice(3, 11)) as { expires_at: string | null; scopes: string };
    expect(row).toEqual({ expires_at: null, scopes: 'read' });

    const bad = await admin.post('/account/tokens', { name: 'Too long-lived', scopes: 'read', expires_in_days: '400' }, { htmx: true });
    expect(bad.statusCode).toBe(422);
    expect(bad.body.startsWith('<section id="tokens"')).toBe(true);
    expect(bad.body).toContain('value="Too long-lived"');
    expect(bad.body).toContain('from 1 to 366');
    expect(bad.body).not.toMatch(SECRET);
  });

  it('lets a viewer create only read tokens, which only read', async () => {
    const viewer = addUser(t.db, 'vera', 'viewer');
    const s = await pageSession(t.app, viewer);
    const page = await s.get('/account');
    expect(page.body).not.toContain('value="read,write"');
    const before = countRows(t.db, 'api_tokens');
    const write = await s.post('/account/tokens', { name: 'sneaky', scopes: 'read,write', expires_in_days: '10' });
    expect(write.statusCode).toBe(422);
    expect(write.body).toContain('may only create read tokens');
    expect(countRows(t.db, 'api_tokens')).toBe(before);

    const read = await s.post('/account/tokens', { name: 'dashboards', scopes: 'read', expires_in_days: '10' });
    expect(read.statusCode).toBe(201);
    const secret = secretOf(read.body);
    expect((await api(t.app, { token: secret }).get('/api/v1/series')).statusCode).toBe(200);
    expect((await api(t.app, { token: secret }).post('/api/v1/series', { name: 'nope' })).statusCode).toBe(403);
  });

  it('cannot revoke another user’s token, and refuses posts without the CSRF token', async () => {
    const other = addUser(t.db, 'otto', 'engineer');
    const s = await pageSession(t.app, other);
    const secret = secretOf((await s.post('/account/tokens', { name: 'otto token', scopes: 'read', expires_in_days: '5' })).body);
    const id = (t.db.sqlite.prepare('SELECT id FROM api_tokens WHERE prefix = ?').get(secret.slice(3, 11)) as { id: number }).id;
    const foreign = await admin.post(`/account/tokens/${id}/revoke`, {});
    expect(foreign.statusCode).toBe(404);
    expect((await api(t.app, { token: secret }).get('/api/v1/series')).statusCode).toBe(200);

    const noCsrf = await s.post('/account/tokens', { name: 'x', scopes: 'read', expires_in_days: '5' }, { csrf: false });
    expect(noCsrf.statusCode).toBe(403);
  });

  it('escapes a hostile token name', async () => {
    const res = await admin.post('/account/tokens', { name: '<script>alert(1)</script><a hx-get="/x">', scopes: 'read', expires_in_days: '1' });
    expect(res.statusCode).toBe(201);
    const page = await admin.get('/account');
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).not.toContain('<a hx-get="/x">');
    expect(page.body).toContain('&lt;script>alert(1)&lt;/script>');
  });
});

describe('changing your own password', () => {
  it('checks the current password, the confirmation and the policy, keeping nothing typed', async () => {
    const user = addUser(t.db, 'pat', 'product');
    const s = await pageSession(t.app, user);
    const wrong = await s.post('/account/password', { current_password: 'not-it-at-all', new_password: 'Brand-New-Pw-2027', confirm_password: 'Brand-New-Pw-2027' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('is not your current password');
    expect(wrong.body).not.toContain('Brand-New-Pw-2027');

    const mismatch = await s.post('/account/password', { current_password: user.password, new_password: 'Brand-New-Pw-2027', confirm_password: 'Brand-New-Pw-2028' }, { htmx: true });
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.body.startsWith('<form id="password-form"')).toBe(true);
    expect(mismatch.body).toContain('does not match the new password');

    const weak = await s.post('/account/password', { current_password: user.password, new_password: 'password123', confirm_password: 'password123' });
    expect(weak.statusCode).toBe(422);
    expect(weak.body).toContain('too common');
    expect((await s.get('/account')).statusCode).toBe(200);
  });

  it('ends every session of the user and asks to sign in again', async () => {
    const user = addUser(t.db, 'eve', 'engineer');
    const here = await pageSession(t.app, user);
    const elsewhere = await pageSession(t.app, user);
    const res = await here.post('/account/password', { current_password: user.password, new_password: 'Second-Pw-For-Pitlane-2027', confirm_password: 'Second-Pw-For-Pitlane-2027' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login');
    expect(String(res.headers['set-cookie'])).toMatch(/pitlane_session=;/);

    for (const s of [here, elsewhere]) {
      const after = await s.get('/account');
      expect(after.statusCode).toBe(303);
      expect(after.headers.location).toMatch(/^\/login/);
    }
    await expect(pageSession(t.app, user)).rejects.toThrow(/answered 401/);
    const again = await pageSession(t.app, { username: 'eve', password: 'Second-Pw-For-Pitlane-2027' });
    expect((await again.get('/account')).statusCode).toBe(200);
  });
});
