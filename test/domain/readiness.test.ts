// Readiness assessments: EVD-1 and the TRL rules, one test per rule id (a refusal and an allowed
// case), on small hand-built data through the domain functions.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type Db } from '../../src/db.js';
import type { Actor } from '../../src/domain/actor.js';
import { InvalidInputError, NotFoundError, RuleViolationError, StaleVersionError } from '../../src/domain/errors.js';
import {
  createReadinessAssessment,
  currentReadiness,
  deleteReadinessAssessment,
  getReadinessAssessment,
  listReadinessAssessments,
  readinessHistory,
  type ReadinessInput,
} from '../../src/domain/readiness.js';
import { createTestRun, type TestRunInput } from '../../src/domain/test-runs.js';
import { countRows, tempDir } from '../support/app.js';

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

const insert = (sqlText: string, ...params: unknown[]) => Number(db.sqlite.prepare(sqlText).run(...params).lastInsertRowid);

let unique = 0;
/** A fresh world: an aero technology (relevant: wind tunnel, track), prototypes of each kind, two FE seasons. */
function world() {
  const n = ++unique;
  const seriesId = insert(`INSERT INTO series (name) VALUES (?)`, `Formula E ${n}`);
  const program = (season: string, year: number) =>
    insert(
      `INSERT INTO programs (series_id, season, start_year, end_year, entry, car, status) VALUES (?, ?, ?, ?, 'Nissan Formula E Team', 'Nissan e-4ORCE 05', 'active')`,
      seriesId,
      season,
      year,
      year + 1,
    );
  const s11 = program('2024-25', 2024);
  const s12 = program('2025-26', 2025);
  const aero = insert(`INSERT INTO technology_categories (name) VALUES (?)`, `Aero ${n}`);
  insert(`INSERT INTO category_venue_types (category_id, venue_type) VALUES (?, 'wind_tunnel'), (?, 'track')`, aero, aero);
  const tech = insert(`INSERT INTO technologies (name, domain, category_id) VALUES (?, 'hardware', ?)`, `Front wing ${n}`, aero);
  const other = insert(`INSERT INTO technologies (name, domain, category_id) VALUES (?, 'hardware', ?)`, `Diffuser ${n}`, aero);
  const ariya = insert(`INSERT INTO road_models (name, powertrain, status) VALUES (?, 'ev', 'production')`, `Ariya NISMO ${n}`);
  const zModel = insert(`INSERT INTO road_models (name, powertrain, status) VALUES (?, 'ice', 'production')`, `Z NISMO ${n}`);
  const proto = (kind: string, roadModel: number | null = null) =>
    insert(`INSERT INTO prototypes (code, kind, road_model_id) VALUES (?, ?, ?)`, `${kind}-${roadModel ?? 0}-${n}`, kind, roadModel);
  const raceCar = proto('race_car');
  const mule = proto('mule');
  const bench = proto('bench_rig');
  const ariyaProto = proto('road_prototype', ariya);
  const zProto = proto('road_prototype', zModel);
  let day = 0;
  /** A completed run in 2026 (each on its own day in January–March unless `at` is given). */
  const run = (prototypeId: number, venue: TestRunInput['venue_type'], outcome: 'pass' | 'fail' | 'inconclusive' = 'pass', extra: Partial<TestRunInput> = {}) => {
    day += 1;
    const start = new Date(Date.UTC(2026, 0, day, 9)).toISOString();
    return createTestRun(db, actor, {
      prototype_id: prototypeId,
      title: `${venue} run`,
      venue_type: venue,
      start_time: start,
      end_time: new Date(Date.UTC(2026, 0, day, 17)).toISOString(),
      evidence: [{ technology_id: tech, outcome }],
      ...extra,
    }).id;
  };
  const assess = (input: Partial<ReadinessInput> & Pick<ReadinessInput, 'level' | 'evidence_run_ids'>) =>
    createReadinessAssessment(db, actor, { technology_id: tech, target: 'race', assessed_on: '2026-06-30', ...input });
  return { tech, other, s11, s12, ariya, zModel, raceCar, mule, bench, ariyaProto, zProto, run, assess };
}

/** Runs `fn` and returns the RuleViolationError it throws. */
function refusal(fn: () => unknown): RuleViolationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RuleViolationError) return error;
    throw error;
  }
  throw new Error('expected a rule refusal, but the write was allowed');
}

