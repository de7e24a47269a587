// CSV import of test runs as a job (DESIGN §4). The upload is saved to the data folder, a job row
// is queued, and a worker thread with its own SQLite connection reads the file with a streaming
// parser, checks every row with the API's rules, then writes (WAL lets the server's readers go on
// meanwhile; the main thread never blocks on the work).
//
// - `all_or_nothing` (default): every run is written in ONE transaction that also marks the job
//   succeeded, so a job cut off by a crash has written nothing (and is failed at the next start);
//   one bad row and nothing is written.
// - `valid_rows`: the valid rows are committed in chunks, each with the job's counts; bad rows
//   are reported and skipped.
// - dry run: checks everything and reports what would be created, updated or left unchanged.
//
// The run code is the key: an existing code updates its run through updateTestRun (version moves,
// audit event) unless nothing changed; new codes and empty codes create runs. Every write is the
// domain's own createTestRun/updateTestRun, with the importing user as the actor.
import { dataDirOf } from './attachments.js';
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { IMPORT_MODES, import_job_errors, import_jobs, users } from '../../db/schema.js';
import type { Db } from '../db.js';
import type { Actor } from './actor.js';
import { ConflictError, DomainError, InvalidInputError, NotFoundError, RuleViolationError, StaleVersionError } from './errors.js';
import { inTransaction } from './records.js';
import { enqueueEvent } from './webhooks.js';
import {
  TEST_RUN_CSV_COLUMNS,
  checkTestRunCsvHeader,
  csvRowToTestRunInput,
  fieldProblemsToCsv,
  loadTestRunCsvLookups,
  normalizeTestRunCsvHeader,
  type CsvCellProblem,
} from './test-run-csv.js';
import {
  createTestRun,
  findTestRunByCode,
  normalizeTimestamp,
  updateTestRun,
  validateTestRunInput,
  type TestRun,
  type TestRunInput,
  type TestRunPatch,
} from './test-runs.js';
import { nowIso } from './time.js';
import { UploadGarbage } from '../upload-garbage.js';

export type ImportMode = (typeof IMPORT_MODES)[number];
export type ImportStatus = 'queued' | 'running' | 'succeeded' | 'failed';
export type ImportPhase = 'queued' | 'checking' | 'writing';

export const IMPORT_LIMITS = {
  /** Upload size (413 above it). */
  bytes: 50 * 1024 * 1024,
  /** Data rows per file (the job fails above it, writing nothing). */
  rows: 200_000,
  /** Row errors kept per job; `error_count` counts them all. */
  storedErrors: 1000,
  /** One record (a row with its quoted line breaks), in characters. */
  recordChars: 1_000_000,
} as const;

/** Rows per transaction in `valid_rows` mode: small, so that other writers wait a moment at most. */
const VALID_ROWS_CHUNK = 100;
const PROGRESS_EVERY_ROWS = 250;
const PROGRESS_EVERY_MS = 200;

export interface ImportJobError {
  /** The record's number in the file, the header being row 1 (as a spreadsheet numbers them). */
  row: number;
  /** The column (header name); '' when the problem is the whole row or file. */
  column: string;
  message: string;
}

export interface ImportCounts {
  rows_read: number;
  rows_valid: number;
  rows_created: number;
  rows_updated: number;
  rows_unchanged: number;
  error_count: number;
}

/** Where a running job is: bytes of the file checked, then runs written. */
export interface ImportProgress extends ImportCounts {
  phase: ImportPhase;
  bytes_read: number;
  bytes_total: number;
  rows_written: number;
}

export interface ImportJob extends ImportCounts {
  id: number;
  kind: string;
  status: ImportStatus;
  dry_run: boolean;
  mode: ImportMode;
  filename: string;
  message: string;
  created_by: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** While queued or running: how far it got (the counts above are live too); null once finished. */
  progress: { phase: ImportPhase; bytes_read: number; bytes_total: number; rows_written: number } | null;
  /** The first IMPORT_LIMITS.storedErrors errors, by row. */
  errors: ImportJobError[];
}

type JobRow = typeof import_jobs.$inferSelect;

