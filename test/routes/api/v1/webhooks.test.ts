// Webhooks end to end against a receiver on 127.0.0.1: signed deliveries from the outbox,
// retries with backoff, a hanging receiver that never slows a write, the outbox surviving a
// restart, and the refusal of private addresses by default.
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../../src/app.js';
import { openDatabase, type Db } from '../../../../src/db.js';
import { setOutboxTiming } from '../../../../src/domain/outbox.js';
import { addUser, api, countRows, createTestApp, json, tempDir, testConfig, tokenFor, type TestApp } from '../../../support/app.js';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A tiny receiver: records every request and answers with `respond` (status, or 'hang' to never answer). */
async function receiver(respond: (n: number) => number | 'hang' = () => 200) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = respond(received.length);
      if (answer === 'hang') return; // never answers
      res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/pitlane`,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function waitFor<T>(check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function fixtures(db: Db, n: number) {
  const insert = (sqlText: string, ...params: unknown[]) => Number(db.sqlite.prepare(sqlText).run(...params).lastInsertRowid);
  const prototypeId = insert(`INSERT INTO prototypes (code, kind) VALUES (?, 'mule')`, `FE-MULE-${n}`);
  const categoryId = insert(`INSERT INTO technology_categories (name) VALUES (?)`, `Inverter ${n}`);
  const techId = insert(`INSERT INTO technologies (name, domain, category_id) VALUES (?, 'hardware', ?)`, `SiC inverter ${n}`, categoryId);
  return {
    run: (extra: Record<string, unknown> = {}) => ({
      prototype_id: prototypeId,
      title: `Inverter soak ${n}`,
      venue_type: 'dyno',
      start_time: '2026-05-14T09:30:00Z',
      evidence: [{ technology_id: techId, outcome: 'pass' }],
      ...extra,
    }),
  };
}

function deliveries(db: Db, webhookId: number) {
  return db.sqlite.prepare('SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id').all(webhookId) as {
    id: number;
    event: string;
    status: string;
    attempts: number;
    last_status: number | null;
    last_error: string;
    next_attempt_at: string;
  }[];
}

/** Verifies `t=…,v1=…` as a receiver would. */
function verifies(header: string, secret: string, body: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest('hex');
  return expected === m[2] && Math.abs(Date.now() / 1000 - Number(m[1])) < 60;
}

let t: TestApp;
let n = 0;
const closers: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  setOutboxTiming({ pollMs: 20, backoffBaseMs: 40, timeoutMs: 5000 });
  t = await createTestApp({ webhookAllowPrivate: true });
});
afterEach(async () => {
  // Each test has its own hooks: earlier ones must not receive later tests' events.
  t.db.sqlite.exec('DELETE FROM webhook_deliveries; DELETE FROM webhooks;');
  while (closers.length) await closers.pop()!();
});
afterAll(async () => {
  await t.close();
  setOutboxTiming();
});

async function hook(app: FastifyInstance, url: string, events = ['test_run.created', 'test_run.updated']) {
  const res = await api(app).post('/api/v1/webhooks', { url, events, description: 'test receiver' });
  expect(res.statusCode, res.body).toBe(201);
  return json<{ id: number; secret: string; version: number }>(res);
}

describe('webhooks API', () => {
  it('registers a hook and shows its secret once; reads and the audit never carry it', async () => {
    const r = await receiver();
    closers.push(r.close);
    const created = await hook(t.app, r.url);
    expect(created.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    const got = await api(t.app).get(`/api/v1/webhooks/${created.id}`);
    expect(got.statusCode).toBe(200);
    expect(json(got)).toMatchObject({ id: created.id, url: r.url, events: ['test_run.created', 'test_run.updated'], active: true });
    expect(got.body).not.toContain(created.secret);
    expect((await api(t.app).get('/api/v1/webhooks')).body).not.toContain(created.secret);
    const audit = t.db.sqlite.prepare(`SELECT after FROM audit_events WHERE entity = 'webhook' AND entity_id = ?`).all(String(created.id)) as { after: string }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).not.toContain(created.secret);
  });

  it('posts a signed delivery for a new test run (Pitlane-Signature verifies)', async () => {
    const r = await receiver();
    closers.push(r.close);
    const created = await hook(t.app, r.url);
    const fx = fixtures(t.db, ++n);
    const run = await api(t.app).post('/api/v1/test-runs', fx.run());
    expect(run.statusCode).toBe(201);
    const got = await waitFor(() => r.received[0]);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['pitlane-event']).toBe('test_run.created');
    const [row] = deliveries(t.db, created.id);
    expect(got.headers['pitlane-delivery']).toBe(String(row!.id));
    expect(verifies(String(got.headers['pitlane-signature']), created.secret, got.body)).toBe(true);
    expect(verifies(String(got.headers['pitlane-signature']), 'whsec_wrong', got.body)).toBe(false);
    const body = JSON.parse(got.body);
    expect(body).toMatchObject({ event: 'test_run.created', data: { test_run: { id: json(run).id, code: json(run).code, evidence: json(run).evidence } } });
    await waitFor(() => deliveries(t.db, created.id)[0]!.status === 'delivered');
    expect(deliveries(t.db, created.id)[0]).toMatchObject({ status: 'delivered', attempts: 1, last_status: 200 });
    const listed = await api(t.app).get(`/api/v1/webhooks/${created.id}/deliveries`);
    expect(json(listed).items[0]).toMatchObject({ id: row!.id, event: 'test_run.created', status: 'delivered', attempts: 1, last_status: 200 });
  });

  it('retries after 500s with backoff, same delivery id, until a 2xx', async () => {
    const r = await receiver((i) => (i <= 2 ? 500 : 204));
    closers.push(r.close);
    const created = await hook(t.app, r.url);
    const fx = fixtures(t.db, ++n);
    expect((await api(t.app).post('/api/v1/test-runs', fx.run())).statusCode).toBe(201);
    await waitFor(() => deliveries(t.db, created.id)[0]?.status === 'delivered');
    expect(r.received).toHaveLength(3);
    expect(new Set(r.received.map((x) => x.headers['pitlane-delivery'])).size).toBe(1);
    expect(deliveries(t.db, created.id)[0]).toMatchObject({ status: 'delivered', attempts: 3, last_status: 204 });
  });

  it('gives up after the last attempt: the delivery is failed, with the last answer', async () => {
    setOutboxTiming({ maxAttempts: 3 });
    try {
      const r = await receiver(() => 503);
      closers.push(r.close);
      const created = await hook(t.app, r.url);
      const fx = fixtures(t.db, ++n);
      await api(t.app).post('/api/v1/test-runs', fx.run());
      await waitFor(() => deliveries(t.db, created.id)[0]?.status === 'failed');
      expect(deliveries(t.db, created.id)[0]).toMatchObject({ status: 'failed', attempts: 3, last_status: 503, last_error: 'HTTP 503' });
      expect(r.received).toHaveLength(3);
      // An admin may ask for one more attempt.
      const id = deliveries(t.db, created.id)[0]!.id;
      const retry = await api(t.app).post(`/api/v1/webhooks/${created.id}/deliveries/${id}/retry`, undefined);
      expect(retry.statusCode).toBe(200);
      expect(json(retry).status).toBe('pending');
      await waitFor(() => r.received.length === 4);
    } finally {
      setOutboxTiming({ maxAttempts: 8 });
    }
  });

  it('never slows the write: a hanging receiver leaves POST fast', async () => {
    const r = await receiver(() => 'hang');
    closers.push(r.close);
    await hook(t.app, r.url);
    const fx = fixtures(t.db, ++n);
    await api(t.app).post('/api/v1/test-runs', fx.run());
    await waitFor(() => r.received.length === 1); // the worker is now stuck on the receiver
    const start = performance.now();
    const res = await api(t.app).post('/api/v1/test-runs', fx.run({ title: 'second run while the receiver hangs' }));
    const took = performance.now() - start;
    expect(res.statusCode).toBe(201);
    expect(took).toBeLessThan(200);
  });

  it('writes outbox rows in the transaction of the change: a refused write queues nothing; inactive hooks get nothing', async () => {
    const r = await receiver();
    closers.push(r.close);
    const created = await hook(t.app, r.url);
    const fx = fixtures(t.db, ++n);
    const before = countRows(t.db, 'webhook_deliveries');
    const bad = await api(t.app).post('/api/v1/test-runs', fx.run({ prototype_id: 999999 }));
    expect(bad.statusCode).toBe(422);
    expect(countRows(t.db, 'webhook_deliveries')).toBe(before);

    const off = await api(t.app).patch(`/api/v1/webhooks/${created.id}`, { active: false }, { 'if-match': `"${created.version}"` });
    expect(off.statusCode).toBe(200);
    expect(json(off).active).toBe(false);
    await api(t.app).post('/api/v1/test-runs', fx.run());
    expect(deliveries(t.db, created.id)).toHaveLength(0);

    const del = await api(t.app).delete(`/api/v1/webhooks/${created.id}`, { 'if-match': `"${json(off).version}"` });
    expect(del.statusCode).toBe(204);
    expect((await api(t.app).get(`/api/v1/webhooks/${created.id}`)).statusCode).toBe(404);
  });

  it('sends test_run.updated with the run after the change', async () => {
    const r = await receiver();
    closers.push(r.close);
    await hook(t.app, r.url, ['test_run.updated']);
    const fx = fixtures(t.db, ++n);
    const run = await api(t.app).post('/api/v1/test-runs', fx.run());
    const patched = await api(t.app).patch(`/api/v1/test-runs/${json(run).id}`, { title: 'Renamed soak' }, { 'if-match': String(run.headers.etag) });
    expect(patched.statusCode).toBe(200);
    const got = await waitFor(() => r.received[0]);
    expect(got.headers['pitlane-event']).toBe('test_run.updated');
    expect(JSON.parse(got.body).data.test_run).toMatchObject({ id: json(run).id, title: 'Renamed soak', version: 2 });
    expect(r.received).toHaveLength(1); // the create was not subscribed
  });

  it('is for admins only, reads included', async () => {
    addUser(t.db, 'kato', 'engineer');
    const token = tokenFor(t.db, 'kato');
    expect((await api(t.app, { token }).get('/api/v1/webhooks')).statusCode).toBe(403);
    const post = await api(t.app, { token }).post('/api/v1/webhooks', { url: 'http://127.0.0.1:9/x', events: ['test_run.created'] });
    expect(post.statusCode).toBe(403);
    expect((await api(t.app, { token: null }).get('/api/v1/webhooks')).statusCode).toBe(401);
  });

  it('validates the body: unknown events and fields are 400', async () => {
    expect((await api(t.app).post('/api/v1/webhooks', { url: 'http://127.0.0.1:9/x', events: ['run.deleted'] })).statusCode).toBe(400);
    expect((await api(t.app).post('/api/v1/webhooks', { url: 'http://127.0.0.1:9/x', events: [] })).statusCode).toBe(400);
    expect((await api(t.app).post('/api/v1/webhooks', { url: 'http://127.0.0.1:9/x', events: ['test_run.created'], secret: 'mine' })).statusCode).toBe(400);
  });
});

describe('webhook targets', () => {
  it('refuses private, loopback, link-local and unique-local URLs by default (422 naming /url)', async () => {
    const strict = await createTestApp();
    try {
      for (const url of [
        'http://127.0.0.1:8080/hook',
        'http://localhost/hook',
        'http://[::1]/hook',
        'http://10.1.2.3/hook',
        'http://192.168.0.10/hook',
        'http://172.20.0.1/hook',
        'http://169.254.169.254/latest/meta-data',
        'http://[fe80::1]/hook',
        'http://[fd12:3456::1]/hook',
        'http://[::ffff:127.0.0.1]/hook',
        'http://0.0.0.0/hook',
      ]) {
        const res = await api(strict.app).post('/api/v1/webhooks', { url, events: ['test_run.created'] });
        expect(res.statusCode, url).toBe(422);
        expect(json(res).errors[0].path, url).toBe('/url');
        expect(json(res).errors[0].message, url).toMatch(/private, loopback or link-local/);
      }
      expect(countRows(strict.db, 'webhooks')).toBe(0);
      const ftp = await api(strict.app).post('/api/v1/webhooks', { url: 'ftp://files.example.com/x', events: ['test_run.created'] });
      expect(ftp.statusCode).toBe(422);
      const creds = await api(strict.app).post('/api/v1/webhooks', { url: 'https://user:pw@example.com/x', events: ['test_run.created'] });
      expect(creds.statusCode).toBe(422);
      expect(json(creds).errors[0].message).toMatch(/user name or password/);
    } finally {
      await strict.close();
    }
  });
});

describe('the outbox across a restart', () => {
  it('delivers rows left pending by one app instance from the next one on the same data folder', async () => {
    const r = await receiver();
    closers.push(r.close);
    const dir = tempDir();
    const config = testConfig(dir, { webhookAllowPrivate: true });
    // First instance: its worker looks once at start, then not for an hour.
    setOutboxTiming({ pollMs: 3_600_000 });
    const dbA = openDatabase(config.dbFile);
    const appA = await buildApp({ config, db: dbA, logger: false });
    await appA.ready();
    const token = tokenFor(dbA, 'admin');
    const created = json((await api(appA, { token }).post('/api/v1/webhooks', { url: r.url, events: ['test_run.created'] })));
    const fx = fixtures(dbA, ++n);
    expect((await api(appA, { token }).post('/api/v1/test-runs', fx.run())).statusCode).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.received).toHaveLength(0);
    expect(deliveries(dbA, created.id)).toMatchObject([{ status: 'pending', attempts: 0 }]);
    await appA.close();
    dbA.sqlite.close();

    setOutboxTiming({ pollMs: 20 });
    const dbB = openDatabase(config.dbFile);
    const appB = await buildApp({ config, db: dbB, logger: false });
    await appB.ready();
    try {
      const got = await waitFor(() => r.received[0]);
      expect(verifies(String(got.headers['pitlane-signature']), created.secret, got.body)).toBe(true);
      await waitFor(() => deliveries(dbB, created.id)[0]?.status === 'delivered');
    } finally {
      await appB.close();
      dbB.sqlite.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