describe('EVD-1', () => {
  it('EVD-1: refuses evidence from a run that is not completed, ended after the date, or did not exercise the technology', () => {
    const w = world();
    const running = w.run(w.bench, 'bench', 'pass', { status: 'running' });
    const e = refusal(() => w.assess({ level: 5, evidence_run_ids: [running] }));
    expect(e.rule).toBe('EVD-1');
    expect(e.errors).toEqual([{ path: '/evidence_run_ids/0', message: expect.stringContaining('completed') }]);

    const ok = w.run(w.bench, 'bench');
    const late = w.run(w.bench, 'bench', 'pass', { start_time: '2026-06-30T20:00:00Z', end_time: '2026-07-01T02:00:00Z' });
    const e2 = refusal(() => w.assess({ level: 5, evidence_run_ids: [ok, late] }));
    expect(e2.rule).toBe('EVD-1');
    expect(e2.errors).toEqual([{ path: '/evidence_run_ids/1', message: expect.stringContaining('after the assessment date 2026-06-30') }]);

    const unrelated = w.run(w.bench, 'bench', 'pass', { evidence: [{ technology_id: w.other, outcome: 'pass' }] });
    const e3 = refusal(() => w.assess({ level: 3, evidence_run_ids: [ok, unrelated] }));
    expect(e3.rule).toBe('EVD-1');
    expect(e3.errors[0]).toEqual({ path: '/evidence_run_ids/1', message: expect.stringContaining('did not exercise') });
    expect(countRows(db, 'readiness_assessments')).toBe(0);
  });

  it('EVD-1: allows a completed run that ended on the assessment date (a run without end_time dates by its start)', () => {
    const w = world();
    const sameDay = w.run(w.bench, 'bench', 'pass', { start_time: '2026-06-30T08:00:00Z', end_time: '2026-06-30T23:59:00Z' });
    const noEnd = w.run(w.bench, 'bench', 'pass', { start_time: '2026-06-30T08:00:00Z', end_time: null });
    const a = w.assess({ level: 5, evidence_run_ids: [sameDay, noEnd] });
    expect(a.evidence_run_ids).toEqual([sameDay, noEnd]);
  });

  it('refuses a run id that does not exist as invalid input naming the index, and an unknown technology as not found', () => {
    const w = world();
    const ok = w.run(w.bench, 'bench');
    expect(() => w.assess({ level: 5, evidence_run_ids: [ok, 999_999] })).toThrow(InvalidInputError);
    try {
      w.assess({ level: 5, evidence_run_ids: [ok, 999_999] });
    } catch (error) {
      expect((error as InvalidInputError).errors).toEqual([{ path: '/evidence_run_ids/1', message: 'does not exist' }]);
    }
    expect(() => createReadinessAssessment(db, actor, { technology_id: 999_999, target: 'race', level: 1, assessed_on: '2026-01-01' })).toThrow(
      NotFoundError,
    );
    expect(() => w.assess({ level: 10, evidence_run_ids: [] })).toThrow(InvalidInputError);
    expect(() => w.assess({ level: 2, assessed_on: '2026-02-30', evidence_run_ids: [] })).toThrow(InvalidInputError);
  });
});

