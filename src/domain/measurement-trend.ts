// A measurement's values across runs: of a technology (the runs with evidence for it, each with
// that evidence's outcome) or of a prototype. Read-only; the pages chart it.
import type { Db } from '../db.js';
import { NotFoundError } from './errors.js';
import type { EvidenceOutcome, RunStatus, VenueType } from './test-runs.js';

export type TrendScope = { technology_id: number } | { prototype_id: number };

export interface MeasurementName {
  name: string;
  /** The distinct units it was logged in (usually one). */
  units: string[];
  /** How many runs in scope logged it. */
  runs: number;
}

export interface TrendPoint {
  run_id: number;
  run_code: string;
  start_time: string;
  status: RunStatus;
  venue_type: VenueType;
  value: number;
  unit: string;
  /** The run's evidence outcome for the technology (technology scope only; else null). */
  outcome: EvidenceOutcome | null;
}

export interface MeasurementTrend {
  name: string;
  /** Ordered by run start (then run id, then the measurement's position in the run). */
  points: TrendPoint[];
  units: string[];
  /** Values of this name in scope in all; more than `points.length` when the latest were kept. */
  total: number;
}

/** Enough for a readable chart; the latest are kept when there are more. */
export const TREND_POINT_LIMIT = 500;
const NAME_LIMIT = 500;

function requireScope(db: Db, scope: TrendScope): void {
  const [table, entity, id] =
    'technology_id' in scope ? (['technologies', 'technology', scope.technology_id] as const) : (['prototypes', 'prototype', scope.prototype_id] as const);
  if (!db.sqlite.prepare(`SELECT 1 FROM ${table} WHERE id = ?`).get(id)) throw new NotFoundError(entity, id);
}

/** The runs in scope as SQL (joined as `r`, evidence as `e` for a technology), with its parameter. */
function scopeSql(scope: TrendScope): { join: string; where: string; param: number } {
  if ('technology_id' in scope) {
    return { join: 'JOIN evidence e ON e.test_run_id = r.id AND e.technology_id = ?', where: '1 = 1', param: scope.technology_id };
  }
  return { join: '', where: 'r.prototype_id = ?', param: scope.prototype_id };
}

/** The measurement names logged on runs in scope, by name (404 when the scope's record does not exist). */
export function measurementNames(db: Db, scope: TrendScope): MeasurementName[] {
  requireScope(db, scope);
  const s = scopeSql(scope);
  const rows = db.sqlite
    .prepare(
      `SELECT m.name AS name, json_group_array(DISTINCT m.unit) AS units, count(DISTINCT m.test_run_id) AS runs
         FROM measurements m
         JOIN test_runs r ON r.id = m.test_run_id
         ${s.join}
        WHERE ${s.where}
        GROUP BY m.name
        ORDER BY m.name COLLATE NOCASE, m.name
        LIMIT ${NAME_LIMIT}`,
    )
    .all(s.param) as { name: string; units: string; runs: number }[];
  return rows.map((r) => ({ name: r.name, units: (JSON.parse(r.units) as string[]).sort(), runs: r.runs }));
}

/** The values of measurement `name` on runs in scope, oldest run first (the latest `limit` of them). */
export function measurementTrend(db: Db, scope: TrendScope, name: string, limit = TREND_POINT_LIMIT): MeasurementTrend {
  requireScope(db, scope);
  const s = scopeSql(scope);
  const outcome = 'technology_id' in scope ? 'e.outcome' : 'NULL';
  const from = `FROM measurements m JOIN test_runs r ON r.id = m.test_run_id ${s.join} WHERE ${s.where} AND m.name = ?`;
  const rows = db.sqlite
    .prepare(
      `SELECT r.id AS run_id, r.code AS run_code, r.start_time, r.status, r.venue_type, m.value, m.unit, ${outcome} AS outcome
         ${from}
        ORDER BY r.start_time DESC, r.id DESC, m.position DESC
        LIMIT ?`,
    )
    .all(s.param, name, limit) as TrendPoint[];
  const total = rows.length < limit ? rows.length : (db.sqlite.prepare(`SELECT count(*) AS n ${from}`).get(s.param, name) as { n: number }).n;
  const points = rows.reverse();
  return { name, points, units: [...new Set(points.map((p) => p.unit))].sort(), total };
}
