// The lineage pages: the explorer (full page and the swapped graph region, state from the URL,
// expansions, marks for suspect transfers and failing evidence, refusals) and the record panel.
//
//   Formula E ─ P1 ─ FE-MULE-01 ─┬─ TR-1 (completed, ended 2025-03-01): T1 fail, T2 pass
//                                └─ TR-2 (completed): T1 pass
//   P1 ─origin→ T1 ─approved (since 2024, so TR-1's fail makes it suspect: SUS-1)→ Ariya NISMO
//   T2 `<script>alert(1)</script>` ─in_production (since 2026-12)→ Ariya NISMO
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { pageSession, type PageSession } from '../../support/pages.js';

let t: TestApp;
let s: PageSession;
const partial = { 'hx-request': 'true', 'hx-request-type': 'partial' };
const XSS = '<script>alert(1)</script>';

beforeAll(async () => {
  t = await createTestApp();
  s = await pageSession(t.app);
  t.db.sqlite.exec(`
    INSERT INTO series (id, name) VALUES (1, 'Formula E');
    INSERT INTO programs (id, series_id, season, start_year, end_year, entry, car, status) VALUES (1, 1, '2024-25', 2024, 2025, 'Nissan Formula E Team', 'e-4ORCE 05', 'completed');
    INSERT INTO prototypes (id, code, kind) VALUES (1, 'FE-MULE-01', 'mule');
    INSERT INTO prototype_programs (prototype_id, program_id) VALUES (1, 1);
    INSERT INTO road_models (id, name, powertrain, status) VALUES (1, 'Ariya NISMO', 'ev', 'production');
    INSERT INTO technology_categories (id, name) VALUES (1, 'Inverter');
  `);
  t.db.sqlite
    .prepare(`INSERT INTO technologies (id, name, domain, category_id, origin_program_id) VALUES (1, 'Race inverter', 'hardware', 1, 1), (2, ?, 'software', 1, NULL)`)
    .run(XSS);
  t.db.sqlite.exec(`
    INSERT INTO transfers (id, technology_id, road_model_id, stage, created_at, updated_at) VALUES
      (1, 1, 1, 'approved', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z'),
      (2, 2, 1, 'in_production', '2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z');
    INSERT INTO test_runs (id, code, prototype_id, program_id, title, venue_type, start_time, end_time, status, created_at, updated_at) VALUES
      (1, 'TR-2025-0001', 1, 1, 'Inverter soak', 'dyno', '2025-03-01T00:00:00.000Z', '2025-03-01T02:00:00.000Z', 'completed', '2025-03-01T03:00:00.000Z', '2025-03-01T03:00:00.000Z'),
      (2, 'TR-2025-0002', 1, NULL, 'HIL sweep', 'hil', '2025-04-01T00:00:00.000Z', '2025-04-01T02:00:00.000Z', 'completed', '2025-04-01T03:00:00.000Z', '2025-04-01T03:00:00.000Z');
    INSERT INTO evidence (test_run_id, technology_id, outcome) VALUES (1, 1, 'fail'), (1, 2, 'pass'), (2, 1, 'pass');
  `);
}, 60_000);
afterAll(async () => t?.close());

