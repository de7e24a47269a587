// The reports with known numbers: GAP-1..3, suspect transfers with names, LT-1 and PLAN-1. Each
// test builds its own database, since reports look at everything.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db.js';
import { coverageGaps, leadTimes, lineupPlan, suspectTransfersReport } from '../../src/domain/reports.js';
import { openTempDatabase } from '../support/app.js';

let db: Db;
let closeDb: () => void;

beforeEach(() => {
  ({ db, close: closeDb } = openTempDatabase());
});
afterEach(() => {
  closeDb();
});

const insert = (sqlText: string, ...params: unknown[]) => Number(db.sqlite.prepare(sqlText).run(...params).lastInsertRowid);

function base() {
  const fe = insert(`INSERT INTO series (name) VALUES ('Formula E')`);
  const sgt = insert(`INSERT INTO series (name) VALUES ('Super GT')`);
  const feProgram = insert(
    `INSERT INTO programs (series_id, season, start_year, end_year, entry, car, status) VALUES (?, '2022-23', 2022, 2023, 'Nissan Formula E Team', 'Nissan e-4ORCE 04', 'completed')`,
    fe,
  );
  const sgtProgram = insert(
    `INSERT INTO programs (series_id, season, start_year, end_year, class, entry, car, status) VALUES (?, '2013', 2013, 2013, 'GT500', '#23 NISMO', 'GT-R GT500', 'completed')`,
    sgt,
  );
  const category = insert(`INSERT INTO technology_categories (name) VALUES ('Powertrain')`);
  const proto = insert(`INSERT INTO prototypes (code, kind) VALUES ('RIG-1', 'dyno_rig')`);
  const tech = (name: string, origin: number | null = null, parents: number[] = []) => {
    const id = insert(`INSERT INTO technologies (name, domain, category_id, origin_program_id) VALUES (?, 'hardware', ?, ?)`, name, category, origin);
    for (const p of parents) insert(`INSERT INTO technology_derivations (parent_id, child_id) VALUES (?, ?)`, p, id);
    return id;
  };
  const model = (name: string, status: string, launch: string | null = null, end: string | null = null) =>
    insert(`INSERT INTO road_models (name, powertrain, status, launch_date, end_date) VALUES (?, 'ev', ?, ?, ?)`, name, status, launch, end);
  const transfer = (technology: number, roadModel: number, stage: string) =>
    insert(`INSERT INTO transfers (technology_id, road_model_id, stage) VALUES (?, ?, ?)`, technology, roadModel, stage);
  let runs = 0;
  const run = (evidence: [number, string][], end: string, status = 'completed') => {
    runs += 1;
    const id = insert(
      `INSERT INTO test_runs (code, prototype_id, title, venue_type, start_time, end_time, status) VALUES (?, ?, 'Run', 'dyno', ?, ?, ?)`,
      `TR-${runs}`,
      proto,
      `${end}T08:00:00.000Z`,
      `${end}T12:00:00.000Z`,
      status,
    );
    for (const [technology, outcome] of evidence) insert(`INSERT INTO evidence (test_run_id, technology_id, outcome) VALUES (?, ?, ?)`, id, technology, outcome);
    return id;
  };
  const assess = (technology: number, level: number, on: string, target = 'race') =>
    insert(`INSERT INTO readiness_assessments (technology_id, target, level, assessed_on, assessor) VALUES (?, ?, ?, ?, 'k.tanaka')`, technology, target, level, on);
  return { fe, sgt, feProgram, sgtProgram, tech, model, transfer, run, assess };
}

