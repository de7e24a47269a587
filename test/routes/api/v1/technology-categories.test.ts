import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, countRows, createTestApp, created, json, type TestApp } from '../../../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

interface Category {
  id: number;
  name: string;
  description: string;
  venue_types: string[];
  version: number;
}

const venueRows = (id: number) =>
  (t.db.sqlite.prepare('SELECT venue_type FROM category_venue_types WHERE category_id = ? ORDER BY venue_type').all(id) as { venue_type: string }[]).map(
    (r) => r.venue_type,
  );
const auditActions = (id: number) =>
  (
    t.db.sqlite.prepare(`SELECT action FROM audit_events WHERE entity = 'technology_category' AND entity_id = ? ORDER BY seq`).all(String(id)) as {
      action: string;
    }[]
  ).map((e) => e.action);

describe('technology categories API', () => {
  it('creates a category with its venue types, reads it with an ETag, and lists it', async () => {
    const http = api(t.app);
    const res = await http.post('/api/v1/technology-categories', { name: 'Inverter', description: 'Power electronics', venue_types: ['track', 'dyno', 'hil'] });
    expect(res.statusCode).toBe(201);
    const c = json<Category>(res);
    expect(res.headers.location).toBe(`/api/v1/technology-categories/${c.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(c).toMatchObject({ name: 'Inverter', description: 'Power electronics', version: 1 });
    expect([...c.venue_types].sort()).toEqual(['dyno', 'hil', 'track']);
    expect(venueRows(c.id)).toEqual(['dyno', 'hil', 'track']);

    const got = await http.get(`/api/v1/technology-categories/${c.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.headers.etag).toBe('"1"');
    expect(json(got)).toEqual(c);

    const list = json<{ items: Category[] }>(await http.get('/api/v1/technology-categories?q=inverter'));
    expect(list.items).toEqual([c]);
    expect(auditActions(c.id)).toEqual(['create']);
  });

  it('defaults description to empty and venue_types to none', async () => {
    const c = await created<Category>(t.app, '/api/v1/technology-categories', { name: 'Software stack' });
    expect(c).toMatchObject({ description: '', venue_types: [] });
  });

  it('PATCH venue_types replaces the set and moves the version; other fields stay', async () => {
    const http = api(t.app);
    const c = await created<Category>(t.app, '/api/v1/technology-categories', { name: 'Aerodynamics', description: 'Aero', venue_types: ['wind_tunnel', 'track'] });
    const res = await http.patch(`/api/v1/technology-categories/${c.id}`, { venue_types: ['race_event', 'simulator'] }, { 'if-match': '"1"' });
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"2"');
    const after = json<Category>(res);
    expect(after).toMatchObject({ name: 'Aerodynamics', description: 'Aero', version: 2 });
    expect([...after.venue_types].sort()).toEqual(['race_event', 'simulator']);
    expect(venueRows(c.id)).toEqual(['race_event', 'simulator']);

    const renamed = json<Category>(await http.patch(`/api/v1/technology-categories/${c.id}`, { name: 'Aero' }, { 'if-match': '"2"' }));
    expect(renamed).toMatchObject({ name: 'Aero', version: 3 });
    expect([...renamed.venue_types].sort()).toEqual(['race_event', 'simulator']);

    const event = t.db.sqlite
      .prepare(`SELECT before, after FROM audit_events WHERE entity = 'technology_category' AND entity_id = ? AND action = 'update' ORDER BY seq LIMIT 1`)
      .get(String(c.id)) as { before: string; after: string };
    expect(JSON.parse(event.before).venue_types.sort()).toEqual(['track', 'wind_tunnel']);
    expect(JSON.parse(event.after).venue_types.sort()).toEqual(['race_event', 'simulator']);
  });

  it('refuses bad bodies with 400 and JSON Pointers, writing nothing', async () => {
    const http = api(t.app);
    const before = countRows(t.db, 'technology_categories');
    const unknownVenue = await http.post('/api/v1/technology-categories', { name: 'Tyres', venue_types: ['moon'] });
    expect(unknownVenue.statusCode).toBe(400);
    expect(json(unknownVenue).errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/venue_types/0' })]));
    const dup = await http.post('/api/v1/technology-categories', { name: 'Tyres', venue_types: ['track', 'track'] });
    expect(dup.statusCode).toBe(400);
    expect(json(dup).errors[0].path).toBe('/venue_types');
    const missing = await http.post('/api/v1/technology-categories', { description: 'x' });
    expect(missing.statusCode).toBe(400);
    expect(json(missing).errors).toEqual([{ path: '/name', message: 'is required' }]);
    const unknown = await http.post('/api/v1/technology-categories', { name: 'Tyres', colour: 'red' });
    expect(json(unknown).errors).toEqual([{ path: '/colour', message: 'is not a known field' }]);
    expect(countRows(t.db, 'technology_categories')).toBe(before);
  });

  it('refuses a taken name with 409', async () => {
    await created(t.app, '/api/v1/technology-categories', { name: 'Battery' });
    const res = await api(t.app).post('/api/v1/technology-categories', { name: 'Battery' });
    expect(res.statusCode).toBe(409);
    expect(json(res)).toMatchObject({ status: 409, errors: [{ path: '/name' }] });
  });

  it('answers 404, 428 and 412 on PATCH and DELETE, leaving the record as it was', async () => {
    const http = api(t.app);
    const c = await created<Category>(t.app, '/api/v1/technology-categories', { name: 'Brakes', venue_types: ['dyno'] });
    expect((await http.get('/api/v1/technology-categories/999999')).statusCode).toBe(404);
    expect((await http.patch('/api/v1/technology-categories/999999', { name: 'x' }, { 'if-match': '*' })).statusCode).toBe(404);
    expect((await http.patch(`/api/v1/technology-categories/${c.id}`, { venue_types: [] })).statusCode).toBe(428);
    expect((await http.patch(`/api/v1/technology-categories/${c.id}`, { venue_types: [] }, { 'if-match': '"7"' })).statusCode).toBe(412);
    expect((await http.delete(`/api/v1/technology-categories/${c.id}`)).statusCode).toBe(428);
    expect((await http.delete(`/api/v1/technology-categories/${c.id}`, { 'if-match': '"7"' })).statusCode).toBe(412);
    expect(json(await http.get(`/api/v1/technology-categories/${c.id}`))).toMatchObject({ version: 1, venue_types: ['dyno'] });
    expect(auditActions(c.id)).toEqual(['create']);
  });

  it('deletes a category with its venue types', async () => {
    const c = await created<Category>(t.app, '/api/v1/technology-categories', { name: 'Chassis', venue_types: ['track', 'bench'] });
    const res = await api(t.app).delete(`/api/v1/technology-categories/${c.id}`, { 'if-match': '"1"' });
    expect(res.statusCode).toBe(204);
    expect(venueRows(c.id)).toEqual([]);
    expect((await api(t.app).get(`/api/v1/technology-categories/${c.id}`)).statusCode).toBe(404);
    expect(auditActions(c.id)).toEqual(['create', 'delete']);
  });

  it('blocks deleting a category that still has technologies (409) and keeps it', async () => {
    const c = await created<Category>(t.app, '/api/v1/technology-categories', { name: 'Motor', venue_types: ['dyno'] });
    await created(t.app, '/api/v1/technologies', { name: 'Race motor', domain: 'hardware', category_id: c.id });
    const res = await api(t.app).delete(`/api/v1/technology-categories/${c.id}`, { 'if-match': '*' });
    expect(res.statusCode).toBe(409);
    expect(json(res).detail).toMatch(/technolog/);
    expect(json(await api(t.app).get(`/api/v1/technology-categories/${c.id}`))).toMatchObject({ venue_types: ['dyno'] });
    expect(auditActions(c.id)).toEqual(['create']);
  });

  it('sorts by name by default and pages with a cursor and Link header', async () => {
    const http = api(t.app);
    for (const name of ['Zz paging 1', 'Zz paging 2', 'Zz paging 3']) await created(t.app, '/api/v1/technology-categories', { name });
    const first = await http.get('/api/v1/technology-categories?q=paging&limit=2');
    const page1 = json<{ items: Category[]; next_cursor: string }>(first);
    expect(page1.items.map((c) => c.name)).toEqual(['Zz paging 1', 'Zz paging 2']);
    expect(first.headers.link).toContain('rel="next"');
    const page2 = json<{ items: Category[]; next_cursor: null }>(
      await http.get(`/api/v1/technology-categories?q=paging&limit=2&cursor=${encodeURIComponent(page1.next_cursor)}`),
    );
    expect(page2.items.map((c) => c.name)).toEqual(['Zz paging 3']);
    expect(page2.next_cursor).toBeNull();
    const desc = json<{ items: Category[] }>(await http.get('/api/v1/technology-categories?q=paging&sort=-name'));
    expect(desc.items.map((c) => c.name)).toEqual(['Zz paging 3', 'Zz paging 2', 'Zz paging 1']);
    expect((await http.get('/api/v1/technology-categories?sort=colour')).statusCode).toBe(400);
  });
});
