// Backups: an online, verified, single-file copy made while the app keeps writing; and the
// documented restore (stop, copy over PITLANE_DB, remove -wal/-shm, start) gives back that state.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { SYSTEM_ACTOR } from '../../src/domain/actor.js';
import { backupFileName, backupTo, BackupError, verifyBackup } from '../../src/domain/backup.js';
import { inTransaction } from '../../src/domain/records.js';
import { createSeries } from '../../src/domain/series.js';
import { api, createTestApp, created, json, tempDir, testConfig, type TestApp } from '../support/app.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  // Enough pages that the backup takes several steps (100 pages each), with writes in between.
  inTransaction(t.db, () => {
    for (let i = 0; i < 1500; i++) createSeries(t.db, SYSTEM_ACTOR, { name: `Bulk series ${i}`, description: 'x'.repeat(400) });
  });
});
afterAll(async () => t.close());

const countOf = (file: string, sql: string) => {
  const copy = new Database(file, { readonly: true });
  try {
    return (copy.prepare(sql).get() as { n: number }).n;
  } finally {
    copy.close();
  }
};

describe('backupTo', () => {
  it('names files pitlane-YYYYMMDD-HHMMSS.db (UTC)', () => {
    expect(backupFileName(new Date('2026-05-14T09:03:07.123Z'))).toBe('pitlane-20260514-090307.db');
  });

  it('writes a verified single-file copy while the app keeps writing', async () => {
    const file = path.join(t.dir, 'backups', 'online.db');
    const running = backupTo(t.db, t.dir, file);
    // Writes land between the backup's steps; the copy must still be consistent.
    for (let i = 0; i < 20; i++) {
      createSeries(t.db, SYSTEM_ACTOR, { name: `During backup ${i}` });
      await new Promise((r) => setImmediate(r));
    }
    const result = await running;
    expect(result).toEqual({ file, bytes: fs.statSync(file).size, integrity: 'ok' });
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['online.db']);

    const copy = new Database(file, { readonly: true });
    try {
      expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.pragma('foreign_key_check')).toEqual([]);
      const series = (copy.prepare('SELECT count(*) AS n FROM series').get() as { n: number }).n;
      const audit = (copy.prepare("SELECT count(*) AS n FROM audit_events WHERE entity = 'series'").get() as { n: number }).n;
      // Whatever moment it captured, a series and its audit event are never split.
      expect(series).toBe(audit);
      expect(series).toBeGreaterThanOrEqual(1500);
    } finally {
      copy.close();
    }
  });

  it('refuses to overwrite the live database', async () => {
    await expect(backupTo(t.db, t.dir, t.db.sqlite.name)).rejects.toThrow(BackupError);
    expect(json(await api(t.app).get('/api/v1/series?limit=1')).items).toHaveLength(1);
  });

  it('rejects a damaged copy', async () => {
    const file = path.join(t.dir, 'backups', 'damaged.db');
    await backupTo(t.db, t.dir, file);
    const bytes = fs.readFileSync(file);
    // Scribble over pages in the middle of the file (past the header and the schema).
    bytes.fill(0xa5, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 8192);
    fs.writeFileSync(file, bytes);
    expect(() => verifyBackup(file)).toThrow();
  });
});

describe('restore', () => {
  it('restores the state at backup time into a fresh data folder', async () => {
    const before = await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Before the backup' });
    const file = path.join(t.dir, 'backups', backupFileName());
    await backupTo(t.db, t.dir, file);
    const after = await created<{ id: number }>(t.app, '/api/v1/series', { name: 'After the backup' });

    // The README's steps: stop the server, copy the backup over PITLANE_DB, remove -wal/-shm, start.
    const dir = tempDir('pitlane-restore-');
    try {
      const config = testConfig(dir);
      fs.copyFileSync(file, config.dbFile);
      for (const extra of ['-wal', '-shm']) fs.rmSync(`${config.dbFile}${extra}`, { force: true });
      const app = await buildApp({ config, logger: false });
      try {
        await app.ready();
        // The admin token of the original database lives in the backup too.
        const client = api(app, { token: t.adminToken });
        expect((await client.get(`/api/v1/series/${before.id}`)).statusCode).toBe(200);
        expect((await client.get(`/api/v1/series/${after.id}`)).statusCode).toBe(404);
        expect((await client.get('/health')).statusCode).toBe(200);
        expect(app.db.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(app.db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
        // It serves writes again.
        expect((await client.post('/api/v1/series', { name: 'After the restore' })).statusCode).toBe(201);
      } finally {
        await app.close();
      }
      expect(countOf(config.dbFile, "SELECT count(*) AS n FROM series WHERE name = 'After the restore'")).toBe(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
