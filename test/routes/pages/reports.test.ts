// /reports: the four reports with their CSV downloads; each report on its own page with filters in
// the URL; and the suspect review screen (/transfers?suspect=true) where a review clears a
// suspect transfer (SUS-3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createTestApp, created, json, type TestApp } from '../../support/app.js';
import { pageSession, type PageSession } from '../../support/pages.js';

const SCRIPT = '<script>alert(1)</script>';
let t: TestApp;
let s: PageSession;
const id: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestApp();
  s = await pageSession(t.app);
  const fe = await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Formula E' });
  id.fe = fe.id;
  const program = await created<{ id: number }>(t.app, '/api/v1/programs', {
    series_id: fe.id, season: '2022-23', start_year: 2022, end_year: 2023, entry: 'Nissan Formula E Team', car: 'Nissan e-4ORCE 04', status: 'completed',
  });
  const category = await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Inverter', venue_types: ['dyno'] });
  id.sic = (await created<{ id: number }>(t.app, '/api/v1/technologies', { name: 'FE inverter', domain: 'hardware', category_id: category.id, origin_program_id: program.id })).id;
  id.evil = (await created<{ id: number }>(t.app, '/api/v1/technologies', { name: `Wing ${SCRIPT}`, domain: 'hardware', category_id: category.id })).id;
  id.ariya = (await created<{ id: number }>(t.app, '/api/v1/road-models', { name: 'Ariya NISMO', powertrain: 'ev', status: 'production', launch_date: '2024-06-01' })).id;
  id.leaf = (await created<{ id: number }>(t.app, '/api/v1/road-models', { name: 'Leaf NISMO', powertrain: 'ev', status: 'production' })).id;
  id.rig = (await created<{ id: number }>(t.app, '/api/v1/prototypes', { code: 'DYNO-3', kind: 'dyno_rig' })).id;
  id.passRun = (
    await created<{ id: number }>(t.app, '/api/v1/test-runs', {
      prototype_id: id.rig, title: 'Thermal soak', venue_type: 'dyno', start_time: '2022-11-10T09:00:00Z', end_time: '2022-11-10T12:00:00Z',
      evidence: [{ technology_id: id.sic, outcome: 'pass' }],
    })
  ).id;
  id.t1 = (await created<{ id: number }>(t.app, '/api/v1/transfers', { technology_id: id.sic, road_model_id: id.ariya, stage: 'in_production' })).id;
  id.t2 = (await created<{ id: number }>(t.app, '/api/v1/transfers', { technology_id: id.evil, road_model_id: id.ariya, stage: 'approved' })).id;
  // A fail logged after the reviews (of a run that ended before them): t1 turns suspect (SUS-1).
  id.failRun = (
    await created<{ id: number }>(t.app, '/api/v1/test-runs', {
      prototype_id: id.rig, title: 'Gate driver fault', venue_type: 'dyno', start_time: '2024-03-01T09:00:00Z', end_time: '2024-03-01T12:00:00Z',
      evidence: [{ technology_id: id.sic, outcome: 'fail' }],
    })
  ).id;
  await created(t.app, '/api/v1/plan-targets', { year: 2025, model_count_target: 1, units_target: 0 });
  await created(t.app, '/api/v1/plan-targets', { year: 2028, model_count_target: 10, units_target: 150000, outside_japan_share_min: 40, outside_japan_share_max: 60 });
});
afterAll(async () => t.close());

