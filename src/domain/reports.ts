// The reports of DESIGN §3: coverage gaps (GAP-1..3), suspect transfers (SUS-1/2, with names),
// race-to-road lead times (LT-1) and the line-up plan (PLAN-1). Each returns flat rows with a
// stable column order (the CSV export writes them as they are), computed with a few set-based
// queries, never a query per row.
import type { Db } from '../db.js';
import { suspectTransfers, type SuspectRule } from './suspect.js';

// ---------------------------------------------------------------------------------------------
// Coverage gaps

export type GapRule = 'GAP-1' | 'GAP-2' | 'GAP-3';

export interface CoverageGap {
  rule: GapRule;
  road_model_id: number;
  road_model: string;
  technology_id: number | null;
  technology: string | null;
  transfer_id: number | null;
  stage: string | null;
  detail: string;
}

export interface CoverageGapFilter {
  rule?: GapRule;
  road_model_id?: number;
}

// A transfer's technology and all its ancestors, for the transfers in `scope`.
const LINEAGE = `
  lineage(transfer_id, technology_id) AS (
    SELECT id, technology_id FROM scope
    UNION
    SELECT l.transfer_id, d.parent_id FROM technology_derivations d JOIN lineage l ON d.child_id = l.technology_id
  )`;

const GAP1_SQL = `
  WITH RECURSIVE scope AS (
    SELECT id, technology_id FROM transfers
     WHERE stage IN ('evaluation', 'approved', 'in_production') AND (:road_model_id IS NULL OR road_model_id = :road_model_id)
  ),
  ${LINEAGE}
  SELECT tr.road_model_id, rm.name AS road_model, tr.technology_id, t.name AS technology, tr.id AS transfer_id, tr.stage,
         (SELECT count(*) - 1 FROM lineage l WHERE l.transfer_id = tr.id) AS ancestors
    FROM scope s
    JOIN transfers tr ON tr.id = s.id
    JOIN road_models rm ON rm.id = tr.road_model_id
    JOIN technologies t ON t.id = tr.technology_id
   WHERE NOT EXISTS (
           SELECT 1 FROM lineage l
             JOIN evidence e ON e.technology_id = l.technology_id AND e.outcome = 'pass'
             JOIN test_runs r ON r.id = e.test_run_id AND r.status = 'completed'
            WHERE l.transfer_id = s.id)`;

const GAP2_SQL = `
  SELECT tr.road_model_id, rm.name AS road_model, tr.technology_id, t.name AS technology, tr.id AS transfer_id, tr.stage,
         cur.level, cur.assessed_on
    FROM transfers tr
    JOIN road_models rm ON rm.id = tr.road_model_id
    JOIN technologies t ON t.id = tr.technology_id
    LEFT JOIN readiness_assessments cur ON cur.id = (
           SELECT a.id FROM readiness_assessments a
            WHERE a.technology_id = tr.technology_id AND a.target = 'race'
            ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1)
   WHERE tr.stage IN ('approved', 'in_production') AND (:road_model_id IS NULL OR tr.road_model_id = :road_model_id)
     AND (cur.level IS NULL OR cur.level < 6)`;

const GAP3_SQL = `
  SELECT rm.id AS road_model_id, rm.name AS road_model, rm.status
    FROM road_models rm
   WHERE rm.status IN ('development', 'production') AND (:road_model_id IS NULL OR rm.id = :road_model_id)
     AND NOT EXISTS (SELECT 1 FROM transfers tr WHERE tr.road_model_id = rm.id AND tr.stage <> 'rejected')`;

interface GapSource {
  road_model_id: number;
  road_model: string;
  technology_id: number;
  technology: string;
  transfer_id: number;
  stage: string;
}

const RULE_ORDER: Record<GapRule, number> = { 'GAP-1': 1, 'GAP-2': 2, 'GAP-3': 3 };

/**
 * GAP-1: a transfer at evaluation or later (not rejected) whose technology and ancestors have no
 * pass on a completed run. GAP-2: a transfer at approved or in_production whose technology's
 * current race TRL (latest assessment) is below 6 or missing. GAP-3: a road model in development
 * or production without a transfer (rejected transfers do not count).
 */