describe('coverage gaps', () => {
  it('GAP-1, GAP-2 and GAP-3 list exactly the transfers and road models that lack evidence', () => {
    const b = base();
    const ariya = b.model('Ariya NISMO', 'production', '2024-06-01');
    const leaf = b.model('Leaf NISMO', 'production');
    const micra = b.model('Micra NISMO', 'development');
    b.model('Hyper Force', 'concept');
    b.model('GT-R NISMO', 'discontinued', '2014-02-01', '2025-08-31');

    const parent = b.tech('FE inverter');
    b.run([[parent, 'pass']], '2023-01-10');
    const derived = b.tech('Road inverter', null, [parent]);
    const untested = b.tech('Solid-state cell');
    const onlyRunning = b.tech('Sound design');
    b.run([[onlyRunning, 'pass']], '2023-02-01', 'running');
    const failedOnly = b.tech('Torque vectoring');
    b.run([[failedOnly, 'fail']], '2023-03-01');
    const downgraded = b.tech('Tyre compound');
    b.run([[downgraded, 'pass']], '2023-04-01');
    b.assess(downgraded, 7, '2023-05-01');
    b.assess(downgraded, 5, '2023-06-01');
    b.assess(downgraded, 8, '2023-06-01', 'road'); // a road TRL does not satisfy GAP-2
    const ready = b.tech('Rear diffuser');
    b.run([[ready, 'pass']], '2023-04-02');
    b.assess(ready, 6, '2023-05-01');

    b.transfer(derived, ariya, 'evaluation'); // ancestor passed: no GAP-1; evaluation: no GAP-2
    const t2 = b.transfer(untested, ariya, 'approved'); // GAP-1 and GAP-2 (no TRL)
    b.transfer(onlyRunning, ariya, 'candidate'); // candidate: not a gap
    const t4 = b.transfer(failedOnly, ariya, 'in_production'); // GAP-1 (a fail is not a pass), GAP-2
    const t5 = b.transfer(downgraded, ariya, 'approved'); // GAP-2: current race TRL 5
    b.transfer(ready, ariya, 'in_production'); // no gap
    b.transfer(untested, micra, 'rejected'); // rejected: not a gap, and Micra still has no transfer

    const gaps = coverageGaps(db);
    expect(gaps.map((g) => [g.rule, g.road_model, g.technology, g.transfer_id, g.stage])).toEqual([
      ['GAP-1', 'Ariya NISMO', 'Solid-state cell', t2, 'approved'],
      ['GAP-1', 'Ariya NISMO', 'Torque vectoring', t4, 'in_production'],
      ['GAP-2', 'Ariya NISMO', 'Solid-state cell', t2, 'approved'],
      ['GAP-2', 'Ariya NISMO', 'Torque vectoring', t4, 'in_production'],
      ['GAP-2', 'Ariya NISMO', 'Tyre compound', t5, 'approved'],
      ['GAP-3', 'Leaf NISMO', null, null, null],
      ['GAP-3', 'Micra NISMO', null, null, null],
    ]);
    expect(Object.keys(gaps[0]!)).toEqual(['rule', 'road_model_id', 'road_model', 'technology_id', 'technology', 'transfer_id', 'stage', 'detail']);
    expect(gaps.find((g) => g.transfer_id === t5 && g.rule === 'GAP-2')!.detail).toContain('race TRL 5 (assessed 2023-06-01)');
    expect(gaps.find((g) => g.transfer_id === t2 && g.rule === 'GAP-2')!.detail).toContain('no race TRL assessment');
    expect(gaps.find((g) => g.road_model === 'Leaf NISMO')!.road_model_id).toBe(leaf);

    expect(coverageGaps(db, { rule: 'GAP-3' }).map((g) => g.road_model)).toEqual(['Leaf NISMO', 'Micra NISMO']);
    expect(coverageGaps(db, { road_model_id: micra }).map((g) => g.rule)).toEqual(['GAP-3']);
  });
});

