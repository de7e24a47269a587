// Opening the one SQLite file: pragmas set and asserted, migrations applied.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { fillPlaceholders } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from '../db/schema.js';
import { PROJECT_ROOT } from './paths.js';

export type Schema = typeof schema;
/** The handle every domain function takes: drizzle for queries, `sqlite` for prepared hot paths. */
export interface Db {
  orm: BetterSQLite3Database<Schema>;
  sqlite: Database.Database;
}

export const MIGRATIONS_FOLDER = path.join(PROJECT_ROOT, 'db/migrations');

export const BUSY_TIMEOUT_MS = 5000;

/**
 * A connection's SQLite page cache in KiB. better-sqlite3 builds SQLite with 16 MB; the hot pages
 * of the lists, searches and lineage fit in half of it, and the file's other pages are in the OS
 * page cache anyway. Measured on the bench database (lists, filters and searches at 50
 * connections, twice): the server's RSS 145–149 → 135–140 MB, req/s and CPU per request within
 * run-to-run noise. The import worker's connection takes less (IMPORT_PAGE_CACHE_KIB).
 */
export const PAGE_CACHE_KIB = 8000;

function assertPragma(sqlite: Database.Database, name: string, expected: string | number): void {
  const actual = sqlite.pragma(name, { simple: true });
  if (String(actual).toLowerCase() !== String(expected).toLowerCase()) {
    throw new Error(`SQLite pragma ${name} is ${String(actual)}, expected ${expected}`);
  }
}

export interface OpenOptions {
  /** The page cache in KiB: PAGE_CACHE_KIB unless a connection needs less (the import's). */
  pageCacheKib?: number;
}

export function openDatabase(file: string, { pageCacheKib = PAGE_CACHE_KIB }: OpenOptions = {}): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma(`cache_size = -${pageCacheKib}`);
  assertPragma(sqlite, 'journal_mode', 'wal');
  assertPragma(sqlite, 'foreign_keys', 1);
  assertPragma(sqlite, 'busy_timeout', BUSY_TIMEOUT_MS);
  assertPragma(sqlite, 'synchronous', 2);
  assertPragma(sqlite, 'cache_size', -pageCacheKib);
  return { orm: drizzle(sqlite, { schema }), sqlite };
}

export function migrateDatabase(db: Db): void {
  migrate(db.orm, { migrationsFolder: MIGRATIONS_FOLDER });
}

export function checkDatabase(db: Db): boolean {
  return db.sqlite.prepare('SELECT 1 AS ok').get() !== undefined;
}

const changeStamps = new WeakMap<Db, { dataVersion: Database.Statement; totalChanges: Database.Statement }>();

/**
 * Moves whenever the database may have changed: a write on this connection (total_changes) or a
 * commit by another one, such as the import worker or the CLI (data_version). Two tiny statements.
 */
export function changeStamp(db: Db): string {
  let s = changeStamps.get(db);
  if (!s) {
    s = { dataVersion: db.sqlite.prepare('PRAGMA data_version').pluck(), totalChanges: db.sqlite.prepare('SELECT total_changes()').pluck() };
    changeStamps.set(db, s);
  }
  return `${s.dataVersion.get() as number}:${s.totalChanges.get() as number}`;
}

/**
 * `read`, answered again only after the database may have changed (see changeStamp): for small
 * whole-table reads that every page shows (the program picker). The value is shared: never mutate
 * it, unless it is a memo its callers fill (an empty Map read afresh after each change).
 */
export function cachedUntilChange<T>(read: (db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Db, { stamp: string; value: T }>();
  return (db) => {
    const stamp = changeStamp(db);
    const hit = cache.get(db);
    if (hit && hit.stamp === stamp) return hit.value;
    const value = read(db);
    cache.set(db, { stamp, value });
    return value;
  };
}

const preparedStatements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** A query drizzle built, run as a plain statement: `all(values)` fills its `sql.placeholder`s. */
export interface RawQuery<Row> {
  all(values?: Record<string, unknown>): Row[];
}

/**
 * Prepares a drizzle-built query on the connection and returns its rows as SQLite gives them
 * (columns by their names, booleans as 0/1). Drizzle's own prepared query maps every row value
 * by value: ~6 % of the test-run list page's CPU on a page of 50.
 */
export function rawQuery<Row>(db: Db, query: { toSQL(): { sql: string; params: unknown[] } }): RawQuery<Row> {
  const { sql, params } = query.toSQL();
  const statement = db.sqlite.prepare(sql);
  return { all: (values = {}) => statement.all(...fillPlaceholders(params, values)) as Row[] };
}

/** `sql` prepared once per connection: for statements a hot path runs on every request. */
export function prepared(db: Db, sql: string): Database.Statement {
  let statements = preparedStatements.get(db.sqlite);
  if (!statements) preparedStatements.set(db.sqlite, (statements = new Map()));
  let statement = statements.get(sql);
  if (!statement) statements.set(sql, (statement = db.sqlite.prepare(sql)));
  return statement;
}
