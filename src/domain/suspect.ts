// Suspect transfers (SUS-1, SUS-2, SUS-3), computed at query time from the current data and the
// audit trail, so that a fail counts however it arrived (form, API, import, an edit of an old run)
// and no trigger or flag column has to be kept in step. Only transfers at approved or
// in_production can be suspect. "The last review" is transfers.reviewed_at, or created_at when the
// transfer was never reviewed; a review (SUS-3) moves it and so clears both kinds of suspicion.
//
// SUS-1: a FAIL of the transfer's technology or an ancestor (derivations, transitively) on a
// completed run counts when the run ended after the last review, OR when the fail was recorded
// after it: the audit trail holds a test_run event after the review whose `after` has the
// completed fail and whose `before` had not (a run logged late, a PATCH of an old run turning an
// outcome into fail or a run into completed). Runs without any audit event fall back to their
// created_at.
//
// SUS-2: transfers.review_fingerprint is the sha256 of the defining fields (name, domain,
// category_id, description) of the technology and all its ancestors, taken at the last review
// (`transferFingerprint`). A transfer with a fingerprint is suspect when the current fingerprint
// differs (so a change that was reverted is not suspect; adding or removing an ancestor changes it
// too). A transfer with a NULL fingerprint (reviewed before fingerprints were stored) falls back to
// the audit trail: technology update events after the last review, on the technology or an
// ancestor, whose net effect (the state before the first against the state after the last)
// changed a defining field or the derivations. The audit trail also names what changed.
import { createHash } from 'node:crypto';
import { prepared, type Db } from '../db.js';
import { minuteOf } from './time.js';

export type SuspectRule = 'SUS-1' | 'SUS-2';

/** The stages a transfer can be suspect at: callers need not ask the rules about the others. */
export const SUSPECT_STAGES = ['approved', 'in_production'] as const;
export const canBeSuspect = (stage: string): boolean => (SUSPECT_STAGES as readonly string[]).includes(stage);
/** The same, as an SQL list: `stage IN (${SUSPECT_STAGES_SQL})`. */
export const SUSPECT_STAGES_SQL = SUSPECT_STAGES.map((stage) => `'${stage}'`).join(', ');

export interface SuspectReason {
  rule: SuspectRule;
  detail: string;
  /** SUS-1: the run with the fail. */
  run_id?: number;
  /** The technology that failed or changed (the transfer's own or an ancestor). */
  technology_id?: number;
}

export interface SuspectTransfer {
  transfer_id: number;
  technology_id: number;
  road_model_id: number;
  reasons: SuspectReason[];
}

export interface SuspectFilter {
  transferId?: number;
  /** Only these transfers (a lineage graph's): each transfer's suspicion depends on its own lineage only. */
  transferIds?: readonly number[];
  roadModelId?: number;
  technologyId?: number;
}

export const DEFINING_FIELDS = ['name', 'domain', 'category_id', 'description'] as const;

interface DefiningRow {
  root: number;
  id: number;
  name: string;
  domain: string;
  category_id: number;
  description: string;
}

