import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, countRows, createTestApp, created, json, type TestApp } from '../../../support/app.js';

let t: TestApp;
let formulaE: number;
let superGt: number;

beforeAll(async () => {
  t = await createTestApp();
  formulaE = (await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Formula E' })).id;
  superGt = (await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Super GT' })).id;
});
afterAll(async () => t.close());

interface Program {
  id: number;
  series_id: number;
  season: string;
  start_year: number;
  end_year: number;
  class: string | null;
  entry: string;
  car: string;
  status: string;
  version: number;
  updated_at: string;
}

let entryNo = 0;
/** A valid program body; each call gets its own entry so the key never collides by accident. */
function body(overrides: Record<string, unknown> = {}) {
  entryNo += 1;
  return { series_id: superGt, season: '2025', start_year: 2025, end_year: 2025, class: 'GT500', entry: `#${entryNo} TEST`, car: 'Nissan Z NISMO GT500', ...overrides };
}

function auditActions(id: number): string[] {
  return (
    t.db.sqlite.prepare(`SELECT action FROM audit_events WHERE entity = 'program' AND entity_id = ? ORDER BY seq`).all(String(id)) as {
      action: string;
    }[]
  ).map((e) => e.action);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('programs API', () => {
  it('creates a program with defaults, shows class-less entries as null, and reads it back', async () => {
    const http = api(t.app);
    const res = await http.post('/api/v1/programs', {
      series_id: formulaE,
      season: '2024-25',
      start_year: 2024,
      end_year: 2025,
      entry: 'Nissan Formula E Team #23',
      car: 'Nissan e-4ORCE 05',
    });
    expect(res.statusCode).toBe(201);
    const p = json<Program>(res);
    expect(p).toMatchObject({ series_id: formulaE, season: '2024-25', class: null, status: 'planned', version: 1 });
    expect(res.headers.location).toBe(`/api/v1/programs/${p.id}`);
    expect(res.headers.etag).toBe('"1"');
    const stored = t.db.sqlite.prepare('SELECT class FROM programs WHERE id = ?').get(p.id) as { class: string };
    expect(stored.class).toBe('');

    const got = await http.get(`/api/v1/programs/${p.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.headers.etag).toBe('"1"');
    expect(json(got)).toEqual(p);

    const withNull = json<Program>(await http.post('/api/v1/programs', { ...body({ class: null }), series_id: formulaE }));
    expect(withNull.class).toBeNull();
    expect(auditActions(p.id)).toEqual(['create']);
  });

  it('updates with If-Match, clears class with null, and deletes (428 without, 412 when stale)', async () => {
    const http = api(t.app);
    const p = await created<Program>(t.app, '/api/v1/programs', body({ status: 'active' }));
    const url = `/api/v1/programs/${p.id}`;

    expect((await http.patch(url, { status: 'completed' })).statusCode).toBe(428);
    const patched = await http.patch(url, { status: 'completed', class: null }, { 'if-match': '"1"' });
    expect(patched.statusCode).toBe(200);
    expect(json(patched)).toMatchObject({ status: 'completed', class: null, car: 'Nissan Z NISMO GT500', version: 2 });
    expect(patched.headers.etag).toBe('"2"');
    expect((await http.patch(url, { car: 'x' }, { 'if-match': '"1"' })).statusCode).toBe(412);

    // A PATCH without `class` keeps it.
    const again = json<Program>(await http.patch(url, { class: 'GT300' }, { 'if-match': '"2"' }));
    expect(json<Program>(await http.patch(url, { car: 'Nissan GT-R NISMO GT3' }, { 'if-match': '"3"' })).class).toBe('GT300');
    expect(again.version).toBe(3);

    expect((await http.delete(url)).statusCode).toBe(428);
    expect((await http.delete(url, { 'if-match': '"1"' })).statusCode).toBe(412);
    expect((await http.delete(url, { 'if-match': '"4"' })).statusCode).toBe(204);
    expect((await http.get(url)).statusCode).toBe(404);
    expect(auditActions(p.id)).toEqual(['create', 'update', 'update', 'update', 'delete']);
  });

  it('answers 404 for unknown ids on get, patch and delete', async () => {
    const http = api(t.app);
    expect((await http.get('/api/v1/programs/999999')).statusCode).toBe(404);
    expect((await http.patch('/api/v1/programs/999999', { car: 'x' }, { 'if-match': '*' })).statusCode).toBe(404);
    const del = await http.delete('/api/v1/programs/999999', { 'if-match': '*' });
    expect(del.statusCode).toBe(404);
    expect(json(del).type).toBe('/problems/not-found');
  });

  it('answers 400 with JSON Pointers for unknown fields, strings for integers and bad enums', async () => {
    const http = api(t.app);
    const res = await http.post('/api/v1/programs', { ...body(), start_year: '2025', colour: 'red', status: 'racing' });
    expect(res.statusCode).toBe(400);
    const problem = json(res);
    expect(problem.type).toBe('/problems/validation');
    const paths = problem.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/start_year', '/colour', '/status']));
    expect(problem.errors).toContainEqual({ path: '/colour', message: 'is not a known field' });

    const missing = json(await http.post('/api/v1/programs', { series_id: superGt }));
    expect(missing.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['/season', '/start_year', '/end_year', '/entry', '/car']),
    );

    const p = await created<Program>(t.app, '/api/v1/programs', body());
    const patch = await http.patch(`/api/v1/programs/${p.id}`, { id: 5, series_id: '1' }, { 'if-match': '"1"' });
    expect(patch.statusCode).toBe(400);
    expect(json(patch).errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['/id', '/series_id']));
    expect((await http.get('/api/v1/programs?sort=car')).statusCode).toBe(400);
  });

  it('refuses end_year before start_year and an unknown series with 422, leaving no row and no audit event', async () => {
    const http = api(t.app);
    const programs = countRows(t.db, 'programs');
    const events = countRows(t.db, 'audit_events');

    const years = await http.post('/api/v1/programs', body({ start_year: 2025, end_year: 2024 }));
    expect(years.statusCode).toBe(422);
    expect(json(years)).toMatchObject({ type: '/problems/invalid-input', errors: [{ path: '/end_year' }] });

    const series = await http.post('/api/v1/programs', body({ series_id: 999999 }));
    expect(series.statusCode).toBe(422);
    expect(json(series).errors).toEqual([{ path: '/series_id', message: 'does not exist' }]);

    expect(countRows(t.db, 'programs')).toBe(programs);
    expect(countRows(t.db, 'audit_events')).toBe(events);

    // A PATCH is judged on the merged record: an end year before the stored start year is refused too.
    const p = await created<Program>(t.app, '/api/v1/programs', body({ start_year: 2024, end_year: 2025 }));
    const after = countRows(t.db, 'audit_events');
    const bad = await http.patch(`/api/v1/programs/${p.id}`, { end_year: 2023 }, { 'if-match': '"1"' });
    expect(bad.statusCode).toBe(422);
    expect(json(bad).errors[0].path).toBe('/end_year');
    expect(json<Program>(await http.get(`/api/v1/programs/${p.id}`))).toMatchObject({ end_year: 2025, version: 1 });
    expect(countRows(t.db, 'audit_events')).toBe(after);
  });

  it('refuses a second program with the same series, season, class and entry (409 on create and update)', async () => {
    const http = api(t.app);
    const first = body({ entry: '#23 NISMO' });
    await created(t.app, '/api/v1/programs', first);
    const events = countRows(t.db, 'audit_events');
    const dup = await http.post('/api/v1/programs', { ...first, car: 'other' });
    expect(dup.statusCode).toBe(409);
    expect(json(dup)).toMatchObject({
      type: '/problems/conflict',
      errors: [{ path: '/entry', message: 'this entry already exists for that series, season and class' }],
    });
    expect(countRows(t.db, 'audit_events')).toBe(events);

    // Class-less entries collide too ('' is stored, so the UNIQUE key holds).
    const fe = { ...body({ class: null, entry: 'Nissan Formula E Team' }), series_id: formulaE };
    await created(t.app, '/api/v1/programs', fe);
    expect((await http.post('/api/v1/programs', { ...fe, class: undefined })).statusCode).toBe(409);

    // The same entry in another class is a different program; moving it onto the first is a conflict.
    const gt300 = await created<Program>(t.app, '/api/v1/programs', { ...first, class: 'GT300' });
    const move = await http.patch(`/api/v1/programs/${gt300.id}`, { class: 'GT500' }, { 'if-match': '"1"' });
    expect(move.statusCode).toBe(409);
    // Saving a program unchanged does not conflict with itself.
    expect((await http.patch(`/api/v1/programs/${gt300.id}`, { entry: '#23 NISMO' }, { 'if-match': '"1"' })).statusCode).toBe(200);
  });

  it('blocks deleting a program that prototypes serve, test runs or technologies refer to, naming them', async () => {
    const http = api(t.app);
    const db = t.db.sqlite;
    const del = async (id: number) => http.delete(`/api/v1/programs/${id}`, { 'if-match': '*' });

    const served = await created<Program>(t.app, '/api/v1/programs', body());
    await created(t.app, '/api/v1/prototypes', { code: 'BLOCK-P1', kind: 'mule', program_ids: [served.id] });
    const r1 = await del(served.id);
    expect(r1.statusCode).toBe(409);
    expect(json(r1).detail).toMatch(/1 prototype/);

    const raced = await created<Program>(t.app, '/api/v1/programs', body());
    const proto = db.prepare(`INSERT INTO prototypes (code, kind) VALUES ('BLOCK-P2', 'race_car')`).run().lastInsertRowid;
    db.prepare(
      `INSERT INTO test_runs (code, prototype_id, program_id, title, venue_type, start_time, status) VALUES ('TR-2025-9001', ?, ?, 'Shakedown', 'track', '2025-03-01T09:00:00.000Z', 'completed')`,
    ).run(proto, raced.id);
    const r2 = await del(raced.id);
    expect(r2.statusCode).toBe(409);
    expect(json(r2).detail).toMatch(/1 test run/);

    const origin = await created<Program>(t.app, '/api/v1/programs', body());
    const cat = db.prepare(`INSERT INTO technology_categories (name) VALUES ('Inverter')`).run().lastInsertRowid;
    db.prepare(`INSERT INTO technologies (name, domain, category_id, origin_program_id) VALUES ('SiC inverter', 'hardware', ?, ?)`).run(
      cat,
      origin.id,
    );
    const r3 = await del(origin.id);
    expect(r3.statusCode).toBe(409);
    expect(json(r3).detail).toMatch(/1 technolog/);

    for (const p of [served, raced, origin]) {
      expect((await http.get(`/api/v1/programs/${p.id}`)).statusCode).toBe(200);
      expect(auditActions(p.id)).toEqual(['create']);
    }
  });

  it('filters by series, status, season and start year, and searches season, entry, car and class', async () => {
    const http = api(t.app);
    const st = (await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Super Taikyu' })).id;
    const a = await created<Program>(t.app, '/api/v1/programs', { series_id: st, season: '2023', start_year: 2023, end_year: 2023, class: 'ST-Q', entry: '#244 Max Racing', car: 'Nissan Z Racing Concept', status: 'completed' });
    const b = await created<Program>(t.app, '/api/v1/programs', { series_id: st, season: '2024', start_year: 2024, end_year: 2024, class: 'ST-Q', entry: '#230 NISMO', car: 'Nissan Z Racing Concept', status: 'active' });
    const ids = async (qs: string) => json<{ items: Program[] }>(await http.get(`/api/v1/programs?${qs}`)).items.map((p) => p.id);

    expect(await ids(`series_id=${st}`)).toEqual([b.id, a.id]);
    expect(await ids(`series_id=${st}&status=completed`)).toEqual([a.id]);
    expect(await ids(`series_id=${st}&season=2024`)).toEqual([b.id]);
    expect(await ids(`series_id=${st}&start_year=2023`)).toEqual([a.id]);
    expect(await ids(`q=${encodeURIComponent('Max racing')}`)).toEqual([a.id]);
    expect(await ids(`q=ST-Q&series_id=${st}`)).toEqual([b.id, a.id]);
    expect(await ids(`q=%23230`)).toEqual([b.id]);
    expect(await ids(`q=${encodeURIComponent('100% _')}`)).toEqual([]);
  });

  it('sorts descending and ascending', async () => {
    const http = api(t.app);
    const all = json<{ items: Program[] }>(await http.get('/api/v1/programs?limit=200')).items;
    const years = all.map((p) => p.start_year);
    expect(years).toEqual([...years].sort((x, y) => y - x));
    const byIdDesc = json<{ items: Program[] }>(await http.get('/api/v1/programs?sort=-id&limit=200')).items.map((p) => p.id);
    expect(byIdDesc).toEqual([...byIdDesc].sort((x, y) => y - x));
    expect(byIdDesc.length).toBe(all.length);
    const seasons = json<{ items: Program[] }>(await http.get('/api/v1/programs?sort=season&limit=200')).items.map((p) => p.season);
    expect(seasons).toEqual([...seasons].sort());
  });

  it('pages by cursor through more than two pages with rows inserted between pages: none twice, none skipped', async () => {
    const http = api(t.app);
    const series = (await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Paging series' })).id;
    const make = (year: number, n: number) =>
      created<Program>(t.app, '/api/v1/programs', { series_id: series, season: String(year), start_year: year, end_year: year, entry: `#${n}`, car: 'Car' });
    const original: number[] = [];
    for (let i = 0; i < 7; i++) original.push((await make(2010 + (i % 3), i)).id);

    const seen: number[] = [];
    let url = `/api/v1/programs?series_id=${series}&limit=2`;
    let pages = 0;
    let inserted: number[] = [];
    for (;;) {
      const res = await http.get(url);
      expect(res.statusCode).toBe(200);
      const page = json<{ items: Program[]; next_cursor: string | null }>(res);
      seen.push(...page.items.map((p) => p.id));
      pages += 1;
      if (!page.next_cursor) {
        expect(res.headers.link).toBeUndefined();
        break;
      }
      expect(res.headers.link).toContain('rel="next"');
      if (pages === 1) {
        // One row sorts before the cursor (newer year), one after it (older year).
        inserted = [(await make(2030, 100)).id, (await make(2000, 101)).id];
      }
      url = `/api/v1/programs?series_id=${series}&limit=2&cursor=${encodeURIComponent(page.next_cursor)}`;
    }
    expect(pages).toBeGreaterThan(2);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of original) expect(seen).toContain(id);
    expect(seen).toContain(inserted[1]);
    expect(seen).not.toContain(inserted[0]);
  });

  it('lists only rows changed at or after updated_since', async () => {
    const http = api(t.app);
    const a = await created<Program>(t.app, '/api/v1/programs', body());
    await sleep(5);
    const since = new Date().toISOString();
    await sleep(5);
    const b = await created<Program>(t.app, '/api/v1/programs', body());
    const res = await http.patch(`/api/v1/programs/${a.id}`, { status: 'active' }, { 'if-match': '"1"' });
    expect(res.statusCode).toBe(200);
    const items = json<{ items: Program[] }>(await http.get(`/api/v1/programs?limit=200&updated_since=${encodeURIComponent(since)}`)).items;
    expect(items.map((p) => p.id).sort((x, y) => x - y)).toEqual([a.id, b.id]);
    expect((await http.get('/api/v1/programs?updated_since=yesterday')).statusCode).toBe(400);
  });
});
