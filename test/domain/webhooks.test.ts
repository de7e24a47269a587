// Webhooks in the domain: which addresses are private, the signature, and the outbox rows that
// writes queue in their own transaction (test runs, suspect transfers, readiness levels).
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type Db } from '../../src/db.js';
import type { Actor } from '../../src/domain/actor.js';
import { backoffMs } from '../../src/domain/outbox.js';
import { createReadinessAssessment, deleteReadinessAssessment, getReadinessAssessment } from '../../src/domain/readiness.js';
import { transferFingerprint } from '../../src/domain/suspect.js';
import { getTechnology, updateTechnology } from '../../src/domain/technologies.js';
import { createTestRun, updateTestRun } from '../../src/domain/test-runs.js';
import { enqueueEvent, isPrivateAddress, signatureHeader, webhookUrlProblem } from '../../src/domain/webhooks.js';
import { inTransaction } from '../../src/domain/records.js';
import os from 'node:os';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'pitlane-webhooks-'));

let db: Db;
let dir: string;
const actor: Actor = { id: null, name: 'k.tanaka' };

beforeAll(() => {
  dir = tempDir();
  db = openDatabase(path.join(dir, 'pitlane.db'));
  migrateDatabase(db);
});
afterAll(() => {
  db.sqlite.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  db.sqlite.exec('DELETE FROM webhook_deliveries; DELETE FROM webhooks;');
});

const insert = (sqlText: string, ...params: unknown[]) => Number(db.sqlite.prepare(sqlText).run(...params).lastInsertRowid);

function addHook(events: string[], active = true): number {
  return insert(`INSERT INTO webhooks (url, events, secret, active) VALUES ('https://example.com/h', ?, 'whsec_x', ?)`, events.join(','), active ? 1 : 0);
}

function queued(event?: string) {
  const rows = db.sqlite.prepare('SELECT webhook_id, event, payload, status FROM webhook_deliveries ORDER BY id').all() as { webhook_id: number; event: string; payload: string; status: string }[];
  return rows.filter((r) => !event || r.event === event).map((r) => ({ ...r, payload: JSON.parse(r.payload) }));
}

let unique = 0;
function world() {
  const n = ++unique;
  const prototypeId = insert(`INSERT INTO prototypes (code, kind) VALUES (?, 'race_car')`, `FE-${n}`);
  const categoryId = insert(`INSERT INTO technology_categories (name) VALUES (?)`, `Inverters ${n}`);
  const tech = (name: string) => insert(`INSERT INTO technologies (name, domain, category_id) VALUES (?, 'hardware', ?)`, `${name} ${n}`, categoryId);
  const raceInverter = tech('FE inverter');
  const roadInverter = tech('Road inverter');
  insert(`INSERT INTO technology_derivations (parent_id, child_id) VALUES (?, ?)`, raceInverter, roadInverter);
  const roadModel = insert(`INSERT INTO road_models (name, powertrain, status) VALUES (?, 'ev', 'development')`, `Ariya NISMO ${n}`);
  // Reviewed long ago: later fails count (SUS-1); the fingerprint is current (no SUS-2 yet).
  const transfer = insert(
    `INSERT INTO transfers (technology_id, road_model_id, stage, reviewed_at, review_fingerprint, created_at) VALUES (?, ?, 'approved', '2020-01-01T00:00:00.000Z', ?, '2020-01-01T00:00:00.000Z')`,
    roadInverter,
    roadModel,
    transferFingerprint(db, roadInverter),
  );
  const run = (technologyId: number, outcome: 'pass' | 'fail', extra: Record<string, unknown> = {}) =>
    createTestRun(db, actor, {
      prototype_id: prototypeId,
      title: 'Race stint',
      venue_type: 'track',
      start_time: '2026-05-14T09:30:00Z',
      end_time: '2026-05-14T10:30:00Z',
      evidence: [{ technology_id: technologyId, outcome }],
      ...extra,
    });
  return { raceInverter, roadInverter, transfer, run };
}

describe('private addresses', () => {
  it('knows private, loopback, link-local, unique-local and special IPv4 and IPv6 addresses', () => {
    for (const ip of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fe80::1%eth0', 'fc00::1', 'fd12:3456:789a::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '64:ff9b::a00:1', '2002:c0a8:0101::1', 'not-an-ip']) {
      expect(isPrivateAddress(ip), ip).toBe(true);
    }
    for (const ip of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '93.184.216.34', '2001:4860:4860::8888', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808']) {
      expect(isPrivateAddress(ip), ip).toBe(false);
    }
  });

  it('checks webhook URLs: scheme, credentials and (unless allowed) the resolved address', async () => {
    expect(await webhookUrlProblem('http://127.0.0.1:8080/hook', false)).toMatch(/resolves to 127\.0\.0\.1, a private, loopback or link-local address/);
    expect(await webhookUrlProblem('http://localhost/hook', false)).toMatch(/private, loopback or link-local/);
    expect(await webhookUrlProblem('http://[::1]/hook', false)).toMatch(/::1/);
    expect(await webhookUrlProblem('http://127.0.0.1:8080/hook', true)).toBeUndefined();
    expect(await webhookUrlProblem('http://93.184.216.34/hook', false)).toBeUndefined();
    expect(await webhookUrlProblem('ftp://93.184.216.34/x', true)).toBe('must be an http or https URL');
    expect(await webhookUrlProblem('not a url', true)).toBe('must be an absolute http or https URL');
    expect(await webhookUrlProblem('http://a:b@127.0.0.1/x', true)).toMatch(/user name or password/);
  });
});

