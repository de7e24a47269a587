import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, countRows, createTestApp, created, json, type TestApp } from '../../../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

interface PlanTarget {
  id: number;
  year: number;
  model_count_target: number;
  units_target: number;
  outside_japan_share_min: number | null;
  outside_japan_share_max: number | null;
  notes: string;
  version: number;
}

function auditActions(entityId: number): string[] {
  return (
    t.db.sqlite
      .prepare(`SELECT action FROM audit_events WHERE entity = 'plan_target' AND entity_id = ? ORDER BY seq`)
      .all(String(entityId)) as { action: string }[]
  ).map((e) => e.action);
}

describe('plan targets API', () => {
  it('creates, reads, updates and deletes a plan target with ETags and audit events', async () => {
    const http = api(t.app);
    const res = await http.post('/api/v1/plan-targets', { year: 2028, model_count_target: 10, units_target: 150000, outside_japan_share_min: 40, outside_japan_share_max: 60 });
    expect(res.statusCode).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    const p = json<PlanTarget>(res);
    expect(p).toMatchObject({ year: 2028, model_count_target: 10, units_target: 150000, outside_japan_share_min: 40, outside_japan_share_max: 60, notes: '', version: 1 });
    expect(res.headers.location).toBe(`/api/v1/plan-targets/${p.id}`);
    expect(json(await http.get(`/api/v1/plan-targets/${p.id}`))).toEqual(p);

    expect((await http.patch(`/api/v1/plan-targets/${p.id}`, { units_target: 1 })).statusCode).toBe(428);
    const patched = await http.patch(`/api/v1/plan-targets/${p.id}`, { units_target: 160000, outside_japan_share_max: null }, { 'if-match': '"1"' });
    expect(patched.statusCode).toBe(200);
    expect(patched.headers.etag).toBe('"2"');
    // null stays null (not coerced to 0 or "").
    expect(json(patched)).toMatchObject({ units_target: 160000, outside_japan_share_min: 40, outside_japan_share_max: null, version: 2 });
    expect((await http.patch(`/api/v1/plan-targets/${p.id}`, { notes: 'x' }, { 'if-match': '"1"' })).statusCode).toBe(412);

    expect((await http.delete(`/api/v1/plan-targets/${p.id}`)).statusCode).toBe(428);
    expect((await http.delete(`/api/v1/plan-targets/${p.id}`, { 'if-match': '"1"' })).statusCode).toBe(412);
    expect((await http.delete(`/api/v1/plan-targets/${p.id}`, { 'if-match': '"2"' })).statusCode).toBe(204);
    expect((await http.get(`/api/v1/plan-targets/${p.id}`)).statusCode).toBe(404);
    expect(auditActions(p.id)).toEqual(['create', 'update', 'delete']);
  });

  it('answers 400 for unknown fields, out-of-range values and "7" for an integer', async () => {
    const before = countRows(t.db, 'plan_targets');
    const res = await api(t.app).post('/api/v1/plan-targets', { year: 1999, model_count_target: '7', units_target: -1, outside_japan_share_min: 101, growth: 1 });
    expect(res.statusCode).toBe(400);
    expect(json(res).errors).toEqual(
      expect.arrayContaining([
        { path: '/growth', message: 'is not a known field' },
        expect.objectContaining({ path: '/year' }),
        expect.objectContaining({ path: '/model_count_target' }),
        expect.objectContaining({ path: '/units_target' }),
        expect.objectContaining({ path: '/outside_japan_share_min' }),
      ]),
    );
    expect(json(await api(t.app).post('/api/v1/plan-targets', {})).errors).toEqual(
      expect.arrayContaining([
        { path: '/year', message: 'is required' },
        { path: '/model_count_target', message: 'is required' },
        { path: '/units_target', message: 'is required' },
      ]),
    );
    expect(countRows(t.db, 'plan_targets')).toBe(before);
    expect((await api(t.app).get('/api/v1/plan-targets/999999')).statusCode).toBe(404);
  });

  it('refuses an inverted share band (422 on the max) on create and patch, leaving nothing behind', async () => {
    const rows = countRows(t.db, 'plan_targets');
    const events = countRows(t.db, 'audit_events');
    const res = await api(t.app).post('/api/v1/plan-targets', { year: 2027, model_count_target: 8, units_target: 130000, outside_japan_share_min: 60, outside_japan_share_max: 40 });
    expect(res.statusCode).toBe(422);
    expect(json(res)).toMatchObject({ type: '/problems/invalid-input', errors: [{ path: '/outside_japan_share_max' }] });
    expect(countRows(t.db, 'plan_targets')).toBe(rows);
    expect(countRows(t.db, 'audit_events')).toBe(events);

    const p = await created<PlanTarget>(t.app, '/api/v1/plan-targets', { year: 2027, model_count_target: 8, units_target: 130000, outside_japan_share_min: 30, outside_japan_share_max: 50 });
    // Only the min is sent: it is checked against the stored max.
    const patch = await api(t.app).patch(`/api/v1/plan-targets/${p.id}`, { outside_japan_share_min: 55 }, { 'if-match': '"1"' });
    expect(patch.statusCode).toBe(422);
    expect(json(patch).errors).toEqual([expect.objectContaining({ path: '/outside_japan_share_max' })]);
    expect(json(await api(t.app).get(`/api/v1/plan-targets/${p.id}`))).toEqual(p);
  });

  it('refuses a second target for a year with 409 naming the year', async () => {
    await created(t.app, '/api/v1/plan-targets', { year: 2025, model_count_target: 5, units_target: 100000 });
    const res = await api(t.app).post('/api/v1/plan-targets', { year: 2025, model_count_target: 6, units_target: 1 });
    expect(res.statusCode).toBe(409);
    expect(json(res).errors).toEqual([{ path: '/year', message: 'is already taken' }]);
  });

  it('lists in year order by default, descending on request, with paging', async () => {
    for (const year of [2030, 2026, 2029]) await created(t.app, '/api/v1/plan-targets', { year, model_count_target: 1, units_target: 1 });
    const http = api(t.app);
    const years = async (url: string) => json<{ items: PlanTarget[] }>(await http.get(url)).items.map((p) => p.year);
    expect(await years('/api/v1/plan-targets')).toEqual([2025, 2026, 2027, 2029, 2030]);
    const first = await http.get('/api/v1/plan-targets?sort=-year&limit=3');
    const page1 = json<{ items: PlanTarget[]; next_cursor: string }>(first);
    expect(page1.items.map((p) => p.year)).toEqual([2030, 2029, 2027]);
    expect(first.headers.link).toContain('rel="next"');
    expect(await years(`/api/v1/plan-targets?sort=-year&limit=3&cursor=${page1.next_cursor}`)).toEqual([2026, 2025]);
    // A cursor is bound to its sort.
    expect((await http.get(`/api/v1/plan-targets?sort=year&cursor=${page1.next_cursor}`)).statusCode).toBe(400);
  });
});