/** The upload could not be kept: too large (the route answers 413). */
export class UploadTooLargeError extends DomainError {
  constructor(readonly limit: number) {
    super(`The CSV file is larger than ${Math.round(limit / (1024 * 1024))} MB: split it into smaller files.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Files: uploads live in `imports/` of the data folder (PITLANE_DATA_DIR, as attachments do) while a
// job needs them.

export function importFilePath(db: Db, sourcePath: string): string {
  return path.join(dataDirOf(db), sourcePath);
}

export interface SavedUpload {
  /** Relative to the data folder. */
  sourcePath: string;
  size: number;
  sha256: string;
}

/** Streams an upload to disk with its digest; refuses (and removes) one over `limit` bytes. */
export async function saveUpload(db: Db, stream: Readable, limit: number = IMPORT_LIMITS.bytes): Promise<SavedUpload> {
  const folder = path.join(dataDirOf(db), 'imports');
  await fs.promises.mkdir(folder, { recursive: true });
  const sourcePath = path.join('imports', `upload-${Date.now()}-${randomBytes(6).toString('hex')}.csv`);
  const file = importFilePath(db, sourcePath);
  const out = fs.createWriteStream(file, { flags: 'wx' });
  const hash = createHash('sha256');
  let size = 0;
  const garbage = new UploadGarbage();
  try {
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > limit) throw new UploadTooLargeError(limit);
      hash.update(buf);
      if (!out.write(buf)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      garbage.passed(buf.length);
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    garbage.finished();
  } catch (error) {
    // The file may still be opening: remove it once the stream has closed, or an open that
    // finishes after the removal would leave it behind.
    const closed = out.closed ? Promise.resolve() : new Promise<void>((resolve) => out.once('close', () => resolve()));
    out.destroy();
    await closed;
    await fs.promises.rm(file, { force: true });
    throw error;
  }
  return { sourcePath, size, sha256: hash.digest('hex') };
}

export function removeUpload(db: Db, sourcePath: string | null | undefined): void {
  if (!sourcePath) return;
  try {
    fs.rmSync(importFilePath(db, sourcePath), { force: true });
  } catch {
    // A file that cannot be removed now is harmless: nothing refers to it any more.
  }
}

// ---------------------------------------------------------------------------------------------
// Job rows

function toJob(row: JobRow, errors: ImportJobError[]): ImportJob {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status as ImportStatus,
    dry_run: row.dry_run,
    mode: row.mode as ImportMode,
    filename: row.filename,
    rows_read: row.rows_read,
    rows_valid: row.rows_valid,
    rows_created: row.rows_created,
    rows_updated: row.rows_updated,
    rows_unchanged: row.rows_unchanged,
    error_count: row.error_count,
    message: row.message,
    created_by: row.created_by,
    created_at: row.created_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
    progress: null,
    errors,
  };
}

export interface NewImportJob {
  filename: string;
  sourcePath: string;
  dryRun: boolean;
  mode: ImportMode;
}

export function createImportJob(db: Db, actor: Actor, input: NewImportJob): ImportJob {
  const row = db.orm
    .insert(import_jobs)
    .values({
      kind: 'test_runs',
      status: 'queued',
      dry_run: input.dryRun,
      mode: input.mode,
      filename: input.filename.slice(0, 255),
      source_path: input.sourcePath,
      created_by: actor.id,
      created_at: nowIso(),
    })
    .returning()
    .get();
  return toJob(row, []);
}

export function findImportJob(db: Db, id: number, errorLimit: number = IMPORT_LIMITS.storedErrors): ImportJob | undefined {
  const row = db.orm.select().from(import_jobs).where(eq(import_jobs.id, id)).get();
  if (!row) return undefined;
  const errors = db.orm
    .select({ row: import_job_errors.row, column: import_job_errors.column, message: import_job_errors.message })
    .from(import_job_errors)
    .where(eq(import_job_errors.job_id, id))
    .orderBy(asc(import_job_errors.row), asc(import_job_errors.id))
    .limit(errorLimit)
    .all();
  return toJob(row, errors);
}

export function getImportJob(db: Db, id: number, errorLimit?: number): ImportJob {
  const job = findImportJob(db, id, errorLimit);
  if (!job) throw new NotFoundError('import_job', id);
  return job;
}

/** Recent jobs, newest first (without their errors). */
export function listImportJobs(db: Db, limit = 20): (ImportJob & { created_by_name: string | null })[] {
  return db.orm
    .select({ job: import_jobs, username: users.username })
    .from(import_jobs)
    .leftJoin(users, eq(users.id, import_jobs.created_by))
    .orderBy(desc(import_jobs.id))
    .limit(limit)
    .all()
    .map((r) => ({ ...toJob(r.job, []), created_by_name: r.username }));
}

export const INTERRUPTED_MESSAGE =
  'The server stopped before this import finished. Nothing of it was written (in “valid rows” mode, chunks committed before the stop remain). Upload the file again.';

/**
 * Jobs left queued or running by a server that stopped (crash, kill, restart): failed, with their
 * uploads removed. An all-or-nothing job commits its runs and its success together, so such a job
 * has written nothing. Call once at start, before any job runs.
 */
export function failInterruptedImportJobs(db: Db, message: string = INTERRUPTED_MESSAGE): number {
  const stale = db.orm
    .select({ id: import_jobs.id, source_path: import_jobs.source_path })
    .from(import_jobs)
    .where(inArray(import_jobs.status, ['queued', 'running']))
    .all();
  if (stale.length === 0) return 0;
  const ids = stale.map((s) => s.id);
  inTransaction(db, () => {
    db.orm.update(import_jobs).set({ status: 'failed', message, finished_at: nowIso(), source_path: null }).where(inArray(import_jobs.id, ids)).run();
    announceFinished(db, ids);
  });
  for (const s of stale) removeUpload(db, s.source_path);
  return stale.length;
}

/** Marks one unfinished job failed (the worker died, the server is stopping). */
export function failImportJob(db: Db, id: number, message: string): void {
  inTransaction(db, () => {
    const changed = db.orm
      .update(import_jobs)
      .set({ status: 'failed', message, finished_at: nowIso(), source_path: null })
      .where(and(eq(import_jobs.id, id), inArray(import_jobs.status, ['queued', 'running'])))
      .run().changes;
    if (changed) announceFinished(db, [id]);
  });
}

function finishJob(db: Db, id: number, status: 'succeeded' | 'failed', counts: ImportCounts, message: string, errors: ImportJobError[]): void {
  inTransaction(db, () => {
    db.orm
      .update(import_jobs)
      .set({ ...counts, status, message, finished_at: nowIso(), source_path: null })
      .where(eq(import_jobs.id, id))
      .run();
    db.orm.delete(import_job_errors).where(eq(import_job_errors.job_id, id)).run();
    const insert = db.sqlite.prepare('INSERT INTO import_job_errors (job_id, "row", "column", message) VALUES (?, ?, ?, ?)');
    for (const e of errors.slice(0, IMPORT_LIMITS.storedErrors)) insert.run(id, e.row, e.column, e.message);
    announceFinished(db, [id]);
  });
}

/** `import.finished` for each job, in the caller's transaction (the job as GET /api/v1/jobs/{id}, without errors). */
function announceFinished(db: Db, ids: number[]): void {
  for (const row of db.orm.select().from(import_jobs).where(inArray(import_jobs.id, ids)).all()) {
    const { errors: _errors, progress: _progress, ...job } = toJob(row, []);
    enqueueEvent(db, 'import.finished', { job }, row.finished_at ?? nowIso());
  }
}

// ---------------------------------------------------------------------------------------------
// Comparing a row with the stored run

function sameList<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  return a.length === b.length && a.every((x, i) => same(x, b[i]!));
}

/**
 * The fields of `input` that differ from `current`, or undefined when the row would change
 * nothing. Fields the row leaves to their default (status, engineer when empty) are not compared.
 */
export function testRunPatchFor(current: TestRun, input: TestRunInput): TestRunPatch | undefined {
  const patch: TestRunPatch = {};
  const scalar = [
    'prototype_id',
    'title',
    'objective',
    'venue_type',
    'location',
    'status',
    'software_version',
    'hardware_revision',
    'engineer',
    'result_summary',
  ] as const;
  const target = patch as Record<string, unknown>;
  for (const f of scalar) {
    if (input[f] !== undefined && input[f] !== current[f]) target[f] = input[f];
  }
  if (input.program_id !== undefined && (input.program_id ?? null) !== current.program_id) patch.program_id = input.program_id;
  if (input.start_time !== undefined && normalizeTimestamp(input.start_time) !== current.start_time) patch.start_time = input.start_time;
  if (input.end_time !== undefined) {
    const end = input.end_time === null ? null : normalizeTimestamp(input.end_time);
    if (end !== current.end_time) patch.end_time = input.end_time;
  }
  if (input.measurements !== undefined && !sameList(input.measurements, current.measurements, (a, b) => a.name === b.name && a.value === b.value && (a.unit ?? '') === b.unit)) {
    patch.measurements = input.measurements;
  }
  if (input.evidence !== undefined && !sameList(input.evidence, current.evidence, (a, b) => a.technology_id === b.technology_id && a.outcome === b.outcome && (a.notes ?? '') === b.notes)) {
    patch.evidence = input.evidence;
  }
  return Object.keys(patch).length ? patch : undefined;
}

type RowAction = 'created' | 'updated' | 'unchanged';

/** Writes one checked row through the domain (inside the caller's transaction). */
function applyRow(db: Db, actor: Actor, input: TestRunInput): RowAction {
  if (input.code !== undefined) {
    const current = findTestRunByCode(db, input.code);
    if (current) {
      const patch = testRunPatchFor(current, input);
      if (!patch) return 'unchanged';
      updateTestRun(db, actor, current.id, undefined, patch);
      return 'updated';
    }
  }
  createTestRun(db, actor, input);
  return 'created';
}

/** What a refused write says about its row (no SQL or driver text). */
function writeErrorProblems(error: unknown, input: TestRunInput): CsvCellProblem[] {
  if (error instanceof InvalidInputError || error instanceof RuleViolationError) {
    return error.errors.length ? fieldProblemsToCsv(error.errors) : [{ column: '', message: error.message }];
  }
  if (error instanceof ConflictError || error instanceof StaleVersionError || error instanceof NotFoundError) return [{ column: '', message: error.message }];
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE') return [{ column: 'code', message: `the code “${input.code ?? ''}” is already taken` }];
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return [{ column: '', message: 'the database was busy; import the file again' }];
  return [{ column: '', message: 'this row could not be written' }];
}

// ---------------------------------------------------------------------------------------------
// Running one job (in the worker; tests call it directly)

export interface RunImportOptions {
  jobId: number;
  /** Absolute path of the CSV file. */
  file: string;
  dryRun: boolean;
  mode: ImportMode;
  actor: Actor;
  onProgress?: (progress: ImportProgress) => void;
  /** Checked between rows: true stops the job (rolling back what is not committed). */
  cancelled?: () => boolean;
  /** Data rows allowed (IMPORT_LIMITS.rows). */
  maxRows?: number;
}

class NotUtf8Error extends Error {}

export class ImportCancelledError extends Error {
  constructor() {
    super('import cancelled');
  }
}

interface CheckedRow {
  row: number;
  input: TestRunInput;
}

/**
 * The codes the check has read and the first row of each, for "also on row N". In a temporary
 * table of the import's connection, not a Map: beyond a small cache SQLite keeps it in a temp
 * file, so the check's memory stays flat however many rows (a Map of 100,000 codes held ~12 MB of
 * the worker's heap). Writing to the temp database takes no lock on the main one.
 */
export class SeenCodes {
  private readonly firstRowOf;
  private readonly remember;

  constructor(private readonly db: Db) {
    db.sqlite.pragma(`temp.cache_size = -${IMPORT_PAGE_CACHE_KIB}`);
    db.sqlite.exec('CREATE TEMP TABLE IF NOT EXISTS import_codes (code TEXT PRIMARY KEY, first_row INTEGER NOT NULL) WITHOUT ROWID');
    db.sqlite.exec('DELETE FROM temp.import_codes');
    this.firstRowOf = db.sqlite.prepare('SELECT first_row FROM temp.import_codes WHERE code = ?').pluck();
    this.remember = db.sqlite.prepare('INSERT INTO temp.import_codes (code, first_row) VALUES (?, ?)');
  }

  /** The row that first gave `code`; undefined (and `row` remembered) when this is the first. */
  firstRow(code: string, row: number): number | undefined {
    const first = this.firstRowOf.get(code) as number | undefined;
    if (first === undefined) this.remember.run(code, row);
    return first;
  }

  drop(): void {
    this.db.sqlite.exec('DROP TABLE IF EXISTS temp.import_codes');
  }
}

/** Rows written between two reads of the next rows (all-or-nothing: in one transaction). */
const WRITE_CHUNK = 500;

function csvParser() {
  return parse({ bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: IMPORT_LIMITS.recordChars });
}

function cellsOf(header: string[], record: string[]): Record<string, string> {
  const cells: Record<string, string> = {};
  header.forEach((c, i) => (cells[c] = record[i]!));
  return cells;
}

/**
 * The valid rows of a checked file, read again, as inputs in chunks of `size`: for each entry of
 * `passes`, the rows that name their code (true) or not (false). Row numbers are counted as the
 * check counted them (the same parser over the same file).
 */
async function* validRowChunks(
  file: string,
  header: string[],
  lookups: ReturnType<typeof loadTestRunCsvLookups>,
  refused: ReadonlySet<number>,
  passes: boolean[],
  size: number,
): AsyncGenerator<CheckedRow[]> {
  for (const withCode of passes) {
    const source = fs.createReadStream(file);
    const parser = csvParser();
    source.on('error', (error) => parser.destroy(error));
    source.pipe(parser);
    let row = 0;
    let chunk: CheckedRow[] = [];
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        row++;
        if (row === 1 || refused.has(row)) continue;
        const { input } = csvRowToTestRunInput(cellsOf(header, record), lookups);
        if ((input.code !== undefined) !== withCode) continue;
        chunk.push({ row, input });
        if (chunk.length >= size) {
          yield chunk;
          chunk = [];
        }
      }
    } finally {
      source.destroy();
    }
    if (chunk.length) yield chunk;
  }
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Reads, checks and (unless a dry run) writes the file of job `jobId`; leaves the job finished. */
export async function runImportJob(db: Db, options: RunImportOptions): Promise<ImportJob> {
  const { jobId, file, actor } = options;
  const cancelled = options.cancelled ?? (() => false);
  const maxRows = options.maxRows ?? IMPORT_LIMITS.rows;
  db.orm
    .update(import_jobs)
    .set({ status: 'running', started_at: sql`coalesce(${import_jobs.started_at}, ${nowIso()})` })
    .where(eq(import_jobs.id, jobId))
    .run();

  const counts: ImportCounts = { rows_read: 0, rows_valid: 0, rows_created: 0, rows_updated: 0, rows_unchanged: 0, error_count: 0 };
  const errors: ImportJobError[] = [];
  const addError = (row: number, column: string, message: string) => {
    counts.error_count++;
    if (errors.length < IMPORT_LIMITS.storedErrors) errors.push({ row, column, message });
  };
  if (!fs.existsSync(file)) {
    finishJob(db, jobId, 'failed', counts, 'The uploaded file is gone (the server may have restarted): upload it again.', []);
    return getImportJob(db, jobId);
  }
  const bytesTotal = fs.statSync(file).size;
  let bytesRead = 0;
  let phase: ImportPhase = 'checking';
  let rowsWritten = 0;
  let lastReport = 0;
  const report = (force = false) => {
    if (!options.onProgress) return;
    const now = Date.now();
    if (!force && now - lastReport < PROGRESS_EVERY_MS) return;
    lastReport = now;
    options.onProgress({ ...counts, phase, bytes_read: bytesRead, bytes_total: bytesTotal, rows_written: rowsWritten });
  };
  report(true);

  // 1. Read and check every row (reads only: no lock is held). Only what the write needs again is
  // kept: which rows were refused, and how many valid rows name their code. The write reads the
  // file a second time, so that memory stays flat whatever the number of rows.
  const lookups = loadTestRunCsvLookups(db);
  const refusedRows = new Set<number>();
  const validWithCode = { yes: 0, no: 0 };
  const codes = new SeenCodes(db);
  let header: string[] | undefined;
  let fatal: ImportJobError | undefined;
  let rowNumber = 1;
  const source = fs.createReadStream(file);
  const parser = csvParser();
  // Spreadsheets in Japan often save CSV as Shift_JIS: say so instead of failing on garbled names.
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  source.on('data', (chunk) => {
    bytesRead += chunk.length;
    try {
      utf8.decode(chunk as Buffer, { stream: true });
    } catch {
      parser.destroy(new NotUtf8Error());
    }
  });
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (cancelled()) throw new ImportCancelledError();
      if (!header) {
        const problem = checkTestRunCsvHeader(record);
        if (problem) {
          fatal = { row: 1, column: '', message: problem };
          break;
        }
        header = normalizeTestRunCsvHeader(record);
        continue;
      }
      rowNumber++;
      counts.rows_read++;
      if (counts.rows_read > maxRows) {
        counts.rows_read--;
        fatal = {
          row: rowNumber,
          column: '',
          message: `The file has more than ${maxRows.toLocaleString('en-US')} rows: split it into files of at most ${maxRows.toLocaleString('en-US')} rows. Nothing was written.`,
        };
        break;
      }
      checkRow(record, rowNumber);
      if (counts.rows_read % PROGRESS_EVERY_ROWS === 0) report();
    }
  } catch (error) {
    if (error instanceof ImportCancelledError) throw error;
    if (error instanceof NotUtf8Error) {
      fatal = { row: rowNumber + 1, column: '', message: 'The file is not UTF-8 text (Shift_JIS?): save it as “CSV UTF-8” and upload it again. Nothing was written.' };
    } else if (error instanceof CsvError) {
      fatal = { row: rowNumber + 1, column: '', message: `The file is not valid CSV: ${error.message}. Nothing was written.` };
    } else {
      throw error;
    }
  } finally {
    source.destroy();
    codes.drop();
  }
  if (!fatal && !header) fatal = { row: 1, column: '', message: 'The file is empty: the first row must name the columns. Nothing was written.' };
  if (!fatal) bytesRead = bytesTotal;

  function checkRow(record: string[], row: number) {
    const cols = header!;
    if (record.length !== cols.length) {
      addError(row, '', `the row has ${plural(record.length, 'cell')}, the header ${plural(cols.length, 'column')}`);
      refusedRows.add(row);
      return;
    }
    const { input, problems } = csvRowToTestRunInput(cellsOf(cols, record), lookups);
    const flagged = new Set(problems.map((p) => p.column));
    const all = [...problems, ...fieldProblemsToCsv(validateTestRunInput(db, input)).filter((p) => !flagged.has(p.column))];
    if (input.code !== undefined) {
      const first = codes.firstRow(input.code, row);
      if (first !== undefined) all.push({ column: 'code', message: `the code “${input.code}” is also on row ${first}: give each run once` });
    }
    if (all.length) {
      const position = (column: string) => (TEST_RUN_CSV_COLUMNS as readonly string[]).indexOf(column);
      all.sort((a, b) => position(a.column) - position(b.column));
      for (const p of all) addError(row, p.column, p.message);
      refusedRows.add(row);
      return;
    }
    counts.rows_valid++;
    if (input.code !== undefined) validWithCode.yes++;
    else validWithCode.no++;
    if (options.dryRun) {
      const current = input.code === undefined ? undefined : findTestRunByCode(db, input.code);
      if (!current) counts.rows_created++;
      else if (testRunPatchFor(current, input)) counts.rows_updated++;
      else counts.rows_unchanged++;
    }
  }

  const noWrites = { rows_created: 0, rows_updated: 0, rows_unchanged: 0 };
  if (fatal) {
    addError(fatal.row, fatal.column, fatal.message);
    finishJob(db, jobId, 'failed', { ...counts, ...noWrites }, fatal.message, errors);
    return done();
  }

  const errorNote = counts.error_count ? ` ${plural(counts.error_count, 'error')} in ${plural(counts.rows_read - counts.rows_valid, 'row')}.` : '';
  const n = (x: number) => x.toLocaleString('en-US');
  const tally = (c: ImportCounts) => `create ${n(c.rows_created)}, update ${n(c.rows_updated)} and leave ${n(c.rows_unchanged)} unchanged`;
  const tallied = (c: ImportCounts) => `created ${n(c.rows_created)}, updated ${n(c.rows_updated)}, left ${n(c.rows_unchanged)} unchanged`;

  if (options.dryRun) {
    const refused = options.mode === 'all_or_nothing' && counts.error_count > 0;
    const message = refused
      ? `Dry run, nothing was written.${errorNote} An all-or-nothing import of this file would write nothing; without the bad rows it would ${tally(counts)}.`
      : `Dry run, nothing was written. The import would ${tally(counts)}.${errorNote}${counts.error_count ? ' Those rows would be skipped.' : ''}`;
    finishJob(db, jobId, refused ? 'failed' : 'succeeded', counts, message, errors);
    return done();
  }

  if (options.mode === 'all_or_nothing' && counts.error_count > 0) {
    finishJob(db, jobId, 'failed', { ...counts, ...noWrites }, `Nothing was written:${errorNote} Fix them and import again, or import the valid rows only.`, errors);
    return done();
  }

  // 2. Write, reading the file again. Rows with their own code first, so that a generated code
  // never takes one the file names.
  phase = 'writing';
  report(true);
  // true: the rows that name their code; false: the others.
  const passes: boolean[] = [];
  if (validWithCode.yes) passes.push(true);
  if (validWithCode.no) passes.push(false);
  const rowsToWrite = (size: number) => validRowChunks(file, header!, lookups, refusedRows, passes, size);
  const tallyWrite = (action: RowAction) => {
    if (action === 'created') counts.rows_created++;
    else if (action === 'updated') counts.rows_updated++;
    else counts.rows_unchanged++;
    rowsWritten++;
    if (rowsWritten % 50 === 0) report();
  };

  if (options.mode === 'all_or_nothing') {
    // One transaction around every row. It stays open while the next rows are read (this
    // connection is the job's alone), which a synchronous transaction function cannot do: BEGIN,
    // then COMMIT, or ROLLBACK on anything thrown.
    let refused: { row: number; problems: CsvCellProblem[] } | undefined;
    db.sqlite.exec('BEGIN IMMEDIATE');
    try {
      for await (const chunk of rowsToWrite(WRITE_CHUNK)) {
        for (const item of chunk) {
          if (cancelled()) throw new ImportCancelledError();
          try {
            tallyWrite(applyRow(db, actor, item.input));
          } catch (error) {
            if (!(error instanceof ImportCancelledError)) refused = { row: item.row, problems: writeErrorProblems(error, item.input) };
            throw error;
          }
        }
      }
      finishJob(db, jobId, 'succeeded', counts, `Imported: ${tallied(counts)}.`, errors);
      db.sqlite.exec('COMMIT');
    } catch (error) {
      if (db.sqlite.inTransaction) db.sqlite.exec('ROLLBACK');
      if (!refused) throw error;
      for (const p of refused.problems) addError(refused.row, p.column, p.message);
      finishJob(db, jobId, 'failed', { ...counts, ...noWrites }, `Nothing was written: row ${refused.row} was refused while writing (${refused.problems.map((p) => p.message).join('; ')}).`, errors);
    }
    return done();
  }

  // valid_rows: chunks, each committed with the job's counts so far.
  for await (const chunk of rowsToWrite(VALID_ROWS_CHUNK)) {
    inTransaction(db, () => {
      for (const item of chunk) {
        if (cancelled()) throw new ImportCancelledError();
        try {
          // A savepoint per row: a refused row leaves the rest of the chunk in place.
          tallyWrite(inTransaction(db, () => applyRow(db, actor, item.input)));
        } catch (error) {
          if (error instanceof ImportCancelledError) throw error;
          counts.rows_valid--;
          for (const p of writeErrorProblems(error, item.input)) addError(item.row, p.column, p.message);
        }
      }
      db.orm.update(import_jobs).set(counts).where(eq(import_jobs.id, jobId)).run();
    });
  }
  const skipped = counts.rows_read - counts.rows_valid;
  finishJob(
    db,
    jobId,
    'succeeded',
    counts,
    `Imported the valid rows: ${tallied(counts)}.${skipped ? ` Skipped ${plural(skipped, 'row')} with errors.` : ''}`,
    errors,
  );
  return done();

  function done(): ImportJob {
    return getImportJob(db, jobId);
  }
}

// ---------------------------------------------------------------------------------------------
// The runner: one job at a time, each in a worker thread; live progress kept in memory.

export interface ImportWorkerData {
  dbFile: string;
  jobId: number;
  file: string;
  dryRun: boolean;
  mode: ImportMode;
  actor: Actor;
  /** Int32Array over a SharedArrayBuffer: [0] set to 1 asks the worker to stop between rows. */
  cancel: SharedArrayBuffer;
}

export type ImportWorkerMessage =
  | { type: 'progress'; progress: ImportProgress }
  | { type: 'done' }
  | { type: 'failed'; message: string };

/** The import connection's SQLite page cache in KiB (why: import-worker.ts). */
export const IMPORT_PAGE_CACHE_KIB = 2000;

/**
 * The worker's heap. It reads the file as a stream and keeps little per row (a 100,000-row import
 * peaks well under 64 MB), and a small young generation keeps the server's RSS down (measured:
 * −40 MB at the peak of a 100,000-row import, same time). Past the limit the worker stops and the
 * job fails, writing nothing; the server goes on.
 */
export const IMPORT_WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 128 };

/**
 * Lets IMPORT_WORKER_LIMITS size the worker's young generation. V8 takes `--max-semi-space-size`
 * (which `npm start` gives node for the server's own heap) over an isolate's resource limits, so
 * the worker's young generation grew to 16 MB, not 4 (a 100,000-row import on a fresh server
 * peaked at 172 MB; with the limit applied, 156 MB). V8 reads the flag when it creates an
 * isolate: clearing it once the server's heap exists leaves that heap as it was sized.
 */
export function letWorkersSizeTheirYoungGeneration(): void {
  v8.setFlagsFromString('--max-semi-space-size=0');
}

/** Starts the worker module; under tsx (TypeScript sources) the worker registers tsx first. */
function startWorker(data: ImportWorkerData): Worker {
  letWorkersSizeTheirYoungGeneration();
  const here = import.meta.url;
  const options = { workerData: data, resourceLimits: IMPORT_WORKER_LIMITS };
  if (here.endsWith('.ts')) {
    const require = createRequire(here);
    const tsx = pathToFileURL(require.resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
    const target = new URL('./import-worker.ts', here).href;
    const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); });`;
    return new Worker(boot, { ...options, eval: true });
  }
  // The bundle `npm start` runs has the worker beside it as import-worker.mjs.
  return new Worker(new URL(here.endsWith('.mjs') ? './import-worker.mjs' : './import-worker.js', here), options);
}

interface Running {
  jobId: number;
  worker: Worker;
  cancel: Int32Array;
  exited: Promise<void>;
}

export class ImportRunner {
  private readonly live = new Map<number, ImportProgress>();
  private readonly queue: number[] = [];
  private running: Running | undefined;
  private closed = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(readonly db: Db) {}

