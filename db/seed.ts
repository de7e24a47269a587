// Demo data from public facts (DESIGN §7), written through the domain functions so that every
// rule and the audit apply. Deterministic: a seeded PRNG and a fixed "now" (SEED_NOW).
import { and, count, eq } from 'drizzle-orm';
import { createReadinessAssessment, type ReadinessInput } from '../src/domain/readiness.js';
import { RuleViolationError } from '../src/domain/errors.js';
import type { Db } from '../src/db.js';
import { SYSTEM_ACTOR, type Actor } from '../src/domain/actor.js';
import { createMarket, findMarketByCode } from '../src/domain/markets.js';
import { createPlanTarget } from '../src/domain/plan-targets.js';
import { createProgram } from '../src/domain/programs.js';
import { createPrototype, findPrototypeByCode } from '../src/domain/prototypes.js';
import { inTransaction } from '../src/domain/records.js';
import { createRoadModel, findRoadModelByName } from '../src/domain/road-models.js';
import { createSeries } from '../src/domain/series.js';
import { createTechnology, findTechnologyByName } from '../src/domain/technologies.js';
import { createTechnologyCategory, findTechnologyCategoryByName } from '../src/domain/technology-categories.js';
import { createTestRun } from '../src/domain/test-runs.js';
import { createTransfer } from '../src/domain/transfers.js';
import { randomPassword } from '../src/domain/passwords.js';
import { createUser, findUserByUsername, type Role } from '../src/domain/users.js';
import {
  CAMPAIGNS,
  CATEGORIES,
  DEMO_NOTE,
  FAIL_NOTES,
  INCONCLUSIVE_NOTES,
  LAP_TIMES,
  MARKETS,
  PLAN_TARGETS,
  PROGRAMS,
  PROTOTYPES,
  ROAD_MODELS,
  RUN_HOURS,
  SEED_NOW,
  SEED_PRNG_SEED,
  SERIES,
  TECHNOLOGIES,
  TRANSFERS,
  type MarketCode,
  type MeasureSpec,
  type Outcome,
  type ProgramFact,
  type SessionFact,
  type VenueType,
} from './seed-data.js';
import { plan_targets, programs, series, transfers } from './schema.js';

export interface SeedCounts {
  series: number;
  programs: number;
  technology_categories: number;
  technologies: number;
  markets: number;
  road_models: number;
  transfers: number;
  plan_targets: number;
  prototypes: number;
  test_runs: number;
  measurements: number;
  evidence: number;
  readiness_assessments: number;
}

/** A demo user created by the seed, with its generated password (printed once at start-up). */
export interface DemoUser {
  username: string;
  role: Role;
  password: string;
}

export interface SeedResult {
  seeded: boolean;
  /** Rows created per entity (lookups that already existed are reused, not counted). */
  counts: SeedCounts;
  /** Demo users created now (one per non-admin role); empty when they existed or nothing was seeded. */
  demoUsers: DemoUser[];
}

const DEMO_USERS: { username: string; role: Role; display_name: string }[] = [
  { username: 'engineer', role: 'engineer', display_name: 'Demo engineer' },
  { username: 'product', role: 'product', display_name: 'Demo product planner' },
  { username: 'viewer', role: 'viewer', display_name: 'Demo viewer' },
];