describe('signing and retries', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 of the secret', () => {
    const body = '{"event":"test_run.created"}';
    const header = signatureHeader('whsec_abc', body, 1_778_751_900);
    expect(header).toBe(`t=1778751900,v1=${createHmac('sha256', 'whsec_abc').update(`1778751900.${body}`).digest('hex')}`);
    expect(signatureHeader('whsec_abc', `${body} `, 1_778_751_900)).not.toBe(header);
  });

  it('backs off exponentially from the base: 30 s, 1 min, 2 min, ...', () => {
    expect([1, 2, 3, 7].map((n) => backoffMs(n, { backoffBaseMs: 30_000 }))).toEqual([30_000, 60_000, 120_000, 1_920_000]);
  });
});

describe('the outbox', () => {
  it('queues one row per active subscribed hook, in the transaction of the write', () => {
    const a = addHook(['test_run.created', 'test_run.updated']);
    const b = addHook(['test_run.created']);
    addHook(['readiness.changed']);
    addHook(['test_run.created'], false);
    expect(inTransaction(db, () => enqueueEvent(db, 'test_run.created', { x: 1 }, '2026-05-14T09:30:00.000Z'))).toBe(2);
    expect(queued().map((r) => r.webhook_id)).toEqual([a, b]);
    expect(queued()[0]).toMatchObject({ event: 'test_run.created', status: 'pending', payload: { event: 'test_run.created', occurred_at: '2026-05-14T09:30:00.000Z', data: { x: 1 } } });
    // A write that fails takes its outbox rows with it.
    expect(() =>
      inTransaction(db, () => {
        enqueueEvent(db, 'test_run.created', { x: 2 });
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(queued()).toHaveLength(2);
  });

  it('queues test_run.created and test_run.updated with the run; a refused write queues nothing', () => {
    addHook(['test_run.created', 'test_run.updated']);
    const w = world();
    const run = w.run(w.roadInverter, 'pass');
    expect(queued('test_run.created')).toMatchObject([{ payload: { data: { test_run: { id: run.id, code: run.code, evidence: [{ technology_id: w.roadInverter, outcome: 'pass' }] } } } }]);
    updateTestRun(db, actor, run.id, run.version, { title: 'Renamed' });
    expect(queued('test_run.updated')).toMatchObject([{ payload: { data: { test_run: { id: run.id, title: 'Renamed', version: 2 } } } }]);
    expect(() => updateTestRun(db, actor, run.id, 1, { title: 'Stale' })).toThrow();
    expect(() => w.run(999_999, 'pass')).toThrow();
    expect(queued()).toHaveLength(2);
  });

  it('queues transfer.suspect once when a fail makes a transfer suspect, also through an ancestor', () => {
    addHook(['transfer.suspect']);
    const w = world();
    w.run(w.roadInverter, 'pass');
    expect(queued('transfer.suspect')).toHaveLength(0);
    const failing = w.run(w.raceInverter, 'fail'); // the ancestor fails: the road transfer is suspect
    const events = queued('transfer.suspect');
    expect(events).toHaveLength(1);
    expect(events[0]!.payload.data).toMatchObject({ transfer_id: w.transfer, technology_id: w.roadInverter, reasons: [{ rule: 'SUS-1', run_id: failing.id, technology_id: w.raceInverter }] });
    // Still suspect after another fail: not sent again.
    w.run(w.roadInverter, 'fail');
    expect(queued('transfer.suspect')).toHaveLength(1);
  });

  it('queues transfer.suspect when a pass is edited into a fail, and when a definition changes (SUS-2)', () => {
    addHook(['transfer.suspect']);
    const w = world();
    const run = w.run(w.roadInverter, 'pass');
    updateTestRun(db, actor, run.id, run.version, { evidence: [{ technology_id: w.roadInverter, outcome: 'fail' }] });
    expect(queued('transfer.suspect')).toHaveLength(1);

    const other = world();
    const tech = getTechnology(db, other.raceInverter);
    updateTechnology(db, actor, tech.id, tech.version, { description: 'New cooling plate' });
    const events = queued('transfer.suspect').filter((e) => e.payload.data.transfer_id === other.transfer);
    expect(events).toHaveLength(1);
    expect(events[0]!.payload.data.reasons[0].rule).toBe('SUS-2');
  });

  it('skips the suspect check when no hook listens to transfer.suspect', () => {
    addHook(['test_run.created']);
    const w = world();
    w.run(w.raceInverter, 'fail');
    expect(queued('transfer.suspect')).toHaveLength(0);
  });

  it('queues readiness.changed when the current level of a target moves, not when it stays', () => {
    addHook(['readiness.changed']);
    const w = world();
    const first = createReadinessAssessment(db, actor, { technology_id: w.raceInverter, target: 'race', level: 3, assessed_on: '2026-01-10' });
    expect(queued('readiness.changed').map((e) => e.payload.data)).toEqual([
      { technology_id: w.raceInverter, target: 'race', level: 3, previous_level: null, assessment_id: first.id },
    ]);
    createReadinessAssessment(db, actor, { technology_id: w.raceInverter, target: 'race', level: 3, assessed_on: '2026-02-10' });
    expect(queued('readiness.changed')).toHaveLength(1);
    const higher = createReadinessAssessment(db, actor, { technology_id: w.raceInverter, target: 'race', level: 4, assessed_on: '2026-03-10' });
    expect(queued('readiness.changed').at(-1)!.payload.data).toMatchObject({ level: 4, previous_level: 3, assessment_id: higher.id });
    deleteReadinessAssessment(db, actor, higher.id, getReadinessAssessment(db, higher.id).version);
    expect(queued('readiness.changed').at(-1)!.payload.data).toMatchObject({ level: 3, previous_level: 4 });
    expect(queued('readiness.changed')).toHaveLength(3);
  });
});