  /** Queues a job created with createImportJob. */
  enqueue(jobId: number): void {
    if (this.closed) return;
    this.queue.push(jobId);
    this.live.set(jobId, { ...emptyProgress(), phase: 'queued' });
    this.pump();
  }

  /** The job with its live counts while it runs. */
  job(id: number): ImportJob {
    const job = getImportJob(this.db, id);
    return this.withProgress(job);
  }

  withProgress<T extends ImportJob>(job: T): T {
    const live = this.live.get(job.id);
    if (!live || (job.status !== 'queued' && job.status !== 'running')) return job;
    const { phase, bytes_read, bytes_total, rows_written, ...counts } = live;
    return { ...job, ...counts, progress: { phase, bytes_read, bytes_total, rows_written } };
  }

  /** Resolves when no job is queued or running (tests). */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (this.running || this.closed) return;
    const jobId = this.queue.shift();
    if (jobId === undefined) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      return;
    }
    const row = this.db.orm
      .select({ job: import_jobs, username: users.username })
      .from(import_jobs)
      .leftJoin(users, eq(users.id, import_jobs.created_by))
      .where(eq(import_jobs.id, jobId))
      .get();
    if (!row || row.job.status !== 'queued' || !row.job.source_path) {
      this.live.delete(jobId);
      return this.pump();
    }
    const job = row.job;
    this.db.orm.update(import_jobs).set({ status: 'running', started_at: nowIso() }).where(eq(import_jobs.id, jobId)).run();
    const cancel = new SharedArrayBuffer(4);
    let finished = false;
    let failure: string | undefined;
    const worker = startWorker({
      dbFile: this.db.sqlite.name,
      jobId,
      file: importFilePath(this.db, job.source_path!),
      dryRun: job.dry_run,
      mode: job.mode as ImportMode,
      actor: { id: job.created_by, name: row.username ?? 'import' },
      cancel,
    });
    const holdsLock = job.mode === 'all_or_nothing' && !job.dry_run;
    worker.on('message', (message: ImportWorkerMessage) => {
      if (message.type === 'progress') {
        this.live.set(jobId, message.progress);
        if (holdsLock && message.progress.phase === 'writing') this.failWritesFast(true);
      } else if (message.type === 'done') finished = true;
      else failure = message.message;
    });
    worker.on('error', (error) => {
      failure =
        (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `it needed more than the ${IMPORT_WORKER_LIMITS.maxOldGenerationSizeMb} MB of memory an import may use: split the file into smaller ones`
          : error.message;
    });
    const exited = new Promise<void>((resolve) => {
      worker.once('exit', () => {
        this.failWritesFast(false);
        this.live.delete(jobId);
        this.running = undefined;
        removeUpload(this.db, job.source_path);
        if (!finished && this.db.sqlite.open) {
          failImportJob(this.db, jobId, this.closed ? INTERRUPTED_MESSAGE : `The import stopped unexpectedly (${failure ?? 'the worker exited'}). Nothing of the unfinished part was written; upload the file again.`);
        }
        resolve();
        this.pump();
      });
    });
    this.running = { jobId, worker, cancel: new Int32Array(cancel), exited };
  }

