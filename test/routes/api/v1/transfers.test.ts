import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, countRows, createTestApp, created, json, type TestApp } from '../../../support/app.js';

let t: TestApp;
let adminId: number;
let ariya: number;
let z: number;

beforeAll(async () => {
  t = await createTestApp();
  adminId = (t.db.sqlite.prepare(`SELECT id FROM users WHERE username = 'admin'`).get() as { id: number }).id;
  ariya = (await created<{ id: number }>(t.app, '/api/v1/road-models', { name: 'Ariya NISMO', powertrain: 'ev', status: 'production' })).id;
  z = (await created<{ id: number }>(t.app, '/api/v1/road-models', { name: 'Z NISMO', powertrain: 'ice', status: 'production' })).id;
});
afterAll(async () => t.close());

interface Transfer {
  id: number;
  technology_id: number;
  road_model_id: number;
  stage: string;
  rationale: string;
  decided_on: string | null;
  reviewed_by: number | null;
  reviewed_at: string | null;
  review_note: string;
  version: number;
}

let categories = 0;
function technology(name: string): number {
  categories += 1;
  const category = t.db.sqlite.prepare(`INSERT INTO technology_categories (name) VALUES (?)`).run(`Category ${categories}`).lastInsertRowid;
  return Number(t.db.sqlite.prepare(`INSERT INTO technologies (name, domain, category_id) VALUES (?, 'hardware', ?)`).run(name, category).lastInsertRowid);
}

function audit(entityId: number) {
  return t.db.sqlite
    .prepare(`SELECT action, actor_id, before, after FROM audit_events WHERE entity = 'transfer' AND entity_id = ? ORDER BY seq`)
    .all(String(entityId)) as { action: string; actor_id: number | null; before: string | null; after: string | null }[];
}

