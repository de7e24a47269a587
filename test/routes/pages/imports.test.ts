import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { csvLine } from '../../../src/domain/csv.js';
import { importRunnerFor } from '../../../src/domain/imports.js';
import { TEST_RUN_CSV_COLUMNS, type TestRunCsvRow } from '../../../src/domain/test-run-csv.js';
import { addUser, countRows, createTestApp, type TestApp } from '../../support/app.js';
import { pageSession, type PageSession } from '../../support/pages.js';

let t: TestApp;
let admin: PageSession;
beforeAll(async () => {
  t = await createTestApp();
  admin = await pageSession(t.app);
});
afterAll(async () => t.close());
afterEach(async () => importRunnerFor(t.db).idle());

let unique = 0;
function fixtures() {
  const n = ++unique;
  const insert = (sqlText: string, ...params: unknown[]) => Number(t.db.sqlite.prepare(sqlText).run(...params).lastInsertRowid);
  const prototype = `PG-RIG-${n}`;
  insert(`INSERT INTO prototypes (code, kind) VALUES (?, 'bench_rig')`, prototype);
  const categoryId = insert(`INSERT INTO technology_categories (name) VALUES (?)`, `Page cat ${n}`);
  const tech = `Regen ${n}`;
  insert(`INSERT INTO technologies (name, domain, category_id) VALUES (?, 'software', ?)`, tech, categoryId);
  return { n, prototype, tech };
}
type Fx = ReturnType<typeof fixtures>;

function row(fx: Fx, i: number, extra: Partial<TestRunCsvRow> = {}): TestRunCsvRow {
  return {
    code: `PG-${fx.n}-${i}`,
    prototype: fx.prototype,
    program_id: '',
    title: `Bench run ${i}`,
    objective: '',
    venue_type: 'bench',
    location: '',
    start_time: '2026-07-01T08:00:00Z',
    end_time: '',
    status: '',
    software_version: '',
    hardware_revision: '',
    engineer: '',
    result_summary: '',
    evidence: `${fx.tech}:pass`,
    measurements: '',
    ...extra,
  };
}

function csvOf(rows: TestRunCsvRow[]): string {
  return csvLine(TEST_RUN_CSV_COLUMNS) + rows.map((r) => csvLine(TEST_RUN_CSV_COLUMNS.map((c) => r[c]))).join('');
}

