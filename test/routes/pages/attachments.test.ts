// A run's attachments on the pages: the section the run page loads, multipart uploads with the
// CSRF token (first form field, or the htmx header), refusals shown in place, download and delete.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRun } from '../../../src/domain/test-runs.js';
import { addUser, countRows, createTestApp, type TestApp } from '../../support/app.js';
import { pageSession, type PageSession } from '../../support/pages.js';

let t: TestApp;
let admin: PageSession;
let runId: number;
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(100)]);

beforeAll(async () => {
  t = await createTestApp();
  admin = await pageSession(t.app);
  const insert = (sqlText: string, ...params: unknown[]) => Number(t.db.sqlite.prepare(sqlText).run(...params).lastInsertRowid);
  const prototypeId = insert(`INSERT INTO prototypes (code, kind) VALUES ('DYNO-1', 'dyno_rig')`);
  const categoryId = insert(`INSERT INTO technology_categories (name) VALUES ('Inverter')`);
  const techId = insert(`INSERT INTO technologies (name, domain, category_id) VALUES ('SiC inverter', 'hardware', ?)`, categoryId);
  runId = createTestRun(t.db, { id: null, name: 'admin' }, {
    prototype_id: prototypeId,
    title: 'Soak',
    venue_type: 'dyno',
    start_time: '2026-05-14T09:30:00Z',
    evidence: [{ technology_id: techId, outcome: 'pass' }],
  }).id;
});
afterAll(async () => t.close());

interface Part {
  name: string;
  filename?: string;
  type?: string;
  data: Buffer | string;
}

function multipart(parts: Part[]) {
  const boundary = `----pitlane${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const file = p.filename === undefined ? '' : `; filename="${p.filename}"`;
    const type = p.filename === undefined ? '' : `Content-Type: ${p.type ?? 'application/octet-stream'}\r\n`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${file}\r\n${type}\r\n`), Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

function upload(session: PageSession, parts: Part[], headers: Record<string, string> = {}) {
  const body = multipart(parts);
  return t.app.inject({
    method: 'POST',
    url: `/test-runs/${runId}/attachments`,
    headers: { cookie: session.cookie, 'content-type': body.contentType, ...headers },
    payload: body.payload,
  });
}

const storedFiles = () => {
  const folder = path.join(t.dir, 'attachments', String(runId));
  return fs.existsSync(folder) ? fs.readdirSync(folder) : [];
};

describe('attachments pages', () => {
  it('the run page loads the attachments section with htmx and links to it without JavaScript', async () => {
    const res = await admin.get(`/test-runs/${runId}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`hx-get="/test-runs/${runId}/attachments"`);
    expect(res.body).toContain(`href="/test-runs/${runId}/attachments"`);
  });

  it('answers the section alone for htmx and a whole page otherwise', async () => {
    const fragment = await admin.get(`/test-runs/${runId}/attachments`, { 'hx-request': 'true', 'hx-request-type': 'partial' });
    expect(fragment.statusCode).toBe(200);
    expect(fragment.body).toMatch(/^<section id="attachments"/);
    expect(fragment.body).not.toContain('<html');
    expect(fragment.body).toContain('enctype="multipart/form-data"');
    expect(fragment.body).toMatch(/<input[^>]+type="file"[^>]+multiple/);
    const page = await admin.get(`/test-runs/${runId}/attachments`);
    expect(page.body).toContain('<html');
    expect(page.body).toContain('id="attachments"');
    // The CSRF field comes before the file input: the server reads it first.
    const form = page.body.slice(page.body.indexOf('enctype="multipart/form-data"'));
    expect(form.indexOf('name="_csrf"')).toBeLessThan(form.indexOf('type="file"'));
  });

  it('uploads with the token as the first form field (no JavaScript): 303 back to the list', async () => {
    const res = await upload(admin, [
      { name: '_csrf', data: admin.token },
      { name: 'files', filename: 'soak.png', type: 'image/png', data: PNG },
      { name: 'files', filename: '<img src=x onerror=alert(1)>.txt', type: 'text/plain', data: 'notes' },
    ]);
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe(`/test-runs/${runId}/attachments`);
    expect(storedFiles()).toHaveLength(2);
    const list = await admin.get(`/test-runs/${runId}/attachments`);
    expect(list.body).toContain('soak.png');
    expect(list.body).toContain('&lt;img src=x onerror=alert(1)>.txt');
    expect(list.body).not.toContain('<img src=x');
  });

  it('uploads with the htmx header token and answers the refreshed section', async () => {
    const res = await upload(admin, [{ name: 'files', filename: 'lap.csv', type: 'text/csv', data: 'lap,t\n1,92.1\n' }], {
      'hx-request': 'true',
      'hx-request-type': 'partial',
      'x-csrf-token': admin.token,
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/^<section id="attachments"/);
    expect(res.body).toContain('lap.csv');
    expect(res.body).toContain('1 file attached');
  });

  it('refuses an upload without a CSRF token (403) and stores nothing', async () => {
    const before = countRows(t.db, 'attachments');
    const res = await upload(admin, [{ name: 'files', filename: 'x.png', type: 'image/png', data: PNG }]);
    expect(res.statusCode).toBe(403);
    const wrong = await upload(admin, [
      { name: '_csrf', data: 'forged-token' },
      { name: 'files', filename: 'x.png', type: 'image/png', data: PNG },
    ]);
    expect(wrong.statusCode).toBe(403);
    expect(countRows(t.db, 'attachments')).toBe(before);
  });

  it('shows a refused file in the section with its name (415) and keeps nothing', async () => {
    const before = storedFiles().length;
    const res = await upload(admin, [
      { name: '_csrf', data: admin.token },
      { name: 'files', filename: 'tool.exe', data: Buffer.from('MZ\x90\x00\x03\x00\xff\xfe', 'latin1') },
    ]);
    expect(res.statusCode).toBe(415);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('tool.exe');
    expect(res.body).toContain('is not an allowed type');
    expect(storedFiles()).toHaveLength(before);
  });

  it('lets a product user read but not upload (403)', async () => {
    const product = await pageSession(t.app, addUser(t.db, 'mori', 'product'));
    const list = await product.get(`/test-runs/${runId}/attachments`, { 'hx-request': 'true', 'hx-request-type': 'partial' });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('type="file"');
    const res = await upload(product, [
      { name: '_csrf', data: product.token },
      { name: 'files', filename: 'p.png', type: 'image/png', data: PNG },
    ]);
    expect(res.statusCode).toBe(403);
  });

  it('downloads through the page route with safe headers, and deletes after a confirmation', async () => {
    const row = t.db.sqlite.prepare(`SELECT id FROM attachments WHERE filename = 'soak.png'`).get() as { id: number };
    const file = await admin.get(`/attachments/${row.id}/content`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.headers['content-disposition']).toContain(`filename*=UTF-8''soak.png`);
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.rawPayload.equals(PNG)).toBe(true);

    const confirm = await admin.get(`/attachments/${row.id}/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Delete soak.png?');
    const before = storedFiles().length;
    const del = await admin.post(`/attachments/${row.id}/delete`, {});
    expect(del.statusCode).toBe(303);
    expect(storedFiles()).toHaveLength(before - 1);
    expect((await admin.get(`/attachments/${row.id}/content`)).statusCode).toBe(404);
  });
});
