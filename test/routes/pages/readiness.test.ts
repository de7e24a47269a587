// Readiness and measurement-trend pages: current levels, the chart and history, recording an
// assessment through the form (303 / HX-Location), a refusal by a rule (422 naming it, input kept),
// who may record (403 for product and viewer sessions), and escaping of what users typed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, countRows, createTestApp, created, type TestApp } from '../../support/app.js';
import { pageSession, type PageSession } from '../../support/pages.js';

let t: TestApp;
let s: PageSession;
let inverter: number;
let other: number;
let bench: number;
let mule: number;
const run: Record<string, { id: number; code: string }> = {};

const PARTIAL = { 'hx-request': 'true', 'hx-request-type': 'partial' };
const XSS = '<script>alert(1)</script><a hx-get="/x">';
const today = () => new Date().toISOString().slice(0, 10);

async function logRun(key: string, body: Record<string, unknown>) {
  run[key] = await created<{ id: number; code: string }>(t.app, '/api/v1/test-runs', { title: `${key} run`, ...body });
}

beforeAll(async () => {
  t = await createTestApp();
  s = await pageSession(t.app);
  const category = await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Inverter', venue_types: ['dyno', 'track'] });
  inverter = (await created<{ id: number }>(t.app, '/api/v1/technologies', { name: 'SiC inverter', domain: 'hardware', category_id: category.id })).id;
  other = (await created<{ id: number }>(t.app, '/api/v1/technologies', { name: 'Torque vectoring', domain: 'software', category_id: category.id })).id;
  bench = (await created<{ id: number }>(t.app, '/api/v1/prototypes', { code: 'BENCH-1', kind: 'bench_rig' })).id;
  mule = (await created<{ id: number }>(t.app, '/api/v1/prototypes', { code: 'FE-MULE-07', kind: 'mule' })).id;
  await logRun('bench', {
    prototype_id: bench,
    venue_type: 'bench',
    start_time: '2026-01-10T09:00:00Z',
    end_time: '2026-01-10T17:00:00Z',
    evidence: [{ technology_id: inverter, outcome: 'pass' }],
    measurements: [{ name: 'Peak power', value: 280, unit: 'kW' }],
  });
  await logRun('dyno', {
    prototype_id: mule,
    venue_type: 'dyno',
    start_time: '2026-02-10T09:00:00Z',
    end_time: '2026-02-10T17:00:00Z',
    evidence: [{ technology_id: inverter, outcome: 'pass' }],
    measurements: [
      { name: 'Peak power', value: 300, unit: 'kW' },
      { name: XSS, value: 1, unit: '' },
    ],
  });
  await logRun('dynoFail', {
    prototype_id: mule,
    venue_type: 'dyno',
    start_time: '2026-03-01T09:00:00Z',
    end_time: '2026-03-01T17:00:00Z',
    evidence: [{ technology_id: inverter, outcome: 'fail' }],
    measurements: [{ name: 'Peak power', value: 310, unit: 'kW' }],
  });
  await logRun('planned', {
    prototype_id: mule,
    venue_type: 'track',
    status: 'planned',
    start_time: '2026-04-01T09:00:00Z',
    evidence: [{ technology_id: inverter, outcome: 'inconclusive' }],
  });
  await logRun('otherTech', {
    prototype_id: mule,
    venue_type: 'dyno',
    start_time: '2026-02-15T09:00:00Z',
    end_time: '2026-02-15T17:00:00Z',
    evidence: [{ technology_id: other, outcome: 'pass' }],
    measurements: [{ name: 'Peak power', value: 999, unit: 'kW' }],
  });
});
afterAll(async () => t.close());

function assessment(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return { target: 'race', level: '6', assessed_on: '2026-03-15', assessor: '', rationale: 'Dyno pass', evidence_run_ids: [String(run.dyno!.id)], ...overrides };
}

const checked = (html: string, runId: number) => new RegExp(`<input type="checkbox" id="f-evidence_run_ids-${runId}" name="evidence_run_ids" value="${runId}" checked`).test(html);

