// The audit trail: one event per write, in the write's transaction. Its `seq` is the change feed.
import { and, asc, eq, gt, lte, gte, desc, lt, type SQL } from 'drizzle-orm';
import { audit_events } from '../../db/schema.js';
import type { Db } from '../db.js';
import type { Actor } from './actor.js';
import { nowIso } from './time.js';

export type AuditAction = 'create' | 'update' | 'delete';

export interface AuditInput {
  entity: string;
  entityId: number | string;
  action: AuditAction;
  before?: unknown;
  after?: unknown;
}

export interface AuditEvent {
  seq: number;
  entity: string;
  entity_id: string;
  action: AuditAction;
  actor_id: number | null;
  actor: string;
  at: string;
  before: unknown;
  after: unknown;
}

/** Must be called inside the write's transaction. */
export function recordAudit(db: Db, actor: Actor, input: AuditInput, at: string = nowIso()): number {
  const row = db.orm
    .insert(audit_events)
    .values({
      entity: input.entity,
      entity_id: String(input.entityId),
      action: input.action,
      actor_id: actor.id,
      actor: actor.name,
      at,
      before: input.before === undefined ? null : JSON.stringify(input.before),
      after: input.after === undefined ? null : JSON.stringify(input.after),
    })
    .returning({ seq: audit_events.seq })
    .get();
  return row.seq;
}

function toEvent(row: typeof audit_events.$inferSelect): AuditEvent {
  return {
    ...row,
    action: row.action as AuditAction,
    before: row.before === null ? null : JSON.parse(row.before),
    after: row.after === null ? null : JSON.parse(row.after),
  };
}

export interface ChangesQuery {
  after?: number;
  limit: number;
  entity?: string;
}

/** The change feed for integrators: events in `seq` order after a known one, deletes included. */
export function listChanges(db: Db, query: ChangesQuery): { items: AuditEvent[]; next_cursor: string | null } {
  const where: SQL[] = [];
  if (query.after !== undefined) where.push(gt(audit_events.seq, query.after));
  if (query.entity) where.push(eq(audit_events.entity, query.entity));
  const rows = db.orm
    .select()
    .from(audit_events)
    .where(and(...where))
    .orderBy(asc(audit_events.seq))
    .limit(query.limit + 1)
    .all();
  const more = rows.length > query.limit;
  const items = rows.slice(0, query.limit).map(toEvent);
  return { items, next_cursor: more ? String(items[items.length - 1]!.seq) : null };
}

export interface HistoryQuery {
  entity?: string;
  entityId?: string;
  actorId?: number;
  /** The recorded actor name, for actors without a user (`system`). */
  actorName?: string;
  from?: string;
  to?: string;
  before?: number;
  limit: number;
}

/** History, newest first: for /audit pages and detail-page history links. */
export function listHistory(db: Db, query: HistoryQuery): { items: AuditEvent[]; next_cursor: string | null } {
  const where: SQL[] = [];
  if (query.entity) where.push(eq(audit_events.entity, query.entity));
  if (query.entityId) where.push(eq(audit_events.entity_id, query.entityId));
  if (query.actorId !== undefined) where.push(eq(audit_events.actor_id, query.actorId));
  if (query.actorName !== undefined) where.push(eq(audit_events.actor, query.actorName));
  if (query.from) where.push(gte(audit_events.at, query.from));
  if (query.to) where.push(lte(audit_events.at, query.to));
  if (query.before !== undefined) where.push(lt(audit_events.seq, query.before));
  const rows = db.orm
    .select()
    .from(audit_events)
    .where(and(...where))
    .orderBy(desc(audit_events.seq))
    .limit(query.limit + 1)
    .all();
  const more = rows.length > query.limit;
  const items = rows.slice(0, query.limit).map(toEvent);
  return { items, next_cursor: more ? String(items[items.length - 1]!.seq) : null };
}

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
  by: string;
  at: string;
}

const BOOKKEEPING = new Set(['version', 'updated_at', 'created_at']);

/**
 * What others changed on a record after the version a user started editing from, field by
 * field, from the audit trail: lets a stale form say exactly what changed meanwhile.
 */
export function changesSince(db: Db, entity: string, entityId: number | string, version: number): FieldChange[] {
  const rows = db.orm
    .select()
    .from(audit_events)
    .where(and(eq(audit_events.entity, entity), eq(audit_events.entity_id, String(entityId)), eq(audit_events.action, 'update')))
    .orderBy(asc(audit_events.seq))
    .all()
    .map(toEvent);
  const changes = new Map<string, FieldChange>();
  for (const event of rows) {
    const before = (event.before ?? {}) as Record<string, unknown>;
    const after = (event.after ?? {}) as Record<string, unknown>;
    if (typeof before.version === 'number' && before.version < version) continue;
    for (const field of Object.keys(after)) {
      if (BOOKKEEPING.has(field)) continue;
      if (JSON.stringify(before[field]) === JSON.stringify(after[field])) continue;
      const earlier = changes.get(field);
      changes.set(field, { field, from: earlier ? earlier.from : before[field], to: after[field], by: event.actor, at: event.at });
    }
  }
  return [...changes.values()];
}
