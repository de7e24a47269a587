// Builds the real app on a fresh SQLite file in a temporary folder, as tests should.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { readConfig, type Config } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db.js';

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  dir: string;
  close(): Promise<void>;
}

export function tempDir(prefix = 'pitlane-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function testConfig(dir: string, overrides: Partial<Config> = {}): Config {
  return {
    ...readConfig({ PITLANE_DATA_DIR: dir, PITLANE_SEED: 'none', PITLANE_ADMIN_PASSWORD: 'admin-test-password', LOG_LEVEL: 'silent' }),
    ...overrides,
  };
}

export async function createTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const dir = tempDir();
  const config = testConfig(dir, overrides);
  const db = openDatabase(config.dbFile);
  const app = await buildApp({ config, db, logger: false });
  await app.ready();
  return {
    app,
    db,
    dir,
    async close() {
      await app.close();
      db.sqlite.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** JSON helpers for app.inject. */
export function api(app: FastifyInstance) {
  const call = (method: InjectOptions['method'], url: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method,
      url,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
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
