// Attachments in the domain: what the bytes are (magic numbers, UTF-8 text), safe names and
// dispositions, all-or-nothing uploads that leave no stray file, and files that go with their run.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type Db } from '../../src/db.js';
import type { Actor } from '../../src/domain/actor.js';
import {
  AttachmentRefusedError,
  cleanFilename,
  configureAttachments,
  contentDisposition,
  listAttachments,
  stageAttachment,
  uploadAttachments,
  type IncomingFile,
} from '../../src/domain/attachments.js';
import { BACKUP_FILES_TABLE, backupTo, restoreBackupFiles } from '../../src/domain/backup.js';
import { createTestRun, deleteTestRun, getTestRun } from '../../src/domain/test-runs.js';
import os from 'node:os';

// Domain tests need no app: a database file and a data folder.
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'pitlane-attachments-'));
const countRows = (d: Db, table: string) => (d.sqlite.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;

let db: Db;
let dir: string;
const actor: Actor = { id: null, name: 'k.tanaka' };

beforeAll(() => {
  dir = tempDir();
  db = openDatabase(path.join(dir, 'db', 'pitlane.db'));
  migrateDatabase(db);
  configureAttachments(db, path.join(dir, 'data'));
});
afterAll(() => {
  db.sqlite.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

let unique = 0;
function newRun(): number {
  const n = ++unique;
  const insert = (sqlText: string, ...params: unknown[]) => Number(db.sqlite.prepare(sqlText).run(...params).lastInsertRowid);
  const prototypeId = insert(`INSERT INTO prototypes (code, kind) VALUES (?, 'bench_rig')`, `BENCH-${n}`);
  const categoryId = insert(`INSERT INTO technology_categories (name) VALUES (?)`, `Category ${n}`);
  const techId = insert(`INSERT INTO technologies (name, domain, category_id) VALUES (?, 'software', ?)`, `Torque vectoring ${n}`, categoryId);
  return createTestRun(db, actor, { prototype_id: prototypeId, title: 'Bench run', venue_type: 'bench', start_time: '2026-05-14T09:30:00Z', evidence: [{ technology_id: techId, outcome: 'pass' }] }).id;
}

function file(filename: string, mimetype: string, ...chunks: (Buffer | string)[]): IncomingFile {
  return { filename, mimetype, stream: Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))) };
}

const runFolder = (runId: number) => path.join(dir, 'data', 'attachments', String(runId));
const filesIn = (runId: number) => (fs.existsSync(runFolder(runId)) ? fs.readdirSync(runFolder(runId)) : []);

async function refusal(runId: number, f: IncomingFile): Promise<AttachmentRefusedError> {
  const error = await stageAttachment(db, runId, f, 0).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AttachmentRefusedError);
  return error as AttachmentRefusedError;
}

describe('recognising uploads from their bytes', () => {
  it('takes the type from the bytes, not from the name or the declared type when that says nothing', async () => {
    const runId = newRun();
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(32)]);
    const staged = await stageAttachment(db, runId, file('photo.txt', 'application/octet-stream', png), 0);
    expect(staged).toMatchObject({ content_type: 'image/png', size: png.length, sha256: createHash('sha256').update(png).digest('hex') });
    expect(staged.storage_path).toMatch(new RegExp(`^attachments/${runId}/[0-9a-f]{32}$`));
    expect(fs.readFileSync(path.join(dir, 'data', staged.storage_path)).equals(png)).toBe(true);
  });

  it('accepts UTF-8 text split anywhere across chunks, and tells CSV and JSON by declared type or name', async () => {
    const runId = newRun();
    const bytes = Buffer.from('lap,ドライバー\n1,松田\n');
    const csv = await stageAttachment(db, runId, file('laps.csv', '', bytes.subarray(0, 9), bytes.subarray(9)), 0);
    expect(csv.content_type).toBe('text/csv');
    expect((await stageAttachment(db, runId, file('data.json', 'application/octet-stream', '  {"a": 1}'), 1)).content_type).toBe('application/json');
    expect((await stageAttachment(db, runId, file('notes', 'text/plain', 'plain words'), 2)).content_type).toBe('text/plain');
    // A CSV that a Windows browser declares as Excel is still CSV.
    expect((await stageAttachment(db, runId, file('laps.csv', 'application/vnd.ms-excel', 'a,b\n'), 3)).content_type).toBe('text/csv');
  });

  it('refuses binary that is not on the allowlist (415), text with NUL bytes or broken UTF-8 included', async () => {
    const runId = newRun();
    expect((await refusal(runId, file('a.exe', 'application/octet-stream', Buffer.from('MZ\x90\x00\xff\xfe', 'latin1')))).statusCode).toBe(415);
    expect((await refusal(runId, file('nul.txt', 'text/plain', Buffer.from('abc\x00def', 'latin1')))).statusCode).toBe(415);
    expect((await refusal(runId, file('latin1.csv', 'text/csv', Buffer.from([0x61, 0x2c, 0xe9, 0x0a])))).statusCode).toBe(415);
    // A UTF-8 sequence cut at the end of the file is not text either.
    expect((await refusal(runId, file('cut.txt', 'text/plain', Buffer.from([0x61, 0xe3, 0x83])))).statusCode).toBe(415);
    // "PAR1" at the start only is not a Parquet file.
    expect((await refusal(runId, file('x.parquet', '', Buffer.concat([Buffer.from('PAR1'), Buffer.from([0xff, 0x00, 0x01])])))).statusCode).toBe(415);
    expect(filesIn(runId)).toEqual([]);
  });

  it('refuses bytes that contradict the declared type (422), and JSON that is not JSON', async () => {
    const runId = newRun();
    const pdf = Buffer.from('%PDF-1.4\n');
    const e = await refusal(runId, file('scan.png', 'image/png', pdf));
    expect(e.statusCode).toBe(422);
    expect(e.message).toBe('file "scan.png" is declared as image/png (PNG image) but its bytes are a PDF document');
    expect(e.errors).toEqual([{ path: '/files/0', message: expect.stringContaining('PDF document') }]);
    expect((await refusal(runId, file('data.json', 'application/json', 'lap,1\n'))).statusCode).toBe(422);
    expect((await refusal(runId, file('empty.txt', 'text/plain'))).statusCode).toBe(422);
    expect(filesIn(runId)).toEqual([]);
  });

  it('cleans file names: no folders, no control characters, never empty', () => {
    expect(cleanFilename('../../etc/passwd')).toBe('passwd');
    expect(cleanFilename('C:\\Users\\k\\report.pdf')).toBe('report.pdf');
    expect(cleanFilename('lap\r\n07.csv')).toBe('lap07.csv');
    expect(cleanFilename('..')).toBe('file');
    expect(cleanFilename('')).toBe('file');
    expect(cleanFilename('x'.repeat(400))).toHaveLength(255);
  });

  it('builds a Content-Disposition that stays ASCII and quotes nothing it should not', () => {
    expect(contentDisposition('a.png')).toBe(`attachment; filename="a.png"; filename*=UTF-8''a.png`);
    const d = contentDisposition('é "x"\\.csv');
    expect(d).toBe(`attachment; filename="_ _x__.csv"; filename*=UTF-8''%C3%A9%20%22x%22%5C.csv`);
  });
});

