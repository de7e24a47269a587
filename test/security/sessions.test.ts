// Page sessions: a new id at every login (no fixation), logout and disabling end them, idle and
// absolute timeouts, and CSRF tokens that only work in the session they were issued to.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db.js';
import { findSession, hashSecret, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../../src/domain/sessions.js';
import { findUserByUsername, updateUser } from '../../src/domain/users.js';
import { addUser, ADMIN_PASSWORD, api, countRows, createTestApp, tokenFor, type TestApp } from '../support/app.js';
import { csrfTokenOf, encodeForm, pageSession, type PageSession } from '../support/pages.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const SESSION = 'pitlane_session';

function cookieValue(cookieHeader: string, name: string): string {
  const value = new RegExp(`(?:^|; )${name}=([^;]*)`).exec(cookieHeader)?.[1];
  if (!value) throw new Error(`no ${name} cookie`);
  return value;
}

function setCookie(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
  for (const c of list) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(c);
    if (m) return m[1];
  }
  return undefined;
}

/** A GET with only this session cookie: 200 when it is live, else the redirect to /login. */
async function pageWith(sessionId: string, url = '/series') {
  return t.app.inject({ method: 'GET', url, headers: { cookie: `${SESSION}=${sessionId}` } });
}

/** Signs in through the form while the browser already carries `planted` as its session cookie. */
async function loginCarrying(planted: string, credentials = { username: 'admin', password: ADMIN_PASSWORD }) {
  const loginPage = await t.app.inject({ method: 'GET', url: '/login' });
  const csrfSecret = setCookie(loginPage, '_csrf')!;
  return t.app.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: `_csrf=${csrfSecret}; ${SESSION}=${planted}`, 'content-type': 'application/x-www-form-urlencoded' },
    payload: encodeForm({ _csrf: csrfTokenOf(loginPage.body), ...credentials }),
  });
}

