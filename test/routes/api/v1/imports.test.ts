import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../../src/app.js';
import { openDatabase, type Db } from '../../../../src/db.js';
import { csvLine } from '../../../../src/domain/csv.js';
import { IMPORT_WORKER_LIMITS, importRunnerFor } from '../../../../src/domain/imports.js';
import { TEST_RUN_CSV_COLUMNS, loadTestRunCsvLookups, testRunToCsvRow, type TestRunCsvRow } from '../../../../src/domain/test-run-csv.js';
import { listTestRuns } from '../../../../src/domain/test-runs.js';
import { addUser, api, countRows, createTestApp, json, testConfig, tokenFor, type TestApp } from '../../../support/app.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const IMPORT = '/api/v1/test-runs/import';

let t: TestApp;
let engineerToken: string;
beforeAll(async () => {
  t = await createTestApp();
  addUser(t.db, 'eng.ito', 'engineer');
  addUser(t.db, 'view.abe', 'viewer');
  engineerToken = tokenFor(t.db, 'eng.ito');
});
afterAll(async () => t.close());
// A test that failed half-way must not leave its import writing into the next one.
afterEach(async () => importRunnerFor(t.db).idle());

let unique = 0;
function fixtures(db: Db) {
  const n = ++unique;
  const insert = (sqlText: string, ...params: unknown[]) => Number(db.sqlite.prepare(sqlText).run(...params).lastInsertRowid);
  const prototype = `API-MULE-${n}`;
  const prototypeId = insert(`INSERT INTO prototypes (code, kind) VALUES (?, 'mule')`, prototype);
  const categoryId = insert(`INSERT INTO technology_categories (name) VALUES (?)`, `Cat ${n}`);
  const tech = `Inverter ${n}`;
  const techId = insert(`INSERT INTO technologies (name, domain, category_id) VALUES (?, 'hardware', ?)`, tech, categoryId);
  return { n, prototype, prototypeId, tech, techId };
}
type Fx = ReturnType<typeof fixtures>;

function row(fx: Fx, i: number, extra: Partial<TestRunCsvRow> = {}): TestRunCsvRow {
  return {
    code: `API-${fx.n}-${i}`,
    prototype: fx.prototype,
    program_id: '',
    title: `Run ${i}`,
    objective: '',
    venue_type: 'bench',
    location: '',
    start_time: '2026-06-01T08:00:00Z',
    end_time: '',
    status: 'completed',
    software_version: '',
    hardware_revision: '',
    engineer: '',
    result_summary: '',
    evidence: `${fx.tech}:pass`,
    measurements: `Temp=${i} degC`,
    ...extra,
  };
}

function csvOf(rows: TestRunCsvRow[]): string {
  return csvLine(TEST_RUN_CSV_COLUMNS) + rows.map((r) => csvLine(TEST_RUN_CSV_COLUMNS.map((c) => r[c]))).join('');
}

function postCsv(app: FastifyInstance, csv: string, query = '', options: { token?: string | null; headers?: Record<string, string> } = {}) {
  return api(app, { token: options.token }).post(`${IMPORT}${query}`, csv, { 'content-type': 'text/csv; charset=utf-8', ...options.headers });
}

