// /admin: admins only (reads too); users (add, role, disable ends sessions, reset password),
// reference data through forms, and the backup download.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoUser } from '../../../db/seed.js';
import { prepareDatabase } from '../../../src/app.js';
import { openDatabase } from '../../../src/db.js';
import { verifyLogin } from '../../../src/domain/users.js';
import { addUser, api, countRows, createTestApp, created, tempDir, testConfig, tokenFor, type TestApp } from '../../support/app.js';
import { pageSession, type PageSession } from '../../support/pages.js';

let t: TestApp;
let admin: PageSession;

beforeAll(async () => {
  t = await createTestApp();
  admin = await pageSession(t.app);
});
afterAll(async () => t.close());

/** The flash message a redirect sets (shown on the next page). */
function flashOf(res: { headers: Record<string, unknown> }): string {
  const raw = /pitlane_flash=([^;]*)/.exec(String(res.headers['set-cookie']))?.[1];
  // Encoded twice: by setFlash and by the cookie serializer.
  return raw ? decodeURIComponent(decodeURIComponent(raw)) : '';
}

const one = <T>(sql: string, ...params: unknown[]) => t.db.sqlite.prepare(sql).get(...params) as T;

describe('admin access', () => {
  it('shows the overview to an admin, linked from the account page', async () => {
    const page = await admin.get('/admin');
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    for (const href of ['/admin/users', '/admin/categories', '/admin/markets', '/admin/plan-targets', '/admin/backup']) expect(page.body).toContain(`href="${href}"`);
    expect((await admin.get('/account')).body).toContain('href="/admin"');
  });

  it('answers the 403 page to every other role, for reads and writes, and changes nothing', async () => {
    addUser(t.db, 'product1', 'product');
    addUser(t.db, 'engineer1', 'engineer');
    addUser(t.db, 'viewer1', 'viewer');
    for (const [username, role] of [['product1', 'Product'], ['engineer1', 'Engineer'], ['viewer1', 'Viewer']] as const) {
      const s = await pageSession(t.app, { username, password: `${role}-Pw-For-Pitlane-1` });
      for (const url of ['/admin', '/admin/users', '/admin/users/1', '/admin/categories', '/admin/markets/new', '/admin/plan-targets', '/admin/backup']) {
        const res = await s.get(url);
        expect(res.statusCode, `${username} GET ${url}`).toBe(403);
        expect(res.headers['content-type']).toMatch(/text\/html/);
        expect(res.body).toContain('You cannot do that here');
        expect(res.headers['content-disposition']).toBeUndefined();
      }
      expect((await s.get('/account')).body).not.toContain('href="/admin"');
      const before = countRows(t.db, 'plan_targets') + countRows(t.db, 'users');
      // Product may write plan targets through the API, but the admin pages stay the admin's.
      expect((await s.post('/admin/plan-targets', { year: '2031', model_count_target: '3', units_target: '5' })).statusCode).toBe(403);
      expect((await s.post('/admin/users', { username: 'mallory', role: 'admin', password: 'Mallory-Pw-For-Pitlane-1' })).statusCode).toBe(403);
      expect(countRows(t.db, 'plan_targets') + countRows(t.db, 'users')).toBe(before);
    }
    expect((await t.app.inject({ method: 'GET', url: '/admin' })).statusCode).toBe(303);
  });
});