describe('uploads and their run', () => {
  it('stores all files of an upload or none', async () => {
    const runId = newRun();
    const before = { rows: countRows(db, 'attachments'), audit: countRows(db, 'audit_events') };
    const error = await uploadAttachments(db, actor, runId, [
      file('a.txt', 'text/plain', 'first is fine'),
      file('b.bin', '', Buffer.from([0x00, 0x01, 0x02])),
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttachmentRefusedError);
    expect(countRows(db, 'attachments')).toBe(before.rows);
    expect(countRows(db, 'audit_events')).toBe(before.audit);
    expect(filesIn(runId)).toEqual([]);
  });

  it('deletes the rows with the run in its transaction and the files after the commit', async () => {
    const runId = newRun();
    const items = await uploadAttachments(db, actor, runId, [file('a.txt', 'text/plain', 'one'), file('b.txt', 'text/plain', 'two')]);
    expect(items.map((i) => i.filename)).toEqual(['a.txt', 'b.txt']);
    expect(listAttachments(db, runId).items).toHaveLength(2);
    expect(filesIn(runId)).toHaveLength(2);
    deleteTestRun(db, actor, runId, getTestRun(db, runId).version);
    expect(db.sqlite.prepare('SELECT count(*) AS n FROM attachments WHERE test_run_id = ?').get(runId)).toEqual({ n: 0 });
    expect(fs.existsSync(runFolder(runId))).toBe(false);
    const deletes = db.sqlite.prepare(`SELECT count(*) AS n FROM audit_events WHERE entity = 'attachment' AND action = 'delete' AND entity_id IN (?, ?)`).get(String(items[0]!.id), String(items[1]!.id));
    expect(deletes).toEqual({ n: 2 });
  });

  it('keeps files when the run delete is refused', async () => {
    const runId = newRun();
    await uploadAttachments(db, actor, runId, [file('a.txt', 'text/plain', 'kept')]);
    // A stale version refuses the delete: nothing may be removed.
    expect(() => deleteTestRun(db, actor, runId, 999)).toThrow();
    expect(filesIn(runId)).toHaveLength(1);
    expect(listAttachments(db, runId).items).toHaveLength(1);
  });
});

describe('backups', () => {
  it('carry the attachment files inside the one backup file, and a restore puts them back', async () => {
    const runId = newRun();
    const items = await uploadAttachments(db, actor, runId, [file('a.txt', 'text/plain', 'first file'), file('b.csv', 'text/csv', 'x,y\n1,2\n')]);
    const backup = path.join(dir, 'backups', 'pitlane.db');
    await backupTo(db, path.join(dir, 'data'), backup);
    expect(fs.readdirSync(path.dirname(backup))).toEqual(['pitlane.db']);

    // "Restore" into a fresh data folder: the database file alone, then the start-up step.
    const restoredDir = path.join(dir, 'restored');
    fs.mkdirSync(restoredDir);
    fs.copyFileSync(backup, path.join(restoredDir, 'pitlane.db'));
    const restored = openDatabase(path.join(restoredDir, 'pitlane.db'));
    try {
      expect(restoreBackupFiles(restored, restoredDir)).toBeGreaterThanOrEqual(2);
      for (const item of items) {
        const row = restored.sqlite.prepare('SELECT storage_path, sha256 FROM attachments WHERE id = ?').get(item.id) as { storage_path: string; sha256: string };
        const bytes = fs.readFileSync(path.join(restoredDir, row.storage_path));
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(item.sha256);
      }
      expect(restored.sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE name = ?`).get(BACKUP_FILES_TABLE)).toBeUndefined();
      expect(restoreBackupFiles(restored, restoredDir)).toBe(0); // once only
    } finally {
      restored.sqlite.close();
    }
    // The live database never gets the table.
    expect(db.sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE name = ?`).get(BACKUP_FILES_TABLE)).toBeUndefined();
  });
});
