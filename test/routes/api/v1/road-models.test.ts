import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, countRows, createTestApp, created, json, type TestApp } from '../../../support/app.js';

let t: TestApp;
let jp: number;
let us: number;
let eu: number;

beforeAll(async () => {
  t = await createTestApp();
  jp = (await created<{ id: number }>(t.app, '/api/v1/markets', { code: 'JP', name: 'Japan' })).id;
  us = (await created<{ id: number }>(t.app, '/api/v1/markets', { code: 'US', name: 'United States' })).id;
  eu = (await created<{ id: number }>(t.app, '/api/v1/markets', { code: 'EU', name: 'Europe' })).id;
});
afterAll(async () => t.close());

interface Entry {
  market_id: number;
  year: number;
  planned_units: number;
}
interface RoadModel {
  id: number;
  name: string;
  status: string;
  powertrain: string;
  launch_date: string | null;
  end_date: string | null;
  partner: string | null;
  markets: Entry[];
  version: number;
}

function technology(name: string): number {
  const category = t.db.sqlite.prepare(`INSERT INTO technology_categories (name) VALUES (?)`).run(`Category of ${name}`).lastInsertRowid;
  return Number(t.db.sqlite.prepare(`INSERT INTO technologies (name, domain, category_id) VALUES (?, 'hardware', ?)`).run(name, category).lastInsertRowid);
}

function audit(entityId: number) {
  return t.db.sqlite
    .prepare(`SELECT action, before, after FROM audit_events WHERE entity = 'road_model' AND entity_id = ? ORDER BY seq`)
    .all(String(entityId)) as { action: string; before: string | null; after: string | null }[];
}

function marketRows(roadModelId: number): number {
  return (t.db.sqlite.prepare(`SELECT count(*) AS n FROM road_model_markets WHERE road_model_id = ?`).get(roadModelId) as { n: number }).n;
}

