// Builds the real app on a fresh SQLite file in a temporary folder, as tests should, with an
// admin API token and password ready so that tests act as a signed-in admin unless they say otherwise.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { readConfig, type Config } from '../../src/config.js';
import { migrateDatabase, openDatabase, type Db } from '../../src/db.js';
import { seedDemoData } from '../../db/seed.js';
import { closeLineageIndex } from '../../src/domain/lineage-index.js';
import { createToken } from '../../src/domain/tokens.js';
import { createUser, findUserByUsername, type Role } from '../../src/domain/users.js';

export const ADMIN_PASSWORD = 'Test-Pw-For-Pitlane-1';

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  dir: string;
  /** A read,write API token of the `admin` user. */
  adminToken: string;
  close(): Promise<void>;
}

/** Default bearer token per app, used by api() unless a test passes its own. */
const defaultTokens = new WeakMap<FastifyInstance, string>();

export function tempDir(prefix = 'pitlane-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** openTempDatabase with the demo data; close() also drops the database's lineage index. */
export function openDemoDatabase(): { db: Db; close(): void } {
  const { db, close } = openTempDatabase();
  seedDemoData(db);
  return {
    db,
    close() {
      closeLineageIndex(db);
      close();
    },
  };
}

/** A migrated database in a folder of its own; close() closes it and removes the folder. */
export function openTempDatabase(): { db: Db; close(): void } {
  const dir = tempDir();
  const db = openDatabase(path.join(dir, 'pitlane.db'));
  migrateDatabase(db);
  return {
    db,
    close() {
      db.sqlite.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function testConfig(dir: string, overrides: Partial<Config> = {}): Config {
  return {
    ...readConfig({ PITLANE_DATA_DIR: dir, PITLANE_SEED: 'none', PITLANE_ADMIN_PASSWORD: ADMIN_PASSWORD, LOG_LEVEL: 'silent', PITLANE_RATE_LIMIT: '0' }),
    ...overrides,
  };
}

/** A token for `username` (created on the fly). */
export function tokenFor(db: Db, username: string, scopes: 'read' | 'read,write' = 'read,write', expiresInDays?: number): string {
  const user = findUserByUsername(db, username);
  if (!user) throw new Error(`no user ${username}`);
  return createToken(db, { id: user.id, name: username }, { userId: user.id, name: `test ${scopes}`, scopes, expiresInDays }).secret;
}

/** Creates a user with a role and a known password (`<Role>-Pw-For-Pitlane-1`). */
export function addUser(db: Db, username: string, role: Role): { username: string; password: string } {
  const password = `${role[0]!.toUpperCase()}${role.slice(1)}-Pw-For-Pitlane-1`;
  createUser(db, { username, role, password });
  return { username, password };
}

export async function createTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const dir = tempDir();
  const config = testConfig(dir, overrides);
  const db = openDatabase(config.dbFile);
  const app = await buildApp({ config, db, logger: false });
  await app.ready();
  const adminToken = tokenFor(db, 'admin');
  defaultTokens.set(app, adminToken);
  return {
    app,
    db,
    dir,
    adminToken,
    async close() {
      await app.close();
      db.sqlite.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** JSON helpers for app.inject, as the admin by default; `{ token: null }` sends no token. */
export function api(app: FastifyInstance, options: { token?: string | null } = {}) {
  const token = options.token === undefined ? defaultTokens.get(app) : options.token;
  const call = (method: InjectOptions['method'], url: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method,
      url,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  return {
    get: (url: string, headers?: Record<string, string>) => call('GET', url, undefined, headers),
    post: (url: string, body: unknown, headers?: Record<string, string>) => call('POST', url, body, headers),
    patch: (url: string, body: unknown, headers?: Record<string, string>) => call('PATCH', url, body, headers),
    delete: (url: string, headers?: Record<string, string>) => call('DELETE', url, undefined, headers),
  };
}

/** Creates through the API and returns the body; fails the test on anything but 201. */
export async function created<T = Record<string, unknown>>(app: FastifyInstance, url: string, body: unknown): Promise<T> {
  const res = await api(app).post(url, body);
  if (res.statusCode !== 201) throw new Error(`POST ${url} answered ${res.statusCode}: ${res.body}`);
  return res.json() as T;
}

export function json<T = any>(res: LightMyRequestResponse): T {
  return res.json() as T;
}

/** Counts rows of a table straight from SQLite (to prove that a refused write left nothing). */
export function countRows(db: Db, table: string): number {
  return (db.sqlite.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
}
