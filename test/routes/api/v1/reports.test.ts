import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createTestApp, created, json, type TestApp } from '../../../support/app.js';

let t: TestApp;
let ariya: number;
let leaf: number;
let transferId: number;
let failRun: number;

beforeAll(async () => {
  t = await createTestApp();
  const sql = (text: string, ...params: unknown[]) => Number(t.db.sqlite.prepare(text).run(...params).lastInsertRowid);
  const fe = sql(`INSERT INTO series (name) VALUES ('Formula E')`);
  const program = sql(
    `INSERT INTO programs (series_id, season, start_year, end_year, entry, car, status) VALUES (?, '2022-23', 2022, 2023, 'Nissan Formula E Team', 'Nissan e-4ORCE 04', 'completed')`,
    fe,
  );
  const category = await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Inverter', venue_types: ['dyno'] });
  const tech = await created<{ id: number }>(t.app, '/api/v1/technologies', { name: 'FE inverter', domain: 'hardware', category_id: category.id, origin_program_id: program });
  ariya = (await created<{ id: number }>(t.app, '/api/v1/road-models', { name: 'Ariya NISMO', powertrain: 'ev', status: 'production', launch_date: '2024-06-01' })).id;
  leaf = (await created<{ id: number }>(t.app, '/api/v1/road-models', { name: 'Leaf NISMO', powertrain: 'ev', status: 'production' })).id;
  const rig = await created<{ id: number }>(t.app, '/api/v1/prototypes', { code: 'DYNO-3', kind: 'dyno_rig' });
  await created(t.app, '/api/v1/test-runs', {
    prototype_id: rig.id,
    title: 'Thermal soak',
    venue_type: 'dyno',
    start_time: '2022-11-10T09:00:00Z',
    end_time: '2022-11-10T12:00:00Z',
    evidence: [{ technology_id: tech.id, outcome: 'pass' }],
  });
  transferId = (await created<{ id: number }>(t.app, '/api/v1/transfers', { technology_id: tech.id, road_model_id: ariya, stage: 'in_production' })).id;
  t.db.sqlite.prepare(`UPDATE transfers SET reviewed_at = '2024-01-01T00:00:00.000Z' WHERE id = ?`).run(transferId);
  failRun = (
    await created<{ id: number }>(t.app, '/api/v1/test-runs', {
      prototype_id: rig.id,
      title: 'Gate driver fault',
      venue_type: 'dyno',
      start_time: '2024-03-01T09:00:00Z',
      end_time: '2024-03-01T12:00:00Z',
      evidence: [{ technology_id: tech.id, outcome: 'fail' }],
    })
  ).id;
  await created(t.app, '/api/v1/plan-targets', { year: 2025, model_count_target: 5, units_target: 100000 });
});
afterAll(async () => t.close());

describe('reports API', () => {
  it('GET /api/v1/reports/coverage-gaps lists gaps as flat rows and filters by rule', async () => {
    const res = await api(t.app).get('/api/v1/reports/coverage-gaps');
    expect(res.statusCode).toBe(200);
    const { items } = json<{ items: Record<string, unknown>[] }>(res);
    expect(items.map((g) => [g.rule, g.road_model, g.transfer_id])).toEqual([
      ['GAP-2', 'Ariya NISMO', transferId],
      ['GAP-3', 'Leaf NISMO', null],
    ]);
    expect(Object.keys(items[1]!)).toEqual(['rule', 'road_model_id', 'road_model', 'technology_id', 'technology', 'transfer_id', 'stage', 'detail']);
    const only = json<{ items: { road_model_id: number }[] }>(await api(t.app).get('/api/v1/reports/coverage-gaps?rule=GAP-3'));
    expect(only.items.map((g) => g.road_model_id)).toEqual([leaf]);
    expect((await api(t.app).get('/api/v1/reports/coverage-gaps?rule=GAP-9')).statusCode).toBe(400);
  });

  it('GET /api/v1/reports/suspect-transfers lists a later fail (SUS-1), and a review clears it (SUS-3)', async () => {
    const http = api(t.app);
    const { items } = json<{ items: Record<string, unknown>[] }>(await http.get('/api/v1/reports/suspect-transfers'));
    expect(items).toEqual([
      expect.objectContaining({ transfer_id: transferId, road_model: 'Ariya NISMO', technology: 'FE inverter', rule: 'SUS-1', run_id: failRun, source_technology: 'FE inverter' }),
    ]);
    const tr = json<{ version: number }>(await http.get(`/api/v1/transfers/${transferId}`));
    const reviewed = await http.post(`/api/v1/transfers/${transferId}/review`, { note: 'Fault fixed in the next revision' }, { 'if-match': `"${tr.version}"` });
    expect(reviewed.statusCode).toBe(200);
    expect(json(await http.get('/api/v1/reports/suspect-transfers')).items).toEqual([]);
  });

  it('GET /api/v1/reports/lead-times answers per transfer and per series', async () => {
    const res = await api(t.app).get('/api/v1/reports/lead-times');
    expect(res.statusCode).toBe(200);
    const body = json(res);
    expect(body.transfers).toEqual([expect.objectContaining({ transfer_id: transferId, first_pass_on: '2022-11-10', launch_date: '2024-06-01', lead_time_days: 569, series: 'Formula E' })]);
    expect(body.per_series).toEqual([expect.objectContaining({ series: 'Formula E', count: 1, min_days: 569, median_days: 569, max_days: 569 })]);
  });

  it('GET /api/v1/reports/lineup-plan answers one row per plan year', async () => {
    const res = await api(t.app).get('/api/v1/reports/lineup-plan');
    expect(res.statusCode).toBe(200);
    expect(json(res).items).toEqual([
      { year: 2025, models: 1, model_target: 5, units: 0, units_target: 100000, outside_japan_share: null, band_min: null, band_max: null, on_track: false },
    ]);
  });
});