export function coverageGaps(db: Db, filter: CoverageGapFilter = {}): CoverageGap[] {
  const p = { road_model_id: filter.road_model_id ?? null };
  const rows: CoverageGap[] = [];
  const want = (rule: GapRule) => filter.rule === undefined || filter.rule === rule;
  if (want('GAP-1')) {
    for (const r of db.sqlite.prepare(GAP1_SQL).all(p) as (GapSource & { ancestors: number })[]) {
      const whose = r.ancestors > 0 ? `${r.technology} and its ${r.ancestors} ancestor(s) have` : `${r.technology} has`;
      rows.push({ rule: 'GAP-1', ...pick(r), detail: `${whose} no pass on a completed run` });
    }
  }
  if (want('GAP-2')) {
    for (const r of db.sqlite.prepare(GAP2_SQL).all(p) as (GapSource & { level: number | null; assessed_on: string | null })[]) {
      const detail =
        r.level === null
          ? `${r.technology} has no race TRL assessment; ${r.stage} needs race TRL 6 or more`
          : `${r.technology} is at race TRL ${r.level} (assessed ${r.assessed_on}); ${r.stage} needs race TRL 6 or more`;
      rows.push({ rule: 'GAP-2', ...pick(r), detail });
    }
  }
  if (want('GAP-3')) {
    for (const r of db.sqlite.prepare(GAP3_SQL).all(p) as { road_model_id: number; road_model: string; status: string }[]) {
      rows.push({
        rule: 'GAP-3',
        road_model_id: r.road_model_id,
        road_model: r.road_model,
        technology_id: null,
        technology: null,
        transfer_id: null,
        stage: null,
        detail: `${r.road_model} is in ${r.status} with no transfer from racing`,
      });
    }
  }
  return rows.sort(
    (a, b) =>
      RULE_ORDER[a.rule] - RULE_ORDER[b.rule] ||
      a.road_model.localeCompare(b.road_model) ||
      (a.technology ?? '').localeCompare(b.technology ?? '') ||
      (a.transfer_id ?? 0) - (b.transfer_id ?? 0),
  );
}

function pick(r: GapSource) {
  return {
    road_model_id: r.road_model_id,
    road_model: r.road_model,
    technology_id: r.technology_id,
    technology: r.technology,
    transfer_id: r.transfer_id,
    stage: r.stage,
  };
}

// ---------------------------------------------------------------------------------------------
// Suspect transfers, one row per reason

export interface SuspectTransferRow {
  transfer_id: number;
  stage: string;
  technology_id: number;
  technology: string;
  road_model_id: number;
  road_model: string;
  reviewed_at: string | null;
  rule: SuspectRule;
  detail: string;
  run_id: number | null;
  run_code: string | null;
  /** The technology that failed or changed: the transfer's own or an ancestor. */
  source_technology_id: number | null;
  source_technology: string | null;
}

export interface SuspectReportFilter {
  road_model_id?: number;
  technology_id?: number;
}

export function suspectTransfersReport(db: Db, filter: SuspectReportFilter = {}): SuspectTransferRow[] {
  const suspects = suspectTransfers(db, { roadModelId: filter.road_model_id, technologyId: filter.technology_id });
  if (suspects.length === 0) return [];
  const transferIds = suspects.map((s) => s.transfer_id);
  const techIds = new Set<number>();
  const runIds = new Set<number>();
  for (const s of suspects) {
    for (const r of s.reasons) {
      if (r.technology_id !== undefined) techIds.add(r.technology_id);
      if (r.run_id !== undefined) runIds.add(r.run_id);
    }
  }
  const transfers = new Map(
    (
      db.sqlite
        .prepare(
          `SELECT tr.id, tr.stage, tr.reviewed_at, t.name AS technology, rm.name AS road_model
             FROM transfers tr JOIN technologies t ON t.id = tr.technology_id JOIN road_models rm ON rm.id = tr.road_model_id
            WHERE tr.id IN (SELECT value FROM json_each(?))`,
        )
        .all(JSON.stringify(transferIds)) as { id: number; stage: string; reviewed_at: string | null; technology: string; road_model: string }[]
    ).map((r) => [r.id, r]),
  );
  const techNames = new Map(
    (db.sqlite.prepare(`SELECT id, name FROM technologies WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify([...techIds])) as {
      id: number;
      name: string;
    }[]).map((r) => [r.id, r.name]),
  );
  const runCodes = new Map(
    (db.sqlite.prepare(`SELECT id, code FROM test_runs WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify([...runIds])) as {
      id: number;
      code: string;
    }[]).map((r) => [r.id, r.code]),
  );
  return suspects.flatMap((s) => {
    const tr = transfers.get(s.transfer_id)!;
    return s.reasons.map((r) => ({
      transfer_id: s.transfer_id,
      stage: tr.stage,
      technology_id: s.technology_id,
      technology: tr.technology,
      road_model_id: s.road_model_id,
      road_model: tr.road_model,
      reviewed_at: tr.reviewed_at,
      rule: r.rule,
      detail: r.detail,
      run_id: r.run_id ?? null,
      run_code: r.run_id !== undefined ? (runCodes.get(r.run_id) ?? null) : null,
      source_technology_id: r.technology_id ?? null,
      source_technology: r.technology_id !== undefined ? (techNames.get(r.technology_id) ?? null) : null,
    }));
  });
}