describe('suspect transfers report', () => {
  it('one flat row per reason, with the names of the transfer, road model, run and failing ancestor', () => {
    const b = base();
    const ariya = b.model('Ariya NISMO', 'production', '2024-06-01');
    const parent = b.tech('FE inverter');
    const child = b.tech('Road inverter', null, [parent]);
    const t = b.transfer(child, ariya, 'in_production');
    db.sqlite.prepare(`UPDATE transfers SET reviewed_at = '2024-01-01T00:00:00.000Z' WHERE id = ?`).run(t);
    const failed = b.run([[parent, 'fail']], '2024-03-01');
    const rows = suspectTransfersReport(db);
    expect(rows).toEqual([
      {
        transfer_id: t,
        stage: 'in_production',
        technology_id: child,
        technology: 'Road inverter',
        road_model_id: ariya,
        road_model: 'Ariya NISMO',
        reviewed_at: '2024-01-01T00:00:00.000Z',
        rule: 'SUS-1',
        detail: expect.stringContaining('run TR-1 failed FE inverter (an ancestor)'),
        run_id: failed,
        run_code: 'TR-1',
        source_technology_id: parent,
        source_technology: 'FE inverter',
      },
    ]);
    expect(suspectTransfersReport(db, { road_model_id: ariya + 1 })).toEqual([]);
  });
});

describe('lead times', () => {
  it('LT-1: days from the first pass of the technology or an ancestor to the launch, summarised per origin series', () => {
    const b = base();
    const ariya = b.model('Ariya NISMO', 'production', '2024-06-01');
    const z = b.model('Z NISMO', 'production', '2024-06-01');
    const gtr = b.model('GT-R NISMO', 'discontinued', '2014-02-01', '2025-08-31');
    const leaf = b.model('Leaf NISMO', 'planned');

    const feInverter = b.tech('FE inverter', b.feProgram);
    b.run([[feInverter, 'pass']], '2020-01-01', 'aborted'); // not completed: ignored
    b.run([[feInverter, 'fail']], '2022-10-01'); // a fail is not a pass
    const first = b.run([[feInverter, 'pass']], '2022-11-10');
    const roadInverter = b.tech('Road inverter', null, [feInverter]);
    b.run([[roadInverter, 'pass']], '2023-09-01');
    const tyre = b.tech('FE tyre compound', b.feProgram);
    b.run([[tyre, 'pass']], '2023-03-01');
    const aero = b.tech('FE aero', b.feProgram);
    b.run([[aero, 'pass']], '2023-06-01');
    const turbo = b.tech('GT500 turbocharger', b.sgtProgram);
    b.run([[turbo, 'pass']], '2013-05-01');
    const untested = b.tech('Solid-state cell');

    const tInverter = b.transfer(roadInverter, ariya, 'in_production');
    b.transfer(tyre, ariya, 'in_production');
    b.transfer(aero, z, 'in_production');
    b.transfer(turbo, gtr, 'in_production');
    b.transfer(untested, ariya, 'in_production'); // no pass: listed without a lead time
    b.transfer(tyre, leaf, 'approved'); // not in production: not listed

    const report = leadTimes(db);
    expect(report.transfers.map((r) => [r.technology, r.road_model, r.first_pass_on, r.launch_date, r.lead_time_days, r.series])).toEqual([
      ['Road inverter', 'Ariya NISMO', '2022-11-10', '2024-06-01', 569, 'Formula E'],
      ['FE tyre compound', 'Ariya NISMO', '2023-03-01', '2024-06-01', 458, 'Formula E'],
      ['FE aero', 'Z NISMO', '2023-06-01', '2024-06-01', 366, 'Formula E'],
      ['GT500 turbocharger', 'GT-R NISMO', '2013-05-01', '2014-02-01', 276, 'Super GT'],
      ['Solid-state cell', 'Ariya NISMO', null, '2024-06-01', null, null],
    ]);
    expect(report.transfers[0]).toMatchObject({
      transfer_id: tInverter,
      first_pass_run_id: first,
      first_pass_run_code: 'TR-3',
      first_pass_technology_id: feInverter,
      first_pass_technology: 'FE inverter',
      series_id: b.fe,
    });
    expect(report.per_series).toEqual([
      { series_id: b.fe, series: 'Formula E', count: 3, min_days: 366, median_days: 458, max_days: 569 },
      { series_id: b.sgt, series: 'Super GT', count: 1, min_days: 276, median_days: 276, max_days: 276 },
    ]);
  });
});

