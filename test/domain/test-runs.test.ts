import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type Db } from '../../src/db.js';
import type { Actor } from '../../src/domain/actor.js';
import { InvalidInputError } from '../../src/domain/errors.js';
import {
  createTestRun,
  deleteTestRun,
  findTestRunByCode,
  getTestRun,
  listTestRuns,
  nextTestRunCode,
  normalizeTimestamp,
  updateTestRun,
  validateTestRunInput,
  validateTestRunPatch,
  type TestRunInput,
} from '../../src/domain/test-runs.js';
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

let unique = 0;
function fixtures() {
  const n = ++unique;
  const insert = (sqlText: string, ...params: unknown[]) => Number(db.sqlite.prepare(sqlText).run(...params).lastInsertRowid);
  const seriesId = insert(`INSERT INTO series (name) VALUES (?)`, `Series ${n}`);
  const programId = insert(
    `INSERT INTO programs (series_id, season, start_year, end_year, class, entry, car, status) VALUES (?, '2025', 2025, 2025, 'GT500', ?, 'Nissan Z NISMO GT500', 'active')`,
    seriesId,
    `#${n} NISMO`,
  );
  const prototypeId = insert(`INSERT INTO prototypes (code, kind) VALUES (?, 'race_car')`, `GT-CAR-${n}`);
  const categoryId = insert(`INSERT INTO technology_categories (name) VALUES (?)`, `Aero ${n}`);
  const tech = (name: string) => insert(`INSERT INTO technologies (name, domain, category_id) VALUES (?, 'hardware', ?)`, `${name} ${n}`, categoryId);
  return { programId, prototypeId, techA: tech('Rear wing'), techB: tech('Diffuser') };
}

function input(fx: ReturnType<typeof fixtures>, extra: Partial<TestRunInput> = {}): TestRunInput {
  return {
    prototype_id: fx.prototypeId,
    title: 'Wind tunnel sweep',
    venue_type: 'wind_tunnel',
    start_time: '2026-04-01T01:00:00Z',
    evidence: [{ technology_id: fx.techA, outcome: 'pass' }],
    ...extra,
  };
}

const paths = (problems: { path: string }[]) => problems.map((p) => p.path);

