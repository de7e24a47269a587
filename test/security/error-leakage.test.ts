// A real failure on our side answers 500 with the generic problem (API) or error page (pages):
// no SQL, no driver text, no stack, no file paths. The log keeps the details.
import fs from 'node:fs';
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { openDatabase, type Db } from '../../src/db.js';
import { api, tempDir, testConfig, tokenFor } from '../support/app.js';
import { pageSession } from '../support/pages.js';

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
  app = await buildApp({ config, db, logger: { level: 'error', stream } });
  // Throwaway routes that fail the way real code can: bad SQL, a driver on a closed handle, a bug.
  app.get('/api/v1/test-boom/sql', async () => db.sqlite.prepare('SELECT secret_column FROM no_such_table WHERE x = 1').all());
  app.get('/api/v1/test-boom/bug', async () => {
    const missing = undefined as unknown as { deep: { value: number } };
    return { value: missing.deep.value };
  });
  app.get('/test-boom/page', async () => db.sqlite.prepare('SELECT secret_column FROM no_such_table').all());
  await app.ready();
});

afterAll(async () => {
  await app.close();
  db.sqlite.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const INTERNALS = [/no_such_table/i, /secret_column/i, /SELECT/, /SQLITE/i, /sqlite/i, /better-sqlite3/, /\bat \S+ \(/, /\.ts:\d+/, /node_modules/, /TypeError/, /Cannot read/, /undefined \(reading/];

function expectGeneric500(res: LightMyRequestResponse) {
  expect(res.statusCode).toBe(500);
  for (const pattern of INTERNALS) expect(res.body, String(pattern)).not.toMatch(pattern);
}

function expectProblem500(res: LightMyRequestResponse) {
  expectGeneric500(res);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json()).toEqual({ type: '/problems/internal', title: 'Internal error', status: 500, detail: 'An unexpected error occurred. It has been logged.' });
}

describe('no internals in 5xx answers', () => {
  it('a forced database error answers the generic problem; the log has the details', async () => {
    logs = '';
    const token = tokenFor(db, 'admin');
    expectProblem500(await api(app, { token }).get('/api/v1/test-boom/sql'));
    expect(logs).toMatch(/no such table: no_such_table/);
  });

  it('a bug (TypeError) answers the same generic problem', async () => {
    expectProblem500(await api(app, { token: tokenFor(db, 'admin') }).get('/api/v1/test-boom/bug'));
  });

  it('a real route whose table is gone answers the generic problem, for reads and writes', async () => {
    const http = api(app, { token: tokenFor(db, 'admin') });
    db.sqlite.exec('ALTER TABLE series RENAME TO series_hidden');
    try {
      expectProblem500(await http.get('/api/v1/series'));
      expectProblem500(await http.post('/api/v1/series', { name: 'Nowhere' }));
    } finally {
      db.sqlite.exec('ALTER TABLE series_hidden RENAME TO series');
    }
    expect((await http.get('/api/v1/series')).statusCode).toBe(200);
  });

  it('pages answer the HTML error page without internals', async () => {
    const session = await pageSession(app);
    const res = await session.get('/test-boom/page');
    expectGeneric500(res);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('Something went wrong on our side');

    db.sqlite.exec('ALTER TABLE series RENAME TO series_hidden');
    try {
      const list = await session.get('/series');
      expectGeneric500(list);
      expect(list.headers['content-type']).toMatch(/^text\/html/);
    } finally {
      db.sqlite.exec('ALTER TABLE series_hidden RENAME TO series');
    }
  });
});
