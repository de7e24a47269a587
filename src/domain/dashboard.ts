// The dashboard's numbers: a few aggregate queries, each one statement, plus the reports of
// src/domain/reports.ts (suspect transfers, coverage gaps, the line-up plan) in short form.
import { cachedUntilChange, type Db } from '../db.js';
import { coverageGaps, lineupPlan, suspectTransfersReport, type CoverageGap, type LineupPlanRow } from './reports.js';

export const DASHBOARD_TOP = 5;

export interface DashboardSuspect {
  transfer_id: number;
  stage: string;
  technology_id: number;
  technology: string;
  road_model_id: number;
  road_model: string;
  /** How many reasons (SUS-1 fails, SUS-2 changes) it has; the first is shown. */
  reasons: number;
  first_reason: string;
}

export interface DashboardData {
  counts: Record<'programs' | 'prototypes' | 'technologies' | 'test_runs' | 'road_models' | 'transfers', number>;
  latestRuns: { id: number; code: string; title: string; start_time: string; status: string; prototype_code: string; passes: number; fails: number }[];
  recentFailures: { test_run_id: number; code: string; technology_id: number; technology: string; at: string; notes: string }[];
  roadModelsByStatus: { status: string; n: number }[];
  /** Suspect transfers: how many, and the ones with the most reasons first. */
  suspects: { count: number; top: DashboardSuspect[] };
  /** Coverage gaps (GAP-1..3): how many, and the first in report order. */
  gaps: { count: number; top: CoverageGap[] };
  /** Technologies per current race TRL (latest race assessment): levels 1–9, then null = unassessed. */
  readinessSpread: { level: number | null; n: number }[];
  /** PLAN-1 rows. */
  lineup: LineupPlanRow[];
}

// The current race TRL is the latest race assessment (by assessed_on, then id), as in readiness.ts.
const SPREAD_SQL = `
  SELECT cur.level AS level, count(*) AS n
    FROM technologies t
    LEFT JOIN readiness_assessments cur ON cur.id = (
           SELECT a.id FROM readiness_assessments a
            WHERE a.technology_id = t.id AND a.target = 'race'
            ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1)
   GROUP BY cur.level`;

function readinessSpread(db: Db): DashboardData['readinessSpread'] {
  const counts = new Map((db.sqlite.prepare(SPREAD_SQL).all() as { level: number | null; n: number }[]).map((r) => [r.level, r.n]));
  const levels: (number | null)[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, null];
  return levels.map((level) => ({ level, n: counts.get(level) ?? 0 }));
}

// Asked of every suspect transfer: a second or more on a large line-up (2,000 live transfers of the
// bench database), so kept until the database changes, as the landing page is opened again and again.
const suspectSummary = cachedUntilChange(function suspectSummary(db: Db): DashboardData['suspects'] {
  const byTransfer = new Map<number, DashboardSuspect>();
  for (const r of suspectTransfersReport(db)) {
    const s = byTransfer.get(r.transfer_id);
    if (s) {
      s.reasons += 1;
      continue;
    }
    byTransfer.set(r.transfer_id, {
      transfer_id: r.transfer_id,
      stage: r.stage,
      technology_id: r.technology_id,
      technology: r.technology,
      road_model_id: r.road_model_id,
      road_model: r.road_model,
      reasons: 1,
      first_reason: `${r.rule}: ${r.detail}`,
    });
  }
  const all = [...byTransfer.values()];
  const top = [...all].sort((a, b) => b.reasons - a.reasons || a.transfer_id - b.transfer_id).slice(0, DASHBOARD_TOP);
  return { count: all.length, top };
});

export function dashboardData(db: Db, now: Date = new Date()): DashboardData {
  const counts = db.sqlite
    .prepare(
      `SELECT (SELECT count(*) FROM programs) AS programs, (SELECT count(*) FROM prototypes) AS prototypes,
              (SELECT count(*) FROM technologies) AS technologies, (SELECT count(*) FROM test_runs) AS test_runs,
              (SELECT count(*) FROM road_models) AS road_models, (SELECT count(*) FROM transfers) AS transfers`,
    )
    .get() as DashboardData['counts'];
  const latestRuns = db.sqlite
    .prepare(
      `SELECT r.id, r.code, r.title, r.start_time, r.status, p.code AS prototype_code,
              (SELECT count(*) FROM evidence e WHERE e.test_run_id = r.id AND e.outcome = 'pass') AS passes,
              (SELECT count(*) FROM evidence e WHERE e.test_run_id = r.id AND e.outcome = 'fail') AS fails
         FROM test_runs r JOIN prototypes p ON p.id = r.prototype_id
        ORDER BY r.start_time DESC, r.id DESC LIMIT 10`,
    )
    .all() as DashboardData['latestRuns'];
  const since = new Date(now.getTime() - 30 * 24 * 3600 * 1000).toISOString();
  // Failed evidence counts from completed runs only (EVD-1), dated by when the run ended.
  const recentFailures = db.sqlite
    .prepare(
      `SELECT r.id AS test_run_id, r.code, t.id AS technology_id, t.name AS technology,
              coalesce(r.end_time, r.start_time) AS at, e.notes
         FROM evidence e JOIN test_runs r ON r.id = e.test_run_id JOIN technologies t ON t.id = e.technology_id
        WHERE e.outcome = 'fail' AND r.status = 'completed' AND coalesce(r.end_time, r.start_time) >= ?
        ORDER BY at DESC LIMIT 20`,
    )
    .all(since) as DashboardData['recentFailures'];
  const roadModelsByStatus = db.sqlite
    .prepare(`SELECT status, count(*) AS n FROM road_models GROUP BY status ORDER BY n DESC, status`)
    .all() as DashboardData['roadModelsByStatus'];
  const gaps = coverageGaps(db);
  return {
    counts,
    latestRuns,
    recentFailures,
    roadModelsByStatus,
    suspects: suspectSummary(db),
    gaps: { count: gaps.length, top: gaps.slice(0, DASHBOARD_TOP) },
    readinessSpread: readinessSpread(db),
    lineup: lineupPlan(db),
  };
}
