// Idempotency keys for POST: the same key and body replays the first response; another body is
// refused; a request arriving while the first is still in flight is a conflict. Keys are per
// principal (token) and kept 24 hours.
import { createHash } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import { idempotency_keys } from '../../db/schema.js';
import type { Db } from '../db.js';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'in-flight' }
  | { kind: 'mismatch' };

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, stable((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n${JSON.stringify(stable(body) ?? null)}`).digest('hex');
}

/** Claims `key` for this request, atomically (one statement decides between concurrent claims). */
export function claimKey(db: Db, principal: string, key: string, method: string, path: string, hash: string, now = new Date()): Claim {
  const at = now.toISOString();
  db.orm.delete(idempotency_keys).where(and(eq(idempotency_keys.principal, principal), eq(idempotency_keys.key, key), lt(idempotency_keys.expires_at, at))).run();
  const inserted = db.orm
    .insert(idempotency_keys)
    .values({
      principal,
      key,
      method,
      path,
      request_hash: hash,
      state: 'in_flight',
      created_at: at,
      expires_at: new Date(now.getTime() + IDEMPOTENCY_TTL_MS).toISOString(),
    })
    .onConflictDoNothing()
    .run();
  if (inserted.changes === 1) return { kind: 'claimed' };
  const row = db.orm
    .select()
    .from(idempotency_keys)
    .where(and(eq(idempotency_keys.principal, principal), eq(idempotency_keys.key, key)))
    .get();
  if (!row) return claimKey(db, principal, key, method, path, hash, now);
  if (row.request_hash !== hash) return { kind: 'mismatch' };
  if (row.state === 'in_flight') return { kind: 'in-flight' };
  return {
    kind: 'replay',
    response: {
      status: row.response_status ?? 200,
      headers: JSON.parse(row.response_headers ?? '{}') as Record<string, string>,
      body: row.response_body ?? '',
    },
  };
}

export function completeKey(db: Db, principal: string, key: string, response: StoredResponse): void {
  db.orm
    .update(idempotency_keys)
    .set({
      state: 'done',
      response_status: response.status,
      response_headers: JSON.stringify(response.headers),
      response_body: response.body,
    })
    .where(and(eq(idempotency_keys.principal, principal), eq(idempotency_keys.key, key)))
    .run();
}

/** Frees a key whose request failed on our side, so that the client's retry runs it again. */
export function releaseKey(db: Db, principal: string, key: string): void {
  db.orm.delete(idempotency_keys).where(and(eq(idempotency_keys.principal, principal), eq(idempotency_keys.key, key))).run();
}

export function purgeExpiredKeys(db: Db, now = new Date()): number {
  return db.orm.delete(idempotency_keys).where(lt(idempotency_keys.expires_at, now.toISOString())).run().changes;
}
