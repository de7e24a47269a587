// Plan targets: the line-up plan as data (PLAN-1 counts road models and units against them).
import { and, eq, gte, type SQL } from 'drizzle-orm';
import { plan_targets } from '../../db/schema.js';
import type { Db } from '../db.js';
import type { Actor } from './actor.js';
import { recordAudit } from './audit.js';
import { InvalidInputError, NotFoundError } from './errors.js';
import { keyset, type KeysetSpec, type Page, type PageQuery } from './paging.js';
import { bumped, definedFields, expectVersion, inTransaction } from './records.js';
import { nowIso } from './time.js';

export type PlanTarget = typeof plan_targets.$inferSelect;
export interface PlanTargetInput {
  year: number;
  model_count_target: number;
  units_target: number;
  outside_japan_share_min?: number | null;
  outside_japan_share_max?: number | null;
  notes?: string;
}
export type PlanTargetPatch = Partial<PlanTargetInput>;
export interface PlanTargetListQuery extends PageQuery {
  updated_since?: string;
}

const ENTITY = 'plan_target';

const SORT: KeysetSpec = {
  fields: { year: plan_targets.year, id: plan_targets.id, updated_at: plan_targets.updated_at },
  id: plan_targets.id,
  defaultSort: 'year',
};

/** The share band must not be inverted; checked on the values the row will hold. */
function checkShareBand(min: number | null, max: number | null): void {
  if (min !== null && max !== null && max < min) {
    throw new InvalidInputError([
      { path: '/outside_japan_share_max', message: `must be at least outside_japan_share_min (${min})` },
    ]);
  }
}

export function listPlanTargets(db: Db, query: PlanTargetListQuery): Page<PlanTarget> {
  const ks = keyset(SORT, query);
  const where: (SQL | undefined)[] = [ks.where];
  if (query.updated_since) where.push(gte(plan_targets.updated_at, query.updated_since));
  const rows = db.orm.select().from(plan_targets).where(and(...where)).orderBy(...ks.orderBy).limit(ks.limit + 1).all();
  return ks.page(rows);
}

export function findPlanTarget(db: Db, id: number): PlanTarget | undefined {
  return db.orm.select().from(plan_targets).where(eq(plan_targets.id, id)).get();
}

export function getPlanTarget(db: Db, id: number): PlanTarget {
  const row = findPlanTarget(db, id);
  if (!row) throw new NotFoundError(ENTITY, id);
  return row;
}

export function createPlanTarget(db: Db, actor: Actor, input: PlanTargetInput): PlanTarget {
  return inTransaction(db, () => {
    const min = input.outside_japan_share_min ?? null;
    const max = input.outside_japan_share_max ?? null;
    checkShareBand(min, max);
    const at = nowIso();
    const row = db.orm
      .insert(plan_targets)
      .values({
        year: input.year,
        model_count_target: input.model_count_target,
        units_target: input.units_target,
        outside_japan_share_min: min,
        outside_japan_share_max: max,
        notes: input.notes ?? '',
        created_at: at,
        updated_at: at,
      })
      .returning()
      .get();
    recordAudit(db, actor, { entity: ENTITY, entityId: row.id, action: 'create', after: row }, at);
    return row;
  });
}

export function updatePlanTarget(
  db: Db,
  actor: Actor,
  id: number,
  expectedVersion: number | undefined,
  patch: PlanTargetPatch,
): PlanTarget {
  return inTransaction(db, () => {
    const before = getPlanTarget(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    const fields = definedFields(patch);
    checkShareBand(
      fields.outside_japan_share_min !== undefined ? fields.outside_japan_share_min : before.outside_japan_share_min,
      fields.outside_japan_share_max !== undefined ? fields.outside_japan_share_max : before.outside_japan_share_max,
    );
    const at = nowIso();
    const after = db.orm
      .update(plan_targets)
      .set({ ...fields, ...bumped(at) })
      .where(eq(plan_targets.id, id))
      .returning()
      .get();
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'update', before, after }, at);
    return after;
  });
}

export function deletePlanTarget(db: Db, actor: Actor, id: number, expectedVersion: number | undefined): void {
  inTransaction(db, () => {
    const before = getPlanTarget(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    db.orm.delete(plan_targets).where(eq(plan_targets.id, id)).run();
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'delete', before });
  });
}