// ---------------------------------------------------------------------------------------------
// Lead times (LT-1)

export interface LeadTimeRow {
  transfer_id: number;
  technology_id: number;
  technology: string;
  road_model_id: number;
  road_model: string;
  /** The first pass (completed run, earliest end) of the technology or any ancestor. */
  first_pass_run_id: number | null;
  first_pass_run_code: string | null;
  first_pass_technology_id: number | null;
  first_pass_technology: string | null;
  first_pass_on: string | null;
  launch_date: string | null;
  /** Days from the first pass to the launch; null without either. */
  lead_time_days: number | null;
  /** The series of the origin program of the technology that passed first (else of the transfer's technology). */
  series_id: number | null;
  series: string | null;
}

export interface LeadTimeSeries {
  series_id: number | null;
  series: string | null;
  /** Transfers with a lead time. */
  count: number;
  min_days: number;
  median_days: number;
  max_days: number;
}

export interface LeadTimesReport {
  transfers: LeadTimeRow[];
  per_series: LeadTimeSeries[];
}

const LT1_SQL = `
  WITH RECURSIVE scope AS (SELECT id, technology_id, road_model_id FROM transfers WHERE stage = 'in_production'),
  ${LINEAGE},
  passes AS (
    SELECT l.transfer_id, e.technology_id, r.id AS run_id, r.code, coalesce(r.end_time, r.start_time) AS ended_at,
           row_number() OVER (PARTITION BY l.transfer_id ORDER BY coalesce(r.end_time, r.start_time), r.id, e.technology_id) AS n
      FROM lineage l
      JOIN evidence e ON e.technology_id = l.technology_id AND e.outcome = 'pass'
      JOIN test_runs r ON r.id = e.test_run_id AND r.status = 'completed'
  )
  SELECT s.id AS transfer_id, s.technology_id, t.name AS technology, s.road_model_id, rm.name AS road_model,
         p.run_id AS first_pass_run_id, p.code AS first_pass_run_code,
         p.technology_id AS first_pass_technology_id, pt.name AS first_pass_technology,
         substr(p.ended_at, 1, 10) AS first_pass_on, rm.launch_date,
         CASE WHEN p.run_id IS NOT NULL AND rm.launch_date IS NOT NULL
              THEN CAST(round(julianday(rm.launch_date) - julianday(substr(p.ended_at, 1, 10))) AS INTEGER) END AS lead_time_days,
         se.id AS series_id, se.name AS series
    FROM scope s
    JOIN technologies t ON t.id = s.technology_id
    JOIN road_models rm ON rm.id = s.road_model_id
    LEFT JOIN passes p ON p.transfer_id = s.id AND p.n = 1
    LEFT JOIN technologies pt ON pt.id = p.technology_id
    LEFT JOIN programs pg ON pg.id = coalesce(pt.origin_program_id, t.origin_program_id)
    LEFT JOIN series se ON se.id = pg.series_id
   ORDER BY s.id`;

