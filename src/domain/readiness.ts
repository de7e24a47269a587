// Readiness assessments: a technology's TRL (1–9) for a target (race or road) at a date, with the
// runs it rests on. Assessments are history: created and deleted, never edited; the current level
// per target is the latest one (by assessed_on, then id). Creating one enforces EVD-1 and the TRL
// rules of DESIGN §3 against the CITED runs (`evidence_run_ids`), not against all evidence on file:
// an assessment must show its evidence.
import { and, eq, gte, sql, type SQL } from 'drizzle-orm';
import { READINESS_TARGETS, VENUE_TYPES, readiness_assessments, readiness_evidence_runs, technologies } from '../../db/schema.js';
import type { Db } from '../db.js';
import type { Actor } from './actor.js';
import { recordAudit } from './audit.js';
import { InvalidInputError, NotFoundError, RuleViolationError, type FieldProblem } from './errors.js';
import { keyset, type KeysetSpec, type Page, type PageQuery } from './paging.js';
import { expectVersion, inTransaction } from './records.js';
import { nowIso } from './time.js';
import { hasSubscribers, readinessChanged } from './webhooks.js';

export type ReadinessTarget = (typeof READINESS_TARGETS)[number];

export interface ReadinessAssessment {
  id: number;
  technology_id: number;
  target: ReadinessTarget;
  level: number;
  assessed_on: string;
  assessor: string;
  rationale: string;
  /** The runs the assessment rests on, in the order they were given. */
  evidence_run_ids: number[];
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ReadinessInput {
  technology_id: number;
  target: ReadinessTarget;
  level: number;
  /** YYYY-MM-DD. */
  assessed_on: string;
  /** Default: the actor's name. */
  assessor?: string;
  rationale?: string;
  evidence_run_ids?: number[];
}

export interface ReadinessListQuery extends PageQuery {
  target?: ReadinessTarget;
  updated_since?: string;
}

export const READINESS_LIMITS = { assessor: 100, rationale: 10_000, evidence_run_ids: 100 } as const;

const ENTITY = 'readiness_assessment';

const SORT: KeysetSpec = {
  fields: {
    assessed_on: readiness_assessments.assessed_on,
    id: readiness_assessments.id,
    updated_at: readiness_assessments.updated_at,
  },
  id: readiness_assessments.id,
  defaultSort: '-assessed_on',
};

type Row = typeof readiness_assessments.$inferSelect;

/** Attaches evidence_run_ids to assessments with one IN query. */
function withRuns(db: Db, rows: Row[]): ReadinessAssessment[] {
  if (rows.length === 0) return [];
  const links = db.sqlite
    .prepare(
      `SELECT assessment_id, test_run_id FROM readiness_evidence_runs
        WHERE assessment_id IN (SELECT value FROM json_each(?)) ORDER BY assessment_id, rowid`,
    )
    .all(JSON.stringify(rows.map((r) => r.id))) as { assessment_id: number; test_run_id: number }[];
  const runs = new Map<number, number[]>();
  for (const l of links) {
    const list = runs.get(l.assessment_id) ?? [];
    list.push(l.test_run_id);
    runs.set(l.assessment_id, list);
  }
  return rows.map((r) => ({ ...r, target: r.target as ReadinessTarget, evidence_run_ids: runs.get(r.id) ?? [] }));
}

function requireTechnology(db: Db, technologyId: number): { id: number; name: string; category_id: number } {
  const tech = db.orm
    .select({ id: technologies.id, name: technologies.name, category_id: technologies.category_id })
    .from(technologies)
    .where(eq(technologies.id, technologyId))
    .get();
  if (!tech) throw new NotFoundError('technology', technologyId);
  return tech;
}

/** A page of a technology's assessments (404 when the technology does not exist). */
export function listReadinessAssessments(db: Db, technologyId: number, query: ReadinessListQuery): Page<ReadinessAssessment> {
  requireTechnology(db, technologyId);
  const ks = keyset(SORT, query);
  const where: (SQL | undefined)[] = [ks.where, eq(readiness_assessments.technology_id, technologyId)];
  if (query.target) where.push(eq(readiness_assessments.target, query.target));
  if (query.updated_since) where.push(gte(readiness_assessments.updated_at, query.updated_since));
  const rows = db.orm
    .select()
    .from(readiness_assessments)
    .where(and(...where))
    .orderBy(...ks.orderBy)
    .limit(ks.limit + 1)
    .all();
  const page = ks.page(rows);
  return { items: withRuns(db, page.items), next_cursor: page.next_cursor };
}

/** Every assessment of a technology, newest first (by assessed_on, then id): the history pages show. */
export function readinessHistory(db: Db, technologyId: number): ReadinessAssessment[] {
  const rows = db.orm
    .select()
    .from(readiness_assessments)
    .where(eq(readiness_assessments.technology_id, technologyId))
    .orderBy(sql`${readiness_assessments.assessed_on} DESC`, sql`${readiness_assessments.id} DESC`)
    .all();
  return withRuns(db, rows);
}

/** The current level per target: the latest assessment (by assessed_on, then id), or null. */
export function currentReadiness(db: Db, technologyId: number): { race: ReadinessAssessment | null; road: ReadinessAssessment | null } {
  const rows = db.sqlite
    .prepare(
      `SELECT * FROM readiness_assessments a
        WHERE a.technology_id = ?
          AND a.id = (SELECT b.id FROM readiness_assessments b
                       WHERE b.technology_id = a.technology_id AND b.target = a.target
                       ORDER BY b.assessed_on DESC, b.id DESC LIMIT 1)`,
    )
    .all(technologyId) as Row[];
  const items = withRuns(db, rows);
  return { race: items.find((a) => a.target === 'race') ?? null, road: items.find((a) => a.target === 'road') ?? null };
}

export function findReadinessAssessment(db: Db, id: number): ReadinessAssessment | undefined {
  const row = db.orm.select().from(readiness_assessments).where(eq(readiness_assessments.id, id)).get();
  return row ? withRuns(db, [row])[0] : undefined;
}

export function getReadinessAssessment(db: Db, id: number): ReadinessAssessment {
  const item = findReadinessAssessment(db, id);
  if (!item) throw new NotFoundError(ENTITY, id);
  return item;
}

// ---------------------------------------------------------------------------------------------
// The rules

/** What the rules need to know about one cited run, for the assessed technology. */
interface CitedRun {
  id: number;
  code: string;
  status: string;
  venue_type: string;
  ended_at: string;
  start_time: string;
  prototype_kind: string;
  prototype_road_model_id: number | null;
  program_season: string | null;
  /** The run's outcome for the assessed technology; null when it did not exercise it. */
  outcome: string | null;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE_RE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** Shape checks for callers without a schema (pages); the API schema already enforces them. */
function validateInput(input: ReadinessInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!READINESS_TARGETS.includes(input.target)) problems.push({ path: '/target', message: `must be one of ${READINESS_TARGETS.join(', ')}` });
  if (!Number.isInteger(input.level) || input.level < 1 || input.level > 9) problems.push({ path: '/level', message: 'must be an integer from 1 to 9' });
  if (!isDate(input.assessed_on)) problems.push({ path: '/assessed_on', message: 'must be a date (YYYY-MM-DD)' });
  if (input.assessor !== undefined && (typeof input.assessor !== 'string' || input.assessor.trim() === '' || input.assessor.length > READINESS_LIMITS.assessor)) {
    problems.push({ path: '/assessor', message: `must be a non-empty string of at most ${READINESS_LIMITS.assessor} characters` });
  }
  if (input.rationale !== undefined && (typeof input.rationale !== 'string' || input.rationale.length > READINESS_LIMITS.rationale)) {
    problems.push({ path: '/rationale', message: `must be a string of at most ${READINESS_LIMITS.rationale} characters` });
  }
  const runs = input.evidence_run_ids ?? [];
  if (!Array.isArray(runs) || runs.length > READINESS_LIMITS.evidence_run_ids) {
    problems.push({ path: '/evidence_run_ids', message: `must be a list of at most ${READINESS_LIMITS.evidence_run_ids} run ids` });
  } else {
    const seen = new Set<number>();
    runs.forEach((id, i) => {
      if (seen.has(id)) problems.push({ path: `/evidence_run_ids/${i}`, message: 'is listed twice' });
      seen.add(id);
    });
  }
  return problems;
}

function citedRuns(db: Db, technologyId: number, runIds: number[]): Map<number, CitedRun> {
  if (runIds.length === 0) return new Map();
  const rows = db.sqlite
    .prepare(
      `SELECT r.id, r.code, r.status, r.venue_type, coalesce(r.end_time, r.start_time) AS ended_at, r.start_time,
              p.kind AS prototype_kind, p.road_model_id AS prototype_road_model_id, pr.season AS program_season,
              e.outcome AS outcome
         FROM test_runs r
         JOIN prototypes p ON p.id = r.prototype_id
         LEFT JOIN programs pr ON pr.id = r.program_id
         LEFT JOIN evidence e ON e.test_run_id = r.id AND e.technology_id = ?
        WHERE r.id IN (SELECT value FROM json_each(?))`,
    )
    .all(technologyId, JSON.stringify(runIds)) as CitedRun[];
  return new Map(rows.map((r) => [r.id, r]));
}

/** EVD-1: every cited run exists (else 422 invalid input), is completed, ended by the date, and exercised the technology. */
function checkEvidenceRuns(runIds: number[], runs: Map<number, CitedRun>, assessedOn: string, technologyName: string): void {
  const missing: FieldProblem[] = [];
  runIds.forEach((id, i) => {
    if (!runs.has(id)) missing.push({ path: `/evidence_run_ids/${i}`, message: 'does not exist' });
  });
  if (missing.length > 0) throw new InvalidInputError(missing);
  const problems: FieldProblem[] = [];
  runIds.forEach((id, i) => {
    const run = runs.get(id)!;
    const path = `/evidence_run_ids/${i}`;
    if (run.status !== 'completed') {
      problems.push({ path, message: `run ${run.code} is ${run.status}: evidence counts only from completed runs` });
    } else if (run.ended_at.slice(0, 10) > assessedOn) {
      problems.push({ path, message: `run ${run.code} ended on ${run.ended_at.slice(0, 10)}, after the assessment date ${assessedOn}` });
    } else if (run.outcome === null) {
      problems.push({ path, message: `run ${run.code} did not exercise ${technologyName}` });
    }
  });
  if (problems.length > 0) throw new RuleViolationError('EVD-1', problems[0]!.message, problems);
}

/** The season a race-event pass belongs to (TRL-9): the run's program season, else its start year. */
function seasonOf(run: CitedRun): string {
  return run.program_season ?? run.start_time.slice(0, 4);
}

const isRaceCarOnCircuit = (r: CitedRun) => r.prototype_kind === 'race_car' && (r.venue_type === 'track' || r.venue_type === 'race_event');

interface RuleContext {
  technologyName: string;
  /** Venue types relevant for the technology's category (TRL-6). */
  relevantVenues: Set<string>;
  /** Road models the technology is transferred to (any stage but rejected): TRL-R7. */
  transferredTo: Set<number>;
}

type Violation = { rule: string; message: string };

/**
 * The first rule that refuses `level` for `target`, or null when the passes support it. A level
 * needs every lower rule too: a race TRL 8 is checked against TRL-5, 6, 7 and 8 in that order.
 */
function readinessViolation(target: ReadinessTarget, level: number, passes: CitedRun[], ctx: RuleContext): Violation | null {
  const relevant = VENUE_TYPES.filter((v) => ctx.relevantVenues.has(v)).join(', ') || 'none listed';
  const hasRelevant = passes.some((r) => ctx.relevantVenues.has(r.venue_type));
  if (target === 'race') {
    if (level >= 5 && passes.length === 0) {
      return { rule: 'TRL-5', message: `race TRL ${level} needs a pass of ${ctx.technologyName} in any venue among the cited runs` };
    }
    if (level >= 6 && !hasRelevant) {
      return {
        rule: 'TRL-6',
        message: `race TRL ${level} needs a pass in a relevant environment for the category of ${ctx.technologyName} (${relevant})`,
      };
    }
    if (level >= 7 && !passes.some(isRaceCarOnCircuit)) {
      return { rule: 'TRL-7', message: `race TRL ${level} needs a pass on a track or race event with a race car` };
    }
    const raceEvents = passes.filter((r) => r.venue_type === 'race_event');
    if (level >= 8 && raceEvents.length < 3) {
      return { rule: 'TRL-8', message: `race TRL ${level} needs passes at 3 or more race events; the cited runs have ${raceEvents.length}` };
    }
    const seasons = new Set(raceEvents.map(seasonOf));
    if (level >= 9 && seasons.size < 2) {
      return { rule: 'TRL-9', message: `race TRL 9 needs passes at race events in 2 or more seasons; the cited runs cover ${seasons.size}` };
    }
    return null;
  }
  // Road: up to 6 the passes may come from racing — a race car on a track or at a race event is a
  // relevant environment for the road, as is a road prototype; 7 and above need a road prototype
  // of a road model the technology is transferred to.
  if (level >= 5 && passes.length === 0) {
    return { rule: 'TRL-R6', message: `road TRL ${level} needs a pass of ${ctx.technologyName} in any venue among the cited runs` };
  }
  if (level >= 6 && !hasRelevant && !passes.some((r) => isRaceCarOnCircuit(r) || r.prototype_kind === 'road_prototype')) {
    return {
      rule: 'TRL-R6',
      message: `road TRL ${level} needs a pass in a relevant environment (${relevant}), on a race car at a track or race event, or on a road prototype`,
    };
  }
  if (
    level >= 7 &&
    !passes.some((r) => r.prototype_kind === 'road_prototype' && r.prototype_road_model_id !== null && ctx.transferredTo.has(r.prototype_road_model_id))
  ) {
    return {
      rule: 'TRL-R7',
      message: `road TRL ${level} needs a pass on a road prototype of a road model ${ctx.technologyName} is transferred to`,
    };
  }
  return null;
}

function ruleContext(db: Db, tech: { id: number; name: string; category_id: number }): RuleContext {
  const venues = db.sqlite.prepare(`SELECT venue_type FROM category_venue_types WHERE category_id = ?`).all(tech.category_id) as {
    venue_type: string;
  }[];
  const models = db.sqlite
    .prepare(`SELECT road_model_id FROM transfers WHERE technology_id = ? AND stage <> 'rejected'`)
    .all(tech.id) as { road_model_id: number }[];
  return {
    technologyName: tech.name,
    relevantVenues: new Set(venues.map((v) => v.venue_type)),
    transferredTo: new Set(models.map((m) => m.road_model_id)),
  };
}

/** Checks an assessment against EVD-1 and the TRL rules without writing it (throws the refusal). */
export function checkReadinessInput(db: Db, input: ReadinessInput): void {
  const problems = validateInput(input);
  if (problems.length > 0) throw new InvalidInputError(problems);
  const tech = requireTechnology(db, input.technology_id);
  const runIds = input.evidence_run_ids ?? [];
  const runs = citedRuns(db, tech.id, runIds);
  checkEvidenceRuns(runIds, runs, input.assessed_on, tech.name);
  const passes = runIds.map((id) => runs.get(id)!).filter((r) => r.outcome === 'pass');
  const violation = readinessViolation(input.target, input.level, passes, ruleContext(db, tech));
  if (violation) {
    throw new RuleViolationError(violation.rule, violation.message, [{ path: '/evidence_run_ids', message: violation.message }]);
  }
}

/**
 * Call before a write that may move a target's current level; call the result after it to queue
 * `readiness.changed`. Reads the level only when a hook listens (as watchSuspects does).
 */
function watchLevel(db: Db, technologyId: number, target: ReadinessTarget): (at?: string) => void {
  if (!hasSubscribers(db, 'readiness.changed')) return () => {};
  const was = currentReadiness(db, technologyId)[target];
  return (at) => readinessChanged(db, technologyId, target, was, currentReadiness(db, technologyId)[target], at);
}

export function createReadinessAssessment(db: Db, actor: Actor, input: ReadinessInput): ReadinessAssessment {
  return inTransaction(db, () => {
    checkReadinessInput(db, input);
    const levelMoved = watchLevel(db, input.technology_id, input.target);
    const at = nowIso();
    const row = db.orm
      .insert(readiness_assessments)
      .values({
        technology_id: input.technology_id,
        target: input.target,
        level: input.level,
        assessed_on: input.assessed_on,
        assessor: input.assessor ?? actor.name,
        rationale: input.rationale ?? '',
        created_at: at,
        updated_at: at,
      })
      .returning()
      .get();
    const runIds = input.evidence_run_ids ?? [];
    if (runIds.length > 0) {
      db.orm
        .insert(readiness_evidence_runs)
        .values(runIds.map((test_run_id) => ({ assessment_id: row.id, test_run_id })))
        .run();
    }
    const after = getReadinessAssessment(db, row.id);
    recordAudit(db, actor, { entity: ENTITY, entityId: row.id, action: 'create', after }, at);
    levelMoved(at);
    return after;
  });
}

/** Assessments are history, but a wrong one may be withdrawn: its evidence links go with it. */
export function deleteReadinessAssessment(db: Db, actor: Actor, id: number, expectedVersion: number | undefined): void {
  inTransaction(db, () => {
    const before = getReadinessAssessment(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    const levelMoved = watchLevel(db, before.technology_id, before.target);
    db.orm.delete(readiness_evidence_runs).where(eq(readiness_evidence_runs.assessment_id, id)).run();
    db.orm.delete(readiness_assessments).where(eq(readiness_assessments.id, id)).run();
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'delete', before });
    levelMoved();
  });
}