describe('/reports', () => {
  it('shows the four reports, each with its CSV link', async () => {
    const res = await s.get('/reports');
    expect(res.statusCode).toBe(200);
    for (const name of ['coverage-gaps', 'suspect-transfers', 'lead-times', 'lineup-plan']) {
      expect(res.body, name).toContain(`<section aria-labelledby="${name}-h" id="${name}"`);
      expect(res.body, name).toContain(`href="/reports/${name}?format=csv"`);
    }
    expect(res.body).toContain('href="/reports/lead-times?table=per_series&format=csv"');
  });

  it('names the rule of each gap and links road model, technology and transfer', async () => {
    const res = await s.get('/reports');
    const gaps = res.body.slice(res.body.indexOf('id="coverage-gaps"'), res.body.indexOf('id="suspect-transfers"'));
    // t2 has no pass (GAP-1) and no race TRL (GAP-2); t1 has no race TRL (GAP-2); Leaf has no transfer (GAP-3).
    expect(gaps).toContain('Coverage gaps</a><span class="count"> (4)</span>');
    expect(gaps.match(/<span class="badge rule"[^>]*>GAP-1<\/span>/g)).toHaveLength(1);
    expect(gaps.match(/<span class="badge rule"[^>]*>GAP-2<\/span>/g)).toHaveLength(2);
    expect(gaps.match(/<span class="badge rule"[^>]*>GAP-3<\/span>/g)).toHaveLength(1);
    expect(gaps).toContain(`href="/road-models/${id.leaf}"`);
    expect(gaps).toContain(`href="/technologies/${id.evil}"`);
    expect(gaps).toContain(`href="/transfers/${id.t2}"`);
    expect(gaps).toContain(`href="/transfers/new?road_model_id=${id.leaf}"`);
  });

  it('lists suspect transfers with reasons and a link to the page where they are reviewed', async () => {
    const res = await s.get('/reports');
    const sus = res.body.slice(res.body.indexOf('id="suspect-transfers"'), res.body.indexOf('id="lead-times"'));
    expect(sus).toContain('Suspect transfers</a><span class="count"> (1)</span>');
    expect(sus).toContain(`href="/transfers/${id.t1}#review"`);
    expect(sus).toMatch(/SUS-1<\/span> <span>run TR-2024-\d+ failed FE inverter/);
    expect(sus).toContain(`href="/test-runs/${id.failRun}"`);
  });

  it('shows lead times per series and per transfer, and the line-up plan per year with on-track badges', async () => {
    const res = await s.get('/reports');
    const lt = res.body.slice(res.body.indexOf('id="lead-times"'), res.body.indexOf('id="lineup-plan"'));
    expect(lt).toContain('<td>Formula E</td><td class="numeric">1</td>');
    expect(lt).toContain('569 d (1.6 y)');
    expect(lt).toContain(`href="/test-runs/${id.passRun}"`);
    const plan = res.body.slice(res.body.indexOf('id="lineup-plan"'));
    expect(plan).toMatch(/<th scope="row">2025<\/th><td class="numeric">1 \/ 1<\/td><td class="numeric">0 \/ 0<\/td>.*?On track/);
    expect(plan).toMatch(/<th scope="row">2028<\/th><td class="numeric">1 \/ 10<\/td><td class="numeric">0 \/ 150,000<\/td>.*?band 40–60 %.*?Behind/);
  });

  it('escapes a <script> technology name', async () => {
    for (const url of ['/reports', '/reports/coverage-gaps', '/transfers?suspect=false']) {
      const res = await s.get(url);
      expect(res.body, url).not.toContain(SCRIPT);
    }
    expect((await s.get('/reports')).body).toContain('Wing &lt;script>alert(1)&lt;/script>');
  });

  it('filters a report from the URL, answers the fragment to htmx, and keeps the filters in its CSV link', async () => {
    const full = await s.get('/reports/coverage-gaps?rule=GAP-3');
    expect(full.statusCode).toBe(200);
    expect(full.body).toContain('<!doctype html>');
    expect(full.body).toContain('<option value="GAP-3" selected>');
    // On its own page the section repeats neither the page's heading link nor its subtitle.
    expect(full.body).toContain('<h2 id="coverage-gaps-h">Coverage gaps<span class="count"> (1)</span></h2>');
    expect(full.body).not.toContain('href="/reports/coverage-gaps"');
    const subtitle = /<h2 id="coverage-gaps-h">.*?<\/h2><p>(.*?)<\/p>/.exec((await s.get('/reports')).body)![1]!;
    expect(full.body.split(subtitle)).toHaveLength(2);
    expect(full.body).toContain('href="/reports/coverage-gaps?rule=GAP-3&format=csv"');
    const partial = await s.get(`/reports/coverage-gaps?road_model_id=${id.ariya}`, { 'hx-request': 'true', 'hx-request-type': 'partial' });
    expect(partial.body.startsWith('<div id="results"')).toBe(true);
    expect(partial.body).toContain('Coverage gaps<span class="count"> (3)</span>');
    expect(partial.body).toContain(`href="/reports/coverage-gaps?road_model_id=${id.ariya}&format=csv"`);
    const suspects = await s.get(`/reports/suspect-transfers?road_model_id=${id.leaf}`);
    expect(suspects.body).toContain('No suspect transfers');
    expect((await s.get('/reports/coverage-gaps?rule=GAP-7')).statusCode).toBe(400);
    for (const url of ['/reports/lead-times', '/reports/lineup-plan']) expect((await s.get(url)).statusCode, url).toBe(200);
  });

  it('downloads each report as CSV with a BOM and the filters applied', async () => {
    const gaps = await s.get('/reports/coverage-gaps?rule=GAP-3&format=csv');
    expect(gaps.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(gaps.headers['content-disposition']).toBe('attachment; filename="coverage-gaps.csv"');
    expect(gaps.body.split('\r\n')).toEqual([
      '\uFEFFrule,road_model_id,road_model,technology_id,technology,transfer_id,stage,detail',
      `GAP-3,${id.leaf},Leaf NISMO,,,,,Leaf NISMO is in production with no transfer from racing`,
      '',
    ]);
    expect((await s.get('/reports/suspect-transfers?format=csv')).body.split('\r\n')[1]).toMatch(new RegExp(`^${id.t1},in_production,`));
    expect((await s.get('/reports/lead-times?format=csv&table=per_series')).body.split('\r\n')[1]).toBe(`${id.fe},Formula E,1,569,569,569`);
    expect((await s.get('/reports/lineup-plan?format=csv')).body.split('\r\n')[1]).toBe('2025,1,1,0,0,,,,true');
  });
});

describe('suspect review screen (/transfers?suspect=true)', () => {
  it('lists only suspect transfers with reasons and a Suspect badge on the list; a review clears it (SUS-3)', async () => {
    const list = await s.get('/transfers');
    expect(list.body).toContain(`<a href="/transfers/${id.t1}#review" class="badge suspect"`);
    expect(list.body).not.toContain(`<a href="/transfers/${id.t2}#review" class="badge suspect"`);

    const screen = await s.get('/transfers?suspect=true');
    expect(screen.statusCode).toBe(200);
    expect(screen.body).toContain('<input id="f-suspect" type="checkbox" name="suspect" value="true" checked/>');
    expect(screen.body).toContain('1 suspect transfer.');
    expect(screen.body).toContain(`href="/transfers/${id.t1}#review"`);
    expect(screen.body).not.toContain(`href="/transfers/${id.t2}"`);
    expect(screen.body).toMatch(/run TR-2024-\d+ failed FE inverter/);
    // Filters still apply on the review screen.
    expect((await s.get(`/transfers?suspect=true&road_model_id=${id.leaf}`)).body).toContain('No suspect transfers match these filters');
    expect((await s.get('/transfers?suspect=true&stage=approved')).body).toContain('No suspect transfers match these filters');
    const fragment = await s.get('/transfers?suspect=true', { 'hx-request': 'true', 'hx-request-type': 'partial' });
    expect(fragment.body.startsWith('<div id="results"')).toBe(true);

    // The transfer's page says why, next to "Mark reviewed".
    const page = await s.get(`/transfers/${id.t1}`);
    expect(page.body).toContain('class="suspect-notice"');
    const version = /name="version" value="(\d+)"/.exec(page.body.slice(page.body.indexOf('id="review"')))![1]!;
    const review = await s.post(`/transfers/${id.t1}/review`, { version, note: 'Fault fixed in rev C' });
    expect(review.statusCode).toBe(303);

    const after = await s.get('/transfers?suspect=true');
    expect(after.body).toContain('No suspect transfers');
    expect(after.body).not.toContain(`href="/transfers/${id.t1}#review"`);
    expect((await s.get('/transfers')).body).not.toContain('class="badge suspect"');
    expect((await s.get(`/transfers/${id.t1}`)).body).not.toContain('class="suspect-notice"');
    expect(json(await api(t.app).get('/api/v1/reports/suspect-transfers')).items).toEqual([]);
  });
});

describe('a transfer with many reasons', () => {
  it('shows its first 5 reasons in the tables and links the rest to the transfer, whose page lists them all', async () => {
    const many = await createTestApp();
    try {
      const session = await pageSession(many.app);
      const category = await created<{ id: number }>(many.app, '/api/v1/technology-categories', { name: 'Inverter', venue_types: ['dyno'] });
      const tech = await created<{ id: number }>(many.app, '/api/v1/technologies', { name: 'Inverter', domain: 'hardware', category_id: category.id });
      const model = await created<{ id: number }>(many.app, '/api/v1/road-models', { name: 'Ariya NISMO', powertrain: 'ev', status: 'production' });
      const rig = await created<{ id: number }>(many.app, '/api/v1/prototypes', { code: 'DYNO-9', kind: 'dyno_rig' });
      const transfer = await created<{ id: number }>(many.app, '/api/v1/transfers', { technology_id: tech.id, road_model_id: model.id, stage: 'approved' });
      // Seven fails after the review: seven SUS-1 reasons.
      for (let day = 1; day <= 7; day++) {
        await created(many.app, '/api/v1/test-runs', {
          prototype_id: rig.id, title: `Fault ${day}`, venue_type: 'dyno', start_time: `2030-01-0${day}T09:00:00Z`, end_time: `2030-01-0${day}T12:00:00Z`,
          evidence: [{ technology_id: tech.id, outcome: 'fail' }],
        });
      }
      expect(json(await api(many.app).get('/api/v1/reports/suspect-transfers')).items).toHaveLength(7);
      for (const url of ['/reports', '/reports/suspect-transfers', '/transfers?suspect=true']) {
        const body = (await session.get(url)).body;
        expect(body.match(/<span class="badge suspect">SUS-1<\/span>/g), url).toHaveLength(5);
        expect(body, url).toContain(`<a href="/transfers/${transfer.id}#review">and 2 more reasons, on the transfer&#39;s page</a>`);
      }
      // The CSV keeps every reason; the transfer's page lists them all.
      expect((await session.get('/reports/suspect-transfers?format=csv')).body.trim().split('\n')).toHaveLength(1 + 7);
      const page = (await session.get(`/transfers/${transfer.id}`)).body;
      expect(page.match(/<span class="badge suspect">SUS-1<\/span>/g)).toHaveLength(7);
    } finally {
      await many.close();
    }
  });
});