/** A browser's multipart post of the upload form. */
function upload(session: PageSession, fields: Record<string, string>, file?: { name: string; content: string }, options: { csrf?: boolean } = {}) {
  const boundary = '----pitlane-page-boundary';
  const all = options.csrf === false ? fields : { _csrf: session.token, ...fields };
  let body = '';
  for (const [k, v] of Object.entries(all)) body += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  if (file) body += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.content}\r\n`;
  body += `--${boundary}--\r\n`;
  return t.app.inject({
    method: 'POST',
    url: '/test-runs/import',
    headers: { cookie: session.cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: body,
  });
}

const partial = { 'hx-request': 'true', 'hx-request-type': 'partial' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function finishedFragment(session: PageSession, location: string): Promise<LightMyRequestResponse> {
  for (let i = 0; i < 1500; i++) {
    const res = await session.get(location, partial);
    if (!res.body.includes('hx-trigger="every 1s"')) return res;
    await sleep(40);
  }
  throw new Error('the job did not finish');
}

describe('import page', () => {
  it('shows the column mapping, the upload form and recent imports', async () => {
    const res = await admin.get('/test-runs/import');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<!doctype html>');
    for (const column of TEST_RUN_CSV_COLUMNS) expect(res.body).toContain(`<code>${column}</code>`);
    expect(res.body).toMatch(/<form method="post" action="\/test-runs\/import" enctype="multipart\/form-data"/);
    expect(res.body).toContain('type="file"');
    expect(res.body).toMatch(/name="dry_run" type="checkbox"/);
    expect(res.body).toContain('<option value="valid_rows"');
    expect(res.body).toContain('Recent imports');
  });

  it('a viewer sees no form and may not post', async () => {
    addUser(t.db, 'view.page', 'viewer');
    const viewer = await pageSession(t.app, { username: 'view.page', password: 'Viewer-Pw-For-Pitlane-1' });
    const res = await viewer.get('/test-runs/import');
    expect(res.body).not.toContain('type="file"');
    expect(res.body).toContain('needs the engineer or admin role');
    const post = await upload(viewer, {}, { name: 'x.csv', content: 'x' });
    expect(post.statusCode).toBe(403);
  });

  it('refuses a post without the CSRF token (403) and writes nothing', async () => {
    const fx = fixtures();
    const jobs = countRows(t.db, 'import_jobs');
    const res = await upload(admin, {}, { name: 'runs.csv', content: csvOf([row(fx, 1)]) }, { csrf: false });
    expect(res.statusCode).toBe(403);
    expect(countRows(t.db, 'import_jobs')).toBe(jobs);
  });

  it('without a file: 422 with the form again, the choices kept', async () => {
    const res = await upload(admin, { mode: 'valid_rows', dry_run: 'true' }, { name: '', content: '' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Choose a CSV file to import.');
    expect(res.body).toMatch(/<option value="valid_rows" selected/);
    expect(res.body).toMatch(/name="dry_run" type="checkbox" value="true" checked/);
  });

  it('upload → 303 to the job page, whose progress section polls while the job runs and shows the outcome when done', async () => {
    const fx = fixtures();
    const rows = Array.from({ length: 400 }, (_, i) => row(fx, i));
    rows[7] = row(fx, 7, { evidence: `${fx.tech}:meh` });
    const res = await upload(admin, { mode: 'valid_rows' }, { name: 'bench.csv', content: csvOf(rows) });
    expect(res.statusCode).toBe(303);
    const location = res.headers.location as string;
    expect(location).toMatch(/^\/imports\/\d+$/);

    const page = await admin.get(location);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<!doctype html>');
    expect(page.body).toContain('bench.csv');
    expect(page.body).toContain(`hx-get="${location}" hx-trigger="every 1s" hx-swap="outerHTML"`);
    expect(page.body).toContain('<progress id="import-progress"');

    const fragment = await admin.get(location, partial);
    expect(fragment.body).not.toContain('<!doctype html>');
    expect(fragment.body).toMatch(/^<section id="import-job"/);

    const done = await finishedFragment(admin, location);
    expect(done.body).not.toContain('hx-get');
    expect(done.body).toContain('Imported the valid rows');
    expect(done.body).toContain('<strong>399</strong> Valid');
    expect(done.body).toContain('item 1 “');
    expect(done.body).toContain('See the imported runs');
    const runsLink = /href="(\/test-runs\?updated_since=[^"]+)"/.exec(done.body)![1]!.replace(/&amp;/g, '&');
    const runs = await admin.get(runsLink);
    expect(runs.statusCode).toBe(200);
    expect(runs.body).toContain(`PG-${fx.n}-399`);

    const list = await admin.get('/test-runs/import');
    expect(list.body).toContain(`href="${location}"`);
  });

  it('a dry run says what would happen and links no runs', async () => {
    const fx = fixtures();
    const runs = countRows(t.db, 'test_runs');
    const res = await upload(admin, { dry_run: 'true' }, { name: 'dry.csv', content: csvOf([row(fx, 1), row(fx, 2)]) });
    const done = await finishedFragment(admin, res.headers.location as string);
    expect(done.body).toContain('Dry run, nothing was written');
    expect(done.body).toContain('Would be created');
    expect(done.body).not.toContain('See the imported runs');
    expect(countRows(t.db, 'test_runs')).toBe(runs);
  });

  it('shows file names and errors from the file escaped and inert', async () => {
    const fx = fixtures();
    const evil = '<script>alert(1)</script><b hx-get="/logout" hx-trigger="load">x</b>';
    const res = await upload(admin, {}, { name: 'evil<img src=x onerror=alert(1)>.csv', content: csvOf([row(fx, 1, { prototype: evil })]) });
    expect(res.statusCode).toBe(303);
    const location = res.headers.location as string;
    await finishedFragment(admin, location);
    const page = await admin.get(location);
    expect(page.body).not.toContain('<script>alert(1)');
    expect(page.body).not.toContain('<b hx-get');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('&lt;script>alert(1)&lt;/script>');
    const list = await admin.get('/test-runs/import');
    expect(list.body).not.toContain('<img src=x');
  });

  it('404 page for an unknown job', async () => {
    const res = await admin.get('/imports/999999');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });
});