/** The node ids drawn in the SVG, in order. */
function svgNodes(html: string): string[] {
  const svg = /<svg class="lineage-svg"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
  return [...svg.matchAll(/<g class="lineage-node[^"]*" data-node-id="([^"]+)"/g)].map((m) => m[1]!).sort();
}

/** The node ids in the table. */
function tableNodes(html: string): string[] {
  return [...html.matchAll(/<tr data-node-id="([^"]+)"/g)].map((m) => m[1]!).sort();
}

function edgeTag(html: string, from: string, to: string): string {
  const tag = new RegExp(`<path class="lineage-edge [^"]*" data-from="${from}" data-to="${to}"[^>]*>`).exec(html)?.[0];
  if (!tag) throw new Error(`no edge ${from} → ${to}`);
  return tag;
}

describe('lineage explorer', () => {
  it('shows only the controls without a node', async () => {
    const res = await s.get('/lineage');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<!doctype html>');
    expect(res.body).toContain('id="lineage-controls"');
    expect(res.body).toContain('id="lineage-graph"');
    expect(res.body).not.toContain('<svg class="lineage-svg"');
  });

  it('answers the whole page, or only the graph region for an htmx partial', async () => {
    const full = await s.get('/lineage?node=road-model:1');
    expect(full.statusCode).toBe(200);
    expect(full.headers.vary).toContain('HX-Request-Type');
    expect(full.body).toContain('<!doctype html>');
    expect(full.body).toContain('id="lineage-controls"');
    expect(full.body).toContain('<title>Lineage of Ariya NISMO · Pitlane</title>');
    // Pages open at depth 1, upstream for the default direction.
    expect(full.body).toMatch(/<input id="lineage-depth" name="depth" type="number"[^>]*value="1"/);
    expect(full.body).toMatch(/<input type="radio" name="direction" value="upstream" checked/);
    expect(svgNodes(full.body)).toEqual(['road-model:1', 'technology:1', 'technology:2']);
    expect(tableNodes(full.body)).toEqual(['road-model:1', 'technology:1', 'technology:2']);
    expect(full.body).toMatch(/<svg class="lineage-svg" xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
    expect(full.body).not.toMatch(/ style=/);

    const part = await s.get('/lineage?node=road-model:1', partial);
    expect(part.statusCode).toBe(200);
    expect(part.body.startsWith('<div id="lineage-graph"')).toBe(true);
    expect(part.body).not.toContain('<html');
    expect(part.body).not.toContain('id="lineage-controls"');
    expect(svgNodes(part.body)).toEqual(svgNodes(full.body));
  });

  it('takes its whole state from the URL: direction, depth, kinds (hidden kinds give implied links)', async () => {
    const res = await s.get('/lineage?node=program:1&direction=downstream&depth=3&kinds=program&kinds=road-model');
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/<input type="radio" name="direction" value="downstream" checked/);
    expect(res.body).toMatch(/name="depth" type="number"[^>]*value="3"/);
    expect(res.body).toMatch(/<input type="checkbox" name="kinds" value="program" checked/);
    expect(res.body).toMatch(/<input type="checkbox" name="kinds" value="road-model" checked/);
    expect(res.body).toMatch(/<input type="checkbox" name="kinds" value="technology"\s*\/?>/);
    expect(svgNodes(res.body)).toEqual(['program:1', 'road-model:1']);
    const implied = edgeTag(res.body, 'program:1', 'road-model:1');
    expect(implied).toContain('stroke-dasharray');
    expect(implied).toMatch(/class="lineage-edge (implied|suspect)"/);

    // Comma-separated lists work too (the API's form).
    const comma = await s.get('/lineage?node=program:1&direction=downstream&depth=3&kinds=program,road-model', partial);
    expect(svgNodes(comma.body)).toEqual(['program:1', 'road-model:1']);
  });

  it('expands a run group in place: the link keeps the state and adds expand; the runs then show', async () => {
    const grouped = await s.get('/lineage?node=road-model:1&direction=upstream&depth=2', partial);
    expect(svgNodes(grouped.body)).toEqual(['program:1', 'road-model:1', 'run-group:1', 'run-group:2', 'technology:1', 'technology:2']);
    const toggle = /<a href="([^"]+)" class="lineage-toggle" data-toggle="expand" data-node-id="run-group:1"([^>]*)>/.exec(grouped.body);
    expect(toggle).not.toBeNull();
    const url = toggle![1]!;
    expect(toggle![2]).toContain(`hx-get="${url}"`);
    expect(toggle![2]).toContain('hx-target="#lineage-graph"');
    expect(toggle![2]).toContain('hx-push-url="true"');
    const params = new URL(url, 'http://x').searchParams;
    expect(params.get('node')).toBe('road-model:1');
    expect(params.get('depth')).toBe('2');
    expect(params.getAll('expand')).toEqual(['technology:1']);

    const expanded = await s.get(url, partial);
    expect(expanded.statusCode).toBe(200);
    expect(svgNodes(expanded.body)).toEqual(['program:1', 'road-model:1', 'technology:1', 'technology:2', 'test-run:1', 'test-run:2']);
    // The expansion rides along when the controls are submitted, and can be undone.
    expect(expanded.body).toContain('<input type="hidden" name="expand" value="technology:1" form="lineage-controls"');
    expect(expanded.body).toMatch(/class="lineage-toggle" data-toggle="collapse" data-node-id="technology:1"/);
    // The run's own evidence edge carries its fail.
    expect(edgeTag(expanded.body, 'test-run:1', 'technology:1')).toContain('class="lineage-edge failing"');
    // The whole page at the expanded URL shows the same graph (a reload).
    const reload = await s.get(url);
    expect(svgNodes(reload.body)).toEqual(svgNodes(expanded.body));
  });

  it('marks a suspect transfer and failing evidence, with both in the legend', async () => {
    const res = await s.get('/lineage?node=road-model:1&depth=2');
    const suspect = edgeTag(res.body, 'technology:1', 'road-model:1');
    expect(suspect).toContain('class="lineage-edge suspect"');
    expect(suspect).toContain('stroke="#b71c1c"');
    expect(suspect).toContain('stroke-dasharray="10 4"');
    const fine = edgeTag(res.body, 'technology:2', 'road-model:1');
    expect(fine).toContain('class="lineage-edge normal"');
    expect(fine).not.toContain('stroke-dasharray');
    const failing = edgeTag(res.body, 'run-group:1', 'technology:1');
    expect(failing).toContain('class="lineage-edge failing"');
    expect(failing).toContain('stroke-dasharray="3 3"');
    expect(edgeTag(res.body, 'run-group:2', 'technology:2')).toContain('class="lineage-edge normal"');
    expect(res.body).toContain('Suspect transfer (SUS-1, SUS-2)');
    expect(res.body).toContain('Failing evidence (a fail on a completed run)');
    // The table says it in words too.
    const row = /<tr data-node-id="technology:1">[\s\S]*?<\/tr>/.exec(res.body)![0];
    expect(row).toContain('Suspect transfer');
    expect(row).toContain('Failing evidence');
  });

  it('says so when the graph is truncated', async () => {
    const res = await s.get('/lineage?node=road-model:1&depth=3&limit=3', partial);
    expect(res.body).toContain('Not everything is shown');
    expect(svgNodes(res.body)).toHaveLength(3);
    const whole = await s.get('/lineage?node=road-model:1&depth=3', partial);
    expect(whole.body).not.toContain('Not everything is shown');
  });

  it('answers 400 for a malformed node or query and 404 for a missing one, keeping the controls', async () => {
    const bad = await s.get('/lineage?node=bogus');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="lineage-controls"');
    expect(bad.body).toContain('is not a node id like road-model:12');
    expect(bad.body).toMatch(/name="node" type="text" value="bogus"/);

    const kind = await s.get('/lineage?node=rocket:1', partial);
    expect(kind.statusCode).toBe(400);
    expect(kind.body.startsWith('<div id="lineage-graph"')).toBe(true);
    expect(kind.body).toContain('unknown node kind');

    const depth = await s.get('/lineage?node=road-model:1&depth=99');
    expect(depth.statusCode).toBe(400);
    expect(depth.body).toContain('depth');
    expect(depth.body).toContain('id="lineage-controls"');

    const expand = await s.get('/lineage?node=road-model:1&expand=program:1');
    expect(expand.statusCode).toBe(400);
    expect(expand.body).toContain('expand takes technology');

    const missing = await s.get('/lineage?node=road-model:999');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('id="lineage-controls"');
  });

  it('renders every label inert: a technology named <script> stays text in the SVG text, title, aria-label and table', async () => {
    const res = await s.get('/lineage?node=road-model:1&depth=2');
    expect(res.body).not.toContain(XSS);
    expect(res.body).not.toMatch(/<script>alert/);
    const node = /<g class="lineage-node kind-technology" data-node-id="technology:2"[^>]*>[\s\S]*?<\/g>/.exec(res.body)![0];
    // `<` and `&` escaped is enough to keep it text (kita leaves `>` as is).
    const inert = '&lt;script>alert(1)&lt;/script>';
    expect(node).toContain(`<title>${inert}`);
    expect(node).toContain(`>${inert}</text>`);
    expect(node).not.toContain('aria-label=');
    expect(node).toContain(`<title>Expand the runs of ${inert}</title>`);
    expect(res.body).toContain('2 runs of Race inverter');
    expect(res.body).toContain(`1 run of ${inert}`);
    expect(res.body).toContain(`<a href="/technologies/2">${inert}</a>`);
    // A node typed into the URL comes back escaped in the field and the links.
    const typed = await s.get(`/lineage?node=${encodeURIComponent('"><script>x</script>')}`);
    expect(typed.statusCode).toBe(400);
    expect(typed.body).not.toContain('<script>x</script>');
  });

  it('needs a session', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/lineage?node=road-model:1' });
    expect(res.statusCode).not.toBe(200);
    expect(res.body).not.toContain('Ariya NISMO');
  });
});

