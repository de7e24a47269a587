// The log is for operators: it carries who and what, never a password, a token secret or a
// session id, at any level.
import fs from 'node:fs';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { openDatabase, type Db } from '../../src/db.js';
import { ADMIN_PASSWORD, api, tempDir, testConfig, tokenFor } from '../support/app.js';
import { csrfTokenOf, encodeForm, pageSession } from '../support/pages.js';

let app: FastifyInstance;
let db: Db;
let dir: string;
let logs = '';

beforeAll(async () => {
  dir = tempDir();
  const config = testConfig(dir);
  db = openDatabase(config.dbFile);
  const stream = new Writable({
    write(chunk, _enc, done) {
      logs += String(chunk);
      done();
    },
  });
  app = await buildApp({ config, db, logger: { level: 'trace', stream } });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  db.sqlite.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('log redaction', () => {
  it('a login (good and bad) logs the username, never the password or the session id', async () => {
    logs = '';
    const loginPage = await app.inject({ method: 'GET', url: '/login' });
    const csrfCookie = String(loginPage.headers['set-cookie']).split(';')[0]!;
    const wrong = 'Wrong-Secret-Pw-4711';
    const bad = await app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: encodeForm({ _csrf: csrfTokenOf(loginPage.body), username: 'admin', password: wrong }),
    });
    expect(bad.statusCode).toBe(401);
    const session = await pageSession(app);
    const sessionId = /pitlane_session=([^;]+)/.exec(session.cookie)![1]!;
    expect((await session.get('/series')).statusCode).toBe(200);

    expect(logs).toMatch(/"event":"login-failed"/);
    expect(logs).toMatch(/"event":"login"/);
    expect(logs).toContain('"username":"admin"');
    expect(logs).not.toContain(ADMIN_PASSWORD);
    expect(logs).not.toContain(wrong);
    expect(logs).not.toContain(encodeURIComponent(ADMIN_PASSWORD));
    expect(logs).not.toContain(sessionId);
  });

  it('API calls with a bearer token (valid, invalid, failing) never log the token secret', async () => {
    logs = '';
    const token = tokenFor(db, 'admin');
    // pl_<8 hex>_<32 base64url>: the secret itself may contain or end with '_'
    const secretPart = token.slice('pl_00000000_'.length);
    expect(secretPart).toHaveLength(32);
    const http = api(app, { token });
    expect((await http.get('/api/v1/series')).statusCode).toBe(200);
    expect((await http.post('/api/v1/series', { name: 'Logged series' })).statusCode).toBe(201);
    expect((await http.post('/api/v1/series', { name: 42 })).statusCode).toBe(400);
    expect((await http.get('/api/v1/nowhere')).statusCode).toBe(404);
    const forged = `pl_0badc0de_${'A'.repeat(32)}`;
    expect((await api(app, { token: forged }).get('/api/v1/series')).statusCode).toBe(401);

    expect(logs).toContain('/api/v1/series');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(secretPart);
    expect(logs).not.toContain(forged);
    expect(logs.toLowerCase()).not.toContain('bearer ');
  });
});
