// Attachments through the API: multipart uploads of several files, the type allowlist checked
// from the bytes, size limits, checksums, download headers, permissions, and files that go with
// their run.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRun } from '../../../../src/domain/test-runs.js';
import { addUser, api, countRows, createTestApp, json, tokenFor, type TestApp } from '../../../support/app.js';

let t: TestApp;
let engineerToken: string;
let productToken: string;
beforeAll(async () => {
  t = await createTestApp();
  addUser(t.db, 'kato', 'engineer');
  addUser(t.db, 'mori', 'product');
  engineerToken = tokenFor(t.db, 'kato');
  productToken = tokenFor(t.db, 'mori');
});
afterAll(async () => t.close());

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(200)]);
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), randomBytes(300)]);

interface Part {
  name?: string;
  filename?: string;
  type?: string;
  data: Buffer | string;
}

/** A multipart/form-data body as a browser or curl sends it. */
function multipart(parts: Part[]): { payload: Buffer; contentType: string } {
  const boundary = `----pitlane${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = p.filename === undefined ? `form-data; name="${p.name ?? 'files'}"` : `form-data; name="${p.name ?? 'files'}"; filename="${p.filename}"`;
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.filename === undefined ? '' : `Content-Type: ${p.type ?? 'application/octet-stream'}\r\n`}\r\n`;
    chunks.push(Buffer.from(head, 'utf8'), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data, 'utf8'), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

function upload(runId: number, parts: Part[], token: string | null = t.adminToken) {
  const body = multipart(parts);
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/test-runs/${runId}/attachments`,
    headers: { 'content-type': body.contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: body.payload,
  });
}

let unique = 0;
function newRun(): number {
  const n = ++unique;
  const insert = (sqlText: string, ...params: unknown[]) => Number(t.db.sqlite.prepare(sqlText).run(...params).lastInsertRowid);
  const prototypeId = insert(`INSERT INTO prototypes (code, kind) VALUES (?, 'dyno_rig')`, `DYNO-${n}`);
  const categoryId = insert(`INSERT INTO technology_categories (name) VALUES (?)`, `Inverter ${n}`);
  const techId = insert(`INSERT INTO technologies (name, domain, category_id) VALUES (?, 'hardware', ?)`, `SiC inverter ${n}`, categoryId);
  return createTestRun(t.db, { id: null, name: 'k.tanaka' }, {
    prototype_id: prototypeId,
    title: 'Inverter soak',
    venue_type: 'dyno',
    start_time: '2026-05-14T09:30:00Z',
    evidence: [{ technology_id: techId, outcome: 'pass' }],
  }).id;
}

/** Stored files of a run (names on disk), or [] when its folder is gone. */
function filesOnDisk(runId: number): string[] {
  const folder = path.join(t.dir, 'attachments', String(runId));
  return fs.existsSync(folder) ? fs.readdirSync(folder) : [];
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('attachments API: upload', () => {
  it('stores two files of one multipart request, recognised from their bytes, with checksums', async () => {
    const runId = newRun();
    const csv = 'lap,energy_kwh\n1,1.92\n2,1.88\n';
    const res = await upload(runId, [
      { filename: 'soak.png', type: 'image/png', data: PNG },
      { filename: 'laps.csv', type: 'text/csv', data: csv },
    ]);
    expect(res.statusCode, res.body).toBe(201);
    const items = json<{ items: Record<string, unknown>[] }>(res).items;
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ test_run_id: runId, filename: 'soak.png', content_type: 'image/png', size: PNG.length, sha256: sha256(PNG), uploaded_by_name: 'admin' });
    expect(items[1]).toMatchObject({ filename: 'laps.csv', content_type: 'text/csv', size: Buffer.byteLength(csv), sha256: sha256(csv) });
    expect(items[0]).not.toHaveProperty('storage_path');

    // On disk under attachments/<run id>/<random id>: never the user's name.
    const files = filesOnDisk(runId);
    expect(files).toHaveLength(2);
    for (const f of files) expect(f).toMatch(/^[0-9a-f]{32}$/);
    const stored = t.db.sqlite.prepare('SELECT storage_path, sha256 FROM attachments WHERE test_run_id = ? ORDER BY id').all(runId) as { storage_path: string; sha256: string }[];
    for (const row of stored) {
      expect(row.storage_path).toMatch(new RegExp(`^attachments/${runId}/[0-9a-f]{32}$`));
      expect(sha256(fs.readFileSync(path.join(t.dir, row.storage_path)))).toBe(row.sha256);
    }
    const audit = t.db.sqlite.prepare(`SELECT action FROM audit_events WHERE entity = 'attachment' AND entity_id IN (?, ?)`).all(String(items[0]!.id), String(items[1]!.id));
    expect(audit).toEqual([{ action: 'create' }, { action: 'create' }]);
  });

  it('lists a run’s attachments and answers the metadata of one', async () => {
    const runId = newRun();
    await upload(runId, [{ filename: 'a.json', type: 'application/json', data: '{"ok":true}' }]);
    await upload(runId, [{ filename: 'b.txt', type: 'text/plain', data: 'driver notes' }]);
    const list = await api(t.app).get(`/api/v1/test-runs/${runId}/attachments`);
    expect(list.statusCode).toBe(200);
    const items = json(list).items as { id: number; filename: string; content_type: string }[];
    expect(items.map((i) => [i.filename, i.content_type])).toEqual([
      ['a.json', 'application/json'],
      ['b.txt', 'text/plain'],
    ]);
    const one = await api(t.app).get(`/api/v1/attachments/${items[0]!.id}`);
    expect(one.statusCode).toBe(200);
    expect(json(one)).toMatchObject({ id: items[0]!.id, filename: 'a.json', content_url: `/api/v1/attachments/${items[0]!.id}/content` });
    expect((await api(t.app).get('/api/v1/test-runs/999999/attachments')).statusCode).toBe(404);
    expect((await api(t.app).get('/api/v1/attachments/999999')).statusCode).toBe(404);
  });

  it('recognises PDF, JPEG, ZIP/XLSX, Parquet and MDF4 by their magic numbers', async () => {
    const runId = newRun();
    const res = await upload(runId, [
      { filename: 'report.pdf', type: 'application/pdf', data: Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n') },
      { filename: 'photo.jpg', type: 'image/jpeg', data: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(64)]) },
      { filename: 'lap.xlsx', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', data: Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), randomBytes(64)]) },
      { filename: 'telemetry.parquet', data: Buffer.concat([Buffer.from('PAR1'), randomBytes(64), Buffer.from('PAR1')]) },
      { filename: 'run.mf4', data: Buffer.concat([Buffer.from('MDF     4.10    '), randomBytes(64)]) },
    ]);
    expect(res.statusCode, res.body).toBe(201);
    expect(json(res).items.map((i: { content_type: string }) => i.content_type)).toEqual([
      'application/pdf',
      'image/jpeg',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.apache.parquet',
      'application/x-mdf',
    ]);
  });

  it('refuses a PNG declared as application/pdf with 422 naming the file, and stores nothing', async () => {
    const runId = newRun();
    const before = countRows(t.db, 'attachments');
    const res = await upload(runId, [{ filename: 'lying.pdf', type: 'application/pdf', data: PNG }]);
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(json(res).detail).toContain('lying.pdf');
    expect(json(res).detail).toContain('PNG');
    expect(json(res).errors).toEqual([{ path: '/files/0', message: expect.stringContaining('PNG') }]);
    expect(countRows(t.db, 'attachments')).toBe(before);
    expect(filesOnDisk(runId)).toEqual([]);
  });

  it('refuses an executable with 415 naming the file, whatever it is declared as', async () => {
    const runId = newRun();
    for (const type of ['application/octet-stream', 'application/x-msdownload', 'image/png']) {
      const res = await upload(runId, [{ filename: 'setup.exe', type, data: EXE }]);
      expect(res.statusCode, type).toBe(415);
      expect(json(res).detail).toContain('setup.exe');
    }
    expect(filesOnDisk(runId)).toEqual([]);
  });

  it('stores all files of a request or none: a good file next to a refused one is not kept', async () => {
    const runId = newRun();
    const before = { rows: countRows(t.db, 'attachments'), audit: countRows(t.db, 'audit_events') };
    const res = await upload(runId, [
      { filename: 'ok.png', type: 'image/png', data: PNG },
      { filename: 'tool.exe', data: EXE },
    ]);
    expect(res.statusCode).toBe(415);
    expect(countRows(t.db, 'attachments')).toBe(before.rows);
    expect(countRows(t.db, 'audit_events')).toBe(before.audit);
    expect(filesOnDisk(runId)).toEqual([]);
  });

  it('answers 413 for a file over 25 MB and for more than 10 files, leaving nothing behind', async () => {
    const runId = newRun();
    const big = Buffer.alloc(25 * 1024 * 1024 + 1, 0x41); // "AAAA…": text, one byte over
    const res = await upload(runId, [{ filename: 'huge.csv', type: 'text/csv', data: big }]);
    expect(res.statusCode).toBe(413);
    expect(json(res).detail).toContain('huge.csv');
    const many = await upload(
      runId,
      Array.from({ length: 11 }, (_, i) => ({ filename: `f${i}.txt`, type: 'text/plain', data: `file ${i}` })),
    );
    expect(many.statusCode).toBe(413);
    expect(json(many).detail).toContain('10 files');
    expect(filesOnDisk(runId)).toEqual([]);
    expect(t.db.sqlite.prepare('SELECT count(*) AS n FROM attachments WHERE test_run_id = ?').get(runId)).toEqual({ n: 0 });
  });

  it('refuses a body that is not multipart (415), an empty file and an upload without files (422), and an unknown run (404)', async () => {
    const runId = newRun();
    const asJson = await api(t.app).post(`/api/v1/test-runs/${runId}/attachments`, { files: [] });
    expect(asJson.statusCode).toBe(415);
    const empty = await upload(runId, [{ filename: 'empty.csv', type: 'text/csv', data: '' }]);
    expect(empty.statusCode).toBe(422);
    expect(json(empty).detail).toContain('empty.csv');
    const none = await upload(runId, [{ name: 'note', data: 'no file here' }]);
    expect(none.statusCode).toBe(422);
    expect(json(none).errors[0].path).toBe('/files');
    expect((await upload(999999, [{ filename: 'a.png', type: 'image/png', data: PNG }])).statusCode).toBe(404);
    expect(filesOnDisk(runId)).toEqual([]);
  });

  it('lets engineers upload and delete; product and viewer roles and read tokens get 403', async () => {
    const runId = newRun();
    const byEngineer = await upload(runId, [{ filename: 'e.png', type: 'image/png', data: PNG }], engineerToken);
    expect(byEngineer.statusCode).toBe(201);
    expect(json(byEngineer).items[0].uploaded_by_name).toBe('kato');
    const byProduct = await upload(runId, [{ filename: 'p.png', type: 'image/png', data: PNG }], productToken);
    expect(byProduct.statusCode).toBe(403);
    expect(json(byProduct).detail).toContain('engineer');
    const readOnly = await upload(runId, [{ filename: 'r.png', type: 'image/png', data: PNG }], tokenFor(t.db, 'kato', 'read'));
    expect(readOnly.statusCode).toBe(403);
    const id = json(byEngineer).items[0].id as number;
    expect((await api(t.app, { token: productToken }).delete(`/api/v1/attachments/${id}`)).statusCode).toBe(403);
    // Everyone signed in reads.
    expect((await api(t.app, { token: productToken }).get(`/api/v1/attachments/${id}/content`)).statusCode).toBe(200);
    expect((await api(t.app, { token: engineerToken }).delete(`/api/v1/attachments/${id}`)).statusCode).toBe(204);
    expect(filesOnDisk(runId)).toEqual([]);
  });
});

describe('attachments API: download and delete', () => {
  it('serves the bytes with the stored type, an attachment disposition (UTF-8 name) and nosniff', async () => {
    const runId = newRun();
    const csv = 'name,value\nlap,1\n';
    const res = await upload(runId, [
      { filename: 'soak.png', type: 'image/png', data: PNG },
      { filename: "測定 データ (lap's).csv", type: 'text/csv', data: csv },
    ]);
    const [png, csvItem] = json(res).items as { id: number }[];
    const get = await api(t.app).get(`/api/v1/attachments/${png!.id}/content`);
    expect(get.statusCode).toBe(200);
    expect(get.headers['content-type']).toBe('image/png');
    expect(get.headers['x-content-type-options']).toBe('nosniff');
    expect(get.headers['content-disposition']).toBe(`attachment; filename="soak.png"; filename*=UTF-8''soak.png`);
    expect(get.rawPayload.equals(PNG)).toBe(true);
    expect(sha256(get.rawPayload)).toBe(json(res).items[0].sha256);

    const text = await api(t.app).get(`/api/v1/attachments/${csvItem!.id}/content`);
    expect(text.headers['content-type']).toBe('text/csv; charset=utf-8');
    const disposition = String(text.headers['content-disposition']);
    expect(disposition).toMatch(/^attachment; /);
    // RFC 8187: every byte outside attr-char percent-encoded, `'()` included.
    expect(disposition).toContain(`filename*=UTF-8''%E6%B8%AC%E5%AE%9A%20%E3%83%87%E3%83%BC%E3%82%BF%20%28lap%27s%29.csv`);
    expect(decodeURIComponent(disposition.split("UTF-8''")[1]!)).toBe("測定 データ (lap's).csv");
    expect(disposition).not.toMatch(/[^\x20-\x7e]/); // header stays ASCII
    expect(text.body).toBe(csv);
  });

  it('deletes an attachment (audited, file removed); it is gone afterwards', async () => {
    const runId = newRun();
    const res = await upload(runId, [{ filename: 'x.png', type: 'image/png', data: PNG }]);
    const id = json(res).items[0].id as number;
    expect(filesOnDisk(runId)).toHaveLength(1);
    const del = await api(t.app).delete(`/api/v1/attachments/${id}`);
    expect(del.statusCode).toBe(204);
    expect(filesOnDisk(runId)).toEqual([]);
    expect((await api(t.app).get(`/api/v1/attachments/${id}`)).statusCode).toBe(404);
    expect((await api(t.app).get(`/api/v1/attachments/${id}/content`)).statusCode).toBe(404);
    const events = t.db.sqlite.prepare(`SELECT action, before FROM audit_events WHERE entity = 'attachment' AND entity_id = ? ORDER BY seq`).all(String(id)) as { action: string; before: string | null }[];
    expect(events.map((e) => e.action)).toEqual(['create', 'delete']);
    expect(JSON.parse(events[1]!.before!)).toMatchObject({ filename: 'x.png', sha256: sha256(PNG) });
  });

  it('deletes the attachments with their run: rows and files', async () => {
    const runId = newRun();
    await upload(runId, [
      { filename: 'a.png', type: 'image/png', data: PNG },
      { filename: 'b.txt', type: 'text/plain', data: 'notes' },
    ]);
    expect(filesOnDisk(runId)).toHaveLength(2);
    const run = await api(t.app).get(`/api/v1/test-runs/${runId}`);
    const del = await api(t.app).delete(`/api/v1/test-runs/${runId}`, { 'if-match': String(run.headers.etag) });
    expect(del.statusCode, del.body).toBe(204);
    expect(t.db.sqlite.prepare('SELECT count(*) AS n FROM attachments WHERE test_run_id = ?').get(runId)).toEqual({ n: 0 });
    expect(fs.existsSync(path.join(t.dir, 'attachments', String(runId)))).toBe(false);
  });
});
