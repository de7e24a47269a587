// Every list answers CSV with the same filters, streamed in keyset chunks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createTestApp, created, type TestApp } from '../../../support/app.js';
import { pageSession } from '../../../support/pages.js';

let t: TestApp;
let prototypeId: number;
let techId: number;

beforeAll(async () => {
  t = await createTestApp();
  const s = await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Formula E' });
  const program = await created<{ id: number }>(t.app, '/api/v1/programs', { series_id: s.id, season: '2024-25', start_year: 2024, end_year: 2025, entry: 'Nissan Formula E Team', car: 'Nissan e-4ORCE 05' });
  const cat = await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Inverter', venue_types: ['dyno'] });
  techId = (await created<{ id: number }>(t.app, '/api/v1/technologies', { name: '=HYPERLINK("http://x")', domain: 'hardware', category_id: cat.id })).id;
  prototypeId = (await created<{ id: number }>(t.app, '/api/v1/prototypes', { code: 'FE-MULE-07', kind: 'mule', program_ids: [program.id] })).id;
  // More runs than one chunk (200), so that the export has to follow cursors.
  const insert = t.db.sqlite.prepare(
    `INSERT INTO test_runs (code, prototype_id, title, venue_type, start_time, status) VALUES (?, ?, ?, 'dyno', ?, 'completed')`,
  );
  const evidence = t.db.sqlite.prepare(`INSERT INTO evidence (test_run_id, technology_id, outcome) VALUES (?, ?, ?)`);
  t.db.sqlite.transaction(() => {
    for (let i = 1; i <= 450; i++) {
      const id = insert.run(`TR-2025-${String(i).padStart(4, '0')}`, prototypeId, i === 7 ? '+cmd|calc' : `Soak ${i}`, new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString()).lastInsertRowid;
      evidence.run(id, techId, i % 10 === 0 ? 'fail' : 'pass');
    }
  })();
});
afterAll(async () => t.close());

function lines(body: string): string[] {
  return body.split('\r\n').filter(Boolean);
}

describe('CSV export of lists', () => {
  it.each(['series', 'programs', 'prototypes', 'technology-categories', 'technologies', 'test-runs', 'markets', 'road-models', 'transfers', 'plan-targets'])(
    'answers /api/v1/%s as CSV with a header row, by format=csv and by Accept',
    async (path) => {
      for (const res of [await api(t.app).get(`/api/v1/${path}?format=csv`), await api(t.app).get(`/api/v1/${path}`, { accept: 'text/csv' })]) {
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
        expect(res.headers['content-disposition']).toMatch(/^attachment; filename="[a-z-]+-\d{8}\.csv"$/);
        expect(lines(res.body).length).toBeGreaterThanOrEqual(1);
      }
    },
  );

  it('streams every matching run once across chunks, with the same filters and sort as the JSON list', async () => {
    const all = lines((await api(t.app).get('/api/v1/test-runs?format=csv&sort=code')).body);
    expect(all).toHaveLength(451);
    const codes = all.slice(1).map((l) => l.split(',')[0]);
    expect(new Set(codes).size).toBe(450);
    expect(codes[0]).toBe('TR-2025-0001');
    expect(codes[449]).toBe('TR-2025-0450');
    const fails = lines((await api(t.app).get(`/api/v1/test-runs?format=csv&technology_id=${techId}&outcome=fail`)).body);
    expect(fails).toHaveLength(46);
    const searched = lines((await api(t.app).get('/api/v1/test-runs?format=csv&q=TR-2025-0042')).body);
    expect(searched).toHaveLength(2);
  });

  it('guards text cells that look like formulas', async () => {
    const tech = (await api(t.app).get('/api/v1/technologies?format=csv')).body;
    expect(tech).toContain(`"'=HYPERLINK(""http://x"")"`);
    const runs = (await api(t.app).get('/api/v1/test-runs?format=csv&q=TR-2025-0007')).body;
    expect(runs).toContain("'+cmd|calc");
    // The evidence cell starts with the technology's name: never a bare `=` at a cell's start.
    expect(runs).not.toMatch(/(^|,)"?=/m);
    expect(runs).toContain('HYPERLINK');
  });

  it('needs a token like every API read', async () => {
    expect((await api(t.app, { token: null }).get('/api/v1/test-runs?format=csv')).statusCode).toBe(401);
  });

  it('lets the list pages download the same CSV with the page filters', async () => {
    const s = await pageSession(t.app);
    const page = await s.get('/test-runs');
    expect(page.body).toContain('format=csv');
    const res = await s.get(`/test-runs?format=csv&technology_id=${techId}&outcome=fail`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(lines(res.body)).toHaveLength(46);
    for (const path of ['/series', '/programs', '/prototypes', '/technologies', '/road-models', '/transfers']) {
      const r = await s.get(`${path}?format=csv`);
      expect(r.statusCode, path).toBe(200);
      expect(r.headers['content-type'], path).toBe('text/csv; charset=utf-8');
    }
  });
});
