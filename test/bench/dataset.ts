// The benchmark's dataset: a seeded generator (same seed, same rows) of a large Pitlane database —
// 100,000 test runs with 200,000 evidence links and 300,000 measurements, 10,000 technologies,
// 15,000 derivations, 1,000 road models and 5,000 transfers, with the text the search indexes.
// Raw prepared statements, one transaction per table; the FTS insert triggers are lifted during
// the load and the FTS indexes rebuilt once at the end (far faster than row by row).
import type { Db } from '../../src/db.js';
import { prng } from './lineage.js';

export const BENCH_SIZE = {
  series: 20,
  programs: 500,
  categories: 20,
  prototypes: 2_000,
  technologies: 10_000,
  derivations: 15_000,
  roadModels: 1_000,
  transfers: 5_000,
  runs: 100_000,
  evidence: 200_000,
  measurements: 300_000,
} as const;

export interface BenchDataset {
  first: { program: number; prototype: number; technology: number; roadModel: number; run: number };
  /** The busiest prototype, technology and outcome, for filtered lists that return full pages. */
  busyPrototype: number;
  busyTechnology: number;
  ids: { programs: number[]; prototypes: number[]; technologies: number[]; roadModels: number[]; runs: number[] };
  /** Codes and names the CSV import refers to. */
  prototypeCodes: string[];
  technologyNames: string[];
  seconds: Record<string, number>;
}

