// Helpers every write shares: one immediate transaction, optimistic versions, audit-ready snapshots.
import { sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { StaleVersionError } from './errors.js';

/**
 * Runs `fn` as one synchronous IMMEDIATE transaction (nested calls become savepoints). `fn` must
 * not be async: better-sqlite3 would commit at the first await and never roll back.
 */
export function inTransaction<T>(db: Db, fn: () => T): T {
  if (db.sqlite.inTransaction) return db.sqlite.transaction(fn)();
  return db.sqlite.transaction(fn).immediate();
}

/** Refuses a write made against an old version (optimistic concurrency, If-Match). */
export function expectVersion(entity: string, row: { id: number; version: number }, expected: number | undefined): void {
  if (expected !== undefined && row.version !== expected) {
    throw new StaleVersionError(entity, row.id, expected, row.version);
  }
}

/** The columns every update sets: the version moves and `updated_at` is the write's time. */
export function bumped(at: string) {
  return { version: sql`version + 1`, updated_at: at } as const;
}

/** Keeps the fields of `patch` that are present (PATCH sets only the fields it names). */
export function definedFields<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