describe('transfers API', () => {
  it('creates a transfer with a review by the writer, reads, updates and deletes it', async () => {
    const tech = technology('FE tyre compound');
    const http = api(t.app);
    const res = await http.post('/api/v1/transfers', { technology_id: tech, road_model_id: ariya, stage: 'candidate', rationale: 'Formula E tyres', decided_on: '2024-01-15' });
    expect(res.statusCode).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    const tr = json<Transfer>(res);
    expect(tr).toMatchObject({ technology_id: tech, road_model_id: ariya, stage: 'candidate', rationale: 'Formula E tyres', decided_on: '2024-01-15', reviewed_by: adminId, review_note: '', version: 1 });
    expect(tr.reviewed_at).toEqual(expect.any(String));
    expect(tr).not.toHaveProperty('review_fingerprint');
    expect(json(await http.get(`/api/v1/transfers/${tr.id}`))).toEqual(tr);

    // A change without a stage change records no review.
    const p1 = await http.patch(`/api/v1/transfers/${tr.id}`, { rationale: 'Tyres developed with FE technology' }, { 'if-match': '"1"' });
    expect(p1.statusCode).toBe(200);
    expect(json<Transfer>(p1)).toMatchObject({ version: 2, reviewed_at: tr.reviewed_at, review_note: '' });

    await new Promise((r) => setTimeout(r, 5));
    const p2 = await http.patch(`/api/v1/transfers/${tr.id}`, { stage: 'approved', review_note: 'Product board' }, { 'if-match': '"2"' });
    expect(p2.statusCode).toBe(200);
    const approved = json<Transfer>(p2);
    expect(approved).toMatchObject({ stage: 'approved', version: 3, reviewed_by: adminId, review_note: 'Product board' });
    expect(approved.reviewed_at! > tr.reviewed_at!).toBe(true);

    // A later stage change without a note clears the old note.
    const p3 = await http.patch(`/api/v1/transfers/${tr.id}`, { stage: 'in_production' }, { 'if-match': '"3"' });
    expect(json<Transfer>(p3)).toMatchObject({ stage: 'in_production', version: 4, review_note: '' });

    expect((await http.patch(`/api/v1/transfers/${tr.id}`, { stage: 'rejected' }, { 'if-match': '"3"' })).statusCode).toBe(412);
    expect((await http.delete(`/api/v1/transfers/${tr.id}`)).statusCode).toBe(428);
    expect((await http.delete(`/api/v1/transfers/${tr.id}`, { 'if-match': '"1"' })).statusCode).toBe(412);
    expect((await http.delete(`/api/v1/transfers/${tr.id}`, { 'if-match': '"4"' })).statusCode).toBe(204);
    expect((await http.get(`/api/v1/transfers/${tr.id}`)).statusCode).toBe(404);
    expect(audit(tr.id).map((e) => e.action)).toEqual(['create', 'update', 'update', 'update', 'delete']);
  });

  it('refuses a review note without a stage change (422) and changes nothing', async () => {
    const tr = await created<Transfer>(t.app, '/api/v1/transfers', { technology_id: technology('Race aero'), road_model_id: ariya, stage: 'evaluation', review_note: 'first look' });
    expect(tr.review_note).toBe('first look');
    const res = await api(t.app).patch(`/api/v1/transfers/${tr.id}`, { stage: 'evaluation', review_note: 'again' }, { 'if-match': '"1"' });
    expect(res.statusCode).toBe(422);
    expect(json(res).errors).toEqual([expect.objectContaining({ path: '/review_note' })]);
    expect(json(await api(t.app).get(`/api/v1/transfers/${tr.id}`))).toEqual(tr);
  });

  it('answers 400 for unknown fields, missing fields and "7" for an integer', async () => {
    const before = countRows(t.db, 'transfers');
    const res = await api(t.app).post('/api/v1/transfers', { technology_id: '7', road_model_id: ariya, stage: 'approved', reviewed_by: 1 });
    expect(res.statusCode).toBe(400);
    expect(json(res).errors).toEqual(
      expect.arrayContaining([{ path: '/reviewed_by', message: 'is not a known field' }, expect.objectContaining({ path: '/technology_id' })]),
    );
    const missing = json(await api(t.app).post('/api/v1/transfers', { rationale: 'x' }));
    expect(missing.errors).toEqual(
      expect.arrayContaining([
        { path: '/technology_id', message: 'is required' },
        { path: '/road_model_id', message: 'is required' },
        { path: '/stage', message: 'is required' },
      ]),
    );
    const badStage = await api(t.app).post('/api/v1/transfers', { technology_id: 1, road_model_id: ariya, stage: 'shipped' });
    expect(json(badStage).errors).toEqual([expect.objectContaining({ path: '/stage' })]);
    expect(countRows(t.db, 'transfers')).toBe(before);
    expect((await api(t.app).get('/api/v1/transfers/999999')).statusCode).toBe(404);
  });

  it('refuses references that do not exist (422) and a second link of the same pair (409), leaving nothing behind', async () => {
    const rows = countRows(t.db, 'transfers');
    const events = countRows(t.db, 'audit_events');
    const res = await api(t.app).post('/api/v1/transfers', { technology_id: 999999, road_model_id: 999998, stage: 'candidate' });
    expect(res.statusCode).toBe(422);
    expect(json(res).errors).toEqual([
      { path: '/technology_id', message: 'does not exist' },
      { path: '/road_model_id', message: 'does not exist' },
    ]);
    expect(countRows(t.db, 'transfers')).toBe(rows);
    expect(countRows(t.db, 'audit_events')).toBe(events);

    const tech = technology('GT500 turbocharger');
    const first = await created<Transfer>(t.app, '/api/v1/transfers', { technology_id: tech, road_model_id: z, stage: 'candidate' });
    const dup = await api(t.app).post('/api/v1/transfers', { technology_id: tech, road_model_id: z, stage: 'approved' });
    expect(dup.statusCode).toBe(409);
    expect(json(dup).type).toBe('/problems/conflict');
    expect(countRows(t.db, 'transfers')).toBe(rows + 1);

    const badPatch = await api(t.app).patch(`/api/v1/transfers/${first.id}`, { road_model_id: 999999 }, { 'if-match': '"1"' });
    expect(badPatch.statusCode).toBe(422);
    expect(json(badPatch).errors).toEqual([{ path: '/road_model_id', message: 'does not exist' }]);
  });

  it('marks a transfer reviewed: the version moves, reviewed_by is the caller, and it is audited', async () => {
    const tr = await created<Transfer>(t.app, '/api/v1/transfers', { technology_id: technology('Inverter SiC'), road_model_id: ariya, stage: 'approved' });
    const http = api(t.app);
    const url = `/api/v1/transfers/${tr.id}/review`;
    expect((await http.post(url, { note: 'x' })).statusCode).toBe(428);
    expect((await http.post(url, { note: 'x' }, { 'if-match': '"9"' })).statusCode).toBe(412);
    const unknown = await http.post(url, { note: 'x', stage: 'rejected' }, { 'if-match': '"1"' });
    expect(unknown.statusCode).toBe(400);
    expect(json(unknown).errors).toEqual([{ path: '/stage', message: 'is not a known field' }]);
    expect((await http.post('/api/v1/transfers/999999/review', {}, { 'if-match': '*' })).statusCode).toBe(404);

    // Make the earlier review look old and by nobody, so the new one is visible.
    t.db.sqlite.prepare(`UPDATE transfers SET reviewed_by = NULL, reviewed_at = '2020-01-01T00:00:00.000Z' WHERE id = ?`).run(tr.id);
    const res = await http.post(url, { note: 'Re-checked after the dyno failure' }, { 'if-match': '"1"' });
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"2"');
    const reviewed = json<Transfer>(res);
    expect(reviewed).toMatchObject({ stage: 'approved', version: 2, reviewed_by: adminId, review_note: 'Re-checked after the dyno failure' });
    expect(reviewed.reviewed_at! > '2020-01-01T00:00:00.000Z').toBe(true);
    expect(json(await http.get(`/api/v1/transfers/${tr.id}`))).toEqual(reviewed);

    const events = audit(tr.id);
    expect(events.map((e) => e.action)).toEqual(['create', 'update']);
    expect(events[1]!.actor_id).toBe(adminId);
    expect(JSON.parse(events[1]!.after!)).toMatchObject({ version: 2, reviewed_by: adminId, review_note: 'Re-checked after the dyno failure' });

    const again = await http.post(url, {}, { 'if-match': '"2"' });
    expect(json<Transfer>(again)).toMatchObject({ version: 3, review_note: '' });
  });

  it('filters by technology, road model and stage, and pages sorted by stage', async () => {
    const techA = technology('List tech A');
    const techB = technology('List tech B');
    const a1 = await created<Transfer>(t.app, '/api/v1/transfers', { technology_id: techA, road_model_id: ariya, stage: 'rejected' });
    const a2 = await created<Transfer>(t.app, '/api/v1/transfers', { technology_id: techA, road_model_id: z, stage: 'approved' });
    const b1 = await created<Transfer>(t.app, '/api/v1/transfers', { technology_id: techB, road_model_id: z, stage: 'approved' });
    const http = api(t.app);
    const ids = async (url: string) => json<{ items: Transfer[] }>(await http.get(url)).items.map((x) => x.id);
    expect(await ids(`/api/v1/transfers?technology_id=${techA}`)).toEqual([a1.id, a2.id]);
    expect(await ids(`/api/v1/transfers?technology_id=${techA}&road_model_id=${z}`)).toEqual([a2.id]);
    expect(await ids(`/api/v1/transfers?technology_id=${techB}&stage=approved`)).toEqual([b1.id]);
    expect(await ids(`/api/v1/transfers?technology_id=${techB}&stage=rejected`)).toEqual([]);
    expect((await http.get('/api/v1/transfers?technology_id=abc')).statusCode).toBe(400);

    const all = json<{ items: Transfer[] }>(await http.get('/api/v1/transfers?sort=-stage&limit=200')).items;
    const stages = all.map((x) => x.stage);
    expect(stages).toEqual([...stages].sort().reverse());
    const seen: number[] = [];
    let url: string | null = '/api/v1/transfers?sort=-stage&limit=2';
    while (url) {
      const res = await http.get(url);
      const page = json<{ items: Transfer[]; next_cursor: string | null }>(res);
      if (page.next_cursor) expect(res.headers.link).toContain('rel="next"');
      seen.push(...page.items.map((x) => x.id));
      url = page.next_cursor ? `/api/v1/transfers?sort=-stage&limit=2&cursor=${encodeURIComponent(page.next_cursor)}` : null;
    }
    expect(seen).toEqual(all.map((x) => x.id));
  });
});