describe('race TRL rules', () => {
  it('levels 1–4 need no evidence', () => {
    const w = world();
    expect(w.assess({ level: 4, evidence_run_ids: [] }).level).toBe(4);
  });

  it('TRL-5: refuses a race TRL 5 without a pass among the cited runs (fail and inconclusive do not count)', () => {
    const w = world();
    const failed = w.run(w.bench, 'bench', 'fail');
    const unsure = w.run(w.bench, 'bench', 'inconclusive');
    const e = refusal(() => w.assess({ level: 5, evidence_run_ids: [failed, unsure] }));
    expect(e.rule).toBe('TRL-5');
    expect(e.errors[0]!.path).toBe('/evidence_run_ids');
  });

  it('TRL-5: allows a race TRL 5 on a pass in any venue (bench)', () => {
    const w = world();
    expect(w.assess({ level: 5, evidence_run_ids: [w.run(w.bench, 'bench')] }).level).toBe(5);
  });

  it('TRL-6: refuses a race TRL 6 resting only on a bench pass for an aero technology', () => {
    const w = world();
    const e = refusal(() => w.assess({ level: 6, evidence_run_ids: [w.run(w.bench, 'bench'), w.run(w.bench, 'dyno')] }));
    expect(e.rule).toBe('TRL-6');
    expect(e.message).toContain('(track, wind_tunnel)');
  });

  it('TRL-6: allows a race TRL 6 on a wind tunnel pass for an aero technology', () => {
    const w = world();
    expect(w.assess({ level: 6, evidence_run_ids: [w.run(w.mule, 'wind_tunnel')] }).level).toBe(6);
  });

  it('TRL-7: refuses a race TRL 7 whose track pass was on a mule, not a race car', () => {
    const w = world();
    const e = refusal(() => w.assess({ level: 7, evidence_run_ids: [w.run(w.mule, 'wind_tunnel'), w.run(w.mule, 'track')] }));
    expect(e.rule).toBe('TRL-7');
  });

  it('TRL-7: allows a race TRL 7 on a track pass with a race car', () => {
    const w = world();
    expect(w.assess({ level: 7, evidence_run_ids: [w.run(w.raceCar, 'track')] }).level).toBe(7);
  });

  it('TRL-8: refuses a race TRL 8 with passes at only 2 race events (a fail at a third does not count)', () => {
    const w = world();
    const runs = [w.run(w.raceCar, 'track'), w.run(w.raceCar, 'race_event'), w.run(w.raceCar, 'race_event'), w.run(w.raceCar, 'race_event', 'fail')];
    const e = refusal(() => w.assess({ level: 8, evidence_run_ids: runs }));
    expect(e.rule).toBe('TRL-8');
    expect(e.message).toContain('have 2');
  });

  it('TRL-8: allows a race TRL 8 with passes at 3 race events', () => {
    const w = world();
    const runs = [w.run(w.raceCar, 'track'), w.run(w.raceCar, 'race_event'), w.run(w.raceCar, 'race_event'), w.run(w.raceCar, 'race_event')];
    expect(w.assess({ level: 8, evidence_run_ids: runs }).level).toBe(8);
  });

  it('a level needs every lower rule: a TRL 8 claim on 3 race events but no relevant-environment pass fails TRL-6 first', () => {
    const w = world();
    const runs = [w.run(w.raceCar, 'race_event'), w.run(w.raceCar, 'race_event'), w.run(w.raceCar, 'race_event')];
    expect(refusal(() => w.assess({ level: 8, evidence_run_ids: runs })).rule).toBe('TRL-6');
  });

  it('TRL-9: refuses a race TRL 9 whose race-event passes all fall in one season', () => {
    const w = world();
    const runs = [w.run(w.raceCar, 'track'), ...[1, 2, 3].map(() => w.run(w.raceCar, 'race_event', 'pass', { program_id: w.s11 }))];
    const e = refusal(() => w.assess({ level: 9, evidence_run_ids: runs }));
    expect(e.rule).toBe('TRL-9');
    expect(e.message).toContain('cover 1');
  });

  it('TRL-9: allows a race TRL 9 with race-event passes in two program seasons', () => {
    const w = world();
    const runs = [
      w.run(w.raceCar, 'track'),
      w.run(w.raceCar, 'race_event', 'pass', { program_id: w.s11 }),
      w.run(w.raceCar, 'race_event', 'pass', { program_id: w.s11 }),
      w.run(w.raceCar, 'race_event', 'pass', { program_id: w.s12 }),
    ];
    expect(w.assess({ level: 9, evidence_run_ids: runs }).level).toBe(9);
  });

  it('TRL-9: without a program, a race event counts in the season of its start year', () => {
    const w = world();
    const runs = [
      w.run(w.raceCar, 'track'),
      w.run(w.raceCar, 'race_event', 'pass', { start_time: '2025-05-01T10:00:00Z', end_time: '2025-05-01T12:00:00Z' }),
      w.run(w.raceCar, 'race_event'),
      w.run(w.raceCar, 'race_event'),
    ];
    expect(w.assess({ level: 9, evidence_run_ids: runs }).level).toBe(9);
  });
});