  private savedBusyTimeout: number | undefined;

  /**
   * While an all-or-nothing job writes, it holds SQLite's write lock for the whole phase. A write
   * on the server's connection would then wait busy_timeout (5 s) with the event loop blocked,
   * freezing every request, and fail anyway: meanwhile such writes fail at once instead (503,
   * Retry-After) and reads go on.
   */
  private failWritesFast(on: boolean): void {
    if (!this.db.sqlite.open) return;
    if (on && this.savedBusyTimeout === undefined) {
      this.savedBusyTimeout = Number(this.db.sqlite.pragma('busy_timeout', { simple: true }));
      this.db.sqlite.pragma('busy_timeout = 100');
    } else if (!on && this.savedBusyTimeout !== undefined) {
      this.db.sqlite.pragma(`busy_timeout = ${this.savedBusyTimeout}`);
      this.savedBusyTimeout = undefined;
    }
  }

  /** Stops the running job (rolled back) and fails the queued ones; call before the database closes. */
  async close(): Promise<void> {
    this.closed = true;
    for (const jobId of this.queue.splice(0)) {
      this.live.delete(jobId);
      if (this.db.sqlite.open) failImportJob(this.db, jobId, INTERRUPTED_MESSAGE);
    }
    const running = this.running;
    if (running) {
      Atomics.store(running.cancel, 0, 1);
      const timer = setTimeout(() => void running.worker.terminate(), 5000);
      await running.exited;
      clearTimeout(timer);
    }
    for (const resolve of this.idleWaiters.splice(0)) resolve();
    runners.delete(this.db);
  }
}

function emptyProgress(): ImportProgress {
  return {
    phase: 'queued',
    bytes_read: 0,
    bytes_total: 0,
    rows_written: 0,
    rows_read: 0,
    rows_valid: 0,
    rows_created: 0,
    rows_updated: 0,
    rows_unchanged: 0,
    error_count: 0,
  };
}

const runners = new WeakMap<Db, ImportRunner>();

/**
 * The runner of a database, shared by the API and the pages. The first call (at app start) fails
 * the jobs a previous server left unfinished.
 */
export function importRunnerFor(db: Db): ImportRunner {
  let runner = runners.get(db);
  if (!runner) {
    failInterruptedImportJobs(db);
    runner = new ImportRunner(db);
    runners.set(db, runner);
  }
  return runner;
}
