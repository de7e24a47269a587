import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, countRows, createTestApp, created, type TestApp } from '../../support/app.js';
import { pageSession, type PageSession } from '../../support/pages.js';

let t: TestApp;
let s: PageSession;
let program: number;
let prototype: number;
let inverter: number;
let torque: number;
let categoryId: number;

interface Run {
  id: number;
  code: string;
  title: string;
  version: number;
  engineer: string;
  status: string;
  program_id: number | null;
  start_time: string;
  measurements: { name: string; value: number; unit: string }[];
  evidence: { technology_id: number; outcome: string; notes: string }[];
}

beforeAll(async () => {
  t = await createTestApp();
  s = await pageSession(t.app);
  const fe = await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Formula E' });
  program = (await created<{ id: number }>(t.app, '/api/v1/programs', { series_id: fe.id, season: '2024-25', start_year: 2024, end_year: 2025, entry: 'Nissan Formula E Team', car: 'Nissan e-4ORCE 05' })).id;
  prototype = (await created<{ id: number }>(t.app, '/api/v1/prototypes', { code: 'FE-MULE-07', name: 'Formula E powertrain mule', kind: 'mule', program_ids: [program] })).id;
  await created(t.app, '/api/v1/prototypes', { code: 'INV-DYNO-2', name: 'Inverter dyno rig', kind: 'dyno_rig' });
  const category = await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Inverter', venue_types: ['dyno', 'track'] });
  categoryId = category.id;
  inverter = (await created<{ id: number }>(t.app, '/api/v1/technologies', { name: 'SiC inverter', domain: 'hardware', category_id: category.id })).id;
  torque = (await created<{ id: number }>(t.app, '/api/v1/technologies', { name: 'e-4ORCE torque vectoring', domain: 'software', category_id: category.id })).id;
});
afterAll(async () => t.close());

/** A complete logging form as a browser posts it (parallel repeated row fields). */
function fields(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    _idem: crypto.randomUUID(),
    prototype_code: 'FE-MULE-07',
    title: 'Inverter thermal soak, qualifying map',
    venue_type: 'dyno',
    start_time: '2026-05-14T09:30',
    evidence_technology: ['SiC inverter', 'e-4orce torque vectoring'],
    evidence_outcome: ['pass', 'fail'],
    evidence_notes: ['Held 350 kW', 'Oscillation at 180 km/h'],
    measurement_name: ['peak_motor_temp', 'lap_energy', ''],
    measurement_value: ['118.4', '1.92', ''],
    measurement_unit: ['degC', 'kWh', ''],
    program_id: '',
    objective: '',
    location: '',
    end_time: '',
    status: 'completed',
    software_version: '',
    hardware_revision: '',
    engineer: 'admin',
    result_summary: '',
    ...overrides,
  };
}

const withoutTemplates = (html: string) => html.replace(/<template[\s\S]*?<\/template>/g, '');
const count = (html: string, needle: string) => withoutTemplates(html).split(needle).length - 1;
const runs = () => countRows(t.db, 'test_runs');

async function logRun(overrides: Record<string, string | string[]> = {}): Promise<Run> {
  const res = await s.post('/test-runs', fields(overrides));
  expect(res.statusCode, res.body).toBe(303);
  const id = Number(String(res.headers.location).split('/').pop());
  return (await api(t.app).get(`/api/v1/test-runs/${id}`)).json() as Run;
}