describe('road TRL rules', () => {
  it('TRL-R6: refuses a road TRL 6 resting only on a bench pass for an aero technology', () => {
    const w = world();
    const e = refusal(() => w.assess({ target: 'road', level: 6, evidence_run_ids: [w.run(w.bench, 'bench')] }));
    expect(e.rule).toBe('TRL-R6');
  });

  it('TRL-R6: allows a road TRL 6 on race evidence (a race car at a race event), which a race TRL 6 would not accept for aero', () => {
    const w = world();
    const raceEvent = w.run(w.raceCar, 'race_event');
    expect(w.assess({ target: 'road', level: 6, evidence_run_ids: [raceEvent] }).level).toBe(6);
    expect(refusal(() => w.assess({ target: 'race', level: 6, evidence_run_ids: [raceEvent] })).rule).toBe('TRL-6');
  });

  it('TRL-R7: refuses a road TRL 7 whose road-prototype pass belongs to a road model the technology is not transferred to', () => {
    const w = world();
    insert(`INSERT INTO transfers (technology_id, road_model_id, stage) VALUES (?, ?, 'rejected')`, w.tech, w.ariya);
    const runs = [w.run(w.raceCar, 'track'), w.run(w.ariyaProto, 'track'), w.run(w.zProto, 'track')];
    const e = refusal(() => w.assess({ target: 'road', level: 7, evidence_run_ids: runs }));
    expect(e.rule).toBe('TRL-R7');
    expect(e.message).toContain('road prototype');
  });

  it('TRL-R7: allows a road TRL 7 on a pass with a road prototype of a road model the technology is transferred to', () => {
    const w = world();
    insert(`INSERT INTO transfers (technology_id, road_model_id, stage) VALUES (?, ?, 'evaluation')`, w.tech, w.ariya);
    const runs = [w.run(w.ariyaProto, 'track')];
    expect(w.assess({ target: 'road', level: 7, evidence_run_ids: runs }).level).toBe(7);
  });
});

describe('assessment history', () => {
  it('keeps the history; the current level per target is the latest by date, then id; a delete falls back', () => {
    const w = world();
    const a1 = w.assess({ level: 3, assessed_on: '2026-02-01', evidence_run_ids: [] });
    const a2 = w.assess({ level: 4, assessed_on: '2026-03-01', evidence_run_ids: [] });
    const a3 = w.assess({ level: 2, assessed_on: '2026-03-01', evidence_run_ids: [], rationale: 'Downgraded after review' });
    const older = w.assess({ level: 4, assessed_on: '2026-01-01', evidence_run_ids: [] });
    const road = w.assess({ target: 'road', level: 3, assessed_on: '2026-01-15', evidence_run_ids: [], assessor: 'product.lead' });
    expect(road.assessor).toBe('product.lead');
    expect(a1.assessor).toBe('k.tanaka');

    const current = currentReadiness(db, w.tech);
    expect(current.race?.id).toBe(a3.id);
    expect(current.road?.id).toBe(road.id);
    expect(readinessHistory(db, w.tech).map((a) => a.id)).toEqual([a3.id, a2.id, a1.id, road.id, older.id]);
    expect(currentReadiness(db, w.other)).toEqual({ race: null, road: null });

    const page = listReadinessAssessments(db, w.tech, { target: 'race', limit: 2 });
    expect(page.items.map((a) => a.id)).toEqual([a3.id, a2.id]);
    const next = listReadinessAssessments(db, w.tech, { target: 'race', limit: 2, cursor: page.next_cursor! });
    expect(next.items.map((a) => a.id)).toEqual([a1.id, older.id]);
    expect(next.next_cursor).toBeNull();

    expect(() => deleteReadinessAssessment(db, actor, a3.id, 7)).toThrow(StaleVersionError);
    deleteReadinessAssessment(db, actor, a3.id, 1);
    expect(currentReadiness(db, w.tech).race?.id).toBe(a2.id);
    expect(() => getReadinessAssessment(db, a3.id)).toThrow(NotFoundError);
  });

  it('writes the evidence links and one audit event per create and delete; a refused write leaves nothing', () => {
    const w = world();
    const runs = [w.run(w.mule, 'wind_tunnel'), w.run(w.bench, 'bench')];
    const auditBefore = countRows(db, 'audit_events');
    const linksBefore = countRows(db, 'readiness_evidence_runs');
    const a = w.assess({ level: 6, evidence_run_ids: runs });
    expect(getReadinessAssessment(db, a.id)).toEqual(a);
    expect(countRows(db, 'readiness_evidence_runs')).toBe(linksBefore + 2);
    const events = db.sqlite
      .prepare(`SELECT action, after FROM audit_events WHERE entity = 'readiness_assessment' AND entity_id = ? ORDER BY seq`)
      .all(String(a.id)) as { action: string; after: string }[];
    expect(events.map((e) => e.action)).toEqual(['create']);
    expect(JSON.parse(events[0]!.after).evidence_run_ids).toEqual(runs);

    const assessments = countRows(db, 'readiness_assessments');
    refusal(() => w.assess({ level: 7, evidence_run_ids: runs }));
    expect(countRows(db, 'readiness_assessments')).toBe(assessments);
    expect(countRows(db, 'audit_events')).toBe(auditBefore + 1);

    deleteReadinessAssessment(db, actor, a.id, undefined);
    expect(countRows(db, 'readiness_evidence_runs')).toBe(linksBefore);
    expect(countRows(db, 'audit_events')).toBe(auditBefore + 2);
  });
});
