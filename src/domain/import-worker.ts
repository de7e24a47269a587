// The worker thread of one import job: its own SQLite connection (WAL: the server's readers go on
// while it checks and writes), the same domain functions as the API, progress posted to the main
// thread. The main thread asks it to stop through a shared flag it checks between rows.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db.js';
import { IMPORT_PAGE_CACHE_KIB, ImportCancelledError, runImportJob, type ImportWorkerData, type ImportWorkerMessage } from './imports.js';

const data = workerData as ImportWorkerData;
const cancel = new Int32Array(data.cancel);
const post = (message: ImportWorkerMessage) => parentPort!.postMessage(message);

// The server's connections keep an 8 MB page cache for their reads (PAGE_CACHE_KIB); the import
// writes each page once and rereads little, so SQLite's usual 2 MB does. Measured on a
// 100,000-row all-or-nothing import of the bench database (against better-sqlite3's 16 MB): peak
// RSS 116 → 100 MB, 70 s either way.
const db = openDatabase(data.dbFile, { pageCacheKib: IMPORT_PAGE_CACHE_KIB });
try {
  await runImportJob(db, {
    jobId: data.jobId,
    file: data.file,
    dryRun: data.dryRun,
    mode: data.mode,
    actor: data.actor,
    onProgress: (progress) => post({ type: 'progress', progress }),
    cancelled: () => Atomics.load(cancel, 0) === 1,
  });
  post({ type: 'done' });
} catch (error) {
  // The message is shown on the job: a database error is named by its code, never its text.
  const code = (error as { code?: unknown }).code;
  const message =
    error instanceof ImportCancelledError ? 'cancelled'
    : typeof code === 'string' && code.startsWith('SQLITE_') ? `database error ${code}`
    : error instanceof Error ? error.message
    : String(error);
  post({ type: 'failed', message });
} finally {
  db.sqlite.close();
}
