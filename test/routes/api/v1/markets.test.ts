import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, countRows, createTestApp, created, json, type TestApp } from '../../../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

interface Market {
  id: number;
  code: string;
  name: string;
  version: number;
}

function auditActions(entityId: number): string[] {
  return (
    t.db.sqlite
      .prepare(`SELECT action FROM audit_events WHERE entity = 'market' AND entity_id = ? ORDER BY seq`)
      .all(String(entityId)) as { action: string }[]
  ).map((e) => e.action);
}

describe('markets API', () => {
  it('creates, reads, updates and deletes a market with ETags and audit events', async () => {
    const http = api(t.app);
    const res = await http.post('/api/v1/markets', { code: 'GCC', name: 'Gulf' });
    expect(res.statusCode).toBe(201);
    const m = json<Market>(res);
    expect(m).toMatchObject({ code: 'GCC', name: 'Gulf', version: 1 });
    expect(res.headers.location).toBe(`/api/v1/markets/${m.id}`);
    expect(res.headers.etag).toBe('"1"');

    const got = await http.get(`/api/v1/markets/${m.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.headers.etag).toBe('"1"');

    expect((await http.patch(`/api/v1/markets/${m.id}`, { name: 'x' })).statusCode).toBe(428);
    const patched = await http.patch(`/api/v1/markets/${m.id}`, { name: 'Gulf Cooperation Council' }, { 'if-match': '"1"' });
    expect(patched.statusCode).toBe(200);
    expect(json(patched)).toMatchObject({ code: 'GCC', name: 'Gulf Cooperation Council', version: 2 });
    expect(patched.headers.etag).toBe('"2"');
    expect((await http.patch(`/api/v1/markets/${m.id}`, { name: 'y' }, { 'if-match': '"1"' })).statusCode).toBe(412);

    expect((await http.delete(`/api/v1/markets/${m.id}`)).statusCode).toBe(428);
    expect((await http.delete(`/api/v1/markets/${m.id}`, { 'if-match': '"1"' })).statusCode).toBe(412);
    expect((await http.delete(`/api/v1/markets/${m.id}`, { 'if-match': '"2"' })).statusCode).toBe(204);
    expect((await http.get(`/api/v1/markets/${m.id}`)).statusCode).toBe(404);
    expect(auditActions(m.id)).toEqual(['create', 'update', 'delete']);
  });

  it('answers 400 with JSON Pointers for unknown fields, bad codes and wrong types', async () => {
    const before = countRows(t.db, 'markets');
    const res = await api(t.app).post('/api/v1/markets', { code: 'jp', name: 7, colour: 'red' });
    expect(res.statusCode).toBe(400);
    const body = json(res);
    expect(body.type).toBe('/problems/validation');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { path: '/colour', message: 'is not a known field' },
        expect.objectContaining({ path: '/code' }),
        expect.objectContaining({ path: '/name' }),
      ]),
    );
    const tooLong = json(await api(t.app).post('/api/v1/markets', { code: 'ABCDEFGHIJK', name: 'Too long' }));
    expect(tooLong.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/code' })]));
    expect(json(await api(t.app).post('/api/v1/markets', {})).errors).toEqual(
      expect.arrayContaining([{ path: '/code', message: 'is required' }, { path: '/name', message: 'is required' }]),
    );
    expect(countRows(t.db, 'markets')).toBe(before);
    expect((await api(t.app).get('/api/v1/markets/999999')).statusCode).toBe(404);
    expect((await api(t.app).get('/api/v1/markets/abc')).statusCode).toBe(400);
  });

  it('refuses a taken code with 409 naming the field, and writes nothing', async () => {
    await created(t.app, '/api/v1/markets', { code: 'JP', name: 'Japan' });
    const markets = countRows(t.db, 'markets');
    const events = countRows(t.db, 'audit_events');
    const res = await api(t.app).post('/api/v1/markets', { code: 'JP', name: 'Japan again' });
    expect(res.statusCode).toBe(409);
    expect(json(res)).toMatchObject({ type: '/problems/conflict', errors: [{ path: '/code' }] });
    expect(countRows(t.db, 'markets')).toBe(markets);
    expect(countRows(t.db, 'audit_events')).toBe(events);
  });

  it('blocks deleting a market a road model plans units in (409) and keeps it', async () => {
    const m = await created<Market>(t.app, '/api/v1/markets', { code: 'US', name: 'United States' });
    await created(t.app, '/api/v1/road-models', {
      name: 'Z NISMO (market test)',
      powertrain: 'ice',
      status: 'production',
      markets: [{ market_id: m.id, year: 2026, planned_units: 4000 }],
    });
    const res = await api(t.app).delete(`/api/v1/markets/${m.id}`, { 'if-match': '*' });
    expect(res.statusCode).toBe(409);
    expect(json(res).detail).toMatch(/road model/);
    expect((await api(t.app).get(`/api/v1/markets/${m.id}`)).statusCode).toBe(200);
    expect(auditActions(m.id)).toEqual(['create']);
  });

  it('pages and sorts by code and name, and searches with q', async () => {
    for (const [code, name] of [
      ['PGA', 'Paging A'],
      ['PGB', 'Paging C'],
      ['PGC', 'Paging B'],
    ]) {
      await created(t.app, '/api/v1/markets', { code, name });
    }
    const http = api(t.app);
    const first = await http.get('/api/v1/markets?q=Paging&limit=2&sort=-code');
    expect(first.statusCode).toBe(200);
    const page1 = json(first);
    expect(page1.items.map((m: Market) => m.code)).toEqual(['PGC', 'PGB']);
    expect(page1.next_cursor).toEqual(expect.any(String));
    expect(first.headers.link).toContain('rel="next"');
    const page2 = json(await http.get(`/api/v1/markets?q=Paging&limit=2&sort=-code&cursor=${page1.next_cursor}`));
    expect(page2.items.map((m: Market) => m.code)).toEqual(['PGA']);
    expect(page2.next_cursor).toBeNull();

    const byName = json(await http.get('/api/v1/markets?q=paging&sort=name'));
    expect(byName.items.map((m: Market) => m.name)).toEqual(['Paging A', 'Paging B', 'Paging C']);
    const byCode = json(await http.get('/api/v1/markets?q=PGB'));
    expect(byCode.items.map((m: Market) => m.code)).toEqual(['PGB']);
    expect((await http.get('/api/v1/markets?sort=colour')).statusCode).toBe(400);
  });
});
