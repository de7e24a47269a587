// The dashboard's numbers: a few aggregate queries, each one statement.
import type { Db } from '../db.js';

export interface DashboardData {
  counts: Record<'programs' | 'prototypes' | 'technologies' | 'test_runs' | 'road_models' | 'transfers', number>;
  latestRuns: { id: number; code: string; title: string; start_time: string; status: string; prototype_code: string; passes: number; fails: number }[];
  recentFailures: { test_run_id: number; code: string; technology_id: number; technology: string; at: string; notes: string }[];
  roadModelsByStatus: { status: string; n: number }[];
}

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
  return { counts, latestRuns, recentFailures, roadModelsByStatus };
}
