import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, countRows, createTestApp, created, json, type TestApp } from '../../../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('series API', () => {
  it('creates, reads, updates and deletes a series with ETags and audit events', async () => {
    const http = api(t.app);
    const res = await http.post('/api/v1/series', { name: 'Super Taikyu', description: 'Endurance' });
    expect(res.statusCode).toBe(201);
    const s = json(res);
    expect(res.headers.location).toBe(`/api/v1/series/${s.id}`);
    expect(res.headers.etag).toBe('"1"');

    const got = await http.get(`/api/v1/series/${s.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.headers.etag).toBe('"1"');

    expect((await http.patch(`/api/v1/series/${s.id}`, { description: 'x' })).statusCode).toBe(428);
    const patched = await http.patch(`/api/v1/series/${s.id}`, { description: 'Japanese endurance racing' }, { 'if-match': '"1"' });
    expect(patched.statusCode).toBe(200);
    expect(json(patched)).toMatchObject({ name: 'Super Taikyu', description: 'Japanese endurance racing', version: 2 });
    expect(patched.headers.etag).toBe('"2"');
    expect((await http.patch(`/api/v1/series/${s.id}`, { description: 'y' }, { 'if-match': '"1"' })).statusCode).toBe(412);

    expect((await http.delete(`/api/v1/series/${s.id}`)).statusCode).toBe(428);
    expect((await http.delete(`/api/v1/series/${s.id}`, { 'if-match': '"1"' })).statusCode).toBe(412);
    expect((await http.delete(`/api/v1/series/${s.id}`, { 'if-match': '"2"' })).statusCode).toBe(204);
    expect((await http.get(`/api/v1/series/${s.id}`)).statusCode).toBe(404);

    const events = t.db.sqlite
      .prepare(`SELECT action FROM audit_events WHERE entity = 'series' AND entity_id = ? ORDER BY seq`)
      .all(String(s.id)) as { action: string }[];
    expect(events.map((e) => e.action)).toEqual(['create', 'update', 'delete']);
  });

  it('refuses a taken name with 409 naming the field, and keeps the first row', async () => {
    await created(t.app, '/api/v1/series', { name: 'Formula E' });
    const before = countRows(t.db, 'audit_events');
    const res = await api(t.app).post('/api/v1/series', { name: 'Formula E' });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(json(res)).toMatchObject({ type: '/problems/conflict', status: 409, errors: [{ path: '/name' }] });
    expect(countRows(t.db, 'audit_events')).toBe(before);
  });

  it('answers 400 with JSON Pointers for unknown fields, wrong types and missing fields', async () => {
    const res = await api(t.app).post('/api/v1/series', { name: 7, colour: 'red' });
    expect(res.statusCode).toBe(400);
    const body = json(res);
    expect(body.type).toBe('/problems/validation');
    expect(body.errors).toEqual(expect.arrayContaining([{ path: '/colour', message: 'is not a known field' }, expect.objectContaining({ path: '/name' })]));
    const missing = json(await api(t.app).post('/api/v1/series', {}));
    expect(missing.errors).toEqual([{ path: '/name', message: 'is required' }]);
    const badJson = await api(t.app).post('/api/v1/series', '{"name": ');
    expect(badJson.statusCode).toBe(400);
    expect(json(badJson).type).toBe('/problems/validation');
  });

  it('answers problem+json 404 for unknown routes and ids', async () => {
    const res = await api(t.app).get('/api/v1/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(json(res).type).toBe('/problems/not-found');
    expect((await api(t.app).get('/api/v1/series/999999')).statusCode).toBe(404);
    expect((await api(t.app).get('/api/v1/series/abc')).statusCode).toBe(400);
  });

  it('blocks deleting a series that still has programs (409) and keeps it', async () => {
    const s = await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Super GT' });
    t.db.sqlite
      .prepare(`INSERT INTO programs (series_id, season, start_year, end_year, class, entry, car, status) VALUES (?, '2025', 2025, 2025, 'GT500', '#23 NISMO', 'Nissan Z NISMO GT500', 'active')`)
      .run(s.id);
    const res = await api(t.app).delete(`/api/v1/series/${s.id}`, { 'if-match': '*' });
    expect(res.statusCode).toBe(409);
    expect((await api(t.app).get(`/api/v1/series/${s.id}`)).statusCode).toBe(200);
  });
});