function hashLineage(rows: DefiningRow[]): string {
  const canonical = [...rows]
    .sort((a, b) => a.id - b.id)
    .map((r) => [r.id, r.name, r.domain, r.category_id, r.description]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

const LINEAGE_FIELDS_SQL = `
  WITH RECURSIVE lineage(root, id) AS (
    SELECT value, value FROM json_each(?)
    UNION
    SELECT l.root, d.parent_id FROM technology_derivations d JOIN lineage l ON d.child_id = l.id
  )
  SELECT l.root, t.id, t.name, t.domain, t.category_id, t.description
    FROM lineage l JOIN technologies t ON t.id = l.id`;

/** Current fingerprints of several technologies' lineages, in one recursive query. */
function fingerprints(db: Db, technologyIds: number[]): Map<number, string> {
  const result = new Map<number, string>();
  if (technologyIds.length === 0) return result;
  const rows = prepared(db, LINEAGE_FIELDS_SQL).all(JSON.stringify([...new Set(technologyIds)])) as DefiningRow[];
  const byRoot = new Map<number, DefiningRow[]>();
  for (const r of rows) {
    const list = byRoot.get(r.root) ?? [];
    list.push(r);
    byRoot.set(r.root, list);
  }
  for (const [root, list] of byRoot) result.set(root, hashLineage(list));
  return result;
}

/**
 * The fingerprint to store in transfers.review_fingerprint whenever a review is recorded (create,
 * stage change, reviewTransfer): sha256 of the defining fields of the technology and its ancestors.
 */
export function transferFingerprint(db: Db, technologyId: number): string {
  return fingerprints(db, [technologyId]).get(technologyId) ?? hashLineage([]);
}

// The transfers in scope and their lineage (technology + ancestors), shared by every query below.
// Only the filters given are written into it: an optional filter written as `(:x IS NULL OR …)`
// keeps SQLite from using the index, and every call read all transfers (a lineage graph asks
// about its two or three).
const SCOPE_FILTERS: Record<keyof SuspectFilter, string> = {
  transferId: 'id = :transfer_id',
  transferIds: 'id IN (SELECT value FROM json_each(:transfer_ids))',
  roadModelId: 'road_model_id = :road_model_id',
  technologyId: 'technology_id = :technology_id',
};

function scopeSql(filter: SuspectFilter): string {
  const where = [`stage IN (${SUSPECT_STAGES_SQL})`];
  for (const [name, condition] of Object.entries(SCOPE_FILTERS)) if (filter[name as keyof SuspectFilter] != null) where.push(condition);
  return `
  WITH RECURSIVE scope AS (
    SELECT id, technology_id, road_model_id, coalesce(reviewed_at, created_at) AS since, review_fingerprint
      FROM transfers
     WHERE ${where.join(' AND ')}
  ),
  lineage(transfer_id, technology_id) AS (
    SELECT id, technology_id FROM scope
    UNION
    SELECT l.transfer_id, d.parent_id FROM technology_derivations d JOIN lineage l ON d.child_id = l.technology_id
  )`;
}

// A test_run audit event's state counts as a completed fail of technology `tech`.
const countsFail = (state: string, tech: string) =>
  `(json_extract(${state}, '$.status') = 'completed' AND EXISTS (
      SELECT 1 FROM json_each(${state}, '$.evidence') x
       WHERE json_extract(x.value, '$.technology_id') = ${tech} AND json_extract(x.value, '$.outcome') = 'fail'))`;

const sus1Sql = (filter: SuspectFilter) => `${scopeSql(filter)},
  fails AS (
    SELECT s.id AS transfer_id, s.technology_id AS transfer_technology_id, s.since, e.technology_id, t.name AS technology,
           r.id AS run_id, r.code, coalesce(r.end_time, r.start_time) AS ended_at, r.created_at AS run_created_at
      -- CROSS JOIN fixes the join order: from the few transfers in scope through the evidence
      -- index to their runs. Left to itself the planner may start from every completed run.
      FROM lineage l
      CROSS JOIN scope s ON s.id = l.transfer_id
      CROSS JOIN evidence e ON e.technology_id = l.technology_id AND e.outcome = 'fail'
      CROSS JOIN test_runs r ON r.id = e.test_run_id AND r.status = 'completed'
      CROSS JOIN technologies t ON t.id = e.technology_id
     -- every audited write moves updated_at, so a fail recorded after the review implies this
     WHERE coalesce(r.end_time, r.start_time) > s.since OR r.updated_at > s.since
  )
  SELECT f.transfer_id, f.transfer_technology_id, f.since, f.technology_id, f.technology, f.run_id, f.code, f.ended_at,
         (f.ended_at > f.since) AS ended_after
    FROM fails f
   WHERE f.ended_at > f.since
      OR EXISTS (
           SELECT 1 FROM audit_events a
            WHERE a.entity = 'test_run' AND a.entity_id = CAST(f.run_id AS TEXT) AND a.at > f.since
              AND ${countsFail('a.after', 'f.technology_id')}
              AND (a.before IS NULL OR NOT ${countsFail('a.before', 'f.technology_id')}))
      OR (f.run_created_at > f.since
          AND NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.entity = 'test_run' AND a.entity_id = CAST(f.run_id AS TEXT)))
   ORDER BY f.transfer_id, f.ended_at, f.run_id, f.technology_id`;

const sus2ScopeSql = (filter: SuspectFilter) => `${scopeSql(filter)}
  SELECT s.id AS transfer_id, s.technology_id, s.since, s.review_fingerprint FROM scope s`;

const sus2AuditSql = (filter: SuspectFilter) => `${scopeSql(filter)}
  SELECT l.transfer_id, t.id AS technology_id, t.name AS technology, a.at, a.before, a.after
    FROM lineage l
    JOIN scope s ON s.id = l.transfer_id
    JOIN technologies t ON t.id = l.technology_id
    JOIN audit_events a ON a.entity = 'technology' AND a.entity_id = CAST(l.technology_id AS TEXT) AND a.action = 'update' AND a.at > s.since
   WHERE ${[...DEFINING_FIELDS, 'derived_from']
     .map((f) => `json_extract(a.before, '$.${f}') IS NOT json_extract(a.after, '$.${f}')`)
     .join(' OR ')}
   ORDER BY l.transfer_id, a.seq`;

interface Sus1Row {
  transfer_id: number;
  transfer_technology_id: number;
  since: string;
  technology_id: number;
  technology: string;
  run_id: number;
  code: string;
  ended_at: string;
  ended_after: number;
}

interface ScopeRow {
  transfer_id: number;
  technology_id: number;
  since: string;
  review_fingerprint: string | null;
}

interface AuditChangeRow {
  transfer_id: number;
  technology_id: number;
  technology: string;
  at: string;
  before: string | null;
  after: string | null;
}

function params(filter: SuspectFilter) {
  return {
    transfer_id: filter.transferId ?? null,
    transfer_ids: filter.transferIds ? JSON.stringify(filter.transferIds) : null,
    road_model_id: filter.roadModelId ?? null,
    technology_id: filter.technologyId ?? null,
  };
}

function changedFields(before: string | null, after: string | null): string[] {
  const b = (before ? JSON.parse(before) : {}) as Record<string, unknown>;
  const a = (after ? JSON.parse(after) : {}) as Record<string, unknown>;
  return [...DEFINING_FIELDS, 'derived_from'].filter((f) => JSON.stringify(b[f]) !== JSON.stringify(a[f]));
}

/** SUS-2 reasons per transfer id. */
function sus2Reasons(db: Db, filter: SuspectFilter): Map<number, SuspectReason[]> {
  const p = params(filter);
  const scope = prepared(db, sus2ScopeSql(filter)).all(p) as ScopeRow[];
  const reasons = new Map<number, SuspectReason[]>();
  if (scope.length === 0) return reasons;
  const withPrint = scope.filter((s) => s.review_fingerprint !== null);
  const current = fingerprints(
    db,
    withPrint.map((s) => s.technology_id),
  );
  const changedByPrint = new Set(withPrint.filter((s) => current.get(s.technology_id) !== s.review_fingerprint).map((s) => s.transfer_id));

  // Audit events name what changed (the state before the first change after the review against
  // the state after the last one, so a reverted change names nothing); they decide for NULL
  // fingerprints and explain the others.
  const events = prepared(db, sus2AuditSql(filter)).all(p) as AuditChangeRow[];
  const spans = new Map<string, { transfer_id: number; technology_id: number; technology: string; first: string | null; last: string | null; at: string }>();
  for (const e of events) {
    const key = `${e.transfer_id}:${e.technology_id}`;
    const span = spans.get(key);
    if (span) {
      span.last = e.after;
      span.at = e.at;
    } else {
      spans.set(key, { transfer_id: e.transfer_id, technology_id: e.technology_id, technology: e.technology, first: e.before, last: e.after, at: e.at });
    }
  }
  const named = new Map<number, { technology_id: number; technology: string; fields: string[]; at: string }[]>();
  for (const span of spans.values()) {
    const fields = changedFields(span.first, span.last);
    if (fields.length === 0) continue;
    const list = named.get(span.transfer_id) ?? [];
    list.push({ technology_id: span.technology_id, technology: span.technology, fields, at: span.at });
    named.set(span.transfer_id, list);
  }
  for (const s of scope) {
    const suspect = s.review_fingerprint === null ? named.has(s.transfer_id) : changedByPrint.has(s.transfer_id);
    if (!suspect) continue;
    const changes = named.get(s.transfer_id) ?? [];
    const list: SuspectReason[] = changes.map((c) => ({
      rule: 'SUS-2',
      technology_id: c.technology_id,
      detail: `${c.technology_id === s.technology_id ? c.technology : `${c.technology} (an ancestor)`} changed ${c.fields.join(', ')} on ${readable(c.at)}, after the last review (${readable(s.since)})`,
    }));
    if (list.length === 0) {
      list.push({ rule: 'SUS-2', detail: `the defining fields of the technology or an ancestor changed since the last review (${readable(s.since)})` });
    }
    reasons.set(s.transfer_id, list);
  }
  return reasons;
}

/** A stored time as a person reads it in a reason: `2026-05-14 09:30 UTC`. */
const readable = (iso: string) => `${minuteOf(iso)} UTC`;

/**
 * Every suspect transfer with its reasons (SUS-1 first, then SUS-2), ordered by transfer id.
 * A handful of set-based queries, whatever the number of transfers.
 */
export function suspectTransfers(db: Db, filter: SuspectFilter = {}): SuspectTransfer[] {
  const p = params(filter);
  const fails = prepared(db, sus1Sql(filter)).all(p) as Sus1Row[];
  const result = new Map<number, SuspectTransfer>();
  const scopeInfo = new Map<number, { technology_id: number; road_model_id: number }>();
  const ids = new Set<number>(fails.map((f) => f.transfer_id));
  const sus2 = sus2Reasons(db, filter);
  for (const id of sus2.keys()) ids.add(id);
  if (ids.size === 0) return [];
  const rows = prepared(db, `SELECT id, technology_id, road_model_id FROM transfers WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify([...ids])) as { id: number; technology_id: number; road_model_id: number }[];
  for (const r of rows) scopeInfo.set(r.id, { technology_id: r.technology_id, road_model_id: r.road_model_id });
  const entry = (transferId: number): SuspectTransfer => {
    let e = result.get(transferId);
    if (!e) {
      const info = scopeInfo.get(transferId)!;
      e = { transfer_id: transferId, technology_id: info.technology_id, road_model_id: info.road_model_id, reasons: [] };
      result.set(transferId, e);
    }
    return e;
  };
  for (const f of fails) {
    const whose = f.technology_id === f.transfer_technology_id ? f.technology : `${f.technology} (an ancestor)`;
    const detail = f.ended_after
      ? `run ${f.code} failed ${whose}; it ended ${readable(f.ended_at)}, after the last review (${readable(f.since)})`
      : `run ${f.code} failed ${whose}; the fail was recorded after the last review (${readable(f.since)})`;
    entry(f.transfer_id).reasons.push({ rule: 'SUS-1', detail, run_id: f.run_id, technology_id: f.technology_id });
  }
  for (const [transferId, reasons] of sus2) entry(transferId).reasons.push(...reasons);
  return [...result.values()].sort((a, b) => a.transfer_id - b.transfer_id);
}

export function isSuspect(db: Db, transferId: number): boolean {
  return suspectTransfers(db, { transferId }).length > 0;
}