describe('session fixation', () => {
  it('a planted random session id is ignored, and login issues a fresh one', async () => {
    const planted = 'attacker-chosen-session-id-0123456789abcdef';
    expect((await pageWith(planted)).statusCode).toBe(303);
    const login = await loginCarrying(planted);
    expect(login.statusCode).toBe(303);
    const issued = setCookie(login, SESSION);
    expect(issued).toBeDefined();
    expect(issued).not.toBe(planted);
    expect((await pageWith(issued!)).statusCode).toBe(200);
    expect((await pageWith(planted)).statusCode).toBe(303);
  });

  it('a live session planted before login is replaced, and the planted one stops working', async () => {
    const attacker = await pageSession(t.app);
    const planted = cookieValue(attacker.cookie, SESSION);
    expect((await pageWith(planted)).statusCode).toBe(200);

    addUser(t.db, 'f.victim', 'engineer');
    const login = await loginCarrying(planted, { username: 'f.victim', password: 'Engineer-Pw-For-Pitlane-1' });
    expect(login.statusCode).toBe(303);
    const issued = setCookie(login, SESSION)!;
    expect(issued).not.toBe(planted);
    const old = await pageWith(planted);
    expect(old.statusCode).toBe(303);
    expect(old.headers.location).toBe('/login?next=%2Fseries');
    const fresh = await pageWith(issued);
    expect(fresh.statusCode).toBe(200);
  });

  it('marks the session cookie HttpOnly and SameSite', async () => {
    const login = await loginCarrying('none');
    const raw = ([] as string[]).concat(login.headers['set-cookie'] as string | string[]).find((c) => c.startsWith(`${SESSION}=`))!;
    expect(raw).toMatch(/HttpOnly/i);
    expect(raw).toMatch(/SameSite=Lax/i);
    expect(raw).toMatch(/Path=\//);
  });
});

describe('ending sessions', () => {
  it('logout ends the session: the old cookie redirects to /login', async () => {
    const s = await pageSession(t.app);
    const id = cookieValue(s.cookie, SESSION);
    const out = await s.post('/logout', {});
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/login');
    const after = await s.get('/');
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toMatch(/^\/login/);
    expect(findSession(t.db, id)).toBeUndefined();
  });

  it('disabling a user ends their sessions at once, and their tokens answer 401', async () => {
    const user = addUser(t.db, 'd.leaver', 'engineer');
    const s = await pageSession(t.app, user);
    const token = tokenFor(t.db, 'd.leaver');
    expect((await s.get('/series')).statusCode).toBe(200);
    expect((await api(t.app, { token }).get('/api/v1/series')).statusCode).toBe(200);

    const row = findUserByUsername(t.db, 'd.leaver')!;
    updateUser(t.db, { id: 1, name: 'admin' }, row.id, row.version, { disabled: true });

    const page = await s.get('/series');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toMatch(/^\/login/);
    const res = await api(t.app, { token }).get('/api/v1/series');
    expect(res.statusCode).toBe(401);
    expect(res.json().detail).toMatch(/disabled/);
    expect(countRows(t.db, 'sessions')).toBeGreaterThan(0); // others' sessions stay
    expect((t.db.sqlite.prepare('SELECT count(*) AS n FROM sessions WHERE user_id = ?').get(row.id) as { n: number }).n).toBe(0);
    // Signing in again is refused too.
    expect((await loginCarrying('', user)).statusCode).toBe(401);
  });
});

describe('timeouts', () => {
  it('an idle session ends after the idle timeout; activity keeps it alive', async () => {
    const s = await pageSession(t.app);
    const id = cookieValue(s.cookie, SESSION);
    const start = Date.now();
    expect(findSession(t.db, id, new Date(start + SESSION_IDLE_MS - 60_000))).toBeDefined();
    // That check counted as activity: the idle clock starts again from there.
    expect(findSession(t.db, id, new Date(start + 2 * SESSION_IDLE_MS - 120_000))).toBeDefined();
    expect(findSession(t.db, id, new Date(start + 3 * SESSION_IDLE_MS))).toBeUndefined();
    expect((await s.get('/series')).statusCode).toBe(303);
  });

  it('an idle session found through the page (last seen long ago) redirects to the login', async () => {
    const s = await pageSession(t.app);
    const idHash = hashSecret(cookieValue(s.cookie, SESSION));
    const changed = t.db.sqlite.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?').run(new Date(Date.now() - SESSION_IDLE_MS - 60_000).toISOString(), idHash);
    expect(changed.changes).toBe(1);
    const res = await s.get('/series');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fseries');
  });

  it('an active session still ends at the absolute timeout', async () => {
    const s = await pageSession(t.app);
    const id = cookieValue(s.cookie, SESSION);
    const start = Date.now();
    const step = SESSION_IDLE_MS / 2;
    let at = start;
    while (at + step < start + SESSION_ABSOLUTE_MS - 60_000) {
      at += step;
      expect(findSession(t.db, id, new Date(at)), new Date(at).toISOString()).toBeDefined();
    }
    expect(findSession(t.db, id, new Date(start + SESSION_ABSOLUTE_MS + 60_000))).toBeUndefined();
  });
});

describe('CSRF tokens are bound to the session', () => {
  it('a token from session A fails in session B with 403, and nothing is written', async () => {
    const a = await pageSession(t.app);
    const b = await pageSession(t.app);
    const before = countRows(t.db, 'series');
    const post = (cookie: string, token: string, name: string) =>
      t.app.inject({
        method: 'POST',
        url: '/series',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: encodeForm({ _csrf: token, name }),
      });

    // A's token with B's cookies.
    expect((await post(b.cookie, a.token, 'Cross A→B')).statusCode).toBe(403);
    // A's token with A's CSRF secret cookie, but B's session: still refused (bound to the session).
    const mixed = `_csrf=${cookieValue(a.cookie, '_csrf')}; ${SESSION}=${cookieValue(b.cookie, SESSION)}`;
    expect((await post(mixed, a.token, 'Mixed')).statusCode).toBe(403);
    // The header form (htmx) is checked the same way.
    const viaHeader = await t.app.inject({
      method: 'POST',
      url: '/series',
      headers: { cookie: b.cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': a.token },
      payload: encodeForm({ name: 'Header' }),
    });
    expect(viaHeader.statusCode).toBe(403);
    expect(countRows(t.db, 'series')).toBe(before);

    // Each session's own token works.
    expect((await post(b.cookie, b.token, 'Own token B')).statusCode).toBe(303);
    expect(countRows(t.db, 'series')).toBe(before + 1);
  });

  it('a session cookie does not open the API (the API accepts only bearer tokens)', async () => {
    const s: PageSession = await pageSession(t.app);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/series', headers: { cookie: s.cookie } });
    expect(res.statusCode).toBe(401);
  });
});

describe('last-seen bookkeeping while another connection writes', () => {
  it('a page request whose session is due a last-seen write neither fails nor waits for a long write elsewhere (an import)', async () => {
    const user = addUser(t.db, 'busy-reader', 'viewer');
    const userId = findUserByUsername(t.db, 'busy-reader')!.id;
    const s = await pageSession(t.app, user);
    // The session is due its once-a-minute touch.
    t.db.sqlite.prepare(`UPDATE sessions SET last_seen_at = ? WHERE user_id = ?`).run(new Date(Date.now() - 5 * 60_000).toISOString(), userId);
    const other = openDatabase(path.join(t.dir, 'pitlane.db'));
    other.sqlite.exec('BEGIN IMMEDIATE');
    try {
      const started = performance.now();
      const page = await s.get('/test-runs');
      const waited = performance.now() - started;
      expect(page.statusCode).toBe(200);
      // The busy timeout is 5 s: not waiting it out is the point.
      expect(waited).toBeLessThan(2000);
    } finally {
      other.sqlite.exec('ROLLBACK');
      other.sqlite.close();
    }
    // The next request, with the lock gone, records it.
    expect((await s.get('/test-runs')).statusCode).toBe(200);
    const seen = t.db.sqlite.prepare(`SELECT last_seen_at FROM sessions WHERE user_id = ?`).get(userId) as { last_seen_at: string };
    expect(Date.now() - Date.parse(seen.last_seen_at)).toBeLessThan(60_000);
  });
});
