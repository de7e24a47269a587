// A measurement's values across the runs of a technology (through evidence) or a prototype.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type Db } from '../../src/db.js';
import type { Actor } from '../../src/domain/actor.js';
import { NotFoundError } from '../../src/domain/errors.js';
import { measurementNames, measurementTrend } from '../../src/domain/measurement-trend.js';
import { createTestRun, type TestRunInput } from '../../src/domain/test-runs.js';
import { tempDir } from '../support/app.js';

let db: Db;
let dir: string;
const actor: Actor = { id: null, name: 'k.tanaka' };
const insert = (sqlText: string, ...params: unknown[]) => Number(db.sqlite.prepare(sqlText).run(...params).lastInsertRowid);

let inverter: number;
let wing: number;
let mule: number;
let rig: number;
const runs: Record<string, number> = {};

function run(key: string, input: Partial<TestRunInput> & Pick<TestRunInput, 'prototype_id' | 'start_time' | 'evidence'>) {
  runs[key] = createTestRun(db, actor, { title: key, venue_type: 'dyno', ...input }).id;
}

beforeAll(() => {
  dir = tempDir();
  db = openDatabase(path.join(dir, 'pitlane.db'));
  migrateDatabase(db);
  const cat = insert(`INSERT INTO technology_categories (name) VALUES ('Inverter')`);
  inverter = insert(`INSERT INTO technologies (name, domain, category_id) VALUES ('SiC inverter', 'hardware', ?)`, cat);
  wing = insert(`INSERT INTO technologies (name, domain, category_id) VALUES ('Front wing', 'hardware', ?)`, cat);
  mule = insert(`INSERT INTO prototypes (code, kind) VALUES ('FE-MULE-07', 'mule')`);
  rig = insert(`INSERT INTO prototypes (code, kind) VALUES ('DYNO-2', 'dyno_rig')`);
  // Logged out of order on purpose: the trend orders by run start, not by id.
  run('march', {
    prototype_id: mule,
    start_time: '2026-03-01T09:00:00.000Z',
    evidence: [{ technology_id: inverter, outcome: 'fail' }],
    measurements: [
      { name: 'Peak power', value: 310, unit: 'kW' },
      { name: 'Coolant temp', value: 71, unit: '°C' },
    ],
  });
  run('january', {
    prototype_id: rig,
    start_time: '2026-01-10T09:00:00.000Z',
    evidence: [{ technology_id: inverter, outcome: 'pass' }],
    measurements: [
      { name: 'Peak power', value: 295.5, unit: 'kW' },
      { name: 'Peak power', value: 298, unit: 'kW' },
    ],
  });
  run('february', {
    prototype_id: mule,
    start_time: '2026-02-05T09:00:00.000Z',
    status: 'running',
    evidence: [{ technology_id: inverter, outcome: 'inconclusive' }],
    measurements: [{ name: 'Peak power', value: 305, unit: 'kW' }],
  });
  // Another technology's run on the same mule: in the mule's trend, not in the inverter's.
  run('wing', {
    prototype_id: mule,
    start_time: '2026-02-20T09:00:00.000Z',
    evidence: [{ technology_id: wing, outcome: 'pass' }],
    measurements: [
      { name: 'Peak power', value: 999, unit: 'kW' },
      { name: 'Downforce', value: 1200, unit: 'N' },
    ],
  });
});
afterAll(() => {
  db.sqlite.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('measurement trend', () => {
  it('lists the values of one name across the runs of a technology, ordered by run start, with codes and outcomes', () => {
    const trend = measurementTrend(db, { technology_id: inverter }, 'Peak power');
    expect(trend.points.map((p) => p.value)).toEqual([295.5, 298, 305, 310]);
    expect(trend.points.map((p) => p.run_id)).toEqual([runs.january, runs.january, runs.february, runs.march]);
    expect(trend.points.map((p) => p.outcome)).toEqual(['pass', 'pass', 'inconclusive', 'fail']);
    expect(trend.points[2]!.status).toBe('running');
    expect(trend.points[0]!.run_code).toMatch(/^TR-2026-\d{4}$/);
    expect(trend.units).toEqual(['kW']);
    expect(trend.total).toBe(4);
  });

  it('keeps only runs of that technology: another technology’s run on the same prototype is left out', () => {
    const values = measurementTrend(db, { technology_id: inverter }, 'Peak power').points.map((p) => p.value);
    expect(values).not.toContain(999);
    expect(measurementTrend(db, { technology_id: wing }, 'Peak power').points.map((p) => p.value)).toEqual([999]);
  });

  it('filters by name: other measurements of the same runs are not in the trend', () => {
    const trend = measurementTrend(db, { technology_id: inverter }, 'Coolant temp');
    expect(trend.points.map((p) => [p.value, p.unit])).toEqual([[71, '°C']]);
    expect(measurementTrend(db, { technology_id: inverter }, 'peak power').points).toEqual([]);
  });

  it('lists the runs of a prototype, whatever technology they exercised, without outcomes', () => {
    const trend = measurementTrend(db, { prototype_id: mule }, 'Peak power');
    expect(trend.points.map((p) => p.value)).toEqual([305, 999, 310]);
    expect(trend.points.every((p) => p.outcome === null)).toBe(true);
    expect(measurementTrend(db, { prototype_id: rig }, 'Peak power').points.map((p) => p.value)).toEqual([295.5, 298]);
  });

  it('keeps the latest values when there are more than the limit, still oldest first', () => {
    const trend = measurementTrend(db, { technology_id: inverter }, 'Peak power', 2);
    expect(trend.points.map((p) => p.value)).toEqual([305, 310]);
    expect(trend.total).toBe(4);
  });

  it('lists the names available in scope with their units and run counts', () => {
    expect(measurementNames(db, { technology_id: inverter })).toEqual([
      { name: 'Coolant temp', units: ['°C'], runs: 1 },
      { name: 'Peak power', units: ['kW'], runs: 3 },
    ]);
    expect(measurementNames(db, { prototype_id: mule }).map((n) => n.name)).toEqual(['Coolant temp', 'Downforce', 'Peak power']);
    expect(measurementNames(db, { prototype_id: rig })).toEqual([{ name: 'Peak power', units: ['kW'], runs: 1 }]);
  });

  it('answers 404 for a technology or prototype that does not exist', () => {
    expect(() => measurementNames(db, { technology_id: 9999 })).toThrow(NotFoundError);
    expect(() => measurementTrend(db, { prototype_id: 9999 }, 'Peak power')).toThrow(NotFoundError);
  });
});