describe('lineage panel of a record page', () => {
  it('answers the depth-1 graph as a fragment for htmx, a page otherwise', async () => {
    const part = await s.get('/lineage/panel?node=road-model:1', partial);
    expect(part.statusCode).toBe(200);
    expect(part.body).not.toContain('<html');
    expect(svgNodes(part.body)).toEqual(['road-model:1', 'technology:1', 'technology:2']);
    expect(part.body).toContain('href="/lineage?node=road-model%3A1&direction=upstream&depth=1"');
    expect(part.body).toContain('Open the lineage explorer');
    expect(part.body).toContain('class="lineage-edge suspect"');

    const full = await s.get('/lineage/panel?node=road-model:1');
    expect(full.statusCode).toBe(200);
    expect(full.body).toContain('<!doctype html>');
    expect(svgNodes(full.body)).toEqual(svgNodes(part.body));
  });

  it('shows a program downstream and a technology both ways', async () => {
    const program = await s.get('/lineage/panel?node=program:1', partial);
    // TR-1 (race context P1) is folded into the run groups of the technologies it is evidence for.
    expect(svgNodes(program.body)).toEqual(['program:1', 'prototype:1', 'run-group:1', 'run-group:2', 'technology:1']);
    const tech = await s.get('/lineage/panel?node=technology:1', partial);
    // (TR-1 also counts in the group of T2, its other technology: the engine folds a run into every group.)
    expect(svgNodes(tech.body)).toEqual(['program:1', 'road-model:1', 'run-group:1', 'run-group:2', 'technology:1']);
    expect(tech.body).toContain('Both directions');
  });

  it('refuses a bad node', async () => {
    expect((await s.get('/lineage/panel?node=nope', partial)).statusCode).toBe(400);
    expect((await s.get('/lineage/panel', partial)).statusCode).toBe(400);
    expect((await s.get('/lineage/panel?node=technology:999', partial)).statusCode).toBe(404);
  });

  it('is loaded by the pages of road models, technologies, programs, prototypes and test runs', async () => {
    for (const [path, node] of [
      ['/road-models/1', 'road-model:1'],
      ['/technologies/1', 'technology:1'],
      ['/programs/1', 'program:1'],
      ['/prototypes/1', 'prototype:1'],
      ['/test-runs/1', 'test-run:1'],
    ] as const) {
      const res = await s.get(path);
      expect(res.statusCode, path).toBe(200);
      expect(res.body, path).toMatch(new RegExp(`<section class="lineage-panel"[^>]*hx-get="/lineage/panel\\?node=${node}"[^>]*hx-trigger="load"`));
      expect(res.body, path).toContain(`<a href="/lineage?node=${node}&direction=`);
    }
  });
});