describe('readiness page', () => {
  it('shows "not assessed" for both targets and a form offering the completed runs of this technology', async () => {
    const res = await s.get(`/technologies/${inverter}/readiness`);
    expect(res.statusCode).toBe(200);
    expect(res.headers.vary).toMatch(/HX-Request-Type/i);
    expect(res.body).toContain('<!doctype html>');
    expect(res.body).toContain('Readiness of SiC inverter');
    expect(res.body.match(/not assessed/g)?.length).toBe(2);
    expect(res.body).toContain(`<form method="post" action="/technologies/${inverter}/readiness"`);
    for (const key of ['bench', 'dyno', 'dynoFail']) expect(res.body).toContain(`value="${run[key]!.id}"`);
    // Evidence counts only from completed runs of this technology.
    expect(res.body).not.toContain(`name="evidence_run_ids" value="${run.planned!.id}"`);
    expect(res.body).not.toContain(`name="evidence_run_ids" value="${run.otherTech!.id}"`);
    expect(res.body).toContain(`name="assessed_on" type="date" value="${today()}"`);
    expect(res.body).toContain('name="assessor" type="text" value="admin"');
    expect(res.body).toContain(`name="back" value="/technologies/${inverter}/readiness"`);
  });

  it('answers the section alone for an htmx partial (what the technology page loads), with the trend loading after it', async () => {
    const res = await s.get(`/technologies/${inverter}/readiness`, PARTIAL);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<!doctype html>');
    expect(res.body.startsWith('<section id="readiness"')).toBe(true);
    expect(res.body).toContain(`hx-get="/technologies/${inverter}/trend" hx-trigger="load"`);
    expect(res.body).toContain(`name="back" value="/technologies/${inverter}"`);
  });

  it('the technology and prototype pages load the sections by htmx, with plain links without JavaScript', async () => {
    const tech = await s.get(`/technologies/${inverter}`);
    expect(tech.body).toContain(`hx-get="/technologies/${inverter}/readiness" hx-trigger="load"`);
    expect(tech.body).toContain(`<a href="/technologies/${inverter}/readiness">`);
    const proto = await s.get(`/prototypes/${mule}`);
    expect(proto.body).toContain(`hx-get="/prototypes/${mule}/trend" hx-trigger="load"`);
    expect(proto.body).toContain(`<a href="/prototypes/${mule}/trend">`);
  });

  it('refuses a race TRL 6 on a bench pass with 422 naming TRL-6 next to the evidence runs, keeping the input', async () => {
    const before = countRows(t.db, 'readiness_assessments');
    const res = await s.post(`/technologies/${inverter}/readiness`, assessment({ rationale: 'Bench only & more', evidence_run_ids: [String(run.bench!.id)] }));
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('<!doctype html>');
    const error = /<small id="f-evidence_run_ids-error" class="field-error">([^<]*)<\/small>/.exec(res.body)?.[1];
    expect(error).toMatch(/^TRL-6: race TRL 6 needs a pass in a relevant environment/);
    expect(res.body).toContain('<option value="6" selected');
    expect(res.body).toContain('name="assessed_on" type="date" value="2026-03-15"');
    expect(res.body).toMatch(/<textarea id="f-rationale"[^>]*>Bench only &amp; more<\/textarea>/);
    expect(checked(res.body, run.bench!.id)).toBe(true);
    expect(checked(res.body, run.dyno!.id)).toBe(false);
    expect(countRows(t.db, 'readiness_assessments')).toBe(before);

    // From htmx: the form alone, for an in-place swap.
    const partial = await s.post(`/technologies/${inverter}/readiness`, assessment({ evidence_run_ids: [String(run.bench!.id)] }), { htmx: true });
    expect(partial.statusCode).toBe(422);
    expect(partial.body.startsWith('<form method="post"')).toBe(true);
    expect(partial.body).toContain('TRL-6');
  });

  it('refuses a run that is not completed with EVD-1, and a missing level with a message next to it', async () => {
    const evd = await s.post(`/technologies/${inverter}/readiness`, assessment({ level: '3', evidence_run_ids: [String(run.planned!.id)] }));
    expect(evd.statusCode).toBe(422);
    expect(evd.body).toMatch(/<small id="f-evidence_run_ids-error" class="field-error">EVD-1: run TR-\d{4}-\d{4} is planned/);
    const noLevel = await s.post(`/technologies/${inverter}/readiness`, assessment({ level: '' }));
    expect(noLevel.statusCode).toBe(422);
    expect(noLevel.body).toContain('<small id="f-level-error" class="field-error">is required</small>');
  });

  it('records an assessment from the form (303 back), then shows the level, the chart and the history with escaped rationale', async () => {
    const res = await s.post(`/technologies/${inverter}/readiness`, assessment({ rationale: XSS }));
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/technologies/${inverter}/readiness`);

    expect(decodeURIComponent(decodeURIComponent(String(res.headers['set-cookie'])))).toContain('pitlane_flash=Recorded: race TRL 6 for SiC inverter.');
    const page = await s.get(`/technologies/${inverter}/readiness`);
    expect(page.body).toMatch(/<strong class="trl-level"><span class="visually-hidden">TRL <\/span>6<\/strong>/);
    expect(page.body).toContain('since 2026-03-15, by admin');
    expect(page.body.match(/not assessed/g)?.length).toBe(3); // road: the card, the chart's legend and description
    expect(page.body).toContain('<svg class="chart trl-chart"');
    expect(page.body.match(/class="step-point race"/g)?.length).toBe(1);
    expect(page.body).toContain(`<a href="/test-runs/${run.dyno!.id}">${run.dyno!.code}</a>`);
    // What the user typed is inert in the table and in the chart's tooltip.
    expect(page.body).not.toContain('<script>alert(1)');
    expect(page.body).not.toContain('<a hx-get="/x">');
    expect(page.body).toContain('&lt;script>alert(1)&lt;/script>&lt;a hx-get=');
  });

  it('answers an htmx post with HX-Location back to the technology page it came from', async () => {
    const res = await s.post(
      `/technologies/${inverter}/readiness`,
      assessment({ target: 'road', level: '5', assessed_on: '2026-03-20', back: `/technologies/${inverter}`, assessor: 'k.tanaka' }),
      { htmx: true },
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['hx-location']).toBe(`/technologies/${inverter}`);
    // Anything else than the two pages it can come from goes to the readiness page.
    const odd = await s.post(`/technologies/${inverter}/readiness`, assessment({ level: '2', back: 'https://evil.example/' }));
    expect(odd.headers.location).toBe(`/technologies/${inverter}/readiness`);

    const page = await s.get(`/technologies/${inverter}/readiness`);
    expect(page.body).toContain('since 2026-03-20, by k.tanaka');
    expect(page.body.match(/class="step-point road"/g)?.length).toBe(1);
    expect(page.body.match(/class="step-point race"/g)?.length).toBe(2);
  });

  it('lets an engineer record, refuses product and viewer sessions (403) and shows them no form', async () => {
    const engineer = await pageSession(t.app, addUser(t.db, 'k.sato', 'engineer'));
    const ok = await engineer.post(`/technologies/${inverter}/readiness`, assessment({ level: '4', evidence_run_ids: [] }));
    expect(ok.statusCode).toBe(303);

    for (const role of ['product', 'viewer'] as const) {
      const session = await pageSession(t.app, addUser(t.db, role === 'product' ? 'm.ito' : 'y.mori', role));
      const before = countRows(t.db, 'readiness_assessments');
      const res = await session.post(`/technologies/${inverter}/readiness`, assessment());
      expect(res.statusCode).toBe(403);
      expect(countRows(t.db, 'readiness_assessments')).toBe(before);
      const page = await session.get(`/technologies/${inverter}/readiness`);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('name="evidence_run_ids"');
      expect(page.body).toContain('Engineers and admins record readiness assessments.');
    }
  });

  it('refuses a post without the CSRF token, and answers 404 for a technology that does not exist', async () => {
    const res = await s.post(`/technologies/${inverter}/readiness`, assessment(), { csrf: false });
    expect(res.statusCode).toBe(403);
    expect((await s.get('/technologies/99999/readiness')).statusCode).toBe(404);
    expect((await s.get('/technologies/99999/trend')).statusCode).toBe(404);
    expect((await s.get('/prototypes/99999/trend')).statusCode).toBe(404);
  });
});

describe('measurement trend pages', () => {
  it('charts a measurement across the runs of a technology, outcome by marker, points linking to the runs', async () => {
    const res = await s.get(`/technologies/${inverter}/trend?name=Peak%20power`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<!doctype html>');
    expect(res.body).toContain('<option value="Peak power" selected');
    expect(res.body.match(/<a class="point /g)?.length).toBe(3);
    expect(res.body.match(/<a class="point pass"/g)?.length).toBe(2);
    expect(res.body.match(/<a class="point fail"/g)?.length).toBe(1);
    expect(res.body).toContain(`<a class="point fail" href="/test-runs/${run.dynoFail!.id}"`);
    expect(res.body).not.toContain(`href="/test-runs/${run.otherTech!.id}"`);
    expect(res.body).toContain('Peak power (kW)');
  });

  it('answers the section for htmx (the select swaps it and pushes the URL), and falls back for an unknown name', async () => {
    const partial = await s.get(`/technologies/${inverter}/trend?name=Peak%20power`, PARTIAL);
    expect(partial.body.startsWith('<section id="trend"')).toBe(true);
    expect(partial.body).toContain(`hx-get="/technologies/${inverter}/trend" hx-trigger="change, submit" hx-target="#trend" hx-swap="outerHTML" hx-push-url="true"`);
    const unknown = await s.get(`/technologies/${inverter}/trend?name=Nope`);
    expect(unknown.statusCode).toBe(200);
    expect(unknown.body).toContain('No run here has a measurement named “Nope”');
    expect(unknown.body).toContain('<option value="Peak power" selected');
  });

  it('charts the runs of a prototype, whatever technology they exercised', async () => {
    const res = await s.get(`/prototypes/${mule}/trend?name=Peak%20power`);
    expect(res.statusCode).toBe(200);
    expect(res.body.match(/<a class="point /g)?.length).toBe(3); // dyno, other technology's run, dyno fail
    expect(res.body).toContain(`href="/test-runs/${run.otherTech!.id}"`);
    expect(res.body).not.toContain(`href="/test-runs/${run.bench!.id}"`);
  });

  it('keeps a <script> measurement name inert in the select, the chart and the table', async () => {
    const res = await s.get(`/technologies/${inverter}/trend?name=${encodeURIComponent(XSS)}`);
    expect(res.statusCode).toBe(200);
    expect(res.body.match(/<a class="point /g)?.length).toBe(1);
    expect(res.body).not.toContain('<script>alert(1)');
    expect(res.body).not.toContain('<a hx-get="/x">');
    expect(res.body).toContain('&lt;script>alert(1)&lt;/script>');
    // The option's value comes back as typed when the form is sent (fully escaped in the attribute).
    expect(res.body).toContain('<option value="&lt;script>alert(1)&lt;/script>&lt;a hx-get=&#34;/x&#34;>" selected>');
  });
});