describe('admin users', () => {
  it('adds a user who can then sign in; a refusal keeps the typed values but never the password', async () => {
    const weak = await admin.post('/admin/users', { username: 'Nina', display_name: 'Nina <b>N</b>', role: 'engineer', password: 'short' });
    expect(weak.statusCode).toBe(422);
    expect(weak.body).toContain('value="nina"');
    expect(weak.body).toContain('value="Nina &amp;lt;b>N&amp;lt;/b>"'.replace(/&amp;/g, '&'));
    expect(weak.body).toContain('at least 8 characters');
    expect(weak.body).not.toContain('value="short"');

    const res = await admin.post('/admin/users', { username: 'nina', display_name: 'Nina N', role: 'engineer', password: 'Starts-Here-For-Pitlane-26' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/admin\/users\/\d+$/);
    expect(flashOf(res)).toBe('User nina added as engineer.');
    const s = await pageSession(t.app, { username: 'nina', password: 'Starts-Here-For-Pitlane-26' });
    expect((await s.get('/account')).body).toContain('Nina N');

    const taken = await admin.post('/admin/users', { username: 'nina', role: 'viewer', password: 'Another-Pw-For-Pitlane-1' }, { htmx: true });
    expect(taken.statusCode).toBe(409);
    expect(taken.body.startsWith('<form')).toBe(true);
    expect(taken.body).toContain('is already taken');

    const list = await admin.get('/admin/users');
    expect(list.body).toContain('>nina</a>');
    expect(list.body).toContain('badge engineer');
  });

  it('changes a role with optimistic concurrency', async () => {
    addUser(t.db, 'rolf', 'viewer');
    const user = one<{ id: number; version: number }>('SELECT id, version FROM users WHERE username = ?', 'rolf');
    const res = await admin.post(`/admin/users/${user.id}`, { display_name: 'Rolf R', role: 'product', version: String(user.version) });
    expect(res.statusCode).toBe(303);
    expect(one<{ role: string; display_name: string }>('SELECT role, display_name FROM users WHERE id = ?', user.id)).toEqual({ role: 'product', display_name: 'Rolf R' });

    const stale = await admin.post(`/admin/users/${user.id}`, { display_name: 'Rolf Old', role: 'viewer', version: String(user.version) });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('changed by someone else');
    expect(stale.body).toContain('value="Rolf Old"');
    expect(one<{ role: string }>('SELECT role FROM users WHERE id = ?', user.id).role).toBe('product');
  });

  it('disabling ends the user’s sessions and tokens at once; enabling lets them back', async () => {
    const dora = addUser(t.db, 'dora', 'engineer');
    const id = one<{ id: number }>('SELECT id FROM users WHERE username = ?', 'dora').id;
    const s = await pageSession(t.app, dora);
    const token = tokenFor(t.db, 'dora', 'read');
    expect((await s.get('/')).statusCode).toBe(200);
    const page = await admin.get(`/admin/users/${id}`);
    expect(page.body).toContain('every session ends');

    const res = await admin.post(`/admin/users/${id}/disable`, {});
    expect(res.statusCode).toBe(303);
    expect(flashOf(res)).toContain('every session of theirs has ended');
    const after = await admin.get(`/admin/users/${id}`);
    expect(after.body).toContain('badge disabled');
    expect(countRows(t.db, 'sessions')).toBeGreaterThan(0);
    expect(one<{ n: number }>('SELECT count(*) AS n FROM sessions WHERE user_id = ?', id).n).toBe(0);
    const kicked = await s.get('/');
    expect(kicked.statusCode).toBe(303);
    expect(kicked.headers.location).toMatch(/^\/login/);
    expect((await api(t.app, { token }).get('/api/v1/series')).statusCode).toBe(401);
    await expect(pageSession(t.app, dora)).rejects.toThrow(/401/);

    expect((await admin.post(`/admin/users/${id}/enable`, {})).statusCode).toBe(303);
    expect((await (await pageSession(t.app, dora)).get('/')).statusCode).toBe(200);
  });

  it('will not let an admin disable or demote themselves', async () => {
    const me = one<{ id: number; version: number }>('SELECT id, version FROM users WHERE username = ?', 'admin');
    expect((await admin.post(`/admin/users/${me.id}/disable`, {})).statusCode).toBe(403);
    const demote = await admin.post(`/admin/users/${me.id}`, { display_name: 'Administrator', role: 'viewer', version: String(me.version) });
    expect(demote.statusCode).toBe(422);
    expect(demote.body).toContain('cannot change your own role');
    expect(one<{ role: string; disabled: number }>('SELECT role, disabled FROM users WHERE id = ?', me.id)).toEqual({ role: 'admin', disabled: 0 });
  });

  it('resets a password: their sessions end and only the new password works', async () => {
    const rita = addUser(t.db, 'rita', 'product');
    const id = one<{ id: number }>('SELECT id FROM users WHERE username = ?', 'rita').id;
    const s = await pageSession(t.app, rita);
    const mismatch = await admin.post(`/admin/users/${id}/password`, { new_password: 'Reset-Pw-For-Pitlane-7', confirm_password: 'other' }, { htmx: true });
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.body.startsWith('<form id="reset-password-form"')).toBe(true);
    const res = await admin.post(`/admin/users/${id}/password`, { new_password: 'Reset-Pw-For-Pitlane-7', confirm_password: 'Reset-Pw-For-Pitlane-7' });
    expect(res.statusCode).toBe(303);
    expect((await s.get('/')).statusCode).toBe(303);
    await expect(pageSession(t.app, rita)).rejects.toThrow(/401/);
    await pageSession(t.app, { username: 'rita', password: 'Reset-Pw-For-Pitlane-7' });
  });
});