function zeroCounts(): SeedCounts {
  return {
    series: 0,
    programs: 0,
    technology_categories: 0,
    technologies: 0,
    markets: 0,
    road_models: 0,
    transfers: 0,
    plan_targets: 0,
    prototypes: 0,
    test_runs: 0,
    measurements: 0,
    evidence: 0,
    readiness_assessments: 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Deterministic run plan (pure: no database)

/** mulberry32: small, fast and good enough for demo data; the same seed gives the same data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PlannedRun {
  prototype: string;
  program: string | null;
  title: string;
  objective: string;
  venue_type: VenueType;
  location: string;
  start_time: string;
  end_time: string;
  software_version: string;
  hardware_revision: string;
  engineer: string;
  result_summary: string;
  measurements: { name: string; value: number; unit: string }[];
  evidence: { technology: string; outcome: Outcome; notes: string }[];
}

const DAY_MS = 86_400_000;
const NOW_MS = Date.parse(SEED_NOW);
const PROGRAM_BY_KEY = new Map(PROGRAMS.map((p) => [p.key, p]));
const TECH_BY_KEY = new Map(TECHNOLOGIES.map((t) => [t.key, t]));
const PROTOTYPE_BY_CODE = new Map(PROTOTYPES.map((p) => [p.code, p]));

// Higher fail rates where the technology is still research or early development.
const RISKY_TECHNOLOGIES = new Set(['ssb_cell', 'hf_ssb', 'fe_gen4', 'hf_aero', 'hf_e4']);
const PASS_SUMMARIES = [
  'All targets met.',
  'Within targets; correlates with simulation.',
  '目標値を達成。',
  'No issues; data archived for the next event.',
  'Targets met; calibration frozen.',
];
// Locations in Japan: runs there start in the Japanese morning (UTC+9).
const JAPAN_HINTS = ['Fuji', 'Suzuka', 'Okayama', 'SUGO', 'Autopolis', 'Motegi', 'Atsugi', 'NTC', 'Tochigi', 'Yokohama', 'Omori', 'Hokkaido', 'Sendai', 'Oppama', 'Tokyo', 'NISMO'];

/**
 * The season window of a program: Formula E seasons run September to August; calendar-year
 * seasons end in November, so winter development counts for the next year.
 */
function programWindow(p: ProgramFact): [number, number] {
  if (p.end_year > p.start_year) {
    return [Date.parse(`${p.start_year}-09-01T00:00:00Z`), Date.parse(`${p.end_year}-08-31T23:59:59Z`)];
  }
  return [Date.parse(`${p.start_year - 1}-12-01T00:00:00Z`), Date.parse(`${p.end_year}-11-30T23:59:59Z`)];
}

/** The season a run belongs to: the first whose window has not ended (development runs serve the next season). */
function programFor(keys: string[], at: number): ProgramFact | null {
  if (keys.length === 0) return null;
  const candidates = keys.map((k) => PROGRAM_BY_KEY.get(k)!).sort((a, b) => programWindow(a)[1] - programWindow(b)[1]);
  return candidates.find((p) => programWindow(p)[1] >= at) ?? candidates[candidates.length - 1]!;
}

/** On rigs that serve many seasons, a run exercises the technologies of its own era and series. */
function technologiesFor(keys: string[], program: ProgramFact | null, multiSeason: boolean): string[] {
  if (!multiSeason || !program) return keys;
  const fitting = keys.filter((k) => {
    const origin = TECH_BY_KEY.get(k)!.origin;
    if (!origin) return true;
    const o = PROGRAM_BY_KEY.get(origin)!;
    return o.series === program.series && o.start_year <= program.start_year && o.start_year >= program.start_year - 3;
  });
  return fitting.length > 0 ? fitting : keys;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function planDemoRuns(seed = SEED_PRNG_SEED): PlannedRun[] {
  const rng = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
  const between = (lo: number, hi: number) => lo + rng() * (hi - lo);
  const sample = <T>(items: readonly T[], n: number): T[] => {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < n && pool.length > 0) out.push(pool.splice(Math.floor(rng() * pool.length), 1)[0]!);
    return out;
  };
  const runs: PlannedRun[] = [];

  const measure = (spec: MeasureSpec, location: string) => {
    const typical = spec.lap ? LAP_TIMES[spec.lap]?.[location] : undefined;
    const raw = typical !== undefined ? typical * (1 + rng() * 0.025) : spec.base + (rng() * 2 - 1) * spec.spread;
    const f = 10 ** spec.decimals;
    return { name: spec.name, value: Math.round(raw * f) / f, unit: spec.unit };
  };

  for (const campaign of CAMPAIGNS) {
    const proto = PROTOTYPE_BY_CODE.get(campaign.prototype)!;
    const campaignFrom = Date.parse(`${campaign.from}T00:00:00Z`);
    const campaignTo = Math.min(Date.parse(`${campaign.to}T23:59:59Z`), NOW_MS);

    const makeRun = (session: SessionFact, day: number, location: string, title: string) => {
      const japan = JAPAN_HINTS.some((h) => location.includes(h));
      const startHour = japan ? Math.floor(between(0, 7)) : Math.floor(between(7, 15));
      const [minH, maxH] = RUN_HOURS[session.venue];
      let start = day + startHour * 3_600_000 + pick([0, 15, 30, 45]) * 60_000;
      let end = start + Math.round((between(minH, maxH) * 60) / 5) * 5 * 60_000;
      if (end > NOW_MS) {
        start -= end - NOW_MS + 3_600_000;
        end = NOW_MS - 3_600_000;
      }
      const programKeys = session.programs ?? campaign.programs;
      const program = programFor(programKeys, start);
      const techKeys = technologiesFor(session.technologies, program, programKeys.length > 1);
      const nTech = Math.min(techKeys.length, rng() < 0.45 ? 1 : rng() < 0.75 ? 2 : 3);
      const evidence = sample(techKeys, nTech).map((technology) => {
        const fail = RISKY_TECHNOLOGIES.has(technology) ? 0.25 : 0.11;
        const r = rng();
        const outcome: Outcome = r < fail ? 'fail' : r < fail + 0.1 ? 'inconclusive' : 'pass';
        const category = TECH_BY_KEY.get(technology)!.category;
        const notes = outcome === 'fail' ? pick(FAIL_NOTES[category]!) : outcome === 'inconclusive' ? pick(INCONCLUSIVE_NOTES) : '';
        return { technology, outcome, notes };
      });
      const nMeasures = Math.min(session.measures.length, 1 + Math.floor(rng() * 4));
      const chosen = new Set(sample(session.measures, nMeasures));
      const measurements = session.measures.filter((s) => chosen.has(s)).map((s) => measure(s, location));
      const problems = evidence.filter((e) => e.outcome !== 'pass');
      const progress = campaignTo > campaignFrom ? Math.min(1, Math.max(0, (start - campaignFrom) / (campaignTo - campaignFrom))) : 0;
      const software = `${campaign.software}${Math.floor(progress * 8) + (campaign.software.endsWith('.') ? 0 : 1)}.${Math.floor(rng() * 10)}`;
      runs.push({
        prototype: proto.code,
        program: program?.key ?? null,
        title: title.replace('{loc}', location),
        objective: pick(session.objectives),
        venue_type: session.venue,
        location,
        start_time: new Date(start).toISOString(),
        end_time: new Date(end).toISOString(),
        software_version: software,
        // Cars are rebuilt to each season's spec; rigs keep their own revision.
        hardware_revision:
          program && (proto.kind === 'race_car' || proto.kind === 'mule') && proto.programs.length > 1
            ? `${proto.hardware_revision} (${program.season})`
            : proto.hardware_revision,
        engineer: pick(campaign.engineers),
        result_summary:
          problems.length === 0
            ? pick(PASS_SUMMARIES)
            : problems.map((e) => `${e.outcome === 'fail' ? 'Fail' : 'Inconclusive'} – ${TECH_BY_KEY.get(e.technology)!.name}: ${e.notes}`).join(' '),
        measurements,
        evidence,
      });
    };

    for (const session of campaign.sessions) {
      if (session.events) {
        for (const event of session.events) {
          const day = Date.parse(`${event.date}T00:00:00Z`);
          const first = Math.floor(rng() * session.titles.length);
          for (let i = 0; i < (session.perEvent ?? 1); i++) {
            makeRun(session, day, event.location, session.titles[(first + i) % session.titles.length]!);
          }
        }
      }
      const from = session.from ? Date.parse(`${session.from}T00:00:00Z`) : campaignFrom;
      const to = session.to ? Math.min(Date.parse(`${session.to}T23:59:59Z`), NOW_MS) : campaignTo;
      for (let i = 0; i < (session.count ?? 0); i++) {
        let day = Date.parse(`${isoDay(between(from, to))}T00:00:00Z`);
        // Labs work on weekdays; tracks and events any day.
        if (session.venue !== 'track' && session.venue !== 'race_event') {
          const dow = new Date(day).getUTCDay();
          if (dow === 6) day -= DAY_MS;
          if (dow === 0) day -= 2 * DAY_MS;
        }
        makeRun(session, day, pick(session.locations ?? ['']), pick(session.titles));
      }
    }
  }
  return runs.sort((a, b) => (a.start_time < b.start_time ? -1 : a.start_time > b.start_time ? 1 : a.prototype.localeCompare(b.prototype)));
}

// ---------------------------------------------------------------------------------------------
// Writing it

function seedActor(db: Db): Actor {
  const admin = findUserByUsername(db, 'admin');
  return admin ? { id: admin.id, name: admin.username } : SYSTEM_ACTOR;
}

/**
 * Seeds the demo data when there is no program; otherwise adds nothing. One outer transaction:
 * all or nothing, and one fsync (the domain's own transactions become savepoints).
 */
const LATE_FINDINGS = [
  {
    technology: 'fe_tyre',
    prototype: 'FE-MULE-07',
    title: 'Tyre thermal model check, long run',
    objective: 'Validate the tyre thermal model against the long-run degradation seen at the last round.',
    venue_type: 'track' as const,
    location: 'Circuito de Jarama test',
    start_time: '2026-10-29T09:00:00.000Z',
    end_time: '2026-10-29T15:30:00.000Z',
    engineer: 'Sophie Laurent',
    result_summary: 'Model under-predicts front-left surface temperature by 9 °C after 18 laps.',
    notes: 'Front-left surface temperature 9 °C above the model after 18 laps.',
    measurements: [
      { name: 'tyre_temp_fl', value: 104.2, unit: '°C' },
      { name: 'lap_time', value: 75.118, unit: 's' },
    ],
  },
  {
    technology: 'e4_race',
    prototype: 'NTC-HIL-02',
    title: 'e-4ORCE torque split regression after firmware 9.0',
    objective: 'Regression of the race torque-vectoring map on the HIL rig after the firmware update.',
    venue_type: 'hil' as const,
    location: 'NTC HIL lab (Atsugi)',
    start_time: '2026-10-30T01:00:00.000Z',
    end_time: '2026-10-30T04:20:00.000Z',
    engineer: 'Kenji Watanabe',
    result_summary: 'Yaw-rate error doubles in the low-grip case; firmware 9.0 changed the slip estimator.',
    notes: 'Yaw-rate error 1.4 deg/s in the low-grip case (limit 0.8).',
    measurements: [{ name: 'yaw_rate_error', value: 1.4, unit: 'deg/s' }],
  },
];

/**
 * Readiness history from the seeded evidence: for each technology, a first TRL 4 at its first
 * pass, then the highest race (and road) level that the rules of DESIGN §3 accept on all of its
 * passes. Levels the rules refuse are simply not claimed.
 */
function seedReadiness(db: Db, actor: Actor, technologyIds: number[]): number {
  let created = 0;
  const passes = db.sqlite.prepare(
    `SELECT r.id, substr(coalesce(r.end_time, r.start_time), 1, 10) AS day
       FROM evidence e JOIN test_runs r ON r.id = e.test_run_id
      WHERE e.technology_id = ? AND e.outcome = 'pass' AND r.status = 'completed'
      ORDER BY coalesce(r.end_time, r.start_time), r.id`,
  );
  const tryLevels = (input: Omit<ReadinessInput, 'level'>, levels: number[]): boolean => {
    for (const level of levels) {
      try {
        createReadinessAssessment(db, actor, { ...input, level });
        created++;
        return true;
      } catch (error) {
        if (!(error instanceof RuleViolationError)) throw error;
      }
    }
    return false;
  };
  for (const technology_id of technologyIds) {
    const runs = passes.all(technology_id) as { id: number; day: string }[];
    if (runs.length === 0) continue;
    const first = runs[0]!;
    const last = runs[runs.length - 1]!;
    const cited = runs.slice(-40).map((r) => r.id);
    tryLevels({ technology_id, target: 'race', assessed_on: first.day, rationale: 'First pass in a test environment.', evidence_run_ids: [first.id] }, [4]);
    tryLevels(
      { technology_id, target: 'race', assessed_on: last.day, rationale: 'Reviewed against all passes so far.', evidence_run_ids: cited },
      [9, 8, 7, 6, 5],
    );
    tryLevels(
      { technology_id, target: 'road', assessed_on: last.day, rationale: 'Road readiness from race and road-prototype evidence.', evidence_run_ids: cited },
      [7, 6, 5],
    );
  }
  return created;
}

export function seedDemoData(db: Db): SeedResult {
  return inTransaction(db, () => {
    const counts = zeroCounts();
    if (db.orm.select({ n: count() }).from(programs).get()!.n > 0) return { seeded: false, counts, demoUsers: [] };
    const actor = seedActor(db);

    // Lookups an admin may already have added are reused.
    const seriesIds = new Map<string, number>();
    for (const s of SERIES) {
      const existing = db.orm.select({ id: series.id }).from(series).where(eq(series.name, s.name)).get();
      if (existing) {
        seriesIds.set(s.key, existing.id);
      } else {
        seriesIds.set(s.key, createSeries(db, actor, { name: s.name, description: s.description }).id);
        counts.series++;
      }
    }

    const programIds = new Map<string, number>();
    for (const p of PROGRAMS) {
      const created = createProgram(db, actor, {
        series_id: seriesIds.get(p.series)!,
        season: p.season,
        start_year: p.start_year,
        end_year: p.end_year,
        class: p.class,
        entry: p.entry,
        car: p.car,
        status: p.status,
      });
      programIds.set(p.key, created.id);
      counts.programs++;
    }

    const categoryIds = new Map<string, number>();
    for (const c of CATEGORIES) {
      const existing = findTechnologyCategoryByName(db, c.name);
      if (existing) {
        categoryIds.set(c.key, existing.id);
      } else {
        const created = createTechnologyCategory(db, actor, { name: c.name, description: c.description, venue_types: c.venue_types });
        categoryIds.set(c.key, created.id);
        counts.technology_categories++;
      }
    }

    const technologyIds = new Map<string, number>();
    for (const t of TECHNOLOGIES) {
      const existing = findTechnologyByName(db, t.name);
      if (existing) {
        technologyIds.set(t.key, existing.id);
        continue;
      }
      const created = createTechnology(db, actor, {
        name: t.name,
        domain: t.domain,
        category_id: categoryIds.get(t.category)!,
        description: t.description,
        origin_program_id: t.origin ? programIds.get(t.origin)! : null,
        owner: t.owner,
        derived_from: t.derived_from.map((k) => technologyIds.get(k)!),
      });
      technologyIds.set(t.key, created.id);
      counts.technologies++;
    }

    const marketIds = new Map<string, number>();
    for (const mk of MARKETS) {
      const existing = findMarketByCode(db, mk.code);
      if (existing) {
        marketIds.set(mk.code, existing.id);
      } else {
        marketIds.set(mk.code, createMarket(db, actor, { code: mk.code, name: mk.name }).id);
        counts.markets++;
      }
    }

    const roadModelIds = new Map<string, number>();
    for (const r of ROAD_MODELS) {
      const existing = findRoadModelByName(db, r.name);
      if (existing) {
        roadModelIds.set(r.key, existing.id);
        continue;
      }
      const plannedMarkets = Object.entries(r.units).flatMap(([year, perMarket]) =>
        Object.entries(perMarket).map(([code, units]) => ({
          market_id: marketIds.get(code as MarketCode)!,
          year: Number(year),
          planned_units: units,
        })),
      );
      const created = createRoadModel(db, actor, {
        name: r.name,
        base_model: r.base_model,
        powertrain: r.powertrain,
        status: r.status,
        launch_date: r.launch_date,
        ...(r.end_date ? { end_date: r.end_date } : {}),
        partner: r.partner,
        description: r.description,
        markets: plannedMarkets,
      });
      roadModelIds.set(r.key, created.id);
      counts.road_models++;
    }

    for (const pt of PLAN_TARGETS) {
      if (db.orm.select({ id: plan_targets.id }).from(plan_targets).where(eq(plan_targets.year, pt.year)).get()) continue;
      createPlanTarget(db, actor, {
        year: pt.year,
        model_count_target: pt.model_count_target,
        units_target: pt.units_target,
        ...(pt.outside_japan_share_min !== null ? { outside_japan_share_min: pt.outside_japan_share_min } : {}),
        ...(pt.outside_japan_share_max !== null ? { outside_japan_share_max: pt.outside_japan_share_max } : {}),
        notes: pt.notes,
      });
      counts.plan_targets++;
    }

    const prototypeIds = new Map<string, number>();
    for (const p of PROTOTYPES) {
      const existing = findPrototypeByCode(db, p.code);
      if (existing) {
        prototypeIds.set(p.code, existing.id);
        continue;
      }
      const created = createPrototype(db, actor, {
        code: p.code,
        name: p.name,
        kind: p.kind,
        hardware_revision: p.hardware_revision,
        road_model_id: p.road_model ? roadModelIds.get(p.road_model)! : null,
        notes: DEMO_NOTE,
        program_ids: p.programs.map((k) => programIds.get(k)!),
        demo: true,
      });
      prototypeIds.set(p.code, created.id);
      counts.prototypes++;
    }

    // In time order, so that the generated codes (TR-YYYY-NNNN) follow the calendar.
    for (const run of planDemoRuns()) {
      createTestRun(db, actor, {
        prototype_id: prototypeIds.get(run.prototype)!,
        program_id: run.program ? programIds.get(run.program)! : null,
        title: run.title,
        objective: run.objective,
        venue_type: run.venue_type,
        location: run.location,
        start_time: run.start_time,
        end_time: run.end_time,
        status: 'completed',
        software_version: run.software_version,
        hardware_revision: run.hardware_revision,
        engineer: run.engineer,
        result_summary: run.result_summary,
        demo: true,
        measurements: run.measurements,
        evidence: run.evidence.map((e) => ({
          technology_id: technologyIds.get(e.technology)!,
          outcome: e.outcome,
          ...(e.notes ? { notes: e.notes } : {}),
        })),
      });
      counts.test_runs++;
      counts.measurements += run.measurements.length;
      counts.evidence += run.evidence.length;
    }

    // Transfers last: their decisions rest on the evidence above.
    for (const tr of TRANSFERS) {
      const technology_id = technologyIds.get(tr.technology)!;
      const road_model_id = roadModelIds.get(tr.road_model)!;
      const existing = db.orm
        .select({ id: transfers.id })
        .from(transfers)
        .where(and(eq(transfers.technology_id, technology_id), eq(transfers.road_model_id, road_model_id)))
        .get();
      if (existing) continue;
      createTransfer(db, actor, {
        technology_id,
        road_model_id,
        stage: tr.stage,
        rationale: tr.rationale,
        ...(tr.decided_on ? { decided_on: tr.decided_on } : {}),
      });
      counts.transfers++;
    }

    counts.readiness_assessments = seedReadiness(db, actor, [...technologyIds.values()]);

    // Findings logged after the last transfer reviews: a demo shows suspect transfers (SUS-1)
    // and failed evidence on the dashboard. Dated shortly before the demo's "now".
    for (const finding of LATE_FINDINGS) {
      const technology = technologyIds.get(finding.technology);
      const prototype = prototypeIds.get(finding.prototype);
      if (technology === undefined || prototype === undefined) continue;
      createTestRun(db, actor, {
        prototype_id: prototype,
        title: finding.title,
        objective: finding.objective,
        venue_type: finding.venue_type,
        location: finding.location,
        start_time: finding.start_time,
        end_time: finding.end_time,
        status: 'completed',
        engineer: finding.engineer,
        result_summary: finding.result_summary,
        demo: true,
        measurements: finding.measurements,
        evidence: [{ technology_id: technology, outcome: 'fail', notes: finding.notes }],
      });
      counts.test_runs++;
      counts.measurements += finding.measurements.length;
      counts.evidence++;
    }

    // One user per non-admin role, so that a demo shows what each role may do.
    const demoUsers: DemoUser[] = [];
    for (const u of DEMO_USERS) {
      if (findUserByUsername(db, u.username)) continue;
      const password = randomPassword();
      createUser(db, { ...u, password }, actor);
      demoUsers.push({ username: u.username, role: u.role, password });
    }

    return { seeded: true, counts, demoUsers };
  });
}
