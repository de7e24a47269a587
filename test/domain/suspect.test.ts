// Suspect transfers: SUS-1 (a later fail, however it arrived), SUS-2 (a changed definition) and
// SUS-3 (a review clears both), through the domain functions that real writes go through.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type Db } from '../../src/db.js';
import type { Actor } from '../../src/domain/actor.js';
import { isSuspect, suspectTransfers, transferFingerprint } from '../../src/domain/suspect.js';
import { createTechnology, updateTechnology } from '../../src/domain/technologies.js';
import { createTestRun, getTestRun, updateTestRun, type TestRunInput } from '../../src/domain/test-runs.js';
import { createTransfer, getTransfer, reviewTransfer, updateTransfer, type TransferStage } from '../../src/domain/transfers.js';
import { tempDir } from '../support/app.js';

let db: Db;
let dir: string;
const actor: Actor = { id: null, name: 'm.sato' };

beforeAll(() => {
  dir = tempDir();
  db = openDatabase(path.join(dir, 'pitlane.db'));
  migrateDatabase(db);
});
afterAll(() => {
  db.sqlite.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const insert = (sqlText: string, ...params: unknown[]) => Number(db.sqlite.prepare(sqlText).run(...params).lastInsertRowid);
const tick = () => new Promise((r) => setTimeout(r, 3));

let unique = 0;
/** FE inverter → road inverter (derived), and a transfer of the road inverter to the Ariya NISMO. */
function world(stage: TransferStage = 'approved') {
  const n = ++unique;
  const category = insert(`INSERT INTO technology_categories (name) VALUES (?)`, `Inverter ${n}`);
  const grand = createTechnology(db, actor, { name: `SiC die ${n}`, domain: 'hardware', category_id: category });
  const parent = createTechnology(db, actor, { name: `FE inverter ${n}`, domain: 'hardware', category_id: category, derived_from: [grand.id] });
  const tech = createTechnology(db, actor, { name: `Road inverter ${n}`, domain: 'hardware', category_id: category, derived_from: [parent.id] });
  const unrelated = createTechnology(db, actor, { name: `Tyre compound ${n}`, domain: 'hardware', category_id: category });
  const model = insert(`INSERT INTO road_models (name, powertrain, status) VALUES (?, 'ev', 'production')`, `Ariya NISMO ${n}`);
  const proto = insert(`INSERT INTO prototypes (code, kind) VALUES (?, 'dyno_rig')`, `DYNO-${n}`);
  const transfer = createTransfer(db, actor, { technology_id: tech.id, road_model_id: model, stage });
  const run = (technologyId: number, outcome: 'pass' | 'fail' | 'inconclusive', extra: Partial<TestRunInput> = {}) =>
    createTestRun(db, actor, {
      prototype_id: proto,
      title: 'Inverter thermal soak',
      venue_type: 'dyno',
      start_time: '2026-03-01T09:00:00Z',
      end_time: '2026-03-01T17:00:00Z',
      evidence: [{ technology_id: technologyId, outcome }],
      ...extra,
    });
  /** Moves the transfer's last review back in time, so run end times can fall on either side of it. */
  const reviewedOn = (at: string) => db.sqlite.prepare(`UPDATE transfers SET reviewed_at = ? WHERE id = ?`).run(at, transfer.id);
  const reasons = () => suspectTransfers(db).find((s) => s.transfer_id === transfer.id)?.reasons ?? [];
  return { grand, parent, tech, unrelated, model, proto, transfer, run, reviewedOn, reasons };
}

describe('SUS-1', () => {
  it('SUS-1: a fail of an ancestor logged with createTestRun, on a run that ended after the last review, makes the transfer suspect', () => {
    const w = world();
    w.reviewedOn('2026-02-01T00:00:00.000Z');
    expect(isSuspect(db, w.transfer.id)).toBe(false);
    const failed = w.run(w.parent.id, 'fail', { start_time: '2026-02-10T09:00:00Z', end_time: '2026-02-10T12:00:00Z' });
    expect(isSuspect(db, w.transfer.id)).toBe(true);
    expect(w.reasons()).toEqual([
      {
        rule: 'SUS-1',
        run_id: failed.id,
        technology_id: w.parent.id,
        // Times as a person reads them, not as they are stored.
        detail: expect.stringMatching(
          new RegExp(`run ${failed.code} failed FE inverter \\d+ \\(an ancestor\\); it ended 2026-02-10 12:00 UTC, after the last review \\(2026-02-01 00:00 UTC\\)$`),
        ),
      },
    ]);
    const entry = suspectTransfers(db).find((s) => s.transfer_id === w.transfer.id)!;
    expect(entry).toMatchObject({ technology_id: w.tech.id, road_model_id: w.model });
  });

  it('SUS-1: a PATCH of an old run that turns an outcome into fail (updateTestRun) makes the transfer suspect', () => {
    const w = world();
    // The run ended in 2025, long before the review: only the edit brings the fail.
    const old = w.run(w.grand.id, 'pass', { start_time: '2025-06-01T09:00:00Z', end_time: '2025-06-01T12:00:00Z' });
    w.reviewedOn('2026-01-01T00:00:00.000Z');
    expect(isSuspect(db, w.transfer.id)).toBe(false);
    // An edit that keeps the pass changes nothing.
    updateTestRun(db, actor, old.id, old.version, { title: 'Renamed soak' });
    expect(isSuspect(db, w.transfer.id)).toBe(false);
    updateTestRun(db, actor, old.id, old.version + 1, { evidence: [{ technology_id: w.grand.id, outcome: 'fail', notes: 'Gate driver fault found in the logs' }] });
    expect(w.reasons()).toEqual([
      { rule: 'SUS-1', run_id: old.id, technology_id: w.grand.id, detail: expect.stringContaining('the fail was recorded after the last review') },
    ]);
  });

  it('SUS-1: a fail logged late (a historic run created after the review) counts too, as does a run completed after it', () => {
    const w = world();
    w.reviewedOn('2026-01-01T00:00:00.000Z');
    const running = w.run(w.tech.id, 'fail', { status: 'running', start_time: '2025-12-01T09:00:00Z', end_time: null });
    const late = world();
    late.reviewedOn('2026-01-01T00:00:00.000Z');
    late.run(late.tech.id, 'fail', { start_time: '2025-11-01T09:00:00Z', end_time: '2025-11-01T12:00:00Z' });
    expect(late.reasons().map((r) => r.rule)).toEqual(['SUS-1']);
    // A fail on a run still running does not count until the run is completed.
    expect(isSuspect(db, w.transfer.id)).toBe(false);
    updateTestRun(db, actor, running.id, running.version, { status: 'completed' });
    expect(w.reasons().map((r) => r.run_id)).toEqual([running.id]);
  });

  it('SUS-1: a fail known before the review, a pass, an unrelated technology or a transfer before approval is not suspect', () => {
    const w = world();
    w.run(w.tech.id, 'fail', { start_time: '2025-06-01T09:00:00Z', end_time: '2025-06-01T12:00:00Z' });
    w.run(w.tech.id, 'pass', { start_time: '2026-06-01T09:00:00Z', end_time: '2026-06-01T12:00:00Z' });
    w.run(w.unrelated.id, 'fail', { start_time: '2026-06-01T09:00:00Z', end_time: '2026-06-01T12:00:00Z' });
    // Logged after the transfer's creation: move the review after everything.
    w.reviewedOn('2099-01-01T00:00:00.000Z');
    expect(isSuspect(db, w.transfer.id)).toBe(false);

    const candidate = world('evaluation');
    candidate.reviewedOn('2026-01-01T00:00:00.000Z');
    candidate.run(candidate.tech.id, 'fail', { start_time: '2026-02-01T09:00:00Z', end_time: '2026-02-01T12:00:00Z' });
    expect(isSuspect(db, candidate.transfer.id)).toBe(false);
    const inProduction = updateTransfer(db, actor, candidate.transfer.id, undefined, { stage: 'in_production' });
    // The stage change is a review: the fail before it is known.
    expect(isSuspect(db, inProduction.id)).toBe(false);
  });
});

describe('SUS-2', () => {
  it('SUS-2: updateTechnology of an ancestor description makes the transfer suspect, naming the ancestor and field', async () => {
    const w = world();
    await tick();
    updateTechnology(db, actor, w.tech.id, undefined, { owner: 'NISMO e-powertrain' }); // not a defining field
    expect(isSuspect(db, w.transfer.id)).toBe(false);
    updateTechnology(db, actor, w.parent.id, undefined, { description: 'Now with a 900 V SiC stack' });
    expect(w.reasons()).toEqual([
      { rule: 'SUS-2', technology_id: w.parent.id, detail: expect.stringMatching(/^FE inverter \d+ \(an ancestor\) changed description on /) },
    ]);
    // Suspicion follows the net change: reverting the description clears it.
    updateTechnology(db, actor, w.parent.id, undefined, { description: '' });
    expect(isSuspect(db, w.transfer.id)).toBe(false);
  });

  it('SUS-2: with a stored fingerprint, a change is suspect even without an audit event, and a reverted change is not', async () => {
    const w = world();
    const stamp = (fp: string) => db.sqlite.prepare(`UPDATE transfers SET review_fingerprint = ? WHERE id = ?`).run(fp, w.transfer.id);
    stamp(transferFingerprint(db, w.tech.id));
    expect(transferFingerprint(db, w.tech.id)).toMatch(/^[0-9a-f]{64}$/);
    expect(transferFingerprint(db, w.tech.id)).not.toBe(transferFingerprint(db, w.parent.id));
    await tick();
    const changed = updateTechnology(db, actor, w.grand.id, undefined, { name: `${w.grand.name} rev B` });
    expect(w.reasons().map((r) => [r.rule, r.technology_id])).toEqual([['SUS-2', w.grand.id]]);
    updateTechnology(db, actor, w.grand.id, changed.version, { name: w.grand.name });
    expect(isSuspect(db, w.transfer.id)).toBe(false);

    db.sqlite.prepare(`UPDATE technologies SET description = 'edited outside the app' WHERE id = ?`).run(w.tech.id);
    expect(w.reasons()).toEqual([{ rule: 'SUS-2', detail: expect.stringMatching(/changed since the last review \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/) }]);
  });
});

describe('SUS-3', () => {
  it('SUS-3: reviewTransfer clears both SUS-1 and SUS-2, is audited, and a later fail makes the transfer suspect again', async () => {
    const w = world('in_production');
    w.reviewedOn('2026-01-01T00:00:00.000Z');
    w.run(w.tech.id, 'fail', { start_time: '2026-02-01T09:00:00Z', end_time: '2026-02-01T12:00:00Z' });
    await tick();
    updateTechnology(db, actor, w.tech.id, undefined, { domain: 'software' });
    expect(w.reasons().map((r) => r.rule).sort()).toEqual(['SUS-1', 'SUS-2']);

    await tick();
    const current = getTransfer(db, w.transfer.id);
    const reviewed = reviewTransfer(db, { id: null, name: 'product.lead' }, w.transfer.id, current.version, 'Checked the Feb dyno failure');
    expect(isSuspect(db, w.transfer.id)).toBe(false);
    const event = db.sqlite
      .prepare(`SELECT actor, after FROM audit_events WHERE entity = 'transfer' AND entity_id = ? ORDER BY seq DESC LIMIT 1`)
      .get(String(w.transfer.id)) as { actor: string; after: string };
    expect(event.actor).toBe('product.lead');
    expect(JSON.parse(event.after).reviewed_at).toBe(reviewed.reviewed_at);

    await tick();
    const again = w.run(w.parent.id, 'pass', { start_time: '2025-01-01T09:00:00Z', end_time: '2025-01-01T12:00:00Z' });
    updateTestRun(db, actor, again.id, getTestRun(db, again.id).version, { evidence: [{ technology_id: w.parent.id, outcome: 'fail' }] });
    expect(w.reasons().map((r) => [r.rule, r.run_id])).toEqual([['SUS-1', again.id]]);
  });
});

describe('suspectTransfers', () => {
  it('answers with a fixed number of queries whatever the number of transfers', () => {
    const worlds = [world(), world(), world()];
    for (const w of worlds) {
      w.reviewedOn('2026-01-01T00:00:00.000Z');
      w.run(w.tech.id, 'fail', { start_time: '2026-02-01T09:00:00Z', end_time: '2026-02-01T12:00:00Z' });
    }
    const prepare = db.sqlite.prepare.bind(db.sqlite);
    let statements = 0;
    db.sqlite.prepare = ((source: string) => {
      statements += 1;
      return prepare(source);
    }) as typeof db.sqlite.prepare;
    try {
      const all = suspectTransfers(db);
      expect(all.length).toBeGreaterThanOrEqual(3);
      expect(statements).toBeLessThanOrEqual(6);
    } finally {
      db.sqlite.prepare = prepare;
    }
    expect(suspectTransfers(db, { roadModelId: worlds[1]!.model }).map((s) => s.transfer_id)).toEqual([worlds[1]!.transfer.id]);
  });
});