function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** LT-1: per transfer in production, first pass → launch in days; summarised per series of the origin program. */
export function leadTimes(db: Db): LeadTimesReport {
  const transfers = db.sqlite.prepare(LT1_SQL).all() as LeadTimeRow[];
  const groups = new Map<string, { series_id: number | null; series: string | null; days: number[] }>();
  for (const row of transfers) {
    if (row.lead_time_days === null) continue;
    const key = String(row.series_id);
    const g = groups.get(key) ?? { series_id: row.series_id, series: row.series, days: [] };
    g.days.push(row.lead_time_days);
    groups.set(key, g);
  }
  const per_series = [...groups.values()]
    .map((g) => {
      const days = [...g.days].sort((a, b) => a - b);
      return {
        series_id: g.series_id,
        series: g.series,
        count: days.length,
        min_days: days[0]!,
        median_days: median(days),
        max_days: days[days.length - 1]!,
      };
    })
    // Named series by name; transfers without an origin series last.
    .sort((a, b) => (a.series === null ? 1 : 0) - (b.series === null ? 1 : 0) || (a.series ?? '').localeCompare(b.series ?? ''));
  return { transfers, per_series };
}

// ---------------------------------------------------------------------------------------------
// Line-up plan (PLAN-1)

export interface LineupPlanRow {
  year: number;
  /** Road models on sale that year: launched (or planned to launch) by then and not ended before it. */
  models: number;
  model_target: number;
  /** Planned units of every road model in every market for the year. */
  units: number;
  units_target: number;
  /** Percent of the unit growth since the earliest plan year that comes from markets other than JP; null without growth. */
  outside_japan_share: number | null;
  band_min: number | null;
  band_max: number | null;
  on_track: boolean;
}

const PLAN_SQL = `
  SELECT pt.year, pt.model_count_target, pt.units_target, pt.outside_japan_share_min AS band_min, pt.outside_japan_share_max AS band_max,
         (SELECT count(*) FROM road_models rm
           WHERE rm.status <> 'concept' AND rm.launch_date IS NOT NULL
             AND CAST(substr(rm.launch_date, 1, 4) AS INTEGER) <= pt.year
             AND (rm.end_date IS NULL OR CAST(substr(rm.end_date, 1, 4) AS INTEGER) >= pt.year)
             AND NOT (rm.status = 'discontinued' AND rm.end_date IS NULL)) AS models,
         (SELECT coalesce(sum(rmm.planned_units), 0) FROM road_model_markets rmm WHERE rmm.year = pt.year) AS units,
         (SELECT coalesce(sum(rmm.planned_units), 0) FROM road_model_markets rmm JOIN markets m ON m.id = rmm.market_id
           WHERE rmm.year = pt.year AND m.code <> 'JP') AS units_outside
    FROM plan_targets pt
   ORDER BY pt.year`;

/**
 * PLAN-1: per plan target year, the road models counted (status not concept; launch_date year ≤
 * the year; end_date null or its year ≥ the year; a discontinued model needs an end_date) against
 * the model-count target, the planned units of that year against the units target, and the share
 * of unit growth since the earliest plan year that comes from outside Japan against the band.
 * On track when both counts reach their targets and the share (when a band is set) is inside it.
 */
export function lineupPlan(db: Db): LineupPlanRow[] {
  const rows = db.sqlite.prepare(PLAN_SQL).all() as {
    year: number;
    model_count_target: number;
    units_target: number;
    band_min: number | null;
    band_max: number | null;
    models: number;
    units: number;
    units_outside: number;
  }[];
  const base = rows[0];
  return rows.map((r) => {
    const growth = base ? r.units - base.units : 0;
    const share = base && r.year > base.year && growth > 0 ? Math.round(((r.units_outside - base.units_outside) / growth) * 1000) / 10 : null;
    const banded = r.band_min !== null || r.band_max !== null;
    const shareOk =
      !banded || (share !== null && (r.band_min === null || share >= r.band_min) && (r.band_max === null || share <= r.band_max));
    return {
      year: r.year,
      models: r.models,
      model_target: r.model_count_target,
      units: r.units,
      units_target: r.units_target,
      outside_japan_share: share,
      band_min: r.band_min,
      band_max: r.band_max,
      on_track: r.models >= r.model_count_target && r.units >= r.units_target && shareOk,
    };
  });
}