describe('road models API', () => {
  it('creates a road model with its markets; get and list show the same shape', async () => {
    const res = await api(t.app).post('/api/v1/road-models', {
      name: 'Ariya NISMO',
      base_model: 'Ariya',
      powertrain: 'ev',
      status: 'production',
      launch_date: '2024-06-01',
      description: 'e-4ORCE tuned by NISMO',
      markets: [
        { market_id: us, year: 2026, planned_units: 1500 },
        { market_id: jp, year: 2026, planned_units: 3000 },
        { market_id: jp, year: 2025, planned_units: 2500 },
      ],
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    const rm = json<RoadModel>(res);
    expect(rm).toMatchObject({ name: 'Ariya NISMO', powertrain: 'ev', status: 'production', launch_date: '2024-06-01', end_date: null, partner: null, version: 1 });
    expect(rm.markets).toHaveLength(3);
    expect(rm.markets).toEqual(
      expect.arrayContaining([
        { market_id: jp, year: 2025, planned_units: 2500 },
        { market_id: jp, year: 2026, planned_units: 3000 },
        { market_id: us, year: 2026, planned_units: 1500 },
      ]),
    );
    const got = json<RoadModel>(await api(t.app).get(`/api/v1/road-models/${rm.id}`));
    expect(got).toEqual(rm);
    const listed = json<{ items: RoadModel[] }>(await api(t.app).get('/api/v1/road-models?q=Ariya'));
    expect(listed.items).toEqual([rm]);
    const events = audit(rm.id);
    expect(events.map((e) => e.action)).toEqual(['create']);
    expect(JSON.parse(events[0]!.after!).markets).toHaveLength(3);
  });

  it('answers 400 for missing fields, unknown fields, bad enums and "7" for an integer', async () => {
    const before = countRows(t.db, 'road_models');
    const missing = await api(t.app).post('/api/v1/road-models', {});
    expect(missing.statusCode).toBe(400);
    expect(json(missing).errors).toEqual(
      expect.arrayContaining([
        { path: '/name', message: 'is required' },
        { path: '/powertrain', message: 'is required' },
        { path: '/status', message: 'is required' },
      ]),
    );
    const bad = await api(t.app).post('/api/v1/road-models', {
      name: 'Bad',
      powertrain: 'diesel',
      status: 'production',
      colour: 'red',
      markets: [{ market_id: '7', year: 2026, planned_units: 1, extra: true }],
    });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).errors).toEqual(
      expect.arrayContaining([
        { path: '/colour', message: 'is not a known field' },
        { path: '/markets/0/extra', message: 'is not a known field' },
        expect.objectContaining({ path: '/powertrain' }),
        expect.objectContaining({ path: '/markets/0/market_id' }),
      ]),
    );
    const badDate = await api(t.app).post('/api/v1/road-models', { name: 'Bad', powertrain: 'ev', status: 'concept', launch_date: '2024-13-40' });
    expect(badDate.statusCode).toBe(400);
    expect(json(badDate).errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/launch_date' })]));
    expect(countRows(t.db, 'road_models')).toBe(before);
  });

  it('refuses values that do not fit (422 with paths) and leaves nothing behind', async () => {
    const models = countRows(t.db, 'road_models');
    const rows = countRows(t.db, 'road_model_markets');
    const events = countRows(t.db, 'audit_events');
    const res = await api(t.app).post('/api/v1/road-models', {
      name: 'GT-R NISMO',
      powertrain: 'ice',
      status: 'discontinued',
      launch_date: '2014-02-01',
      end_date: '2013-08-31',
      markets: [
        { market_id: jp, year: 2024, planned_units: 100 },
        { market_id: 999999, year: 2024, planned_units: 100 },
        { market_id: jp, year: 2024, planned_units: 200 },
      ],
    });
    expect(res.statusCode).toBe(422);
    const body = json(res);
    expect(body.type).toBe('/problems/invalid-input');
    expect(body.errors.map((e: { path: string }) => e.path)).toEqual(['/end_date', '/markets/1/market_id', '/markets/2']);
    expect(countRows(t.db, 'road_models')).toBe(models);
    expect(countRows(t.db, 'road_model_markets')).toBe(rows);
    expect(countRows(t.db, 'audit_events')).toBe(events);

    // A patch is checked against the values the row will hold.
    const rm = await created<RoadModel>(t.app, '/api/v1/road-models', { name: 'Note Aura NISMO', powertrain: 'e_power', status: 'production', launch_date: '2021-08-17' });
    const patch = await api(t.app).patch(`/api/v1/road-models/${rm.id}`, { end_date: '2020-01-01' }, { 'if-match': '"1"' });
    expect(patch.statusCode).toBe(422);
    expect(json(patch).errors).toEqual([expect.objectContaining({ path: '/end_date' })]);
    expect(json<RoadModel>(await api(t.app).get(`/api/v1/road-models/${rm.id}`))).toMatchObject({ end_date: null, version: 1 });
  });

  it('refuses a taken name with 409', async () => {
    await created(t.app, '/api/v1/road-models', { name: 'Leaf NISMO', powertrain: 'ev', status: 'planned' });
    const res = await api(t.app).post('/api/v1/road-models', { name: 'Leaf NISMO', powertrain: 'ev', status: 'planned' });
    expect(res.statusCode).toBe(409);
    expect(json(res).errors).toEqual([{ path: '/name', message: 'is already taken' }]);
  });

  it('PATCH markets replaces the whole set, moves the version and writes one audit event', async () => {
    const rm = await created<RoadModel>(t.app, '/api/v1/road-models', {
      name: 'Z NISMO',
      powertrain: 'ice',
      status: 'production',
      markets: [
        { market_id: jp, year: 2025, planned_units: 800 },
        { market_id: us, year: 2025, planned_units: 2000 },
      ],
    });
    const http = api(t.app);
    const replacement = [{ market_id: eu, year: 2026, planned_units: 600 }];
    expect((await http.patch(`/api/v1/road-models/${rm.id}`, { markets: replacement })).statusCode).toBe(428);
    const res = await http.patch(`/api/v1/road-models/${rm.id}`, { markets: replacement }, { 'if-match': '"1"' });
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"2"');
    expect(json<RoadModel>(res)).toMatchObject({ name: 'Z NISMO', version: 2, markets: replacement });
    expect(marketRows(rm.id)).toBe(1);
    const events = audit(rm.id);
    expect(events.map((e) => e.action)).toEqual(['create', 'update']);
    expect(JSON.parse(events[1]!.before!).markets).toHaveLength(2);
    expect(JSON.parse(events[1]!.after!).markets).toEqual(replacement);

    // A patch that does not name markets keeps them; null clears a nullable field.
    const other = await http.patch(`/api/v1/road-models/${rm.id}`, { partner: null, status: 'discontinued' }, { 'if-match': '"2"' });
    expect(json<RoadModel>(other)).toMatchObject({ status: 'discontinued', partner: null, version: 3, markets: replacement });
    expect((await http.patch(`/api/v1/road-models/${rm.id}`, { markets: [] }, { 'if-match': '"2"' })).statusCode).toBe(412);
    const cleared = await http.patch(`/api/v1/road-models/${rm.id}`, { markets: [] }, { 'if-match': '"3"' });
    expect(json<RoadModel>(cleared)).toMatchObject({ version: 4, markets: [] });
    expect(marketRows(rm.id)).toBe(0);

    // A refused PATCH keeps the old set.
    await http.patch(`/api/v1/road-models/${rm.id}`, { markets: replacement }, { 'if-match': '"4"' });
    const refused = await http.patch(`/api/v1/road-models/${rm.id}`, { markets: [{ market_id: 999999, year: 2026, planned_units: 1 }] }, { 'if-match': '"5"' });
    expect(refused.statusCode).toBe(422);
    expect(json(refused).errors).toEqual([{ path: '/markets/0/market_id', message: 'does not exist' }]);
    expect(json<RoadModel>(await http.get(`/api/v1/road-models/${rm.id}`))).toMatchObject({ version: 5, markets: replacement });
  });

  it('blocks deleting a road model with a transfer or a prototype (409); deletes its markets with it', async () => {
    const http = api(t.app);
    const rm = await created<RoadModel>(t.app, '/api/v1/road-models', {
      name: 'Hyper Force',
      powertrain: 'ev',
      status: 'concept',
      markets: [{ market_id: jp, year: 2030, planned_units: 10 }],
    });
    const tech = technology('All-solid-state battery (delete test)');
    const transfer = t.db.sqlite.prepare(`INSERT INTO transfers (technology_id, road_model_id, stage) VALUES (?, ?, 'candidate')`).run(tech, rm.id).lastInsertRowid;
    const blocked = await http.delete(`/api/v1/road-models/${rm.id}`, { 'if-match': '"1"' });
    expect(blocked.statusCode).toBe(409);
    expect(json(blocked).detail).toMatch(/transfer/);
    expect(marketRows(rm.id)).toBe(1);

    t.db.sqlite.prepare(`DELETE FROM transfers WHERE id = ?`).run(transfer);
    const proto = t.db.sqlite.prepare(`INSERT INTO prototypes (code, kind, road_model_id) VALUES ('HF-PROTO-01', 'road_prototype', ?)`).run(rm.id).lastInsertRowid;
    const blockedByPrototype = await http.delete(`/api/v1/road-models/${rm.id}`, { 'if-match': '"1"' });
    expect(blockedByPrototype.statusCode).toBe(409);
    expect(json(blockedByPrototype).detail).toMatch(/prototype/);

    t.db.sqlite.prepare(`DELETE FROM prototypes WHERE id = ?`).run(proto);
    expect((await http.delete(`/api/v1/road-models/${rm.id}`, { 'if-match': '"1"' })).statusCode).toBe(204);
    expect((await http.get(`/api/v1/road-models/${rm.id}`)).statusCode).toBe(404);
    expect(marketRows(rm.id)).toBe(0);
    const events = audit(rm.id);
    expect(events.map((e) => e.action)).toEqual(['create', 'delete']);
    expect(JSON.parse(events[1]!.before!).markets).toHaveLength(1);
  });

  it('filters by status, powertrain and q, and pages in name order', async () => {
    for (const [name, powertrain, status, partner] of [
      ['Micra NISMO', 'ev', 'concept', 'Renault/Alpine'],
      ['Patrol NISMO', 'ice', 'production', null],
      ['X-Trail NISMO', 'e_power', 'production', null],
    ] as const) {
      await created(t.app, '/api/v1/road-models', { name, powertrain, status, partner });
    }
    const http = api(t.app);
    const names = async (url: string) => json<{ items: RoadModel[] }>(await http.get(url)).items.map((r) => r.name);
    expect(await names('/api/v1/road-models?q=alpine')).toEqual(['Micra NISMO']);
    expect(await names('/api/v1/road-models?q=X-Trail')).toEqual(['X-Trail NISMO']);
    expect(await names('/api/v1/road-models?powertrain=e_power&status=production')).toEqual(
      expect.arrayContaining(['X-Trail NISMO', 'Note Aura NISMO']),
    );
    expect(await names('/api/v1/road-models?powertrain=ice&status=production')).toEqual(['Patrol NISMO']);
    expect((await http.get('/api/v1/road-models?status=sold')).statusCode).toBe(400);

    const all = await names('/api/v1/road-models?limit=200');
    expect(all).toEqual([...all].sort());
    const seen: string[] = [];
    let url: string | null = '/api/v1/road-models?limit=2';
    while (url) {
      const res = await http.get(url);
      const page = json<{ items: RoadModel[]; next_cursor: string | null }>(res);
      seen.push(...page.items.map((r) => r.name));
      url = page.next_cursor ? `/api/v1/road-models?limit=2&cursor=${encodeURIComponent(page.next_cursor)}` : null;
    }
    expect(seen).toEqual(all);
  });
});
