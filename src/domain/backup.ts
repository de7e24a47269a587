// Online backups with SQLite's backup API: the pages are copied in small steps while the app
// keeps serving, then the copy is checked (integrity, foreign keys) before it counts. A backup is
// one self-contained file (journal mode DELETE: no -wal beside it).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Db } from '../db.js';

export interface BackupResult {
  /** Absolute path of the backup. */
  file: string;
  bytes: number;
  /** `PRAGMA integrity_check` of the copy: always `ok` (anything else throws). */
  integrity: 'ok';
}

export class BackupError extends Error {
  override name = 'BackupError';
}

/** `pitlane-20260514-093000.db` (UTC), the name a downloaded or CLI backup gets by default. */
export function backupFileName(now = new Date()): string {
  const s = now.toISOString();
  return `pitlane-${s.slice(0, 10).replace(/-/g, '')}-${s.slice(11, 19).replace(/:/g, '')}.db`;
}

function removeQuietly(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) fs.rmSync(f, { force: true });
}

/** Opens a backup read-only and checks it; throws BackupError naming what is wrong. */
export function verifyBackup(file: string): void {
  const copy = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const integrity = (copy.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (integrity.length !== 1 || integrity[0] !== 'ok') {
      throw new BackupError(`the backup failed its integrity check: ${integrity.slice(0, 5).join('; ')}`);
    }
    const orphans = copy.pragma('foreign_key_check') as unknown[];
    if (orphans.length > 0) throw new BackupError(`the backup has ${orphans.length} row(s) whose references point at nothing`);
  } finally {
    copy.close();
  }
}

/**
 * Writes a verified backup of the live database to `file` (replacing it). The copy is made beside
 * the target under a temporary name and renamed only once it checks out, so a failed or
 * interrupted backup never leaves a half-written file under the real name.
 * The attachment files under `dataDir` travel inside the copy (table pitlane_backup_files), so a
 * backup stays one file; the first start on a restored database puts them back (restoreBackupFiles).
 */
export async function backupTo(db: Db, dataDir: string, file: string): Promise<BackupResult> {
  const target = path.resolve(file);
  const live = path.resolve(db.sqlite.name);
  if ([live, `${live}-wal`, `${live}-shm`].includes(target)) {
    throw new BackupError('the backup would overwrite the live database: choose another file');
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const partial = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    await db.sqlite.backup(partial);
    // The copy carries the live file's WAL flag: turn it into one plain file.
    const copy = new Database(partial, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    await embedAttachmentFiles(partial, dataDir);
    verifyBackup(partial);
    fs.renameSync(partial, target);
  } catch (error) {
    removeQuietly(partial);
    throw error;
  }
  return { file: target, bytes: fs.statSync(target).size, integrity: 'ok' };
}

// ---------------------------------------------------------------------------------------------
// Attachment files inside the backup

/** The table of a backup copy that holds the attachment files (absent from live databases). */
export const BACKUP_FILES_TABLE = 'pitlane_backup_files';

/** `<dataDir>/<storagePath>` when it stays inside `<dataDir>/attachments`, else undefined. */
function storedFile(dataDir: string, storagePath: string): string | undefined {
  const root = path.resolve(dataDir, 'attachments');
  const abs = path.resolve(dataDir, storagePath);
  return abs.startsWith(root + path.sep) ? abs : undefined;
}

/**
 * Copies the file of every attachment row of the copy into the copy. Files are read one at a time
 * (the server keeps serving); a file already gone (deleted after the snapshot) is left out.
 */
async function embedAttachmentFiles(copyFile: string, dataDir: string): Promise<void> {
  const copy = new Database(copyFile, { fileMustExist: true });
  try {
    if (!copy.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'attachments'`).get()) return;
    // The copy is renamed into place only once verified: no need to sync every insert.
    copy.pragma('synchronous = OFF');
    copy.exec(`CREATE TABLE ${BACKUP_FILES_TABLE} (storage_path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, content BLOB NOT NULL)`);
    const rows = copy.prepare('SELECT storage_path, sha256 FROM attachments ORDER BY id').all() as { storage_path: string; sha256: string }[];
    const insert = copy.prepare(`INSERT OR REPLACE INTO ${BACKUP_FILES_TABLE} (storage_path, sha256, content) VALUES (?, ?, ?)`);
    for (const row of rows) {
      const abs = storedFile(dataDir, row.storage_path);
      if (!abs) continue;
      const content = await fs.promises.readFile(abs).catch(() => undefined);
      if (!content) continue;
      if (createHash('sha256').update(content).digest('hex') !== row.sha256) {
        throw new BackupError(`attachment file ${row.storage_path} does not match its checksum: the backup would carry a damaged file`);
      }
      insert.run(row.storage_path, row.sha256, content);
    }
  } finally {
    copy.close();
  }
}

/**
 * After a restore: writes the attachment files a backup carried back under `dataDir` (checked
 * against their SHA-256) and drops the table. Does nothing on a database that is not a restored
 * backup. Call at start, before serving.
 */
export function restoreBackupFiles(db: Db, dataDir: string): number {
  const present = db.sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(BACKUP_FILES_TABLE);
  if (!present) return 0;
  let written = 0;
  for (const row of db.sqlite.prepare(`SELECT storage_path, sha256, content FROM ${BACKUP_FILES_TABLE}`).iterate() as IterableIterator<{ storage_path: string; sha256: string; content: Buffer }>) {
    const abs = storedFile(dataDir, row.storage_path);
    if (!abs || createHash('sha256').update(row.content).digest('hex') !== row.sha256) continue;
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    const partial = `${abs}.restoring`;
    fs.writeFileSync(partial, row.content);
    fs.renameSync(partial, abs);
    written += 1;
  }
  db.sqlite.exec(`DROP TABLE ${BACKUP_FILES_TABLE}`);
  return written;
}
