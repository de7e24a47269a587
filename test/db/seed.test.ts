// Demo data (DESIGN §7): the public facts are there, the invented runs are plausible and marked,
// and seeding is idempotent, all-or-nothing and fast.
import fs from 'node:fs';
import { suspectTransfers } from '../../src/domain/suspect.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planDemoRuns, seedDemoData, type SeedResult } from '../../db/seed.js';
import { SEED_NOW } from '../../db/seed-data.js';
import { TRANSFER_STAGES } from '../../db/schema.js';
import { prepareDatabase } from '../../src/app.js';
import { openDatabase, type Db } from '../../src/db.js';
import { SYSTEM_ACTOR } from '../../src/domain/actor.js';
import { createSeries } from '../../src/domain/series.js';
import { countRows, tempDir, testConfig } from '../support/app.js';

const TABLES = [
  'series',
  'programs',
  'technology_categories',
  'category_venue_types',
  'technologies',
  'technology_derivations',
  'markets',
  'road_models',
  'road_model_markets',
  'transfers',
  'plan_targets',
  'prototypes',
  'prototype_programs',
  'test_runs',
  'measurements',
  'evidence',
  'audit_events',
  'sequences',
];

let db: Db;
let dir: string;
let result: SeedResult;
let seedMs: number;

const all = <T>(sql: string, ...params: unknown[]) => db.sqlite.prepare(sql).all(...params) as T[];
const one = <T>(sql: string, ...params: unknown[]) => db.sqlite.prepare(sql).get(...params) as T;
const rowCounts = (d: Db) => Object.fromEntries(TABLES.map((t) => [t, countRows(d, t)]));

/** The technology's ancestors by derivation, itself included. */
const lineage = (technologyId: number) =>
  all<{ id: number; name: string; origin_program_id: number | null }>(
    `WITH RECURSIVE up(id) AS (
       SELECT ? UNION SELECT d.parent_id FROM technology_derivations d JOIN up ON d.child_id = up.id
     )
     SELECT t.id, t.name, t.origin_program_id FROM up JOIN technologies t ON t.id = up.id`,
    technologyId,
  );

beforeAll(() => {
  dir = tempDir('pitlane-seed-');
  const config = testConfig(dir, { seed: 'demo' });
  db = openDatabase(config.dbFile);
  // Start-up without the seed (migrations, admin), then the seed alone, timed.
  prepareDatabase(db, { ...config, seed: 'none' });
  const t0 = performance.now();
  result = seedDemoData(db);
  seedMs = performance.now() - t0;
  console.info(`demo seed: ${Math.round(seedMs)} ms`, result.counts);
});

