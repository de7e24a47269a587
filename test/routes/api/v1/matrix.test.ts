// GET /api/v1/matrix as JSON and CSV, and every report as CSV (`?format=csv` / `Accept: text/csv`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createTestApp, created, json, type TestApp } from '../../../support/app.js';

let t: TestApp;
const id: Record<string, number> = {};
const EVIL = '=HYPERLINK("http://evil.example","click")';

beforeAll(async () => {
  t = await createTestApp();
  id.fe = (await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Formula E' })).id;
  id.gt = (await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Super GT' })).id;
  const program = (series_id: number, season: string, car: string) =>
    created<{ id: number }>(t.app, '/api/v1/programs', { series_id, season, start_year: 2023, end_year: 2024, entry: 'NISMO', car, status: 'completed' });
  id.feProgram = (await program(id.fe, '2023-24', 'Nissan e-4ORCE 04')).id;
  id.gtProgram = (await program(id.gt, '2024', 'Nissan Z NISMO GT500')).id;
  id.inverter = (await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Inverter', venue_types: ['dyno'] })).id;
  id.aero = (await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Aero', venue_types: ['wind_tunnel'] })).id;
  const tech = (name: string, category_id: number, origin_program_id: number) =>
    created<{ id: number }>(t.app, '/api/v1/technologies', { name, domain: 'hardware', category_id, origin_program_id });
  id.sic = (await tech('SiC inverter', id.inverter, id.feProgram)).id;
  id.evil = (await tech(EVIL, id.inverter, id.feProgram)).id;
  id.wing = (await tech('Rear wing profile', id.aero, id.gtProgram)).id;
  id.unused = (await tech('Unused tech', id.aero, id.gtProgram)).id;
  const model = (name: string, status: string) => created<{ id: number }>(t.app, '/api/v1/road-models', { name, powertrain: 'ev', status, launch_date: '2024-06-01' });
  id.ariya = (await model('Ariya NISMO', 'production')).id;
  id.z = (await model('Z NISMO', 'production')).id;
  id.leaf = (await model('Leaf NISMO', 'production')).id;
  const transfer = (technology_id: number, road_model_id: number, stage: string) =>
    created<{ id: number }>(t.app, '/api/v1/transfers', { technology_id, road_model_id, stage });
  id.t1 = (await transfer(id.sic, id.ariya, 'in_production')).id;
  id.t2 = (await transfer(id.evil, id.ariya, 'candidate')).id;
  id.t3 = (await transfer(id.wing, id.z, 'approved')).id;
  const rig = await created<{ id: number }>(t.app, '/api/v1/prototypes', { code: 'DYNO-3', kind: 'dyno_rig' });
  // A fail recorded after the transfer's review: SUS-1 makes t1 suspect.
  id.failRun = (
    await created<{ id: number }>(t.app, '/api/v1/test-runs', {
      prototype_id: rig.id,
      title: 'Gate driver fault',
      venue_type: 'dyno',
      start_time: '2030-03-01T09:00:00Z',
      end_time: '2030-03-01T12:00:00Z',
      evidence: [{ technology_id: id.sic, outcome: 'fail' }],
    })
  ).id;
  await created(t.app, '/api/v1/plan-targets', { year: 2025, model_count_target: 5, units_target: 100000 });
});
afterAll(async () => t.close());

function lines(body: string): string[] {
  return body.split('\r\n');
}

describe('GET /api/v1/matrix', () => {
  it('answers rows, columns and cells, with suspect cells and their reasons', async () => {
    const res = await api(t.app).get('/api/v1/matrix');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const m = json(res);
    expect(m.technologies.map((x: { name: string }) => x.name)).toEqual([EVIL, 'Rear wing profile', 'SiC inverter']);
    expect(m.road_models.map((x: { name: string }) => x.name)).toEqual(['Ariya NISMO', 'Z NISMO']);
    expect(m.technologies.find((x: { id: number }) => x.id === id.sic)).toEqual({
      id: id.sic,
      name: 'SiC inverter',
      category_id: id.inverter,
      category: 'Inverter',
      series_id: id.fe,
      series: 'Formula E',
    });
    const suspect = m.cells.find((c: { transfer_id: number }) => c.transfer_id === id.t1);
    expect(suspect).toMatchObject({ technology_id: id.sic, road_model_id: id.ariya, stage: 'in_production', suspect: true });
    expect(suspect.suspect_reasons[0]).toMatchObject({ rule: 'SUS-1' });
    expect(suspect.suspect_reasons[0].detail).toContain('failed SiC inverter');
    expect(m.cells.find((c: { transfer_id: number }) => c.transfer_id === id.t3)).toMatchObject({ stage: 'approved', suspect: false, suspect_reasons: [] });
  });

  it('filters by series of the origin program, category and stage (rows and columns shrink)', async () => {
    const http = api(t.app);
    const bySeries = json(await http.get(`/api/v1/matrix?series_id=${id.gt}`));
    expect(bySeries.technologies.map((x: { id: number }) => x.id)).toEqual([id.wing]);
    expect(bySeries.road_models.map((x: { id: number }) => x.id)).toEqual([id.z]);
    const byCategory = json(await http.get(`/api/v1/matrix?category_id=${id.inverter}`));
    expect(byCategory.technologies.map((x: { id: number }) => x.id).sort()).toEqual([id.sic, id.evil].sort());
    const byStage = json(await http.get('/api/v1/matrix?stage=candidate'));
    expect(byStage.cells.map((c: { transfer_id: number }) => c.transfer_id)).toEqual([id.t2]);
    expect((await http.get('/api/v1/matrix?stage=shipped')).statusCode).toBe(400);
  });

  it('answers a CSV pivot for ?format=csv and for Accept: text/csv, with the filters applied', async () => {
    const http = api(t.app);
    for (const res of [await http.get('/api/v1/matrix?format=csv'), await http.get('/api/v1/matrix', { accept: 'text/csv' })]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe('attachment; filename="matrix.csv"');
      const rows = lines(res.body);
      expect(rows[0]).toBe('technology,category,series,Ariya NISMO,Z NISMO');
      // The technology named like a formula is neutralised; its quotes doubled.
      expect(rows[1]).toBe(`"'=HYPERLINK(""http://evil.example"",""click"")",Inverter,Formula E,candidate,`);
      expect(rows).toContain('SiC inverter,Inverter,Formula E,in_production (suspect),');
      expect(rows).toContain('Rear wing profile,Aero,Super GT,,approved');
      expect(rows.at(-1)).toBe('');
    }
    const filtered = lines((await http.get(`/api/v1/matrix?format=csv&series_id=${id.gt}`)).body);
    expect(filtered).toEqual(['technology,category,series,Z NISMO', 'Rear wing profile,Aero,Super GT,approved', '']);
    // JSON stays the default when JSON is preferred or equal.
    expect((await http.get('/api/v1/matrix', { accept: 'application/json, text/csv;q=0.5' })).headers['content-type']).toMatch(/json/);
  });

  it('needs a token', async () => {
    expect((await api(t.app, { token: null }).get('/api/v1/matrix?format=csv')).statusCode).toBe(401);
  });
});

describe('reports as CSV', () => {
  it('coverage gaps: header row, filters applied, injection prefix on a formula-like name', async () => {
    const res = await api(t.app).get('/api/v1/reports/coverage-gaps?format=csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = lines(res.body);
    expect(rows[0]).toBe('rule,road_model_id,road_model,technology_id,technology,transfer_id,stage,detail');
    expect(rows.some((r) => r.startsWith('GAP-3,') && r.includes('Leaf NISMO'))).toBe(true);
    // The GAP-2 row of the Z NISMO wing, and no row carries a raw formula.
    expect(rows.some((r) => r.startsWith(`GAP-2,${id.z},Z NISMO,${id.wing},Rear wing profile,${id.t3},approved,`))).toBe(true);
    const only = lines((await api(t.app).get('/api/v1/reports/coverage-gaps?rule=GAP-3', { accept: 'text/csv' })).body);
    expect(only.slice(1, -1).every((r) => r.startsWith('GAP-3,'))).toBe(true);
    expect(only.length).toBe(3);
  });

  it('coverage gaps of the formula-named technology are prefixed', async () => {
    // Move the formula-named transfer to evaluation: it becomes a GAP-1 (no pass).
    const http = api(t.app);
    const tr = json(await http.get(`/api/v1/transfers/${id.t2}`));
    expect((await http.patch(`/api/v1/transfers/${id.t2}`, { stage: 'evaluation' }, { 'if-match': `"${tr.version}"` })).statusCode).toBe(200);
    const rows = lines((await http.get(`/api/v1/reports/coverage-gaps?format=csv&rule=GAP-1&road_model_id=${id.ariya}`)).body);
    const evil = rows.find((r) => r.includes('HYPERLINK'))!;
    expect(evil).toContain(`,"'=HYPERLINK(""http://evil.example"",""click"")",`);
    expect(evil).not.toContain(',"=HYPERLINK');
    const back = await http.get(`/api/v1/transfers/${id.t2}`);
    await http.patch(`/api/v1/transfers/${id.t2}`, { stage: 'candidate' }, { 'if-match': back.headers.etag as string });
  });

  it('suspect transfers: one row per reason, filters applied', async () => {
    const res = await api(t.app).get('/api/v1/reports/suspect-transfers', { accept: 'text/csv' });
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = lines(res.body);
    expect(rows[0]).toBe('transfer_id,stage,technology_id,technology,road_model_id,road_model,reviewed_at,rule,detail,run_id,run_code,source_technology_id,source_technology');
    expect(rows[1]).toMatch(new RegExp(`^${id.t1},in_production,${id.sic},SiC inverter,${id.ariya},Ariya NISMO,[^,]+,SUS-1,`));
    const none = lines((await api(t.app).get(`/api/v1/reports/suspect-transfers?format=csv&road_model_id=${id.z}`)).body);
    expect(none).toEqual([rows[0], '']);
  });

  it('lead times: per transfer by default, per series with table=per_series', async () => {
    const per = lines((await api(t.app).get('/api/v1/reports/lead-times?format=csv')).body);
    expect(per[0]).toBe(
      'transfer_id,technology_id,technology,road_model_id,road_model,first_pass_run_id,first_pass_run_code,first_pass_technology_id,first_pass_technology,first_pass_on,launch_date,lead_time_days,series_id,series',
    );
    expect(per[1]).toMatch(new RegExp(`^${id.t1},${id.sic},SiC inverter,`));
    const summary = await api(t.app).get('/api/v1/reports/lead-times?format=csv&table=per_series');
    expect(summary.headers['content-disposition']).toBe('attachment; filename="lead-times-per-series.csv"');
    expect(lines(summary.body)[0]).toBe('series_id,series,count,min_days,median_days,max_days');
  });

  it('line-up plan: one row per year, numbers and booleans as they are', async () => {
    const rows = lines((await api(t.app).get('/api/v1/reports/lineup-plan', { accept: 'text/csv' })).body);
    expect(rows).toEqual([
      'year,models,model_target,units,units_target,outside_japan_share,band_min,band_max,on_track',
      '2025,3,5,0,100000,,,,false',
      '',
    ]);
  });

  it('still answers JSON by default, and documents text/csv in OpenAPI', async () => {
    expect(json(await api(t.app).get('/api/v1/reports/lineup-plan')).items).toHaveLength(1);
    const doc = json(await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }));
    for (const path of ['/api/v1/matrix', '/api/v1/reports/coverage-gaps', '/api/v1/reports/suspect-transfers', '/api/v1/reports/lead-times', '/api/v1/reports/lineup-plan']) {
      const ok = doc.paths[path].get.responses['200'];
      expect(Object.keys(ok.content), path).toEqual(['application/json', 'text/csv']);
      expect(ok.content['text/csv'].schema.type, path).toBe('string');
    }
    expect(doc.paths['/api/v1/matrix'].get.operationId).toBe('getMatrix');
  });
});
