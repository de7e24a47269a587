// Opening the one SQLite file: pragmas set and asserted, migrations applied.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from '../db/schema.js';

export type Schema = typeof schema;
/** The handle every domain function takes: drizzle for queries, `sqlite` for prepared hot paths. */
export interface Db {
  orm: BetterSQLite3Database<Schema>;
  sqlite: Database.Database;
}

export const MIGRATIONS_FOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../db/migrations');

const BUSY_TIMEOUT_MS = 5000;

function assertPragma(sqlite: Database.Database, name: string, expected: string | number): void {
  const actual = sqlite.pragma(name, { simple: true });
  if (String(actual).toLowerCase() !== String(expected).toLowerCase()) {
    throw new Error(`SQLite pragma ${name} is ${String(actual)}, expected ${expected}`);
  }
}

export function openDatabase(file: string): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sqlite.pragma('synchronous = FULL');
  assertPragma(sqlite, 'journal_mode', 'wal');
  assertPragma(sqlite, 'foreign_keys', 1);
  assertPragma(sqlite, 'busy_timeout', BUSY_TIMEOUT_MS);
  assertPragma(sqlite, 'synchronous', 2);
  return { orm: drizzle(sqlite, { schema }), sqlite };
}

export function migrateDatabase(db: Db): void {
  migrate(db.orm, { migrationsFolder: MIGRATIONS_FOLDER });
}

export function checkDatabase(db: Db): boolean {
  return db.sqlite.prepare('SELECT 1 AS ok').get() !== undefined;
}