afterAll(() => {
  db.sqlite.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('demo seed', () => {
  it('seeds in under 5 s and reports what it created', () => {
    expect(result.seeded).toBe(true);
    expect(seedMs).toBeLessThan(5000);
    const c = result.counts;
    expect(c.series).toBe(countRows(db, 'series'));
    expect(c.programs).toBe(countRows(db, 'programs'));
    expect(c.technology_categories).toBe(countRows(db, 'technology_categories'));
    expect(c.technologies).toBe(countRows(db, 'technologies'));
    expect(c.markets).toBe(countRows(db, 'markets'));
    expect(c.road_models).toBe(countRows(db, 'road_models'));
    expect(c.transfers).toBe(countRows(db, 'transfers'));
    expect(c.plan_targets).toBe(countRows(db, 'plan_targets'));
    expect(c.prototypes).toBe(countRows(db, 'prototypes'));
    expect(c.test_runs).toBe(countRows(db, 'test_runs'));
    expect(c.measurements).toBe(countRows(db, 'measurements'));
    expect(c.evidence).toBe(countRows(db, 'evidence'));
    expect(c.technologies).toBeGreaterThanOrEqual(25);
    expect(c.technologies).toBeLessThanOrEqual(50);
  });

  it('writes through the domain: one audit event per record, by the admin', () => {
    const records = Object.entries(result.counts)
      .filter(([k]) => k !== 'measurements' && k !== 'evidence')
      .reduce((sum, [, n]) => sum + n, 0);
    const events = all<{ actor: string; n: number }>(
      `SELECT actor, count(*) AS n FROM audit_events WHERE entity <> 'user' GROUP BY actor`,
    );
    expect(events).toEqual([{ actor: 'admin', n: records }]);
  });

  it('has the series and the Formula E seasons with their cars', () => {
    expect(all<{ name: string }>('SELECT name FROM series ORDER BY name').map((r) => r.name)).toEqual([
      'Formula E',
      'Super GT',
      'Super Taikyu',
    ]);
    const fe = all<{ season: string; start_year: number; entry: string; car: string; status: string; class: string }>(
      `SELECT p.* FROM programs p JOIN series s ON s.id = p.series_id WHERE s.name = 'Formula E' ORDER BY p.start_year, p.entry`,
    );
    const nissan = fe.filter((p) => p.entry.startsWith('Nissan'));
    expect(nissan.map((p) => p.season)).toEqual([
      '2018-19',
      '2019-20',
      '2020-21',
      '2021-22',
      '2022-23',
      '2023-24',
      '2024-25',
      '2025-26',
      '2026-27',
    ]);
    const car = (season: string) => nissan.find((p) => p.season === season)!.car;
    expect(car('2018-19')).toBe('Nissan IM01');
    expect(car('2019-20')).toBe('Nissan IM02');
    expect([car('2020-21'), car('2021-22')]).toEqual(['Nissan IM03', 'Nissan IM03']);
    expect([car('2022-23'), car('2023-24')]).toEqual(['Nissan e-4ORCE 04', 'Nissan e-4ORCE 04']);
    expect([car('2024-25'), car('2025-26')]).toEqual(['Nissan e-4ORCE 05', 'Nissan e-4ORCE 05']);
    expect(nissan.find((p) => p.season === '2024-25')!.status).toBe('completed');
    expect(nissan.find((p) => p.season === '2026-27')!.status).not.toBe('completed');
    expect(fe.every((p) => p.class === '')).toBe(true);
    const mclaren = fe.filter((p) => p.entry.includes('McLaren'));
    expect(mclaren.map((p) => [p.season, p.car])).toEqual([
      ['2022-23', 'Nissan e-4ORCE 04'],
      ['2023-24', 'Nissan e-4ORCE 04'],
    ]);
  });

  it('has the Super GT GT500 entries #3 #12 #23 #24, the GT300 GT-R GT3 and a Super Taikyu entry', () => {
    const gt500 = all<{ season: string; entry: string; car: string }>(
      `SELECT p.season, p.entry, p.car FROM programs p JOIN series s ON s.id = p.series_id
       WHERE s.name = 'Super GT' AND p.class = 'GT500'`,
    );
    for (const year of ['2022', '2023', '2024', '2025', '2026']) {
      const numbers = gt500.filter((p) => p.season === year).map((p) => p.entry.split(' ')[0]);
      expect(numbers.sort()).toEqual(['#12', '#23', '#24', '#3']);
      const cars = new Set(gt500.filter((p) => p.season === year).map((p) => p.car));
      expect([...cars]).toEqual([Number(year) >= 2024 ? 'Nissan Z NISMO GT500' : 'Nissan Z GT500']);
    }
    expect(gt500.some((p) => p.entry === '#23 NISMO')).toBe(true);
    const gt300 = all<{ car: string }>(`SELECT car FROM programs WHERE class = 'GT300'`);
    expect(gt300.length).toBeGreaterThan(0);
    expect(gt300.every((p) => p.car === 'Nissan GT-R NISMO GT3')).toBe(true);
    const taikyu = one<{ n: number }>(
      `SELECT count(*) AS n FROM programs p JOIN series s ON s.id = p.series_id WHERE s.name = 'Super Taikyu'`,
    );
    expect(taikyu.n).toBeGreaterThan(0);
  });

  it('gives categories their relevant venue types', () => {
    const venues = (name: string) =>
      all<{ venue_type: string }>(
        `SELECT v.venue_type FROM category_venue_types v JOIN technology_categories c ON c.id = v.category_id WHERE c.name = ?`,
        name,
      ).map((r) => r.venue_type);
    expect(venues('Aerodynamics')).toEqual(expect.arrayContaining(['wind_tunnel', 'track']));
    expect(venues('Inverter & e-drive')).toEqual(expect.arrayContaining(['dyno', 'hil', 'track']));
    expect(venues('Battery & energy storage')).toEqual(expect.arrayContaining(['bench', 'dyno']));
    expect(venues('Vehicle control software')).toEqual(expect.arrayContaining(['sil', 'hil', 'simulator', 'track']));
  });

  it('feeds the Ariya NISMO from Formula E technologies (e-4ORCE, tyre, aero, sound)', () => {
    const ariya = one<{ id: number; powertrain: string; status: string; launch_date: string }>(
      `SELECT * FROM road_models WHERE name = 'Ariya NISMO'`,
    );
    expect(ariya).toMatchObject({ powertrain: 'ev', status: 'production' });
    expect(ariya.launch_date.startsWith('2024')).toBe(true);
    const feeds = all<{ technology_id: number; stage: string; name: string }>(
      `SELECT tr.technology_id, tr.stage, t.name FROM transfers tr JOIN technologies t ON t.id = tr.technology_id WHERE tr.road_model_id = ?`,
      ariya.id,
    );
    const names = feeds.map((f) => f.name).join(' | ');
    for (const part of ['e-4ORCE', 'tyre', 'aero', 'sound']) expect(names).toContain(part);
    const formulaE = new Set(
      all<{ id: number }>(`SELECT p.id FROM programs p JOIN series s ON s.id = p.series_id WHERE s.name = 'Formula E'`).map((r) => r.id),
    );
    for (const feed of feeds) {
      const fromRace = lineage(feed.technology_id).some((t) => t.origin_program_id !== null && formulaE.has(t.origin_program_id));
      expect(fromRace, `${feed.name} comes from a Formula E technology`).toBe(true);
    }
    expect(feeds.some((f) => f.stage === 'in_production')).toBe(true);
  });

  it('has the GT-R NISMO fed by the GT3 turbocharger, and ended in August 2025', () => {
    const gtr = one<{ id: number; status: string; end_date: string; description: string }>(
      `SELECT * FROM road_models WHERE name = 'GT-R NISMO'`,
    );
    expect(gtr).toMatchObject({ status: 'discontinued', end_date: '2025-08-31' });
    expect(gtr.description).toContain('GT3');
    const feeds = all<{ technology_id: number }>(`SELECT technology_id FROM transfers WHERE road_model_id = ?`, gtr.id);
    const names = feeds.flatMap((f) => lineage(f.technology_id).map((t) => t.name));
    expect(names).toContain('GT3 turbocharger');
  });

  it('has the other road models of §7, with partner and concept facts', () => {
    const models = all<{ name: string; powertrain: string; status: string; partner: string | null; base_model: string }>(
      'SELECT * FROM road_models',
    );
    const by = new Map(models.map((m) => [m.name, m]));
    for (const name of ['Z NISMO', 'Note Aura NISMO', 'Leaf NISMO', 'Micra NISMO', 'Hyper Force', 'Patrol NISMO', 'X-Trail NISMO', 'Skyline NISMO']) {
      expect(by.has(name), name).toBe(true);
    }
    expect(by.get('Note Aura NISMO')!.powertrain).toBe('e_power');
    expect(by.get('Micra NISMO')).toMatchObject({ partner: 'Renault / Alpine', base_model: 'Alpine A290', powertrain: 'ev' });
    expect(by.get('Hyper Force')).toMatchObject({ status: 'concept', powertrain: 'ev' });
    const hyperForce = all<{ name: string }>(
      `SELECT t.name FROM transfers tr JOIN technologies t ON t.id = tr.technology_id JOIN road_models r ON r.id = tr.road_model_id WHERE r.name = 'Hyper Force'`,
    ).map((r) => r.name);
    expect(hyperForce.join(' ')).toMatch(/solid-state/);
    expect(hyperForce.join(' ')).toMatch(/e-4ORCE/);
  });

  it('uses every transfer stage, with one rejection and rationales', () => {
    const stages = all<{ stage: string; n: number }>('SELECT stage, count(*) AS n FROM transfers GROUP BY stage');
    expect(stages.map((s) => s.stage).sort()).toEqual([...TRANSFER_STAGES].sort());
    expect(stages.find((s) => s.stage === 'rejected')!.n).toBe(1);
    expect(one<{ n: number }>(`SELECT count(*) AS n FROM transfers WHERE rationale = ''`).n).toBe(0);
  });

  it('has the plan targets of 2025 and 2028, and planned units that fit them', () => {
    const targets = all<{ year: number; model_count_target: number; units_target: number; outside_japan_share_min: number | null; outside_japan_share_max: number | null }>(
      'SELECT * FROM plan_targets ORDER BY year',
    );
    expect(targets.find((t) => t.year === 2025)).toMatchObject({ model_count_target: 5, units_target: 100_000 });
    expect(targets.find((t) => t.year === 2028)).toMatchObject({
      model_count_target: 10,
      units_target: 150_000,
      outside_japan_share_min: 40,
      outside_japan_share_max: 60,
    });
    const units = (year: number, japan: boolean) =>
      one<{ n: number }>(
        `SELECT coalesce(sum(rm.planned_units), 0) AS n FROM road_model_markets rm JOIN markets m ON m.id = rm.market_id
         WHERE rm.year = ? AND (m.code = 'JP') = ?`,
        year,
        japan ? 1 : 0,
      ).n;
    const total = (year: number) => units(year, true) + units(year, false);
    expect(total(2025)).toBeGreaterThan(90_000);
    expect(total(2025)).toBeLessThan(115_000);
    expect(total(2028)).toBeGreaterThan(140_000);
    expect(total(2028)).toBeLessThan(160_000);
    const outsideGrowth = units(2028, false) - units(2025, false);
    const share = (100 * outsideGrowth) / (total(2028) - total(2025));
    expect(share).toBeGreaterThanOrEqual(40);
    expect(share).toBeLessThanOrEqual(60);
    expect(all<{ code: string }>('SELECT code FROM markets ORDER BY code').map((m) => m.code)).toEqual(['AU', 'CN', 'EU', 'GCC', 'JP', 'US']);
  });

  it('has a few hundred completed demo runs, each with evidence, on demo prototypes', () => {
    const runs = one<{ n: number; completed: number; demo: number; ended_late: number; no_end: number }>(
      `SELECT count(*) AS n, sum(status = 'completed') AS completed, sum(demo) AS demo,
              sum(end_time > ?) AS ended_late, sum(end_time IS NULL) AS no_end FROM test_runs`,
      SEED_NOW,
    );
    expect(runs.n).toBeGreaterThanOrEqual(300);
    expect(runs.n).toBeLessThanOrEqual(400);
    expect(runs).toMatchObject({ completed: runs.n, demo: runs.n, ended_late: 0, no_end: 0 });
    expect(one<{ n: number }>('SELECT count(*) AS n FROM test_runs r WHERE NOT EXISTS (SELECT 1 FROM evidence e WHERE e.test_run_id = r.id)').n).toBe(0);
    expect(one<{ n: number }>('SELECT count(*) AS n FROM test_runs r JOIN prototypes p ON p.id = r.prototype_id WHERE p.demo = 0').n).toBe(0);
    expect(one<{ n: number }>(`SELECT count(*) AS n FROM prototypes WHERE demo = 0 OR notes <> 'Demo data'`).n).toBe(0);
    const perRun = one<{ min_e: number; max_e: number; min_m: number; max_m: number }>(
      `SELECT min(e) AS min_e, max(e) AS max_e, min(m) AS min_m, max(m) AS max_m FROM (
         SELECT (SELECT count(*) FROM evidence WHERE test_run_id = r.id) AS e,
                (SELECT count(*) FROM measurements WHERE test_run_id = r.id) AS m FROM test_runs r)`,
    );
    expect(perRun).toEqual({ min_e: 1, max_e: 3, min_m: 1, max_m: 4 });
    const outcomes = all<{ outcome: string; n: number }>('SELECT outcome, count(*) AS n FROM evidence GROUP BY outcome');
    const n = (o: string) => outcomes.find((x) => x.outcome === o)?.n ?? 0;
    expect(n('pass')).toBeGreaterThan(n('fail') + n('inconclusive'));
    expect(n('fail')).toBeGreaterThan(0);
    expect(n('inconclusive')).toBeGreaterThan(0);
    const years = all<{ y: string }>(`SELECT DISTINCT substr(start_time, 1, 4) AS y FROM test_runs`).map((r) => r.y);
    for (const y of ['2019', '2020', '2021', '2022', '2023', '2024', '2025', '2026']) expect(years).toContain(y);
  });

  it('keeps runs consistent: a run with a program runs on a prototype that serves it', () => {
    const orphans = one<{ n: number }>(
      `SELECT count(*) AS n FROM test_runs r WHERE r.program_id IS NOT NULL AND NOT EXISTS (
         SELECT 1 FROM prototype_programs pp WHERE pp.prototype_id = r.prototype_id AND pp.program_id = r.program_id)`,
    );
    expect(orphans.n).toBe(0);
    const roadPrototypes = one<{ n: number }>(
      `SELECT count(*) AS n FROM prototypes WHERE kind = 'road_prototype' AND road_model_id IS NULL`,
    );
    expect(roadPrototypes.n).toBe(0);
    expect(one<{ code: string }>(`SELECT code FROM prototypes WHERE code = 'ARIYA-NISMO-PT-03'`)).toBeDefined();
    // Generated codes follow the calendar: TR-YYYY-NNNN with the year of the start.
    expect(one<{ n: number }>(`SELECT count(*) AS n FROM test_runs WHERE substr(code, 4, 4) <> substr(start_time, 1, 4)`).n).toBe(0);
  });

  it('reads like the real thing: e-4ORCE names, Japanese text, units on measurements', () => {
    expect(one<{ n: number }>(`SELECT count(*) AS n FROM technologies WHERE name LIKE '%e-4ORCE%'`).n).toBeGreaterThanOrEqual(3);
    expect(one<{ n: number }>(`SELECT count(*) AS n FROM test_runs WHERE title LIKE '%タイヤ摩耗の評価%'`).n).toBeGreaterThan(0);
    expect(one<{ n: number }>(`SELECT count(*) AS n FROM technologies WHERE description GLOB '*[ぁ-んァ-ン一-龯]*'`).n).toBeGreaterThan(0);
    expect(one<{ n: number }>(`SELECT count(*) AS n FROM measurements WHERE unit = ''`).n).toBe(0);
    const locations = all<{ location: string }>('SELECT DISTINCT location FROM test_runs').map((r) => r.location);
    for (const place of ['Fuji Speedway', 'Suzuka Circuit', 'Tokyo E-Prix', 'Diriyah E-Prix', 'NTC HIL lab (Atsugi)']) {
      expect(locations).toContain(place);
    }
  });

  it('keeps derivations acyclic (DER-1)', () => {
    const cyclic = one<{ n: number }>(
      `WITH RECURSIVE up(start, id) AS (
         SELECT child_id, parent_id FROM technology_derivations
         UNION SELECT up.start, d.parent_id FROM technology_derivations d JOIN up ON d.child_id = up.id
       ) SELECT count(*) AS n FROM up WHERE start = id`,
    );
    expect(cyclic.n).toBe(0);
    expect(countRows(db, 'technology_derivations')).toBeGreaterThan(20);
  });

  it('is deterministic: the same plan every time, and the database holds it', () => {
    const a = planDemoRuns();
    expect(planDemoRuns()).toEqual(a);
    const stored = all<{ title: string; start_time: string }>('SELECT title, start_time FROM test_runs ORDER BY id');
    // The planned runs, then the late findings logged after the transfer reviews.
    expect(stored.slice(0, a.length)).toEqual(a.map((r) => ({ title: r.title, start_time: r.start_time })));
    expect(stored.length - a.length).toBe(2);
  });

  it('shows suspect transfers, recent failures and a readiness history in the demo', () => {
    expect(suspectTransfers(db).length).toBeGreaterThan(0);
    const fails = all<{ code: string }>(
      `SELECT r.code FROM evidence e JOIN test_runs r ON r.id = e.test_run_id WHERE e.outcome = 'fail' AND r.end_time >= '2026-10-28'`,
    );
    expect(fails.length).toBeGreaterThanOrEqual(2);
    const levels = all<{ target: string; level: number }>('SELECT target, max(level) AS level FROM readiness_assessments GROUP BY target');
    expect(levels.find((l) => l.target === 'race')?.level).toBeGreaterThanOrEqual(7);
    expect(levels.find((l) => l.target === 'road')?.level).toBeGreaterThanOrEqual(6);
  });

  it('adds nothing the second time, by itself or at start-up', () => {
    const before = rowCounts(db);
    const again = seedDemoData(db);
    expect(again.seeded).toBe(false);
    expect(Object.values(again.counts).every((n) => n === 0)).toBe(true);
    prepareDatabase(db, testConfig(dir, { seed: 'demo' }));
    expect(rowCounts(db)).toEqual(before);
  });
});

describe('demo seed at start-up', () => {
  it('seeds nothing with PITLANE_SEED=none', () => {
    const d = tempDir('pitlane-seed-none-');
    const config = testConfig(d, { seed: 'none' });
    const other = openDatabase(config.dbFile);
    try {
      prepareDatabase(other, config);
      expect(countRows(other, 'programs')).toBe(0);
      expect(countRows(other, 'test_runs')).toBe(0);
    } finally {
      other.sqlite.close();
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it('reuses lookups an admin added before any program existed', () => {
    const d = tempDir('pitlane-seed-lookups-');
    const config = testConfig(d, { seed: 'none' });
    const other = openDatabase(config.dbFile);
    try {
      prepareDatabase(other, config);
      const fe = createSeries(other, SYSTEM_ACTOR, { name: 'Formula E', description: 'added by hand' });
      prepareDatabase(other, { ...config, seed: 'demo' });
      expect(countRows(other, 'series')).toBe(3);
      const programs = other.sqlite.prepare('SELECT count(*) AS n FROM programs WHERE series_id = ?').get(fe.id) as { n: number };
      expect(programs.n).toBeGreaterThan(0);
      expect(countRows(other, 'test_runs')).toBeGreaterThanOrEqual(300);
    } finally {
      other.sqlite.close();
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
});