describe('test run checks (shared with the CSV import)', () => {
  it('accepts a valid run and reports every bad field by JSON Pointer', () => {
    const fx = fixtures();
    expect(validateTestRunInput(db, input(fx))).toEqual([]);
    const bad = validateTestRunInput(db, {
      ...input(fx),
      code: 'has space',
      title: '   ',
      venue_type: 'garage' as never,
      status: 'done' as never,
      start_time: '2026-02-30T10:00:00Z',
      end_time: '2026-06-30T23:59:60Z',
      location: 'x'.repeat(201),
      measurements: [
        { name: 'drag', value: Number.NaN },
        { name: 'lift', value: Number.POSITIVE_INFINITY, unit: 'N' },
        { name: '', value: 1 },
      ],
      evidence: [{ technology_id: fx.techA, outcome: 'maybe' as never }],
    });
    expect(paths(bad).sort()).toEqual(
      [
        '/code',
        '/title',
        '/venue_type',
        '/status',
        '/start_time',
        '/end_time',
        '/location',
        '/measurements/0/value',
        '/measurements/1/value',
        '/measurements/2/name',
        '/evidence/0/outcome',
      ].sort(),
    );
  });

  it('names missing required fields, an empty evidence set, and duplicate technologies', () => {
    const fx = fixtures();
    expect(paths(validateTestRunInput(db, {} as TestRunInput)).sort()).toEqual(['/evidence', '/prototype_id', '/start_time', '/title', '/venue_type']);
    expect(validateTestRunInput(db, input(fx, { evidence: [] }))).toEqual([{ path: '/evidence', message: 'needs at least one technology with its outcome' }]);
    const dup = validateTestRunInput(db, input(fx, {
      evidence: [
        { technology_id: fx.techA, outcome: 'pass' },
        { technology_id: fx.techB, outcome: 'pass' },
        { technology_id: fx.techA, outcome: 'fail' },
      ],
    }));
    expect(paths(dup)).toEqual(['/evidence/2/technology_id']);
  });

  it('checks only the named fields of a patch, plus end against start', () => {
    const fx = fixtures();
    const run = createTestRun(db, actor, input(fx, { end_time: '2026-04-01T03:00:00Z' }));
    expect(validateTestRunPatch(db, run, {})).toEqual([]);
    expect(validateTestRunPatch(db, run, { end_time: '2026-04-01T00:59:59Z' })).toEqual([{ path: '/end_time', message: 'must not be before start_time' }]);
    expect(validateTestRunPatch(db, run, { start_time: '2026-04-01T04:00:00Z' })).toEqual([{ path: '/start_time', message: 'must not be after end_time' }]);
    expect(validateTestRunPatch(db, run, { start_time: '2026-04-01T04:00:00Z', end_time: null })).toEqual([]);
    expect(paths(validateTestRunPatch(db, run, { title: null as never, prototype_id: 999_999 }))).toEqual(['/title', '/prototype_id']);
  });

  it('normalizes date-times to UTC with milliseconds and refuses impossible ones', () => {
    expect(normalizeTimestamp('2026-01-01T08:00:00+09:00')).toBe('2025-12-31T23:00:00.000Z');
    expect(normalizeTimestamp('2026-05-14T09:30:00.123456Z')).toBe('2026-05-14T09:30:00.123Z');
    expect(normalizeTimestamp('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(normalizeTimestamp('2026-05-14t09:30:00z')).toBe('2026-05-14T09:30:00.000Z');
    expect(normalizeTimestamp('2000-02-29 23:00:00-01:30')).toBe('2000-03-01T00:30:00.000Z');
    for (const bad of ['2025-02-29T00:00:00Z', '2100-02-29T00:00:00Z', '2026-05-14', '2026-05-14T09:30Z', 'May 14 2026', '2026-13-01T00:00:00Z', '2026-05-14T24:00:00Z', '2026-05-14T09:30:00+25:00']) {
      expect(normalizeTimestamp(bad), bad).toBeUndefined();
    }
  });
});

describe('test run writes', () => {
  it('defaults engineer to the actor, status to completed, demo to false; keeps demo when the seed sets it', () => {
    const fx = fixtures();
    const run = createTestRun(db, actor, input(fx));
    expect(run).toMatchObject({ engineer: 'k.tanaka', status: 'completed', demo: false, end_time: null, program_id: null });
    expect(createTestRun(db, actor, input(fx, { demo: true })).demo).toBe(true);
    expect(findTestRunByCode(db, run.code)).toEqual(run);
    expect(findTestRunByCode(db, 'NO-SUCH-CODE')).toBeUndefined();
  });

  it('keeps several measurements of one name in order, and evidence in the order given across updates', () => {
    const fx = fixtures();
    const run = createTestRun(db, actor, input(fx, {
      measurements: [
        { name: 'downforce', value: 5100, unit: 'N' },
        { name: 'drag', value: 1400, unit: 'N' },
        { name: 'downforce', value: 5230, unit: 'N' },
      ],
      evidence: [
        { technology_id: fx.techB, outcome: 'inconclusive' },
        { technology_id: fx.techA, outcome: 'pass' },
      ],
    }));
    expect(run.measurements.map((m) => m.value)).toEqual([5100, 1400, 5230]);
    expect(run.evidence.map((e) => e.technology_id)).toEqual([fx.techB, fx.techA]);
    const updated = updateTestRun(db, actor, run.id, 1, {
      evidence: [
        { technology_id: fx.techA, outcome: 'fail' },
        { technology_id: fx.techB, outcome: 'pass' },
      ],
    });
    expect(updated.evidence.map((e) => [e.technology_id, e.outcome])).toEqual([[fx.techA, 'fail'], [fx.techB, 'pass']]);
    expect(updated.measurements).toEqual(run.measurements);
    expect(updated.version).toBe(2);
  });

  it('continues the yearly sequence past 9999 and skips codes users took', () => {
    fixtures();
    db.sqlite.prepare(`INSERT INTO sequences (name, value) VALUES ('test_run:2040', 9998)`).run();
    const fx = fixtures();
    createTestRun(db, actor, input(fx, { code: 'TR-2040-10000', start_time: '2040-03-01T00:00:00Z' }));
    expect(createTestRun(db, actor, input(fx, { start_time: '2040-03-01T00:00:00Z' })).code).toBe('TR-2040-9999');
    expect(createTestRun(db, actor, input(fx, { start_time: '2040-03-01T00:00:00Z' })).code).toBe('TR-2040-10001');
    expect(db.sqlite.prepare(`SELECT value FROM sequences WHERE name = 'test_run:2040'`).get()).toEqual({ value: 10001 });
  });

  it('rolls back the run, its children, its audit event and its code number when a later step fails', () => {
    const fx = fixtures();
    const snapshot = () => ({
      runs: countRows(db, 'test_runs'),
      measurements: countRows(db, 'measurements'),
      evidence: countRows(db, 'evidence'),
      audit: countRows(db, 'audit_events'),
      seq: db.sqlite.prepare(`SELECT value FROM sequences WHERE name = 'test_run:2041'`).get(),
    });
    createTestRun(db, actor, input(fx, { start_time: '2041-01-01T00:00:00Z' }));
    const before = snapshot();
    // Fails the evidence insert, after the run and its measurements were written.
    db.sqlite.exec(`CREATE TEMP TRIGGER boom BEFORE INSERT ON evidence WHEN NEW.notes = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END`);
    try {
      expect(() =>
        createTestRun(db, actor, input(fx, {
          start_time: '2041-02-01T00:00:00Z',
          measurements: [{ name: 'drag', value: 1 }],
          evidence: [{ technology_id: fx.techA, outcome: 'pass', notes: 'boom' }],
        })),
      ).toThrow(/boom/);
      expect(snapshot()).toEqual(before);
      const run = createTestRun(db, actor, input(fx, { measurements: [{ name: 'drag', value: 1 }] }));
      expect(() => updateTestRun(db, actor, run.id, 1, { title: 'changed', measurements: [], evidence: [{ technology_id: fx.techB, outcome: 'fail', notes: 'boom' }] })).toThrow(/boom/);
      expect(getTestRun(db, run.id)).toEqual(run);
    } finally {
      db.sqlite.exec('DROP TRIGGER boom');
    }
    expect(createTestRun(db, actor, input(fx, { start_time: '2041-02-01T00:00:00Z' })).code).toBe('TR-2041-0002');
  });

  it('refuses invalid input with InvalidInputError before writing anything', () => {
    const fx = fixtures();
    const before = countRows(db, 'test_runs');
    expect(() => createTestRun(db, actor, input(fx, { measurements: [{ name: 'drag', value: Number.NaN }] }))).toThrow(InvalidInputError);
    expect(countRows(db, 'test_runs')).toBe(before);
  });

  it('deletes owned rows, and is blocked by readiness assessments citing the run', () => {
    const fx = fixtures();
    const run = createTestRun(db, actor, input(fx, { measurements: [{ name: 'drag', value: 1 }] }));
    const assessment = db.sqlite
      .prepare(`INSERT INTO readiness_assessments (technology_id, target, level, assessed_on, assessor) VALUES (?, 'race', 6, '2026-05-01', 'x')`)
      .run(fx.techA).lastInsertRowid;
    db.sqlite.prepare('INSERT INTO readiness_evidence_runs (assessment_id, test_run_id) VALUES (?, ?)').run(assessment, run.id);
    expect(() => deleteTestRun(db, actor, run.id, 1)).toThrow(/readiness assessment/);
    db.sqlite.prepare('DELETE FROM readiness_evidence_runs WHERE test_run_id = ?').run(run.id);
    deleteTestRun(db, actor, run.id, 1);
    expect(db.sqlite.prepare('SELECT count(*) AS n FROM measurements WHERE test_run_id = ?').get(run.id)).toEqual({ n: 0 });
    expect(listTestRuns(db, { prototype_id: fx.prototypeId }).items).toEqual([]);
  });

  it('uses the next generated number for a run of a year whose code a user gave by hand', () => {
    const fx = fixtures();
    createTestRun(db, actor, input(fx, { code: 'TR-2042-0001', start_time: '2042-01-01T00:00:00Z' }));
    createTestRun(db, actor, input(fx, { code: 'TR-2042-0002', start_time: '2042-01-01T00:00:00Z' }));
    expect(db.sqlite.transaction(() => nextTestRunCode(db, '2042'))()).toBe('TR-2042-0003');
  });
});
