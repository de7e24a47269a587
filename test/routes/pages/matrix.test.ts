// /matrix: full page and #results fragment, filters in the URL, suspect cells marked, the CSV
// download keeping the filters, and user text escaped everywhere (cells, titles, headers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, created, type TestApp } from '../../support/app.js';
import { pageSession, type PageSession } from '../../support/pages.js';

const SCRIPT = '<script>alert(1)</script>';
let t: TestApp;
let s: PageSession;
const id: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestApp();
  s = await pageSession(t.app);
  id.fe = (await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Formula E' })).id;
  id.gt = (await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Super GT' })).id;
  const program = (series_id: number, season: string) =>
    created<{ id: number }>(t.app, '/api/v1/programs', { series_id, season, start_year: 2024, end_year: 2025, entry: 'NISMO', car: 'Car', status: 'active' });
  id.feProgram = (await program(id.fe, '2024-25')).id;
  id.gtProgram = (await program(id.gt, '2025')).id;
  id.inverter = (await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Inverter', venue_types: ['dyno'] })).id;
  id.aero = (await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Aero', venue_types: ['wind_tunnel'] })).id;
  const tech = (name: string, category_id: number, origin_program_id: number) =>
    created<{ id: number }>(t.app, '/api/v1/technologies', { name, domain: 'hardware', category_id, origin_program_id });
  id.sic = (await tech(`SiC ${SCRIPT}`, id.inverter, id.feProgram)).id;
  id.wing = (await tech('Rear wing', id.aero, id.gtProgram)).id;
  const model = (name: string) => created<{ id: number }>(t.app, '/api/v1/road-models', { name, powertrain: 'ev', status: 'production', launch_date: '2024-06-01' });
  id.ariya = (await model(`Ariya ${SCRIPT}`)).id;
  id.z = (await model('Z NISMO')).id;
  await model('Leaf NISMO');
  const transfer = (technology_id: number, road_model_id: number, stage: string) =>
    created<{ id: number }>(t.app, '/api/v1/transfers', { technology_id, road_model_id, stage });
  id.t1 = (await transfer(id.sic, id.ariya, 'approved')).id;
  id.t2 = (await transfer(id.wing, id.z, 'candidate')).id;
  const rig = await created<{ id: number }>(t.app, '/api/v1/prototypes', { code: 'DYNO-1', kind: 'dyno_rig' });
  await created(t.app, '/api/v1/test-runs', {
    prototype_id: rig.id,
    title: 'Inverter fault',
    venue_type: 'dyno',
    start_time: '2030-01-01T09:00:00Z',
    end_time: '2030-01-01T10:00:00Z',
    evidence: [{ technology_id: id.sic, outcome: 'fail' }],
  });
});
afterAll(async () => t.close());

describe('/matrix', () => {
  it('renders the full page with rows, columns, stages, and links from each cell to its transfer', async () => {
    const res = await s.get('/matrix');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<!doctype html>');
    expect(res.body).toContain('<table class="matrix">');
    expect(res.body).toContain(`href="/transfers/${id.t1}"`);
    expect(res.body).toContain(`href="/transfers/${id.t2}"`);
    expect(res.body).toContain('Only technologies and road models with at least one transfer are shown.');
    // Leaf NISMO has no transfer: no column.
    expect(res.body).not.toContain('Leaf NISMO</a>');
    // Sticky header/first column come from classes, never inline style.
    expect(res.body).not.toMatch(/\sstyle=/);
    expect(res.headers.vary).toContain('HX-Request');
  });

  it('marks a suspect cell visibly, with the reason in its title', async () => {
    const res = await s.get('/matrix');
    const cell = new RegExp(`<td class="matrix-cell suspect"><a href="/transfers/${id.t1}" title="Suspect: SUS-1: run [^"]+">`).exec(res.body);
    expect(cell, 'suspect cell').not.toBeNull();
    expect(res.body).toMatch(/<span class="badge suspect">.*Suspect<\/span>/);
    expect(res.body).toContain(`<td class="matrix-cell"><a href="/transfers/${id.t2}"`);
  });

  it('answers only the #results fragment to an htmx partial request', async () => {
    const res = await s.get(`/matrix?series_id=${id.gt}`, { 'hx-request': 'true', 'hx-request-type': 'partial' });
    expect(res.statusCode).toBe(200);
    expect(res.body.startsWith('<div id="results"')).toBe(true);
    expect(res.body).not.toContain('<html');
    expect(res.body).not.toContain('<form');
  });

  it('filters by series, category and stage from the URL, and keeps them in the form and the CSV link', async () => {
    const res = await s.get(`/matrix?series_id=${id.gt}&stage=candidate`);
    expect(res.body).toContain(`href="/technologies/${id.wing}"`);
    expect(res.body).not.toContain(`href="/technologies/${id.sic}"`);
    expect(res.body).toMatch(new RegExp(`<option value="${id.gt}" selected>Super GT</option>`));
    expect(res.body).toContain('<option value="candidate" selected>Candidate</option>');
    expect(res.body).toContain(`href="/matrix?series_id=${id.gt}&stage=candidate&format=csv"`);
    expect(res.body).toContain('matching the filters');
    const byCategory = await s.get(`/matrix?category_id=${id.inverter}`);
    expect(byCategory.body).toContain(`href="/technologies/${id.sic}"`);
    expect(byCategory.body).not.toContain(`href="/technologies/${id.wing}"`);
    const none = await s.get(`/matrix?series_id=${id.fe}&stage=rejected`);
    expect(none.body).toContain('No transfers match these filters.');
    expect((await s.get('/matrix?stage=nope')).statusCode).toBe(400);
  });

  it('downloads the filtered matrix as CSV with a BOM', async () => {
    const res = await s.get(`/matrix?series_id=${id.gt}&format=csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="matrix.csv"');
    expect(res.body).toBe('\uFEFFtechnology,category,series,Z NISMO\r\nRear wing,Aero,Super GT,candidate\r\n');
  });

  it('escapes a <script> technology and road model name in cells, headers and titles', async () => {
    const res = await s.get('/matrix');
    expect(res.body).not.toContain(SCRIPT);
    expect(res.body).toContain('SiC &lt;script>alert(1)&lt;/script>');
    expect(res.body).toContain('Ariya &lt;script>alert(1)&lt;/script>');
    // In the suspect cell's title too.
    expect(res.body).toMatch(/title="Suspect: SUS-1: run \S+ failed SiC &lt;script>/);
    const partial = await s.get('/matrix', { 'hx-request': 'true', 'hx-request-type': 'partial' });
    expect(partial.body).not.toContain(SCRIPT);
  });

  it('shows 50 technologies a page, with the road models they feed, and pages that keep the filters', async () => {
    // 60 more Aero technologies, each feeding Z NISMO or a model of its own: 62 rows in all.
    const extra = t.db.sqlite.transaction(() => {
      const ids: { tech: number; model: number | null; transfer: number }[] = [];
      for (let i = 0; i < 60; i++) {
        const tech = Number(
          t.db.sqlite.prepare(`INSERT INTO technologies (name, domain, category_id) VALUES (?, 'hardware', ?)`).run(`Wing ${String(i).padStart(2, '0')}`, id.aero).lastInsertRowid,
        );
        const model =
          i === 59 ? Number(t.db.sqlite.prepare(`INSERT INTO road_models (name, powertrain, status) VALUES ('Last page NISMO', 'ev', 'concept')`).run().lastInsertRowid) : null;
        const transfer = Number(
          t.db.sqlite.prepare(`INSERT INTO transfers (technology_id, road_model_id, stage) VALUES (?, ?, 'candidate')`).run(tech, model ?? id.z).lastInsertRowid,
        );
        ids.push({ tech, model, transfer });
      }
      return ids;
    })();
    try {
      const first = await s.get('/matrix');
      expect(first.body).toContain('Technologies 1–50 of 62 (by name)');
      expect((first.body.match(/<th scope="row">/g) ?? []).length).toBe(50);
      expect(first.body).not.toContain('Last page NISMO');
      expect(first.body).toContain('Page 1 of 2');
      expect(first.body).toMatch(/<a href="\/matrix\?page=2" rel="next" hx-get="\/matrix\?page=2" hx-target="#results"[^>]*>Next 12 →<\/a>/);

      const second = await s.get('/matrix?page=2', { 'hx-request': 'true', 'hx-request-type': 'partial' });
      expect(second.body).not.toContain('<!doctype html>');
      expect(second.body).toContain('Technologies 51–62 of 62 (by name)');
      expect((second.body.match(/<th scope="row">/g) ?? []).length).toBe(12);
      expect(second.body).toContain('Last page NISMO');
      expect(second.body).toContain('href="/matrix" rel="prev"');

      // Filters stay in the page links; a page past the last shows the last.
      const filtered = await s.get(`/matrix?category_id=${id.aero}&page=9`);
      expect(filtered.body).toContain('Technologies 51–61 of 61 (by name)');
      expect(filtered.body).toContain(`href="/matrix?category_id=${id.aero}" rel="prev"`);
      expect((await s.get('/matrix?page=0')).statusCode).toBe(400);
      // The download is the whole matrix, whatever the page.
      const csv = await s.get('/matrix?page=2&format=csv');
      expect(csv.body.trim().split('\r\n')).toHaveLength(63);
    } finally {
      t.db.sqlite.transaction(() => {
        for (const x of extra) {
          t.db.sqlite.prepare('DELETE FROM transfers WHERE id = ?').run(x.transfer);
          t.db.sqlite.prepare('DELETE FROM technologies WHERE id = ?').run(x.tech);
          if (x.model) t.db.sqlite.prepare('DELETE FROM road_models WHERE id = ?').run(x.model);
        }
      })();
    }
  });

  it('needs a session', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/matrix' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toContain('/login');
  });
});