describe('admin reference data', () => {
  it('technology categories: add with venue types, edit them, delete when unused, refuse when used', async () => {
    const bad = await admin.post('/admin/categories', { name: '', venue_types: ['wind_tunnel'] });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toMatch(/value="wind_tunnel" checked/);

    const res = await admin.post('/admin/categories', { name: 'Aero <i>x</i>', description: 'Downforce', venue_types: ['wind_tunnel', 'track'] });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/categories');
    const cat = one<{ id: number; version: number }>("SELECT id, version FROM technology_categories WHERE name = 'Aero <i>x</i>'");
    const list = await admin.get('/admin/categories');
    expect(list.body).toContain('Aero &lt;i>x&lt;/i>');
    expect(list.body).toContain('Track, Wind tunnel');

    const edit = await admin.get(`/admin/categories/${cat.id}/edit`);
    expect(edit.body).toMatch(/value="track" checked/);
    // Unticking every box clears the set (the browser sends no venue_types at all).
    const saved = await admin.post(`/admin/categories/${cat.id}`, { name: 'Aero', description: 'Downforce', version: String(cat.version) });
    expect(saved.statusCode).toBe(303);
    expect((await api(t.app).get(`/api/v1/technology-categories/${cat.id}`)).json()).toMatchObject({ name: 'Aero', venue_types: [] });

    const used = await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Inverter', venue_types: ['dyno'] });
    await created(t.app, '/api/v1/technologies', { name: 'SiC inverter', domain: 'hardware', category_id: used.id });
    const usedVersion = one<{ version: number }>('SELECT version FROM technology_categories WHERE id = ?', used.id).version;
    const blocked = await admin.post(`/admin/categories/${used.id}/delete`, { version: String(usedVersion) });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.body).toContain('It cannot be deleted');
    expect(blocked.body).toContain('still has 1 technology');
    expect(one<{ n: number }>('SELECT count(*) AS n FROM technology_categories WHERE id = ?', used.id).n).toBe(1);

    const confirm = await admin.get(`/admin/categories/${cat.id}/delete`);
    expect(confirm.body).toContain('Delete the technology category “Aero”?');
    const version = one<{ version: number }>('SELECT version FROM technology_categories WHERE id = ?', cat.id).version;
    expect((await admin.post(`/admin/categories/${cat.id}/delete`, { version: String(version) })).statusCode).toBe(303);
    expect(one<{ n: number }>('SELECT count(*) AS n FROM technology_categories WHERE id = ?', cat.id).n).toBe(0);
  });

  it('markets: add (code upper-cased), refuse a bad code, edit, delete', async () => {
    const bad = await admin.post('/admin/markets', { code: 'x!', name: 'Nowhere' }, { htmx: true });
    expect(bad.statusCode).toBe(422);
    expect(bad.body.startsWith('<form')).toBe(true);
    expect(bad.body).toContain('value="Nowhere"');

    const ok = await admin.post('/admin/markets', { code: 'gcc', name: 'Gulf' }, { htmx: true });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['hx-location']).toBe('/admin/markets');
    const m = one<{ id: number; version: number }>("SELECT id, version FROM markets WHERE code = 'GCC'");
    expect((await admin.post('/admin/markets', { code: 'GCC', name: 'Again' })).statusCode).toBe(409);

    expect((await admin.post(`/admin/markets/${m.id}`, { code: 'GCC', name: 'Gulf Cooperation Council', version: String(m.version) })).statusCode).toBe(303);
    expect((await admin.get('/admin/markets')).body).toContain('Gulf Cooperation Council');
    expect((await admin.post(`/admin/markets/${m.id}/delete`, { version: String(m.version + 1) })).statusCode).toBe(303);
    expect(one<{ n: number }>("SELECT count(*) AS n FROM markets WHERE code = 'GCC'").n).toBe(0);
  });

  it('plan targets: add with a share band, refuse an inverted band, edit, delete', async () => {
    const inverted = await admin.post('/admin/plan-targets', { year: '2030', model_count_target: '12', units_target: '170000', outside_japan_share_min: '60', outside_japan_share_max: '40', notes: '' });
    expect(inverted.statusCode).toBe(422);
    expect(inverted.body).toContain('must be at least outside_japan_share_min');
    expect(inverted.body).toContain('value="170000"');
    expect(countRows(t.db, 'plan_targets')).toBe(0);

    const res = await admin.post('/admin/plan-targets', { year: '2030', model_count_target: '12', units_target: '170000', outside_japan_share_min: '40', outside_japan_share_max: '60', notes: 'Stretch' });
    expect(res.statusCode).toBe(303);
    const p = one<{ id: number; version: number; outside_japan_share_max: number }>('SELECT * FROM plan_targets WHERE year = 2030');
    expect(p.outside_japan_share_max).toBe(60);
    expect((await admin.get('/admin/plan-targets')).body).toContain('40–60 %');

    // Emptying the band stores "no band" (null), not 0.
    const edit = await admin.post(`/admin/plan-targets/${p.id}`, { year: '2030', model_count_target: '11', units_target: '170000', outside_japan_share_min: '', outside_japan_share_max: '', notes: 'Stretch', version: String(p.version) });
    expect(edit.statusCode).toBe(303);
    expect(one<Record<string, unknown>>('SELECT model_count_target, outside_japan_share_min, outside_japan_share_max FROM plan_targets WHERE id = ?', p.id)).toEqual({
      model_count_target: 11,
      outside_japan_share_min: null,
      outside_japan_share_max: null,
    });
    expect((await admin.post(`/admin/plan-targets/${p.id}/delete`, { version: String(p.version + 1) })).statusCode).toBe(303);
    expect(countRows(t.db, 'plan_targets')).toBe(0);
  });
});

