// Everything a user types is escaped wherever it is shown: one record of every kind, each text
// field holding a script and an htmx attribute payload, then every page that shows them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createTestApp, created, type TestApp } from '../../support/app.js';
import { pageSession, type PageSession } from '../../support/pages.js';

const SCRIPT = '<script>alert(1)</script>';
const HTMX = '<a hx-get="/api/v1/series" hx-trigger="load">x</a>';
const PAYLOAD = `${SCRIPT}${HTMX}`;

let t: TestApp;
let s: PageSession;
const pages: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  s = await pageSession(t.app);
  const series = await created<{ id: number }>(t.app, '/api/v1/series', { name: `Series ${PAYLOAD}`, description: PAYLOAD });
  const program = await created<{ id: number }>(t.app, '/api/v1/programs', {
    series_id: series.id, season: '<b>2025</b>', start_year: 2025, end_year: 2025, class: 'GT500', entry: `#23 ${PAYLOAD}`, car: PAYLOAD,
  });
  const category = await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: `Aero ${PAYLOAD}`, description: PAYLOAD, venue_types: ['track'] });
  const parent = await created<{ id: number }>(t.app, '/api/v1/technologies', { name: `Parent ${PAYLOAD}`, domain: 'hardware', category_id: category.id, description: PAYLOAD, owner: PAYLOAD, origin_program_id: program.id });
  const tech = await created<{ id: number }>(t.app, '/api/v1/technologies', { name: `Child ${PAYLOAD}`, domain: 'software', category_id: category.id, description: PAYLOAD, owner: PAYLOAD, derived_from: [parent.id] });
  const market = await created<{ id: number }>(t.app, '/api/v1/markets', { code: 'JP', name: `Japan ${PAYLOAD}` });
  const road = await created<{ id: number }>(t.app, '/api/v1/road-models', {
    name: `Road ${PAYLOAD}`, base_model: PAYLOAD, powertrain: 'ev', status: 'production', partner: PAYLOAD, description: PAYLOAD, launch_date: '2024-06-01',
    markets: [{ market_id: market.id, year: 2026, planned_units: 1000 }],
  });
  const proto = await created<{ id: number }>(t.app, '/api/v1/prototypes', { code: 'XSS-01', name: PAYLOAD, kind: 'road_prototype', road_model_id: road.id, hardware_revision: PAYLOAD, notes: PAYLOAD, program_ids: [program.id] });
  const run = await created<{ id: number }>(t.app, '/api/v1/test-runs', {
    prototype_id: proto.id, program_id: program.id, title: `Run ${PAYLOAD}`, objective: PAYLOAD, venue_type: 'track', location: PAYLOAD,
    start_time: new Date().toISOString(), software_version: PAYLOAD.slice(0, 100), hardware_revision: PAYLOAD.slice(0, 100), engineer: PAYLOAD.slice(0, 100), result_summary: PAYLOAD,
    measurements: [{ name: `m ${PAYLOAD}`.slice(0, 100), value: 1.5, unit: '<b>' }],
    evidence: [{ technology_id: tech.id, outcome: 'fail', notes: PAYLOAD }],
  });
  const transfer = await created<{ id: number }>(t.app, '/api/v1/transfers', { technology_id: tech.id, road_model_id: road.id, stage: 'approved', rationale: PAYLOAD });
  pages.push(
    '/', '/series', `/series/${series.id}`, `/series/${series.id}/edit`,
    '/programs', `/programs/${program.id}`, `/programs/${program.id}/edit`,
    '/prototypes', `/prototypes/${proto.id}`, `/prototypes/${proto.id}/edit`,
    '/technologies', `/technologies/${tech.id}`, `/technologies/${parent.id}`, `/technologies/${tech.id}/edit`,
    '/test-runs', `/test-runs/${run.id}`, `/test-runs/${run.id}/edit`, '/test-runs/new',
    '/road-models', `/road-models/${road.id}`, `/road-models/${road.id}/edit`,
    '/transfers', `/transfers/${transfer.id}`, `/transfers/${transfer.id}/edit`,
    `/series?q=${encodeURIComponent(PAYLOAD)}`,
  );
});
afterAll(async () => t.close());

describe('escaping', () => {
  it('renders every stored payload inert on every page that shows it', async () => {
    for (const url of pages) {
      const res = await s.get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).not.toContain('<script>alert');
      expect(res.body, url).not.toMatch(/<a hx-get="\/api\/v1\/series"/);
      expect(res.body, url).not.toContain('<b>');
    }
  });

  it('shows the payload as text somewhere (the tests look at real content)', async () => {
    const res = await s.get(pages[2]!);
    expect(res.body).toContain('&lt;script>alert(1)&lt;/script>');
  });

  it('round-trips text with entity-like sequences through an edit form unchanged', async () => {
    const created1 = await created<{ id: number }>(t.app, '/api/v1/series', { name: 'R&amp;D &lt;cup&gt;' });
    const edit = await s.get(`/series/${created1.id}/edit`);
    expect(edit.body).toContain('value="R&amp;amp;D &amp;lt;cup&amp;gt;"');
  });

  it('answers an unknown page with a 404 page in the layout', async () => {
    const res = await s.get('/no-such-page');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('Nothing at this address');
    const missing = await s.get('/test-runs/999999');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('<h1>');
  });

  it('sends the strict security headers on pages', async () => {
    const res = await s.get('/');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers.vary).toContain('HX-Request-Type');
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.body).not.toMatch(/\sstyle=/);
    expect(res.body).not.toMatch(/\shx-on[:-]/);
  });

  it('refuses a page post without a CSRF token (403) and keeps the data', async () => {
    const res = await s.post('/series', { name: 'No token' }, { csrf: false });
    expect(res.statusCode).toBe(403);
    const list = await api(t.app).get('/api/v1/series?q=token');
    expect(list.json().items).toHaveLength(0);
  });
});