function multipart(fields: { name: string; filename?: string; content: string }[]) {
  const boundary = '----pitlane-test-boundary';
  const parts = fields.map(
    (f) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"${f.filename ? `; filename="${f.filename}"` : ''}\r\n` +
      `${f.filename ? 'Content-Type: text/csv\r\n' : ''}\r\n${f.content}\r\n`,
  );
  return { body: `${parts.join('')}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Upload files still in the data folder. */
function uploadsLeft(): string[] {
  const folder = path.join(t.dir, 'imports');
  return fs.existsSync(folder) ? fs.readdirSync(folder) : [];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForJob(app: FastifyInstance, location: string, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await api(app).get(location);
    expect(res.statusCode).toBe(200);
    const job = json(res);
    if (job.status === 'succeeded' || job.status === 'failed') {
      await importRunnerFor(t.db).idle();
      return job;
    }
    if (Date.now() > until) throw new Error(`job still ${job.status}`);
    await sleep(40);
  }
}

describe('import API: jobs', () => {
  it('answers 202 with Location, and the job succeeds with the runs created by the importing user', async () => {
    const fx = fixtures(t.db);
    const res = await postCsv(t.app, csvOf([row(fx, 1), row(fx, 2)]), '', { token: engineerToken });
    expect(res.statusCode).toBe(202);
    expect(res.headers.location).toMatch(/^\/api\/v1\/jobs\/\d+$/);
    expect(json(res)).toMatchObject({ dry_run: false, mode: 'all_or_nothing', errors: [] });
    expect(['queued', 'running']).toContain(json(res).status);
    const job = await waitForJob(t.app, res.headers.location as string);
    expect(job).toMatchObject({ status: 'succeeded', rows_read: 2, rows_valid: 2, rows_created: 2, rows_updated: 0, rows_unchanged: 0, error_count: 0, progress: null, errors: [] });
    const runs = json(await api(t.app).get(`/api/v1/test-runs?prototype_id=${fx.prototypeId}&sort=code`)).items;
    expect(runs.map((r: { code: string; engineer: string }) => [r.code, r.engineer])).toEqual([
      [`API-${fx.n}-1`, 'eng.ito'],
      [`API-${fx.n}-2`, 'eng.ito'],
    ]);
    const audit = t.db.sqlite.prepare(`SELECT DISTINCT actor FROM audit_events WHERE entity = 'test_run' AND entity_id IN (?, ?)`).all(String(runs[0].id), String(runs[1].id));
    expect(audit).toEqual([{ actor: 'eng.ito' }]);
    // The upload is gone once the job is done.
    expect(uploadsLeft()).toEqual([]);
  });

  it('takes the file from a multipart form too, with dry_run and mode in the query', async () => {
    const fx = fixtures(t.db);
    const form = multipart([{ name: 'file', filename: 'bench-week.csv', content: csvOf([row(fx, 1), row(fx, 2, { prototype: 'NOPE' })]) }]);
    const before = countRows(t.db, 'test_runs');
    const res = await api(t.app).post(`${IMPORT}?dry_run=true&mode=valid_rows`, form.body, { 'content-type': form.contentType });
    expect(res.statusCode).toBe(202);
    const job = await waitForJob(t.app, res.headers.location as string);
    expect(job).toMatchObject({ filename: 'bench-week.csv', dry_run: true, mode: 'valid_rows', status: 'succeeded', rows_read: 2, rows_valid: 1, rows_created: 1, error_count: 1 });
    expect(job.errors).toEqual([{ row: 3, column: 'prototype', message: 'no prototype has the code “NOPE”' }]);
    expect(countRows(t.db, 'test_runs')).toBe(before);
  });

  it('all or nothing: one bad row fails the job with its errors and writes nothing', async () => {
    const fx = fixtures(t.db);
    const before = { runs: countRows(t.db, 'test_runs'), audit: countRows(t.db, 'audit_events') };
    const res = await postCsv(t.app, csvOf([row(fx, 1), row(fx, 2, { evidence: `${fx.tech}:maybe`, end_time: '2026-06-01T07:00:00Z' }), row(fx, 3)]));
    const job = await waitForJob(t.app, res.headers.location as string);
    expect(job).toMatchObject({ status: 'failed', rows_read: 3, rows_valid: 2, rows_created: 0, error_count: 2 });
    expect(job.errors).toEqual([
      { row: 3, column: 'end_time', message: 'must not be before start_time' },
      { row: 3, column: 'evidence', message: `item 1 “${fx.tech}”: outcome “maybe” must be one of pass, fail, inconclusive` },
    ]);
    expect({ runs: countRows(t.db, 'test_runs'), audit: countRows(t.db, 'audit_events') }).toEqual(before);
  });

  it('a worker that runs out of its heap fails the job with what to do, writes nothing, and the server goes on', async () => {
    const fx = fixtures(t.db);
    const before = countRows(t.db, 'test_runs');
    const saved = { ...IMPORT_WORKER_LIMITS };
    // Far too little for the worker (it cannot even load its modules): the same end as a file too big.
    Object.assign(IMPORT_WORKER_LIMITS, { maxOldGenerationSizeMb: 2, maxYoungGenerationSizeMb: 1 });
    try {
      const res = await postCsv(t.app, csvOf([row(fx, 1), row(fx, 2)]));
      expect(res.statusCode).toBe(202);
      const job = await waitForJob(t.app, res.headers.location as string);
      expect(job.status).toBe('failed');
      expect(job.message).toContain('needed more than the 2 MB of memory an import may use: split the file into smaller ones');
    } finally {
      Object.assign(IMPORT_WORKER_LIMITS, saved);
    }
    expect(countRows(t.db, 'test_runs')).toBe(before);
    expect((await api(t.app).get('/api/v1/test-runs?limit=1')).statusCode).toBe(200);
    // The next import runs with the usual heap.
    const next = await waitForJob(t.app, (await postCsv(t.app, csvOf([row(fx, 3)]))).headers.location as string);
    expect(next).toMatchObject({ status: 'succeeded', rows_created: 1 });
  });

  it('re-importing an export changes nothing; changing one row updates exactly that run', async () => {
    const fx = fixtures(t.db);
    await waitForJob(t.app, (await postCsv(t.app, csvOf([1, 2, 3, 4].map((i) => row(fx, i))))).headers.location as string);
    const lookups = loadTestRunCsvLookups(t.db);
    const exported = listTestRuns(t.db, { limit: 200, prototype_id: fx.prototypeId, sort: 'code' }).items.map((r) => testRunToCsvRow(r, lookups));
    const again = await waitForJob(t.app, (await postCsv(t.app, csvOf(exported))).headers.location as string);
    expect(again).toMatchObject({ status: 'succeeded', rows_created: 0, rows_updated: 0, rows_unchanged: 4 });
    exported[1] = { ...exported[1]!, result_summary: 'Re-run after the firmware fix' };
    const changed = await waitForJob(t.app, (await postCsv(t.app, csvOf(exported))).headers.location as string);
    expect(changed).toMatchObject({ status: 'succeeded', rows_created: 0, rows_updated: 1, rows_unchanged: 3 });
    const run = json(await api(t.app).get(`/api/v1/test-runs?prototype_id=${fx.prototypeId}&sort=code`)).items[1];
    expect(run).toMatchObject({ result_summary: 'Re-run after the firmware fix', version: 2 });
  });

  it('replays the same job for the same Idempotency-Key and file, and refuses the key with another file', async () => {
    const fx = fixtures(t.db);
    const csv = csvOf([row(fx, 1)]);
    const headers = { 'idempotency-key': `import-${fx.n}` };
    const first = await postCsv(t.app, csv, '', { headers });
    const second = await postCsv(t.app, csv, '', { headers });
    expect(second.statusCode).toBe(202);
    expect(second.headers.location).toBe(first.headers.location);
    expect(second.headers['idempotent-replayed']).toBe('true');
    const other = await postCsv(t.app, csvOf([row(fx, 2)]), '', { headers });
    expect(other.statusCode).toBe(422);
    await waitForJob(t.app, first.headers.location as string);
    expect(uploadsLeft()).toEqual([]);
  });
});

describe('import API: refusals', () => {
  it('413 for a file over 50 MB, 415 for another media type, 400 without a file, 404 for an unknown job', async () => {
    const jobs = countRows(t.db, 'import_jobs');
    const big = await postCsv(t.app, 'a'.repeat(50 * 1024 * 1024 + 70 * 1024));
    expect(big.statusCode).toBe(413);
    expect(json(big)).toMatchObject({ type: '/problems/payload-too-large', detail: expect.stringMatching(/larger than 50 MB/) });
    const plain = await api(t.app).post(IMPORT, 'code\n', { 'content-type': 'text/plain' });
    expect(plain.statusCode).toBe(415);
    const none = await api(t.app).post(IMPORT, { file: 'x' });
    expect(none.statusCode).toBe(415);
    const noFile = multipart([{ name: 'note', content: 'hello' }]);
    const empty = await api(t.app).post(IMPORT, noFile.body, { 'content-type': noFile.contentType });
    expect(empty.statusCode).toBe(400);
    expect((await api(t.app).get('/api/v1/jobs/999999')).statusCode).toBe(404);
    expect(countRows(t.db, 'import_jobs')).toBe(jobs);
    expect(uploadsLeft()).toEqual([]);
  });

  it('a viewer or a read-only token may read jobs but not import', async () => {
    const fx = fixtures(t.db);
    const viewer = await postCsv(t.app, csvOf([row(fx, 1)]), '', { token: tokenFor(t.db, 'view.abe', 'read') });
    expect(viewer.statusCode).toBe(403);
    const readOnly = await postCsv(t.app, csvOf([row(fx, 1)]), '', { token: tokenFor(t.db, 'eng.ito', 'read') });
    expect(readOnly.statusCode).toBe(403);
    const ok = await postCsv(t.app, csvOf([row(fx, 1)]), '?dry_run=true');
    expect((await api(t.app, { token: tokenFor(t.db, 'view.abe', 'read') }).get(ok.headers.location as string)).statusCode).toBe(200);
    await waitForJob(t.app, ok.headers.location as string);
  });

  it('documents importTestRuns and getJob with the column mapping', async () => {
    const doc = json(await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }));
    const op = doc.paths['/api/v1/test-runs/import'].post;
    expect(op.operationId).toBe('importTestRuns');
    expect(op.tags).toEqual(['Test runs']);
    expect(Object.keys(op.requestBody.content).sort()).toEqual(['multipart/form-data', 'text/csv']);
    expect(op.description).toContain('| `evidence` | yes |');
    expect(op.responses['202'].headers.location).toBeDefined();
    expect(doc.paths['/api/v1/jobs/{id}'].get.operationId).toBe('getJob');
    expect(doc.components.schemas.ImportJob).toBeDefined();
  });
});

describe('import API: the server keeps answering', () => {
  it('lists keep answering while a 20,000-row import runs (never waiting for its write lock), and the job shows its progress growing', async () => {
    const fx = fixtures(t.db);
    const rows = Array.from({ length: 20_000 }, (_, i) =>
      row(fx, i, { title: `Soak ${i}`, objective: 'Hold qualifying power', evidence: `${fx.tech}:${i % 7 === 0 ? 'fail' : 'pass'}`, measurements: `Temp=${i % 120} degC;Power=${300 + (i % 50)} kW` }),
    );
    // (A last_used_at write due during the import is skipped, not waited for: test/security/sessions.test.ts.)
    const token = tokenFor(t.db, 'admin');
    const client = api(t.app, { token });
    const res = await postCsv(t.app, csvOf(rows), '', { token });
    expect(res.statusCode).toBe(202);
    const location = res.headers.location as string;
    const latencies: number[] = [];
    const seenRead: number[] = [];
    const phases = new Set<string>();
    const started = Date.now();
    let job;
    for (;;) {
      const t0 = performance.now();
      const list = await client.get('/api/v1/test-runs?limit=50');
      latencies.push(performance.now() - t0);
      expect(list.statusCode).toBe(200);
      job = json(await client.get(location));
      if (job.status === 'succeeded' || job.status === 'failed') break;
      if (job.progress) phases.add(job.progress.phase);
      if (job.status === 'running') seenRead.push(job.rows_read);
      if (Date.now() - started > 120_000) throw new Error('import too slow');
      await sleep(5);
    }
    expect(job).toMatchObject({ status: 'succeeded', rows_read: 20_000, rows_created: 20_000, error_count: 0 });
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)]!;
    console.log(`import of 20,000 rows: ${Date.now() - started} ms; ${latencies.length} list requests meanwhile, p50 ${latencies[Math.floor(latencies.length / 2)]!.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
    expect(latencies.length).toBeGreaterThan(20);
    // Not a speed target (that is the bench's: lists during the 100,000-row import): a list that
    // waited for the import's lock would take the 5 s busy timeout.
    expect(latencies.at(-1)!).toBeLessThan(2000);
    // rows_read grew while it ran, and both phases were seen.
    expect(new Set(seenRead.filter((n) => n > 0 && n < 20_000)).size).toBeGreaterThan(1);
    expect(seenRead).toEqual([...seenRead].sort((a, b) => a - b));
    expect(phases).toContain('checking');
    expect(phases).toContain('writing');
  }, 180_000);
});