describe('line-up plan', () => {
  it('PLAN-1: counts models on sale and planned units per target year, with the share of growth outside Japan', () => {
    const b = base();
    const jp = insert(`INSERT INTO markets (code, name) VALUES ('JP', 'Japan')`);
    const us = insert(`INSERT INTO markets (code, name) VALUES ('US', 'United States')`);
    const eu = insert(`INSERT INTO markets (code, name) VALUES ('EU', 'Europe')`);
    const note = b.model('Note Aura NISMO', 'production', '2021-08-01');
    const ariya = b.model('Ariya NISMO', 'production', '2024-06-01');
    b.model('GT-R NISMO', 'discontinued', '2014-04-01', '2025-08-31'); // 2025 only
    b.model('Micra NISMO', 'planned', '2027-01-01'); // from 2027
    b.model('Hyper Force', 'concept', '2026-01-01'); // a concept never counts
    b.model('Leaf NISMO', 'development'); // no launch date yet
    b.model('Old NISMO', 'discontinued', '2010-01-01'); // discontinued without an end date
    const units = (model: number, market: number, year: number, n: number) =>
      insert(`INSERT INTO road_model_markets (road_model_id, market_id, year, planned_units) VALUES (?, ?, ?, ?)`, model, market, year, n);
    // 2025: 100,000 (40,000 outside JP); 2027: 125,000 (55,000); 2028: 152,000 (72,000).
    units(note, jp, 2025, 60_000), units(ariya, us, 2025, 30_000), units(ariya, eu, 2025, 10_000);
    units(note, jp, 2027, 50_000), units(ariya, jp, 2027, 20_000), units(ariya, us, 2027, 40_000), units(ariya, eu, 2027, 15_000);
    units(note, jp, 2028, 80_000), units(ariya, us, 2028, 50_000), units(ariya, eu, 2028, 22_000);
    const target = (year: number, models: number, unitsTarget: number, min: number | null, max: number | null) =>
      insert(
        `INSERT INTO plan_targets (year, model_count_target, units_target, outside_japan_share_min, outside_japan_share_max) VALUES (?, ?, ?, ?, ?)`,
        year,
        models,
        unitsTarget,
        min,
        max,
      );
    target(2028, 10, 150_000, 40, 60);
    target(2025, 3, 100_000, null, null);
    target(2027, 2, 120_000, 40, 70);

    expect(lineupPlan(db)).toEqual([
      { year: 2025, models: 3, model_target: 3, units: 100_000, units_target: 100_000, outside_japan_share: null, band_min: null, band_max: null, on_track: true },
      { year: 2027, models: 3, model_target: 2, units: 125_000, units_target: 120_000, outside_japan_share: 60, band_min: 40, band_max: 70, on_track: true },
      // 32,000 of 52,000 growth outside Japan = 61.5 %: above the band, and 3 of 10 models.
      { year: 2028, models: 3, model_target: 10, units: 152_000, units_target: 150_000, outside_japan_share: 61.5, band_min: 40, band_max: 60, on_track: false },
    ]);
  });

  it('PLAN-1: a year on both targets but outside the band is not on track; the base year has no share', () => {
    const b = base();
    const jp = insert(`INSERT INTO markets (code, name) VALUES ('JP', 'Japan')`);
    const us = insert(`INSERT INTO markets (code, name) VALUES ('US', 'United States')`);
    const m = b.model('Z NISMO', 'production', '2023-01-01');
    const units = (market: number, year: number, n: number) =>
      insert(`INSERT INTO road_model_markets (road_model_id, market_id, year, planned_units) VALUES (?, ?, ?, ?)`, m, market, year, n);
    units(jp, 2025, 1000), units(jp, 2026, 1000), units(us, 2026, 1000);
    insert(`INSERT INTO plan_targets (year, model_count_target, units_target) VALUES (2025, 1, 1000)`);
    insert(`INSERT INTO plan_targets (year, model_count_target, units_target, outside_japan_share_min, outside_japan_share_max) VALUES (2026, 1, 2000, 40, 60)`);
    const [y25, y26] = lineupPlan(db);
    expect(y25).toMatchObject({ outside_japan_share: null, on_track: true });
    expect(y26).toMatchObject({ units: 2000, outside_japan_share: 100, on_track: false });
  });
});
