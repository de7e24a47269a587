import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type Db } from '../../src/db.js';
import type { Actor } from '../../src/domain/actor.js';
import { csvLine } from '../../src/domain/csv.js';
import {
  createImportJob,
  failInterruptedImportJobs,
  getImportJob,
  IMPORT_WORKER_LIMITS,
  runImportJob,
  saveUpload,
  UploadTooLargeError,
  testRunPatchFor,
  type ImportMode,
} from '../../src/domain/imports.js';
import { TEST_RUN_CSV_COLUMNS, loadTestRunCsvLookups, testRunToCsvRow, type TestRunCsvRow } from '../../src/domain/test-run-csv.js';
import { createTestRun, findTestRunByCode, getTestRun, listTestRuns, type TestRun } from '../../src/domain/test-runs.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { countRows, tempDir } from '../support/app.js';

let db: Db;
let dir: string;
let actor: Actor;

beforeAll(() => {
  dir = tempDir();
  db = openDatabase(path.join(dir, 'pitlane.db'));
  migrateDatabase(db);
  const userId = Number(
    db.sqlite.prepare(`INSERT INTO users (username, display_name, role, password_hash) VALUES ('m.sato', 'M. Sato', 'engineer', 'x')`).run().lastInsertRowid,
  );
  actor = { id: userId, name: 'm.sato' };
});
afterAll(() => {
  db.sqlite.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

let unique = 0;
/** A prototype, a program and technologies of our own, named apart from other tests'. */
function fixtures() {
  const n = ++unique;
  const insert = (sqlText: string, ...params: unknown[]) => Number(db.sqlite.prepare(sqlText).run(...params).lastInsertRowid);
  const seriesId = insert(`INSERT INTO series (name) VALUES (?)`, `Series ${n}`);
  const programId = insert(
    `INSERT INTO programs (series_id, season, start_year, end_year, class, entry, car, status) VALUES (?, '2025-26', 2025, 2026, '', ?, 'Nissan e-4ORCE 05', 'active')`,
    seriesId,
    `#${n} Nissan`,
  );
  const prototype = `FE-MULE-${n}`;
  const prototypeId = insert(`INSERT INTO prototypes (code, kind) VALUES (?, 'mule')`, prototype);
  const categoryId = insert(`INSERT INTO technology_categories (name) VALUES (?)`, `Inverter ${n}`);
  const tech = (name: string) => insert(`INSERT INTO technologies (name, domain, category_id) VALUES (?, 'hardware', ?)`, name, categoryId);
  const techA = `e-4ORCE control ${n}`;
  const techB = `タイヤ ${n}`;
  return { n, programId, prototype, prototypeId, techA, techB, techAId: tech(techA), techBId: tech(techB) };
}
type Fx = ReturnType<typeof fixtures>;

function row(fx: Fx, i: number, extra: Partial<TestRunCsvRow> = {}): TestRunCsvRow {
  return {
    code: `IMP-${fx.n}-${i}`,
    prototype: fx.prototype,
    program_id: String(fx.programId),
    title: `Run ${i}`,
    objective: '',
    venue_type: 'dyno',
    location: 'Atsugi',
    start_time: `2026-05-${String((i % 28) + 1).padStart(2, '0')}T09:00:00Z`,
    end_time: '',
    status: 'completed',
    software_version: '',
    hardware_revision: '',
    engineer: 'k.tanaka',
    result_summary: '',
    evidence: `${fx.techA}:pass`,
    measurements: `Lap time=${90 + i} s`,
    ...extra,
  };
}

function csvOf(rows: TestRunCsvRow[], options: { bom?: boolean; lf?: boolean } = {}): string {
  let text = (options.bom ? '\uFEFF' : '') + csvLine(TEST_RUN_CSV_COLUMNS) + rows.map((r) => csvLine(TEST_RUN_CSV_COLUMNS.map((c) => r[c]))).join('');
  if (options.lf) text = text.replace(/\r\n/g, '\n');
  return text;
}

let files = 0;
async function importCsv(csv: string | Buffer, options: { dryRun?: boolean; mode?: ImportMode; maxRows?: number } = {}) {
  const sourcePath = path.join('imports', `test-${++files}.csv`);
  fs.mkdirSync(path.join(dir, 'imports'), { recursive: true });
  fs.writeFileSync(path.join(dir, sourcePath), csv);
  const job = createImportJob(db, actor, { filename: 'runs.csv', sourcePath, dryRun: options.dryRun ?? false, mode: options.mode ?? 'all_or_nothing' });
  return runImportJob(db, {
    jobId: job.id,
    file: path.join(dir, sourcePath),
    dryRun: options.dryRun ?? false,
    mode: options.mode ?? 'all_or_nothing',
    actor,
    maxRows: options.maxRows,
  });
}

function counts() {
  return { runs: countRows(db, 'test_runs'), measurements: countRows(db, 'measurements'), evidence: countRows(db, 'evidence'), audit: countRows(db, 'audit_events') };
}

function auditOf(run: TestRun) {
  return db.sqlite.prepare(`SELECT action, actor, actor_id FROM audit_events WHERE entity = 'test_run' AND entity_id = ? ORDER BY seq`).all(String(run.id));
}

describe('import: good rows', () => {
  it('creates every run with measurements, evidence and one audit event by the importing user', async () => {
    const fx = fixtures();
    const job = await importCsv(csvOf([row(fx, 1), row(fx, 2, { evidence: `${fx.techA}:pass;${fx.techB}:fail:Grained, then recovered`, end_time: '2026-05-03T10:00:00Z' })]));
    expect(job).toMatchObject({ status: 'succeeded', rows_read: 2, rows_valid: 2, rows_created: 2, rows_updated: 0, rows_unchanged: 0, error_count: 0, errors: [] });
    expect(job.finished_at).not.toBeNull();
    const second = findTestRunByCode(db, `IMP-${fx.n}-2`)!;
    expect(second).toMatchObject({ prototype_id: fx.prototypeId, program_id: fx.programId, title: 'Run 2', engineer: 'k.tanaka', end_time: '2026-05-03T10:00:00.000Z' });
    expect(second.measurements).toEqual([{ name: 'Lap time', value: 92, unit: 's' }]);
    expect(second.evidence).toEqual([
      { technology_id: fx.techAId, outcome: 'pass', notes: '' },
      { technology_id: fx.techBId, outcome: 'fail', notes: 'Grained, then recovered' },
    ]);
    expect(auditOf(second)).toEqual([{ action: 'create', actor: 'm.sato', actor_id: actor.id }]);
  });

  it('reads a BOM, LF or CRLF line ends, quoted commas, quotes and line breaks, Japanese text, and strips the formula guard', async () => {
    const fx = fixtures();
    const tricky = row(fx, 1, {
      title: 'Soak, "qualifying" map',
      objective: '一行目\n二行目, with a comma',
      location: '富士スピードウェイ',
      result_summary: "'=SUM(A1)",
      software_version: "'-rc1",
      evidence: `${fx.techB}:pass:ブレーキ; ok`.replace('; ok', '\\; ok'),
    });
    for (const options of [{ bom: true }, { lf: true }]) {
      const code = `IMP-${fx.n}-${options.bom ? 'bom' : 'lf'}`;
      const job = await importCsv(csvOf([{ ...tricky, code }], options));
      expect(job.status, JSON.stringify(job.errors)).toBe('succeeded');
      expect(findTestRunByCode(db, code)).toMatchObject({
        title: 'Soak, "qualifying" map',
        objective: '一行目\n二行目, with a comma',
        location: '富士スピードウェイ',
        result_summary: '=SUM(A1)',
        software_version: '-rc1',
        evidence: [{ technology_id: fx.techBId, outcome: 'pass', notes: 'ブレーキ; ok' }],
      });
    }
  });

  it('generates codes for rows without one, so that importing such a file again creates the runs again', async () => {
    const fx = fixtures();
    const csv = csvOf([row(fx, 1, { code: '', start_time: '2031-01-01T00:00:00Z' }), row(fx, 2, { code: '', start_time: '2031-02-01T00:00:00Z' })]);
    expect(await importCsv(csv)).toMatchObject({ status: 'succeeded', rows_created: 2 });
    expect(await importCsv(csv)).toMatchObject({ status: 'succeeded', rows_created: 2 });
    const codes = (db.sqlite.prepare(`SELECT code FROM test_runs WHERE code LIKE 'TR-2031-%' ORDER BY code`).all() as { code: string }[]).map((r) => r.code);
    expect(codes).toEqual(['TR-2031-0001', 'TR-2031-0002', 'TR-2031-0003', 'TR-2031-0004']);
  });

  it('writes rows with their own code first, so that a generated code never takes a code the file names', async () => {
    const fx = fixtures();
    const job = await importCsv(csvOf([row(fx, 1, { code: '', start_time: '2032-01-01T00:00:00Z' }), row(fx, 2, { code: 'TR-2032-0001', start_time: '2032-01-02T00:00:00Z' })]));
    expect(job).toMatchObject({ status: 'succeeded', rows_created: 2 });
    expect(findTestRunByCode(db, 'TR-2032-0001')!.title).toBe('Run 2');
    expect(findTestRunByCode(db, 'TR-2032-0002')!.title).toBe('Run 1');
  });
});

describe('import: refused rows', () => {
  it('reports each kind of error by row and column, and all-or-nothing writes nothing', async () => {
    const fx = fixtures();
    const before = counts();
    const job = await importCsv(
      csvOf([
        row(fx, 1),
        row(fx, 2, { prototype: 'NO-SUCH-PROTO' }),
        row(fx, 3, { evidence: `${fx.techA}:pass;Flux capacitor:pass` }),
        row(fx, 4, { evidence: `${fx.techA}:passed` }),
        row(fx, 5, { measurements: 'Lap time=ninety s' }),
        row(fx, 6, { end_time: '2026-05-01T08:00:00Z', start_time: '2026-05-01T09:00:00Z' }),
        row(fx, 7, { title: '', venue_type: '', start_time: '', evidence: '' }),
        row(fx, 8, { venue_type: 'moon', start_time: 'yesterday', program_id: '999999' }),
        row(fx, 9),
      ]),
    );
    expect(job).toMatchObject({ status: 'failed', rows_read: 9, rows_valid: 2, rows_created: 0, rows_updated: 0, rows_unchanged: 0, error_count: 12 });
    expect(job.message).toContain('Nothing was written');
    expect(job.errors).toEqual([
      { row: 3, column: 'prototype', message: 'no prototype has the code “NO-SUCH-PROTO”' },
      { row: 4, column: 'evidence', message: 'item 2 “Flux capacitor”: no technology is named “Flux capacitor”' },
      { row: 5, column: 'evidence', message: `item 1 “${fx.techA}”: outcome “passed” must be one of pass, fail, inconclusive` },
      { row: 6, column: 'measurements', message: 'item 1 “Lap time”: “ninety” is not a number' },
      { row: 7, column: 'end_time', message: 'must not be before start_time' },
      { row: 8, column: 'title', message: 'must not be empty' },
      { row: 8, column: 'venue_type', message: 'is required' },
      { row: 8, column: 'start_time', message: 'is required' },
      { row: 8, column: 'evidence', message: 'is required' },
      { row: 9, column: 'program_id', message: 'does not exist' },
      { row: 9, column: 'venue_type', message: expect.stringMatching(/^must be one of track, race_event/) },
      { row: 9, column: 'start_time', message: 'must be a date-time (RFC 3339)' },
    ]);
    expect(counts()).toEqual(before);
  });

  it('valid_rows writes the valid rows and reports the rest', async () => {
    const fx = fixtures();
    const job = await importCsv(csvOf([row(fx, 1), row(fx, 2, { prototype: 'NOPE' }), row(fx, 3)]), { mode: 'valid_rows' });
    expect(job).toMatchObject({ status: 'succeeded', rows_read: 3, rows_valid: 2, rows_created: 2, error_count: 1 });
    expect(job.errors).toEqual([{ row: 3, column: 'prototype', message: 'no prototype has the code “NOPE”' }]);
    expect(job.message).toContain('Skipped 1 row with errors');
    expect(findTestRunByCode(db, `IMP-${fx.n}-1`)).toBeDefined();
    expect(findTestRunByCode(db, `IMP-${fx.n}-2`)).toBeUndefined();
    expect(findTestRunByCode(db, `IMP-${fx.n}-3`)).toBeDefined();
  });

  it('refuses a code given twice in the file, naming the first row', async () => {
    const fx = fixtures();
    const job = await importCsv(csvOf([row(fx, 1), row(fx, 1, { title: 'again' })]));
    expect(job.status).toBe('failed');
    expect(job.errors).toEqual([{ row: 3, column: 'code', message: `the code “IMP-${fx.n}-1” is also on row 2: give each run once` }]);
  });

  it('fails the whole file with one clear error for a bad header, an empty file, broken quoting or too many rows', async () => {
    const fx = fixtures();
    const before = counts();
    const badHeader = await importCsv('code,prototype,colour\r\nA,B,C\r\n');
    expect(badHeader).toMatchObject({ status: 'failed', error_count: 1, rows_read: 0 });
    expect(badHeader.errors[0]).toMatchObject({ row: 1, column: '' });
    expect(badHeader.errors[0]!.message).toMatch(/unknown column “colour”; missing columns “program_id”, “title”/);
    expect((await importCsv('')).errors[0]!.message).toMatch(/^The file is empty/);
    const broken = await importCsv(csvOf([row(fx, 1)]) + `"unclosed,${'x,'.repeat(15)}\r\n`);
    expect(broken.status).toBe('failed');
    expect(broken.errors.at(-1)!.message).toMatch(/^The file is not valid CSV: /);
    const tooMany = await importCsv(csvOf([row(fx, 1), row(fx, 2), row(fx, 3)]), { maxRows: 2 });
    expect(tooMany.status).toBe('failed');
    expect(tooMany.errors.at(-1)!.message).toMatch(/more than 2 rows/);
    const sjis = await importCsv(Buffer.concat([Buffer.from(csvOf([row(fx, 1)])), Buffer.from([0x83, 0x65, 0x83, 0x58, 0x83, 0x67, 0x0d, 0x0a])]));
    expect(sjis.status).toBe('failed');
    expect(sjis.errors.at(-1)!.message).toMatch(/not UTF-8 text/);
    const short = await importCsv(csvOf([row(fx, 1)]) + 'only,three,cells\r\n');
    expect(short.errors).toEqual([{ row: 3, column: '', message: 'the row has 3 cells, the header 16 columns' }]);
    expect(counts()).toEqual(before);
  });
});

describe('import: dry run and re-import', () => {
  it('a dry run writes nothing and reports what would be created, updated or left unchanged, and every error', async () => {
    const fx = fixtures();
    await importCsv(csvOf([row(fx, 1), row(fx, 2)]));
    const before = counts();
    const job = await importCsv(csvOf([row(fx, 1), row(fx, 2, { title: 'Changed' }), row(fx, 3), row(fx, 4, { venue_type: 'moon' })]), { dryRun: true });
    expect(job).toMatchObject({ dry_run: true, status: 'failed', rows_read: 4, rows_valid: 3, rows_created: 1, rows_updated: 1, rows_unchanged: 1, error_count: 1 });
    expect(job.message).toMatch(/^Dry run, nothing was written/);
    expect(job.errors).toEqual([{ row: 5, column: 'venue_type', message: expect.stringMatching(/^must be one of/) }]);
    expect(counts()).toEqual(before);
    expect(findTestRunByCode(db, `IMP-${fx.n}-2`)!.title).toBe('Run 2');
    const lenient = await importCsv(csvOf([row(fx, 1), row(fx, 4, { venue_type: 'moon' })]), { dryRun: true, mode: 'valid_rows' });
    expect(lenient).toMatchObject({ status: 'succeeded', rows_unchanged: 1, error_count: 1 });
    expect(counts()).toEqual(before);
  });

  it('re-importing after changing one row updates that run (version, audit) and leaves the others unchanged', async () => {
    const fx = fixtures();
    const rows = Array.from({ length: 5 }, (_, i) => row(fx, i + 1, { evidence: `${fx.techA}:pass;${fx.techB}:inconclusive` }));
    expect(await importCsv(csvOf(rows))).toMatchObject({ rows_created: 5 });
    const before = counts();
    const untouched = findTestRunByCode(db, `IMP-${fx.n}-1`)!;
    rows[2] = { ...rows[2]!, evidence: `${fx.techA}:pass;${fx.techB}:fail:Delaminated`, measurements: 'Lap time=93.5 s;Peak temp=118.4 degC' };
    const job = await importCsv(csvOf(rows));
    expect(job).toMatchObject({ status: 'succeeded', rows_created: 0, rows_updated: 1, rows_unchanged: 4 });
    const changed = findTestRunByCode(db, `IMP-${fx.n}-3`)!;
    expect(changed.version).toBe(2);
    expect(changed.evidence[1]).toEqual({ technology_id: fx.techBId, outcome: 'fail', notes: 'Delaminated' });
    expect(changed.measurements).toEqual([
      { name: 'Lap time', value: 93.5, unit: 's' },
      { name: 'Peak temp', value: 118.4, unit: 'degC' },
    ]);
    expect(auditOf(changed).map((e) => (e as { action: string }).action)).toEqual(['create', 'update']);
    expect(findTestRunByCode(db, `IMP-${fx.n}-1`)).toEqual(untouched);
    expect(counts()).toEqual({ ...before, audit: before.audit + 1, measurements: before.measurements + 1 });
  });

  it('leaves status and engineer alone when their cells are empty on a re-import', async () => {
    const fx = fixtures();
    await importCsv(csvOf([row(fx, 1, { status: 'aborted', engineer: 'y.ito' })]));
    const job = await importCsv(csvOf([row(fx, 1, { status: '', engineer: '' })]));
    expect(job).toMatchObject({ rows_unchanged: 1, rows_updated: 0 });
    expect(findTestRunByCode(db, `IMP-${fx.n}-1`)).toMatchObject({ status: 'aborted', engineer: 'y.ito', version: 1 });
    const fresh = await importCsv(csvOf([row(fx, 2, { status: '', engineer: '' })]));
    expect(fresh.rows_created).toBe(1);
    expect(findTestRunByCode(db, `IMP-${fx.n}-2`)).toMatchObject({ status: 'completed', engineer: 'm.sato' });
  });

  it('export → import round trip: every run comes back equal and unchanged', async () => {
    const fx = fixtures();
    const made = [
      createTestRun(db, actor, {
        code: `RT-${fx.n}-1`,
        prototype_id: fx.prototypeId,
        program_id: fx.programId,
        title: 'Soak, "quoted"\nsecond line',
        objective: '=HYPERLINK("x")',
        venue_type: 'track',
        location: '鈴鹿',
        start_time: '2026-03-01T01:02:03.456Z',
        end_time: '2026-03-01T02:00:00Z',
        status: 'aborted',
        software_version: '@latest',
        hardware_revision: '+B',
        engineer: 'k.tanaka',
        result_summary: '-5 degC margin; ok: fine = good',
        measurements: [
          { name: 'a=b;c:d\\e', value: -1.25, unit: 'm;s' },
          { name: 'Lap time', value: 92.123456789, unit: '' },
          { name: 'Lap time', value: 1e21, unit: 's' },
        ],
        evidence: [
          { technology_id: fx.techBId, outcome: 'inconclusive', notes: 'note: with; separators = \\ all' },
          { technology_id: fx.techAId, outcome: 'pass' },
        ],
      }),
      createTestRun(db, actor, { code: `RT-${fx.n}-2`, prototype_id: fx.prototypeId, title: 'Minimal', venue_type: 'sil', start_time: '2026-03-02T00:00:00Z', evidence: [{ technology_id: fx.techAId, outcome: 'fail' }] }),
    ];
    const lookups = loadTestRunCsvLookups(db);
    const exported = listTestRuns(db, { limit: 200, prototype_id: fx.prototypeId }).items;
    expect(exported).toHaveLength(2);
    const csv = csvOf(exported.map((r) => testRunToCsvRow(r, lookups)), { bom: true });
    const before = counts();
    const job = await importCsv(csv);
    expect(job).toMatchObject({ status: 'succeeded', rows_read: 2, rows_unchanged: 2, rows_created: 0, rows_updated: 0, error_count: 0 });
    expect(counts()).toEqual(before);
    for (const run of made) expect(getTestRun(db, run.id)).toEqual(run);

    // Into an empty twin of each run (new codes): the same fields come back.
    const renamed = csv.replace(new RegExp(`RT-${fx.n}-`, 'g'), `RT2-${fx.n}-`);
    expect(await importCsv(renamed)).toMatchObject({ rows_created: 2 });
    for (const run of made) {
      const twin = findTestRunByCode(db, run.code.replace('RT-', 'RT2-'))!;
      const strip = ({ id: _i, code: _c, version: _v, created_at: _a, updated_at: _u, ...rest }: TestRun) => rest;
      expect(strip(twin)).toEqual(strip(run));
    }
  });

  it('testRunPatchFor names only the fields that differ', () => {
    const fx = fixtures();
    const run = createTestRun(db, actor, { prototype_id: fx.prototypeId, title: 'T', venue_type: 'dyno', start_time: '2026-01-01T00:00:00Z', evidence: [{ technology_id: fx.techAId, outcome: 'pass' }] });
    const same = { prototype_id: fx.prototypeId, program_id: null, title: 'T', venue_type: 'dyno' as const, start_time: '2026-01-01T09:00:00+09:00', end_time: null, measurements: [], evidence: [{ technology_id: fx.techAId, outcome: 'pass' as const, notes: '' }] };
    expect(testRunPatchFor(run, same)).toBeUndefined();
    expect(testRunPatchFor(run, { ...same, title: 'U', end_time: '2026-01-01T01:00:00Z' })).toEqual({ title: 'U', end_time: '2026-01-01T01:00:00Z' });
  });
});

describe('import: interrupted jobs', () => {
  it('fails queued and running jobs left by a stopped server and removes their uploads', () => {
    fs.mkdirSync(path.join(dir, 'imports'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'imports', 'left.csv'), 'x');
    const running = createImportJob(db, actor, { filename: 'a.csv', sourcePath: path.join('imports', 'left.csv'), dryRun: false, mode: 'all_or_nothing' });
    db.sqlite.prepare(`UPDATE import_jobs SET status = 'running' WHERE id = ?`).run(running.id);
    const queued = createImportJob(db, actor, { filename: 'b.csv', sourcePath: path.join('imports', 'gone.csv'), dryRun: false, mode: 'valid_rows' });
    expect(failInterruptedImportJobs(db)).toBe(2);
    for (const id of [running.id, queued.id]) {
      expect(getImportJob(db, id)).toMatchObject({ status: 'failed', message: expect.stringMatching(/server stopped/) });
    }
    return new Promise<void>((resolve) => setTimeout(resolve, 50)).then(() => expect(fs.existsSync(path.join(dir, 'imports', 'left.csv'))).toBe(false));
  });
});

describe('import: uploads and webhooks', () => {
  it('saves an upload with its digest, and refuses one over the limit leaving no file behind', async () => {
    const saved = await saveUpload(db, Readable.from([Buffer.from('code,'), Buffer.from('title\r\n')]), 100);
    expect(saved.size).toBe(12);
    expect(saved.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.readFileSync(path.join(dir, saved.sourcePath), 'utf8')).toBe('code,title\r\n');
    const before = fs.readdirSync(path.join(dir, 'imports')).length;
    await expect(saveUpload(db, Readable.from([Buffer.alloc(60), Buffer.alloc(60)]), 100)).rejects.toBeInstanceOf(UploadTooLargeError);
    expect(fs.readdirSync(path.join(dir, 'imports')).length).toBe(before);
  });

  it('queues import.finished for the hooks that listen to it, with the job, when a job ends', async () => {
    const fx = fixtures();
    const hook = Number(
      db.sqlite.prepare(`INSERT INTO webhooks (url, events, secret) VALUES ('https://example.com/hook', 'import.finished', 'k')`).run().lastInsertRowid,
    );
    const job = await importCsv(csvOf([row(fx, 1)]));
    const deliveries = db.sqlite.prepare(`SELECT event, payload FROM webhook_deliveries WHERE webhook_id = ?`).all(hook) as { event: string; payload: string }[];
    expect(deliveries.map((d) => d.event)).toEqual(['import.finished']);
    expect(JSON.parse(deliveries[0]!.payload)).toMatchObject({ event: 'import.finished', data: { job: { id: job.id, status: 'succeeded', rows_created: 1 } } });
    db.sqlite.prepare(`UPDATE webhooks SET active = 0 WHERE id = ?`).run(hook);
  });
});

describe('import: the worker heap', () => {
  // Runs node as npm start does (--max-semi-space-size for the server's heap), starts a worker with
  // IMPORT_WORKER_LIMITS that churns garbage, and reads its young generation's size.
  const youngGenerationMb = (letWorkersSize: boolean): number => {
    const module = pathToFileURL(path.join(PROJECT_ROOT, 'src/domain/imports.ts')).href;
    const script = `
      import { Worker } from 'node:worker_threads';
      import { IMPORT_WORKER_LIMITS, letWorkersSizeTheirYoungGeneration } from ${JSON.stringify(module)};
      if (${letWorkersSize}) letWorkersSizeTheirYoungGeneration();
      const churn = \`(async () => {
        const v8 = await import('node:v8');
        const { parentPort } = await import('node:worker_threads');
        let keep = [];
        for (let r = 0; r < 200; r++) { const a = []; for (let i = 0; i < 20000; i++) a.push({ i, s: 'x' + i }); keep.push(a); if (keep.length > 8) keep.shift(); }
        parentPort.postMessage(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
      })();\`;
      const worker = new Worker(churn, { eval: true, resourceLimits: IMPORT_WORKER_LIMITS });
      worker.once('message', (bytes) => { process.stdout.write(String(bytes)); void worker.terminate(); });`;
    const out = execFileSync(process.execPath, ['--max-semi-space-size=8', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    return Number(out) / 1024 / 1024;
  };

  it("keeps the worker's young generation to its limit under npm start's --max-semi-space-size", () => {
    // V8 takes the flag over the worker's limit: 16 MB (two 8 MB semi-spaces) instead of 4.
    expect(youngGenerationMb(false)).toBe(16);
    expect(youngGenerationMb(true)).toBeLessThanOrEqual(IMPORT_WORKER_LIMITS.maxYoungGenerationSizeMb);
  }, 30_000);
});