const VENUES = ['track', 'race_event', 'dyno', 'bench', 'hil', 'sil', 'simulator', 'wind_tunnel'] as const;
const STATUSES = ['completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'planned', 'running', 'aborted'] as const;
const OUTCOMES = ['pass', 'pass', 'pass', 'pass', 'fail', 'inconclusive'] as const;
const STAGES = ['candidate', 'evaluation', 'approved', 'in_production', 'rejected'] as const;
const KINDS = ['race_car', 'mule', 'road_prototype', 'dyno_rig', 'bench_rig', 'hil_rig', 'simulator'] as const;
const SERIES = ['Formula E', 'Super GT', 'Super Taikyu', 'WEC', 'Nürburgring 24h', 'Dakar', 'Bathurst 12h', 'Spa 24h', 'IMSA', 'Le Mans'];
const COMPONENTS = ['Inverter', 'Motor', 'Battery pack', 'Gearbox', 'Brake', 'Diffuser', 'Front wing', 'Damper', 'Tyre', 'Cooling loop', 'e-4ORCE control', 'Traction control', 'Turbo', 'Intercooler', 'Exhaust', 'ECU', 'Wiring loom', 'Suspension arm', 'Steering rack', 'Regen map'];
const TESTS = ['thermal soak', 'endurance', 'sprint', 'cooling check', 'calibration', 'durability', 'shakedown', 'correlation', 'validation', 'stress test', 'fatigue', 'aero map', '耐久テスト', 'ロングラン'];
const LOCATIONS = ['Fuji Speedway', 'Suzuka Circuit', 'Atsugi dyno cell 3', 'Atsugi bench 2', 'Sendai wind tunnel', 'Motegi', 'Okayama', 'Autopolis', 'Tochigi proving ground', 'Yokohama HIL lab', 'Valencia', 'Berlin Tempelhof'];
const MEASURES: [string, string, number][] = [
  ['Lap time', 's', 92],
  ['Peak power', 'kW', 350],
  ['Inverter temp', 'degC', 80],
  ['Battery temp', 'degC', 45],
  ['Energy used', 'kWh', 38],
  ['Top speed', 'km/h', 280],
  ['Downforce', 'N', 9000],
  ['Brake temp', 'degC', 650],
];
/** Technologies per derivation family. */
const FAMILY = 25;
const FIRST = ['k', 'y', 'h', 's', 't', 'm', 'a', 'r', 'n', 'j'];
const LAST = ['tanaka', 'suzuki', 'sato', 'watanabe', 'ito', 'yamamoto', 'nakamura', 'kobayashi', 'kato', 'yoshida'];

/** Lifts the insert triggers of the FTS tables; returns a function that puts them back and rebuilds the indexes. */
function withoutFtsTriggers(db: Db): () => void {
  const s = db.sqlite;
  const triggers = s.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%\\_fts\\_insert' ESCAPE '\\'`).all() as { name: string; sql: string }[];
  for (const t of triggers) s.exec(`DROP TRIGGER "${t.name}"`);
  return () => {
    for (const t of triggers) s.exec(t.sql);
    s.exec(`INSERT INTO test_runs_fts(test_runs_fts) VALUES ('rebuild')`);
    s.exec(`INSERT INTO technologies_fts(technologies_fts) VALUES ('rebuild')`);
  };
}

/** Fills an empty, migrated database (a first user may exist). */
export function buildBenchDataset(db: Db, seed = 2026): BenchDataset {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const skewed = (n: number, power: number) => Math.floor(n * rnd() ** power);
  const pick = <T>(list: readonly T[]) => list[int(list.length)]!;
  const s = db.sqlite;
  const seconds: Record<string, number> = {};
  const timed = <T>(name: string, work: () => T): T => {
    const t = performance.now();
    const result = s.transaction(work)();
    seconds[name] = (performance.now() - t) / 1000;
    return result;
  };
  const restoreTriggers = withoutFtsTriggers(db);

  const { programIds, categoryIds } = timed('programs', () => {
    const insertSeries = s.prepare(`INSERT INTO series (name, description) VALUES (?, ?)`);
    const insertProgram = s.prepare(
      `INSERT INTO programs (series_id, season, start_year, end_year, class, entry, car, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertCategory = s.prepare(`INSERT INTO technology_categories (name) VALUES (?)`);
    const seriesIds: number[] = [];
    for (let i = 0; i < BENCH_SIZE.series; i++) {
      seriesIds.push(Number(insertSeries.run(`${SERIES[i % SERIES.length]} ${Math.floor(i / SERIES.length) + 1}`, 'Generated for the benchmark').lastInsertRowid));
    }
    const programIds: number[] = [];
    for (let i = 0; i < BENCH_SIZE.programs; i++) {
      const year = 2014 + (i % 13);
      const status = year < 2025 ? 'completed' : year === 2025 ? 'active' : 'planned';
      programIds.push(Number(insertProgram.run(seriesIds[i % seriesIds.length], `${year}`, year, year, i % 3 === 0 ? '' : 'GT500', `#${i}`, `Car ${i % 40}`, status).lastInsertRowid));
    }
    const categoryIds: number[] = [];
    for (let i = 0; i < BENCH_SIZE.categories; i++) categoryIds.push(Number(insertCategory.run(`${COMPONENTS[i % COMPONENTS.length]} systems`).lastInsertRowid));
    return { seriesIds, programIds, categoryIds };
  });

  const { prototypeIds, prototypeCodes } = timed('prototypes', () => {
    const insertPrototype = s.prepare(`INSERT INTO prototypes (code, name, kind, hardware_revision) VALUES (?, ?, ?, ?)`);
    const insertServes = s.prepare(`INSERT INTO prototype_programs (prototype_id, program_id) VALUES (?, ?)`);
    const prototypeIds: number[] = [];
    const prototypeCodes: string[] = [];
    for (let i = 0; i < BENCH_SIZE.prototypes; i++) {
      const code = `P-${String(i).padStart(5, '0')}`;
      const id = Number(insertPrototype.run(code, `${pick(COMPONENTS)} ${pick(KINDS).replace('_', ' ')} ${i}`, pick(KINDS), `rev ${String.fromCharCode(65 + int(6))}`).lastInsertRowid);
      prototypeIds.push(id);
      prototypeCodes.push(code);
      const serves = new Set<number>();
      const n = 1 + int(3);
      while (serves.size < n) serves.add(pick(programIds));
      for (const p of serves) insertServes.run(id, p);
    }
    return { prototypeIds, prototypeCodes };
  });

  const { techIds, technologyNames } = timed('technologies', () => {
    const insertTech = s.prepare(
      `INSERT INTO technologies (name, domain, category_id, description, origin_program_id, owner) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const insertDerivation = s.prepare(`INSERT INTO technology_derivations (parent_id, child_id) VALUES (?, ?)`);
    const techIds: number[] = [];
    const technologyNames: string[] = [];
    for (let i = 0; i < BENCH_SIZE.technologies; i++) {
      const name = `${COMPONENTS[i % COMPONENTS.length]} gen ${Math.floor(i / COMPONENTS.length) + 1}`;
      const origin = rnd() < 0.7 ? pick(programIds) : null;
      const id = Number(
        insertTech.run(name, rnd() < 0.3 ? 'software' : 'hardware', pick(categoryIds), `${name}: ${pick(TESTS)} findings`, origin, `${pick(FIRST)}.${pick(LAST)}`).lastInsertRowid,
      );
      techIds.push(id);
      technologyNames.push(name);
    }
    // Derivations: families of FAMILY technologies (a race part and its road descendants); each
    // member after the first derives from one or two earlier members of its family, so a
    // technology has at most FAMILY - 1 ancestors and the graph is acyclic by construction.
    const children = techIds.map((_, i) => i).filter((i) => i % FAMILY !== 0);
    const pairs = new Set<string>();
    const derive = (child: number) => {
      const parent = child - 1 - int(child % FAMILY);
      const key = `${parent}:${child}`;
      if (pairs.has(key)) return;
      pairs.add(key);
      insertDerivation.run(techIds[parent], techIds[child]);
    };
    for (const child of children) derive(child);
    while (pairs.size < BENCH_SIZE.derivations) derive(pick(children));
    return { techIds, technologyNames };
  });

  const modelIds = timed('road models', () => {
    const insertModel = s.prepare(`INSERT INTO road_models (name, base_model, powertrain, status, launch_date) VALUES (?, ?, ?, ?, ?)`);
    const insertTransfer = s.prepare(`INSERT INTO transfers (technology_id, road_model_id, stage, rationale) VALUES (?, ?, ?, ?)`);
    const modelIds: number[] = [];
    for (let i = 0; i < BENCH_SIZE.roadModels; i++) {
      const year = 2015 + (i % 14);
      modelIds.push(Number(insertModel.run(`Model ${i} Nismo`, `Model ${i % 50}`, pick(['ice', 'e_power', 'ev']), year < 2026 ? 'production' : 'planned', `${year}-0${1 + (i % 9)}-01`).lastInsertRowid));
    }
    const pairs = new Set<string>();
    while (pairs.size < BENCH_SIZE.transfers) {
      // Road-bound technologies sit late in their family.
      const tech = techIds[int(techIds.length / FAMILY) * FAMILY + FAMILY - 1 - skewed(FAMILY, 2)]!;
      const model = pick(modelIds);
      const key = `${tech}:${model}`;
      if (pairs.has(key)) continue;
      pairs.add(key);
      insertTransfer.run(tech, model, pick(STAGES), 'Generated for the benchmark');
    }
    return modelIds;
  });

  const runIds = timed('test runs', () => {
    const insertRun = s.prepare(
      `INSERT INTO test_runs (code, prototype_id, program_id, title, objective, venue_type, location, start_time, end_time, status,
         software_version, hardware_revision, engineer, result_summary, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const runIds: number[] = [];
    const start = Date.UTC(2019, 0, 1);
    const step = (Date.UTC(2026, 10, 1) - start) / BENCH_SIZE.runs;
    const perYear = new Map<number, number>();
    for (let i = 0; i < BENCH_SIZE.runs; i++) {
      const at = new Date(start + i * step + int(3_600_000) * 6);
      const year = at.getUTCFullYear();
      const n = (perYear.get(year) ?? 0) + 1;
      perYear.set(year, n);
      const status = pick(STATUSES);
      const component = pick(COMPONENTS);
      const test = pick(TESTS);
      const iso = at.toISOString();
      const end = status === 'completed' || status === 'aborted' ? new Date(at.getTime() + (1 + int(8)) * 3_600_000).toISOString() : null;
      const id = insertRun.run(
        `TR-${year}-${String(n).padStart(4, '0')}`,
        prototypeIds[skewed(prototypeIds.length, 1.6)],
        rnd() < 0.4 ? pick(programIds) : null,
        `${component} ${test}`,
        `Check the ${component.toLowerCase()} under ${test} conditions`,
        pick(VENUES),
        pick(LOCATIONS),
        iso,
        end,
        status,
        `fw ${int(6)}.${int(10)}.${int(20)}`,
        `rev ${String.fromCharCode(65 + int(6))}`,
        `${pick(FIRST)}.${pick(LAST)}`,
        status === 'completed' ? `${rnd() < 0.8 ? 'Passed' : 'Failed'} with ${int(10)} degC margin` : '',
        iso,
        end ?? iso,
      ).lastInsertRowid;
      runIds.push(Number(id));
    }
    // The yearly code sequences, as the app would have left them (new runs continue them).
    const setSequence = s.prepare(`INSERT INTO sequences (name, value) VALUES (?, ?)`);
    for (const [year, n] of perYear) setSequence.run(`test_run:${year}`, n);
    return runIds;
  });

  timed('evidence', () => {
    const insertEvidence = s.prepare(`INSERT INTO evidence (test_run_id, technology_id, outcome, notes) VALUES (?, ?, ?, ?)`);
    // One per run (a run needs evidence), the rest spread at random; technologies are skewed (race tech gets most runs).
    const counts = new Uint8Array(runIds.length).fill(1);
    for (let i = runIds.length; i < BENCH_SIZE.evidence; i++) counts[int(runIds.length)]!++;
    runIds.forEach((run, r) => {
      const seen = new Set<number>();
      while (seen.size < counts[r]!) seen.add(techIds[skewed(techIds.length, 1.8)]!);
      for (const tech of seen) insertEvidence.run(run, tech, pick(OUTCOMES), rnd() < 0.2 ? 'See the attached log' : '');
    });
  });

  timed('measurements', () => {
    const insertMeasurement = s.prepare(`INSERT INTO measurements (test_run_id, position, name, value, unit) VALUES (?, ?, ?, ?, ?)`);
    const counts = new Uint8Array(runIds.length);
    for (let i = 0; i < BENCH_SIZE.measurements; i++) counts[int(runIds.length)]!++;
    runIds.forEach((run, r) => {
      for (let p = 0; p < counts[r]!; p++) {
        const [name, unit, base] = pick(MEASURES);
        insertMeasurement.run(run, p, name, Math.round(base * (0.8 + rnd() * 0.4) * 100) / 100, unit);
      }
    });
  });

  timed('fts rebuild', restoreTriggers);

  const busiest = (sql: string) => (s.prepare(sql).get() as { id: number }).id;
  return {
    first: { program: programIds[0]!, prototype: prototypeIds[0]!, technology: techIds[0]!, roadModel: modelIds[0]!, run: runIds[0]! },
    busyPrototype: busiest(`SELECT prototype_id AS id FROM test_runs GROUP BY prototype_id ORDER BY count(*) DESC LIMIT 1`),
    busyTechnology: busiest(`SELECT technology_id AS id FROM evidence GROUP BY technology_id ORDER BY count(*) DESC LIMIT 1`),
    ids: { programs: programIds, prototypes: prototypeIds, technologies: techIds, roadModels: modelIds, runs: runIds },
    prototypeCodes,
    technologyNames,
    seconds,
  };
}