describe('the logging form', () => {
  it('shows only the required fields up front, the rest under "More details"', async () => {
    const res = await s.get('/test-runs/new');
    expect(res.statusCode).toBe(200);
    const html = withoutTemplates(res.body);
    const [before, rest] = html.split(/<details[^>]*>/);
    const [details, after] = rest!.split('</details>');
    const names = (part: string) => new Set([...part.matchAll(/<(?:input|select|textarea)[^>]*\bname="([^"]+)"/g)].map((m) => m[1]));
    const visible = new Set([...names(before!), ...names(after!)]);
    expect([...visible].sort()).toEqual(
      ['_csrf', '_idem', 'evidence_notes', 'evidence_outcome', 'evidence_technology', 'measurement_name', 'measurement_unit', 'measurement_value', 'prototype_code', 'start_time', 'title', 'venue_type'].sort(),
    );
    expect([...names(details!)].sort()).toEqual(
      ['end_time', 'engineer', 'hardware_revision', 'location', 'objective', 'program_id', 'result_summary', 'software_version', 'status'].sort(),
    );
    expect(details).toContain('<summary>More details</summary>');
    // Defaults: now, the signed-in engineer, completed; the prototype is found by typing its code.
    const prototypeInput = /<input[^>]*id="f-prototype_code"[^>]*>/.exec(html)?.[0] ?? '';
    expect(prototypeInput).toContain('list="f-prototype_code-suggestions"');
    expect(prototypeInput).toContain('hx-get="/prototypes/suggestions"');
    expect(prototypeInput).toContain('autofocus');
    // Suggestions come as you type (thousands of records do not belong in every form).
    expect(html).not.toContain('<option value="FE-MULE-07"');
    expect(html).toMatch(/<input[^>]*name="evidence_technology"[^>]*list="technology-names"[^>]*hx-get="\/technologies\/suggestions"/);
    expect(html).toMatch(new RegExp(`id="f-start_time" name="start_time" type="datetime-local" value="${new Date().toISOString().slice(0, 10)}T\\d\\d:\\d\\d"`));
    expect(html).toMatch(/name="engineer" type="text" value="admin"/);
    expect(html).toMatch(/<option value="completed" selected>/);
    expect(html).toMatch(/name="_idem" value="[0-9a-f-]{36}"/);
    expect(html).toMatch(/hx-disable="findAll button\[type=submit\]"/);
    // Without JavaScript: one technology row, two measurement rows, and buttons that add rows.
    expect(count(html, 'name="evidence_technology"')).toBe(1);
    expect(count(html, 'name="measurement_name"')).toBe(2);
    expect(html).toContain('name="_add" value="measurement"');
    expect(html).toContain('name="_add" value="evidence"');
    expect(html).toContain('aria-label="Remove measurement 2"');
    // With JavaScript: the same rows cloned from templates.
    expect(res.body).toContain('<template id="measurement-row-template">');
    expect(res.body).toContain('data-add-row="measurement-rows" data-template="measurement-row-template"');
  });

  it('logs a run with two measurements and two technologies: 303 to its page, which shows them', async () => {
    const before = runs();
    const res = await s.post('/test-runs', fields());
    expect(res.statusCode).toBe(303);
    const location = String(res.headers.location);
    expect(location).toMatch(/^\/test-runs\/\d+$/);
    expect(runs()).toBe(before + 1);
    const run = (await api(t.app).get(`/api/v1/test-runs${location.slice('/test-runs'.length)}`)).json() as Run;
    expect(run).toMatchObject({
      title: 'Inverter thermal soak, qualifying map',
      start_time: '2026-05-14T09:30:00.000Z',
      status: 'completed',
      engineer: 'admin',
      program_id: null,
      measurements: [
        { name: 'peak_motor_temp', value: 118.4, unit: 'degC' },
        { name: 'lap_energy', value: 1.92, unit: 'kWh' },
      ],
      evidence: [
        { technology_id: inverter, outcome: 'pass', notes: 'Held 350 kW' },
        { technology_id: torque, outcome: 'fail', notes: 'Oscillation at 180 km/h' },
      ],
    });
    expect(run.code).toMatch(/^TR-2026-\d{4}$/);

    const page = await s.get(location);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(run.code);
    expect(page.body).toContain(`href="/prototypes/${prototype}"`);
    expect(page.body).toContain(`href="/technologies/${inverter}"`);
    expect(page.body).toContain('e-4ORCE torque vectoring');
    expect(page.body).toMatch(/<span class="badge fail">Fail<\/span>/);
    expect(page.body).toContain('<td safe>peak_motor_temp</td>'.replace(' safe', ''));
    expect(page.body).toMatch(/<td class="numeric">118.4<\/td>/);
    expect(page.body).toContain('lap_energy');
    expect(page.body).toMatch(/\/audit\?entity=test_run&(amp;)?entity_id=\d+"/);
    expect(page.body).toContain(`href="${location}/edit"`);
    expect(page.body).toContain(`href="${location}/delete"`);
    expect(String(res.headers['set-cookie'])).toMatch(new RegExp(`pitlane_flash=.*${run.code}.*logged`));
  });

  it('refuses an unknown prototype code and technology with 422, messages next to the fields, every value and row kept', async () => {
    const before = runs();
    const res = await s.post(
      '/test-runs',
      fields({
        prototype_code: 'NOPE-1',
        evidence_technology: ['SiC inverter', 'Warp drive'],
        objective: 'Kept objective',
        measurement_value: ['118.4', 'lots', ''],
      }),
    );
    expect(res.statusCode).toBe(422);
    expect(runs()).toBe(before);
    expect(res.body).toMatch(/id="f-prototype_code-error"[^>]*>no prototype with code “NOPE-1”/);
    expect(res.body).toMatch(/id="f-evidence-1-technology-error"[^>]*>no technology named “Warp drive”/);
    expect(res.body).toMatch(/id="f-measurement-1-value-error"[^>]*>must be a number/);
    expect(res.body).toMatch(/href="#f-evidence-1-technology">Technology 2: no technology named/);
    // Every value typed is back, all rows included (the blank third measurement row too).
    expect(res.body).toContain('value="NOPE-1"');
    expect(res.body).toContain('value="Inverter thermal soak, qualifying map"');
    expect(res.body).toMatch(/id="f-evidence-0-technology"[^>]*value="SiC inverter"/);
    expect(res.body).toMatch(/id="f-evidence-1-technology"[^>]*value="Warp drive"/);
    expect(res.body).toMatch(/id="f-evidence-1-notes"[^>]*value="Oscillation at 180 km\/h"/);
    expect(withoutTemplates(res.body)).toMatch(/id="f-evidence-1-outcome"[\s\S]*?<option value="fail" selected>/);
    expect(res.body).toMatch(/id="f-measurement-1-value"[^>]*value="lots"/);
    expect(res.body).toMatch(/id="f-measurement-0-unit"[^>]*value="degC"/);
    expect(count(res.body, 'name="measurement_name"')).toBe(3);
    expect(res.body).toContain('Kept objective</textarea>');
    expect(res.body).toMatch(/<details class="more-details" open>/);
    // The summary lists the errors top to bottom, as the fields come in the form.
    const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(res.body)?.[0] ?? '';
    expect(summary.indexOf('Prototype:')).toBeLessThan(summary.indexOf('Technology 2:'));
    expect(summary.indexOf('Technology 2:')).toBeLessThan(summary.indexOf('Measurement 2 value:'));
    expect(res.body).toMatch(/<option value="dyno" selected>/);

    // htmx gets the form alone; missing required fields are named.
    const htmx = await s.post('/test-runs', fields({ title: '', venue_type: '', evidence_technology: [''], evidence_outcome: [''], evidence_notes: [''] }), { htmx: true });
    expect(htmx.statusCode).toBe(422);
    expect(htmx.body.startsWith('<form')).toBe(true);
    expect(htmx.body).toMatch(/id="f-title-error"[^>]*>is required/);
    expect(htmx.body).toMatch(/id="f-venue_type-error"[^>]*>is required/);
    expect(htmx.body).toMatch(/id="f-evidence-error"[^>]*>needs at least one technology with its outcome/);
    expect(runs()).toBe(before);

    // A technology given twice and an outcome left out are named on their rows.
    const twice = await s.post('/test-runs', fields({ evidence_technology: ['SiC inverter', 'SiC inverter'], evidence_outcome: ['pass', ''] }));
    expect(twice.statusCode).toBe(422);
    expect(twice.body).toMatch(/id="f-evidence-1-outcome-error"[^>]*>is required/);
    expect(runs()).toBe(before);
  });

  it('adds and removes rows without JavaScript: the same form again, nothing saved, everything kept', async () => {
    const before = runs();
    const res = await s.post('/test-runs', fields({ _add: 'measurement' }));
    expect(res.statusCode).toBe(200);
    expect(runs()).toBe(before);
    expect(res.body).not.toContain('error-summary');
    expect(count(res.body, 'name="measurement_name"')).toBe(4);
    expect(res.body).toMatch(/id="f-measurement-3-name"[^>]*autofocus/);
    expect(res.body).toMatch(/id="f-measurement-1-value"[^>]*value="1.92"/);
    expect(res.body).toMatch(/id="f-evidence-1-technology"[^>]*value="e-4orce torque vectoring"/);
    expect(res.body).toContain('aria-label="Remove measurement 4"');

    const more = await s.post('/test-runs', fields({ _add: 'evidence' }));
    expect(count(more.body, 'name="evidence_technology"')).toBe(3);
    expect(more.body).toMatch(/id="f-evidence-2-technology"[^>]*autofocus/);

    const removed = await s.post('/test-runs', fields({ _remove: 'measurement:0' }));
    expect(removed.statusCode).toBe(200);
    expect(count(removed.body, 'name="measurement_name"')).toBe(2);
    expect(removed.body).toMatch(/id="f-measurement-0-name"[^>]*value="lap_energy"/);
    expect(runs()).toBe(before);
  });

  it('logs one run when the same form is posted twice; both answers point to it', async () => {
    const before = runs();
    const form = fields({ title: 'Double submit on pit Wi-Fi' });
    const first = await s.post('/test-runs', form);
    const second = await s.post('/test-runs', form);
    expect(first.statusCode).toBe(303);
    expect(second.statusCode).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    const third = await s.post('/test-runs', form, { htmx: true });
    expect(third.statusCode).toBe(200);
    expect(third.headers['hx-location']).toBe(first.headers.location);
    expect(runs()).toBe(before + 1);
    // Another form instance (another key) is another run.
    const other = await s.post('/test-runs', { ...form, _idem: crypto.randomUUID() });
    expect(other.statusCode).toBe(303);
    expect(other.headers.location).not.toBe(first.headers.location);
    expect(runs()).toBe(before + 2);
    // A refused post frees its key: the corrected form saves.
    const key = crypto.randomUUID();
    expect((await s.post('/test-runs', fields({ _idem: key, title: '' }))).statusCode).toBe(422);
    expect((await s.post('/test-runs', fields({ _idem: key, title: 'Fixed' }))).statusCode).toBe(303);
    expect(runs()).toBe(before + 3);
  });

  it('refuses a post without the CSRF token with 403', async () => {
    const before = runs();
    const res = await s.post('/test-runs', fields(), { csrf: false });
    expect(res.statusCode).toBe(403);
    expect(runs()).toBe(before);
  });
});

describe('list, page and edit', () => {
  it('shows stored markup escaped and inert on the list and the run page', async () => {
    const run = await logRun({
      title: '<script>alert(1)</script>',
      objective: '<a hx-get="/x">objective</a>',
      measurement_name: ['<script>alert(2)</script>', ''],
      measurement_value: ['1', ''],
      measurement_unit: ['<a hx-get="/x">', ''],
      evidence_notes: ['<script>alert(3)</script><a hx-get="/x">', ''],
    });
    for (const url of ['/test-runs?q=alert', `/test-runs/${run.id}`]) {
      const page = await s.get(url);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(run.code);
      expect(page.body).not.toContain('<script>alert');
      expect(page.body).not.toContain('<a hx-get');
      expect(page.body).toMatch(/&lt;script(&gt;|>)alert\(1\)&lt;\/script/);
    }
    const detail = (await s.get(`/test-runs/${run.id}`)).body;
    expect(detail).toMatch(/&lt;script(&gt;|>)alert\(2\)/);
    expect(detail).toMatch(/&lt;script(&gt;|>)alert\(3\)/);
    expect(detail).toMatch(/&lt;a hx-get=(&quot;|&#34;|")\/x/);
    // In the edit form the values sit inside quoted attributes, where markup is inert text.
    const edit = (await s.get(`/test-runs/${run.id}/edit`)).body;
    expect(edit).toContain('value="&lt;script>alert(1)&lt;/script>"');
    const outsideAttributes = edit.replace(/="[^"]*"/g, '=""');
    expect(outsideAttributes).not.toContain('<script>alert');
    expect(outsideAttributes).not.toContain('<a hx-get');
    expect(edit).toMatch(/&lt;a hx-get=(&quot;|&#34;|")\/x(&quot;|&#34;|")(&gt;|>)objective&lt;\/a(&gt;|>)<\/textarea>/);
  });

  it('answers the full list page, the #results fragment for a partial, rows for a cursor; newest first; search by code', async () => {
    const a = await logRun({ title: 'Oldest run', start_time: '2026-01-02T08:00' });
    const b = await logRun({ title: 'Middle run', start_time: '2026-02-02T08:00', prototype_code: 'INV-DYNO-2' });
    const c = await logRun({ title: 'Newest run 耐久テスト', start_time: '2027-03-02T08:00', evidence_technology: ['SiC inverter', ''], evidence_outcome: ['fail', ''], evidence_notes: ['', ''] });

    const full = await s.get('/test-runs');
    expect(full.statusCode).toBe(200);
    expect(full.body).toContain('<!doctype html>');
    expect(full.body).toMatch(/<input[^>]*name="technology"[^>]*hx-get="\/technologies\/suggestions"/);
    expect(full.body).toMatch(/<input[^>]*name="prototype"[^>]*hx-get="\/prototypes\/suggestions"/);
    expect(full.body).toContain('name="started_after"');
    expect(full.body.indexOf(c.code)).toBeLessThan(full.body.indexOf(b.code));
    expect(full.body.indexOf(b.code)).toBeLessThan(full.body.indexOf(a.code));
    expect(full.body).toMatch(/<span class="badge pass">1 pass<\/span><span class="badge fail">1 fail<\/span>/);

    const headers = { 'hx-request': 'true', 'hx-request-type': 'partial' };
    const partial = await s.get(`/test-runs?q=${c.code}&status=&program_id=`, headers);
    expect(partial.statusCode).toBe(200);
    expect(partial.body.startsWith('<div id="results"')).toBe(true);
    expect(partial.body).toContain(c.code);
    expect(partial.body).not.toContain(b.code);
    expect(partial.headers.vary).toMatch(/HX-Request-Type/);

    const japanese = await s.get(`/test-runs?q=${encodeURIComponent('耐久テスト')}`, headers);
    expect(japanese.body).toContain(c.code);
    expect(japanese.body).not.toContain(a.code);
    const hyphen = await s.get('/test-runs?q=e-4ORCE', headers);
    expect(hyphen.statusCode).toBe(200);

    const filtered = await s.get(`/test-runs?started_after=2026-01-15&started_before=2026-12-31&technology_id=${inverter}`, headers);
    expect(filtered.body).toContain(b.code);
    expect(filtered.body).not.toContain(a.code);
    expect(filtered.body).not.toContain(c.code);
    const failed = await s.get(`/test-runs?technology_id=${inverter}&outcome=fail`, headers);
    expect(failed.body).toContain(c.code);
    expect(failed.body).not.toContain(b.code);

    const page1 = await s.get('/test-runs?sort=start_time&limit=2', headers);
    const more = /href="([^"]*cursor=[^"]+)"/.exec(page1.body)?.[1];
    expect(more).toBeDefined();
    const rows = await s.get(more!.replace(/&amp;/g, '&'), headers);
    expect(rows.statusCode).toBe(200);
    expect(rows.body.startsWith('<tr>')).toBe(true);

    const none = await s.get('/test-runs?q=nothing-like-this', headers);
    expect(none.body).toContain('No test runs match these filters');
  });

  it('filters by a typed technology name or prototype code (what the filter form sends), and says so when the name matches nothing', async () => {
    const a = await logRun({ title: 'Typed filter, torque', prototype_code: 'INV-DYNO-2', evidence_technology: ['e-4ORCE torque vectoring'], evidence_outcome: ['pass'], evidence_notes: [''] });
    const b = await logRun({ title: 'Typed filter, inverter', evidence_technology: ['SiC inverter'], evidence_outcome: ['pass'], evidence_notes: [''] });
    const headers = { 'hx-request': 'true', 'hx-request-type': 'partial' };

    // Exact, or ignoring case.
    const byName = await s.get(`/test-runs?technology=${encodeURIComponent('sic INVERTER')}&prototype=`, headers);
    expect(byName.body).toContain(b.code);
    expect(byName.body).not.toContain(a.code);
    // A prototype by its code, or by its name.
    for (const typed of ['INV-DYNO-2', 'inverter dyno rig']) {
      const byPrototype = await s.get(`/test-runs?prototype=${encodeURIComponent(typed)}`, headers);
      expect(byPrototype.body, typed).toContain(a.code);
      expect(byPrototype.body, typed).not.toContain(b.code);
    }

    // A name that matches nothing lists nothing and names what was typed: not every run.
    const unknown = await s.get('/test-runs?technology=Warp%20drive', headers);
    expect(unknown.statusCode).toBe(200);
    expect(unknown.body).toContain('No technology is named “Warp drive”');
    expect(unknown.body).not.toContain(a.code);
    expect(unknown.body).not.toContain(b.code);
    const unknownFull = await s.get('/test-runs?prototype=NOPE-1');
    expect(unknownFull.body).toMatch(/<input[^>]*name="prototype"[^>]*value="NOPE-1"[^>]*aria-invalid="true"/);
    expect(unknownFull.body).toContain('No prototype has the code or name “NOPE-1”');
    // The CSV download of such a filter is refused, naming the field.
    const csv = await s.get('/test-runs?technology=Warp%20drive&format=csv');
    expect(csv.statusCode).toBe(422);
    expect(csv.body).toContain('technology');

    // A link with the id (from a technology's page) shows the name in the typed field.
    const linked = await s.get(`/test-runs?technology_id=${inverter}`);
    expect(linked.body).toMatch(/<input[^>]*name="technology"[^>]*value="SiC inverter"/);
    expect(linked.body).toContain(b.code);
    expect(linked.body).not.toContain(a.code);
    // The typed field wins over an id when both come (the form was edited after following a link).
    const both = await s.get(`/test-runs?technology_id=${inverter}&technology=${encodeURIComponent('e-4ORCE torque vectoring')}`, headers);
    expect(both.body).toContain(a.code);
    expect(both.body).not.toContain(b.code);
  });

  it('filters by a program typed as its label, suggested as you type (a field, not a <select> of every program)', async () => {
    const inProgram = await logRun({ title: 'Program filter, in the program', program_id: String(program) });
    const elsewhere = await logRun({ title: 'Program filter, no program' });
    const headers = { 'hx-request': 'true', 'hx-request-type': 'partial' };
    const label = 'Formula E 2024-25 · Nissan Formula E Team';

    const full = await s.get('/test-runs');
    expect(full.body).toMatch(/<input[^>]*name="program"[^>]*list="f-program-suggestions"[^>]*hx-get="\/programs\/suggestions"/);
    expect(full.body).not.toContain('<select id="f-program_id"');

    // The label, ignoring case, or words only this program's label holds all of.
    for (const typed of [label, label.toUpperCase(), '  2024-25 nissan  ']) {
      const res = await s.get(`/test-runs?program=${encodeURIComponent(typed)}`, headers);
      expect(res.body, typed).toContain(inProgram.code);
      expect(res.body, typed).not.toContain(elsewhere.code);
    }
    // Words two programs hold name no single program: the list says so instead of guessing.
    const series = (await api(t.app).get('/api/v1/series?limit=1')).json() as { items: { id: number }[] };
    const next = await created<{ id: number }>(t.app, '/api/v1/programs', { series_id: series.items[0]!.id, season: '2025-26', start_year: 2025, end_year: 2026, entry: 'Nissan Formula E Team', car: 'Nissan e-4ORCE 05' });
    const ambiguous = await s.get('/test-runs?program=nissan%20formula', headers);
    expect(ambiguous.body).toContain('No single program is named “nissan formula”');
    expect(ambiguous.body).not.toContain(inProgram.code);
    const unknownFull = await s.get('/test-runs?program=GT300');
    expect(unknownFull.body).toMatch(/<input[^>]*name="program"[^>]*value="GT300"[^>]*aria-invalid="true"/);
    expect((await s.get('/test-runs?program=GT300&format=csv')).statusCode).toBe(422);

    // A link with the id (from a program's page) shows the label in the field.
    const linked = await s.get(`/test-runs?program_id=${program}`);
    expect(linked.body).toMatch(new RegExp(`<input[^>]*name="program"[^>]*value="${label}"`));
    expect(linked.body).toContain(inProgram.code);
    expect(linked.body).not.toContain(elsewhere.code);

    // Suggestions: labels starting with the text first, then those holding every word; newest first.
    const suggested = await s.get('/programs/suggestions?program=nissan%20FORMULA', headers);
    expect(suggested.statusCode).toBe(200);
    expect(suggested.body).toBe(
      `<option value="Formula E 2025-26 · Nissan Formula E Team"></option><option value="${label}"></option>`,
    );
    expect((await s.get('/programs/suggestions?program=formula%20e%202024')).body).toBe(`<option value="${label}"></option>`);
    // At the first focus (nothing typed): the newest programs.
    expect((await s.get('/programs/suggestions?program=')).body).toContain('2025-26 · Nissan Formula E Team');
    expect((await s.get('/programs/suggestions?program=' + 'x'.repeat(201))).statusCode).toBe(400);
    expect((await api(t.app).delete(`/api/v1/programs/${next.id}`, { 'if-match': '"1"' })).statusCode).toBe(204);
  });

  it('shows a renamed prototype and a new program at once (the names the list keeps are read again after a write)', async () => {
    const run = await logRun({ title: 'Renamed prototype run', prototype_code: 'INV-DYNO-2' });
    expect((await s.get('/test-runs')).body).toContain('INV-DYNO-2');
    const proto = (await api(t.app).get('/api/v1/prototypes?limit=200')).json() as { items: { id: number; code: string; version: number }[] };
    const dyno = proto.items.find((p) => p.code === 'INV-DYNO-2')!;
    const renamed = await api(t.app).patch(`/api/v1/prototypes/${dyno.id}`, { code: 'INV-DYNO-3' }, { 'if-match': `"${dyno.version}"` });
    expect(renamed.statusCode).toBe(200);
    const page = await s.get('/test-runs');
    expect(page.body).toMatch(new RegExp(`${run.code}[\\s\\S]*INV-DYNO-3`));
    expect(page.body).not.toContain('INV-DYNO-2');
    const series = (await api(t.app).get('/api/v1/series?limit=1')).json() as { items: { id: number }[] };
    await created(t.app, '/api/v1/programs', { series_id: series.items[0]!.id, season: '2031-32', start_year: 2031, end_year: 2032, entry: 'Future entry', car: 'Future car' });
    expect((await s.get('/programs/suggestions?program=2031')).body).toContain('2031-32 · Future entry');
    await api(t.app).patch(`/api/v1/prototypes/${dyno.id}`, { code: 'INV-DYNO-2' }, { 'if-match': `"${dyno.version + 1}"` });
  });

  it('suggests technologies and prototypes as you type: starting with the text first, then containing it, escaped', async () => {
    await created(t.app, '/api/v1/technologies', { name: 'Inverter cooling <b>loop</b>', domain: 'hardware', category_id: categoryId });
    const tech = await s.get('/technologies/suggestions?technology=INVERTER', { 'hx-request': 'true', 'hx-request-type': 'partial' });
    expect(tech.statusCode).toBe(200);
    expect(tech.headers['content-type']).toMatch(/text\/html/);
    // "Inverter cooling…" starts with the text: before "SiC inverter", which only contains it.
    expect(tech.body).toMatch(/^<option value="Inverter cooling &lt;b>loop&lt;\/b>"><\/option><option value="SiC inverter"><\/option>$/);
    const fromARow = await s.get('/technologies/suggestions?evidence_technology=torque');
    expect(fromARow.body).toBe('<option value="e-4ORCE torque vectoring"></option>');
    // LIKE wildcards are taken literally.
    expect((await s.get('/technologies/suggestions?technology=%25')).body).toBe('');
    expect((await s.get('/technologies/suggestions?technology=' + 'x'.repeat(201))).statusCode).toBe(400);

    const proto = await s.get('/prototypes/suggestions?prototype=dyno');
    expect(proto.body).toBe('<option value="INV-DYNO-2" label="Inverter dyno rig"></option>');
    const byCode = await s.get('/prototypes/suggestions?prototype_code=fe-');
    expect(byCode.body).toContain('<option value="FE-MULE-07" label="Formula E powertrain mule"></option>');
  });

  it('edits a run: the form comes prefilled with its rows, and a save replaces them', async () => {
    const run = await logRun({ title: 'To be edited' });
    const form = await s.get(`/test-runs/${run.id}/edit`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="FE-MULE-07"');
    expect(form.body).toMatch(/id="f-measurement-1-name"[^>]*value="lap_energy"/);
    expect(form.body).toMatch(/id="f-evidence-1-technology"[^>]*value="e-4ORCE torque vectoring"/);
    expect(form.body).toContain(`name="version" value="${run.version}"`);
    expect(form.body).toContain('value="2026-05-14T09:30"');

    const res = await s.post(
      `/test-runs/${run.id}`,
      fields({
        version: String(run.version),
        title: 'Edited',
        program_id: String(program),
        measurement_name: ['peak_motor_temp'],
        measurement_value: ['114.9'],
        measurement_unit: ['degC'],
        evidence_technology: ['SiC inverter'],
        evidence_outcome: ['inconclusive'],
        evidence_notes: [''],
      }),
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/test-runs/${run.id}`);
    const after = (await api(t.app).get(`/api/v1/test-runs/${run.id}`)).json() as Run;
    expect(after).toMatchObject({
      title: 'Edited',
      program_id: program,
      version: run.version + 1,
      measurements: [{ name: 'peak_motor_temp', value: 114.9, unit: 'degC' }],
      evidence: [{ technology_id: inverter, outcome: 'inconclusive', notes: '' }],
    });
  });

  it('answers a stale edit with 409, what changed meanwhile, and the input kept', async () => {
    const run = await logRun({ title: 'Stale test' });
    const patched = await api(t.app).patch(`/api/v1/test-runs/${run.id}`, { result_summary: 'Changed by a colleague' }, { 'if-match': `"${run.version}"` });
    expect(patched.statusCode).toBe(200);
    const res = await s.post(`/test-runs/${run.id}`, fields({ version: String(run.version), title: 'My edit', measurement_name: ['kept_name', 'second', ''] }));
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('This record was changed by someone else');
    expect(res.body).toContain('Changed by a colleague');
    expect(res.body).toContain('value="My edit"');
    expect(res.body).toMatch(/id="f-measurement-0-name"[^>]*value="kept_name"/);
    expect(res.body).toContain(`name="version" value="${run.version + 1}"`);
    const now = (await api(t.app).get(`/api/v1/test-runs/${run.id}`)).json() as Run;
    expect(now.title).toBe('Stale test');
  });

  it('deletes a run after a confirmation page', async () => {
    const run = await logRun({ title: 'To be deleted' });
    const confirm = await s.get(`/test-runs/${run.id}/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(`action="/test-runs/${run.id}/delete"`);
    const res = await s.post(`/test-runs/${run.id}/delete`, { version: String(run.version) });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/test-runs');
    expect((await api(t.app).get(`/api/v1/test-runs/${run.id}`)).statusCode).toBe(404);
    expect((await s.get(`/test-runs/${run.id}`)).statusCode).toBe(404);
  });
});