describe('backup download', () => {
  it('streams a fresh, verified database as an attachment and leaves no file behind', async () => {
    await created(t.app, '/api/v1/series', { name: 'Backed-up series' });
    const res = await admin.get('/admin/backup');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="pitlane-\d{8}-\d{6}\.db"$/);
    expect(res.headers['content-type']).toBe('application/vnd.sqlite3');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.rawPayload.subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);

    const file = path.join(t.dir, 'downloaded.db');
    fs.writeFileSync(file, res.rawPayload);
    const copy = new Database(file, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.prepare("SELECT count(*) AS n FROM series WHERE name = 'Backed-up series'").get()).toEqual({ n: 1 });
    } finally {
      copy.close();
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(fs.readdirSync(path.join(t.dir, 'backups'))).toEqual([]);
  });
});

describe('demo users', () => {
  it('are created only by the demo seed, once, with random passwords handed to start-up', { timeout: 120_000 }, () => {
    const dir = tempDir('pitlane-demo-users-');
    const db = openDatabase(testConfig(dir).dbFile);
    try {
      const announced: DemoUser[][] = [];
      prepareDatabase(db, testConfig(dir, { seed: 'none' }), undefined, (u) => announced.push(u));
      expect(countRows(db, 'users')).toBe(1);
      prepareDatabase(db, testConfig(dir, { seed: 'demo' }), undefined, (u) => announced.push(u));
      prepareDatabase(db, testConfig(dir, { seed: 'demo' }), undefined, (u) => announced.push(u));
      expect(announced).toHaveLength(1);
      expect(announced[0]!.map((u) => [u.username, u.role])).toEqual([
        ['engineer', 'engineer'],
        ['product', 'product'],
        ['viewer', 'viewer'],
      ]);
      for (const u of announced[0]!) {
        expect(u.password).toMatch(/^[A-Za-z0-9]{20}$/);
        expect(verifyLogin(db, u.username, u.password)?.role).toBe(u.role);
      }
      expect(new Set(announced[0]!.map((u) => u.password)).size).toBe(3);
    } finally {
      db.sqlite.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