describe('import API: restarts', () => {
  it('a job left running by a stopped server is failed when the app starts again', async () => {
    const dir = t.dir;
    const jobId = Number(
      t.db.sqlite.prepare(`INSERT INTO import_jobs (status, filename, source_path, started_at) VALUES ('running', 'cut.csv', 'imports/cut.csv', '2026-01-01T00:00:00Z')`).run().lastInsertRowid,
    );
    const db = openDatabase(path.join(dir, 'pitlane.db'));
    const app = await buildApp({ config: testConfig(dir), db, logger: false });
    try {
      await app.ready();
      const job = json(await api(app, { token: t.adminToken }).get(`/api/v1/jobs/${jobId}`));
      expect(job).toMatchObject({ status: 'failed', message: expect.stringMatching(/server stopped before this import finished/) });
    } finally {
      await app.close();
      db.sqlite.close();
    }
  });

  it('closing the app during an import stops it: the job is failed and nothing is written', async () => {
    const dir = t.dir;
    const db = openDatabase(path.join(dir, 'pitlane.db'));
    const app = await buildApp({ config: testConfig(dir), db, logger: false });
    await app.ready();
    const fx = fixtures(db);
    const before = countRows(db, 'test_runs');
    const res = await postCsv(app, csvOf(Array.from({ length: 4000 }, (_, i) => row(fx, i))), '', { token: t.adminToken });
    const location = res.headers.location as string;
    for (;;) {
      const job = json(await api(app, { token: t.adminToken }).get(location));
      if (job.progress?.phase === 'writing' && job.progress.rows_written > 0) break;
      expect(job.status).not.toBe('succeeded');
      await sleep(10);
    }
    await app.close();
    const job = json(await api(t.app).get(location));
    expect(job).toMatchObject({ status: 'failed', rows_created: 0 });
    expect(countRows(db, 'test_runs')).toBe(before);
    db.sqlite.close();
  });

  it('a server killed (SIGKILL) in the middle of writing has written nothing, and its job is failed at the next start', async () => {
    const dir = t.dir;
    const fx = fixtures(t.db);
    const before = { runs: countRows(t.db, 'test_runs'), audit: countRows(t.db, 'audit_events') };
    const csvFile = path.join(dir, `kill-${fx.n}.csv`);
    fs.writeFileSync(csvFile, csvOf(Array.from({ length: 6000 }, (_, i) => row(fx, i))));
    // A second server process on the same database, killed once its worker is writing.
    const script = path.join(dir, `kill-${fx.n}.mts`);
    fs.writeFileSync(
      script,
      `import fs from 'node:fs';
import { buildApp } from ${JSON.stringify(path.join(ROOT, 'src/app.ts'))};
import { openDatabase } from ${JSON.stringify(path.join(ROOT, 'src/db.ts'))};
import { testConfig } from ${JSON.stringify(path.join(ROOT, 'test/support/app.ts'))};
const dir = ${JSON.stringify(dir)};
const db = openDatabase(dir + '/pitlane.db');
const app = await buildApp({ config: testConfig(dir), db, logger: false });
await app.ready();
const headers = { authorization: 'Bearer ${t.adminToken}', 'content-type': 'text/csv' };
const res = await app.inject({ method: 'POST', url: '${IMPORT}', headers, payload: fs.readFileSync(${JSON.stringify(csvFile)}) });
for (;;) {
  const job = (await app.inject({ method: 'GET', url: res.headers.location, headers })).json();
  if (job.progress && job.progress.phase === 'writing' && job.progress.rows_written > 100) { console.log('WRITING ' + job.id); break; }
  await new Promise((r) => setTimeout(r, 10));
}
setInterval(() => {}, 1000);
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    const jobId = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the child never reached the writing phase: ${out}`)), 90_000);
      child.stdout.on('data', () => {
        const m = /WRITING (\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.on('exit', () => reject(new Error(`the child exited: ${out}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect({ runs: countRows(t.db, 'test_runs'), audit: countRows(t.db, 'audit_events') }).toEqual(before);
    expect((t.db.sqlite.prepare('SELECT status FROM import_jobs WHERE id = ?').get(jobId) as { status: string }).status).toBe('running');

    const db = openDatabase(path.join(dir, 'pitlane.db'));
    const app = await buildApp({ config: testConfig(dir), db, logger: false });
    try {
      await app.ready();
      const job = json(await api(app, { token: t.adminToken }).get(`/api/v1/jobs/${jobId}`));
      expect(job).toMatchObject({ status: 'failed', rows_created: 0, message: expect.stringMatching(/server stopped/) });
      expect(countRows(db, 'test_runs')).toBe(before.runs);
    } finally {
      await app.close();
      db.sqlite.close();
    }
  }, 120_000);
});
