import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, countRows, createTestApp, created, type TestApp } from '../../support/app.js';
import { pageSession, type PageSession } from '../../support/pages.js';

let t: TestApp;
let s: PageSession;
let inverterId: number;
let aeroId: number;
let programId: number;

const XSS_SCRIPT = '<script>alert(1)</script>';
const XSS_HTMX = '<a hx-get="/x">';
const PARTIAL = { 'hx-request': 'true', 'hx-request-type': 'partial' };

interface Tech {
  id: number;
  name: string;
  version: number;
  derived_from: number[];
}

beforeAll(async () => {
  t = await createTestApp();
  s = await pageSession(t.app);
  inverterId = (await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Inverter' })).id;
  aeroId = (await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Aero' })).id;
  const series = await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Formula E' });
  programId = (
    await created<{ id: number }>(t.app, '/api/v1/programs', {
      series_id: series.id,
      season: '2024-25',
      start_year: 2024,
      end_year: 2025,
      entry: 'Nissan Formula E Team',
      car: 'Nissan e-4ORCE 05',
    })
  ).id;
});
afterAll(async () => t.close());

async function apiTech(name: string, overrides: Record<string, unknown> = {}): Promise<Tech> {
  return created<Tech>(t.app, '/api/v1/technologies', { name, domain: 'hardware', category_id: inverterId, ...overrides });
}

function techFields(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    name: 'Road SiC inverter',
    domain: 'hardware',
    category_id: String(inverterId),
    origin_program_id: '',
    owner: 'NISMO powertrain',
    description: 'Derived from the race inverter',
    derived_from: '',
    ...overrides,
  };
}

async function stored(id: number): Promise<Tech> {
  return (await api(t.app).get(`/api/v1/technologies/${id}`)).json() as Tech;
}

describe('technology pages', () => {
  it('answers the full list page, the #results fragment for a partial, and only rows for a cursor', async () => {
    for (let i = 0; i < 3; i++) await apiTech(`Paging tech ${i}`);

    const full = await s.get('/technologies');
    expect(full.statusCode).toBe(200);
    expect(full.headers['content-type']).toMatch(/text\/html/);
    expect(full.headers.vary).toMatch(/HX-Request-Type/i);
    expect(full.body).toContain('<!doctype html>');
    expect(full.body).toContain('name="category_id"');
    expect(full.body).toContain('name="origin_program_id"');
    expect(full.body).toContain('Formula E 2024-25');

    // Blank filters as the filter form sends them mean "no filter".
    const partial = await s.get('/technologies?q=Paging&limit=2&domain=&category_id=&origin_program_id=', PARTIAL);
    expect(partial.statusCode).toBe(200);
    expect(partial.body).not.toContain('<!doctype html>');
    expect(partial.body.startsWith('<div id="results"')).toBe(true);
    expect(partial.body).toContain('Paging tech 0');
    expect(partial.body).toContain('Paging tech 1');
    expect(partial.body).not.toContain('Paging tech 2');
    const more = /href="([^"]*cursor=[^"]+)"/.exec(partial.body)?.[1];
    expect(more).toBeDefined();

    const rows = await s.get(more!.replace(/&amp;/g, '&'), PARTIAL);
    expect(rows.statusCode).toBe(200);
    expect(rows.body.startsWith('<tr>')).toBe(true);
    expect(rows.body).not.toContain('id="results"');
    expect(rows.body).toContain('Paging tech 2');
    expect(rows.body).not.toContain('Paging tech 0');

    // Sorting by name descending turns the order round.
    const sorted = await s.get('/technologies?q=Paging&sort=-name', PARTIAL);
    expect(sorted.body.indexOf('Paging tech 2')).toBeLessThan(sorted.body.indexOf('Paging tech 0'));
  });

  it('finds e-4ORCE and Japanese text through the search box, and filters by category, domain and program', async () => {
    await apiTech('e-4ORCE torque vectoring', { domain: 'software', category_id: aeroId, origin_program_id: programId });
    await apiTech('回生ブレーキ協調制御', { description: 'フォーミュラEの回生技術' });

    const e4 = await s.get('/technologies?q=e-4ORCE');
    expect(e4.statusCode).toBe(200);
    expect(e4.body).toContain('e-4ORCE torque vectoring');
    expect(e4.body).not.toContain('Paging tech');
    expect(e4.body).toContain('value="e-4ORCE"');

    const jp = await s.get(`/technologies?q=${encodeURIComponent('回生')}`);
    expect(jp.body).toContain('回生ブレーキ協調制御');
    expect(jp.body).not.toContain('e-4ORCE torque vectoring');

    const byCategory = await s.get(`/technologies?category_id=${aeroId}`);
    expect(byCategory.body).toContain('e-4ORCE torque vectoring');
    expect(byCategory.body).not.toContain('Paging tech');
    const byProgram = await s.get(`/technologies?origin_program_id=${programId}&domain=software`);
    expect(byProgram.body).toContain('e-4ORCE torque vectoring');
    expect(byProgram.body).toContain(`href="/programs/${programId}"`);

    const none = await s.get(`/technologies?category_id=${aeroId}&domain=hardware`);
    expect(none.statusCode).toBe(200);
    expect(none.body).toContain('No technologies match these filters');
  });

  it('creates a technology from the form: 303 to its page, with category, program and parent linked', async () => {
    const parent = await apiTech('Race SiC inverter');
    const res = await s.post('/technologies', techFields({ origin_program_id: String(programId), derived_from: ['', String(parent.id)] }));
    expect(res.statusCode).toBe(303);
    const location = res.headers.location as string;
    expect(location).toMatch(/^\/technologies\/\d+$/);
    const id = Number(location.split('/').pop());
    expect(await stored(id)).toMatchObject({ name: 'Road SiC inverter', owner: 'NISMO powertrain', origin_program_id: programId, derived_from: [parent.id] });

    const page = await s.get(location);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Road SiC inverter');
    expect(page.body).toMatch(new RegExp(`href="/technologies\\?category_id=${inverterId}"[^>]*>Inverter<`));
    expect(page.body).toContain(`href="/programs/${programId}"`);
    expect(page.body).toContain(`href="/technologies/${parent.id}"`);
    expect(page.body).toMatch(new RegExp(`/audit\\?entity=technology&(amp;)?entity_id=${id}"`));

    // The parent's page shows the child under "Feeds".
    const parentPage = await s.get(`/technologies/${parent.id}`);
    expect(parentPage.body).toMatch(/Feeds<\/h3>\s*<ul>\s*<li>\s*<a href="\/technologies\/\d+"[^>]*>Road SiC inverter</);
  });

  it('answers an htmx post with HX-Location', async () => {
    const res = await s.post('/technologies', techFields({ name: 'Htmx created tech' }), { htmx: true });
    expect(res.statusCode).toBe(200);
    expect(res.headers['hx-location']).toMatch(/^\/technologies\/\d+$/);
  });

  it('re-renders an invalid form with 422, every value kept and the field named', async () => {
    const parent = await apiTech('Kept parent');
    const before = countRows(t.db, 'technologies');
    const res = await s.post('/technologies', techFields({ name: '', domain: 'plasma', owner: 'Kept owner', description: 'Kept description', derived_from: ['', String(parent.id)] }));
    expect(res.statusCode).toBe(422);
    expect(res.body).toMatch(/id="f-name-error"[^>]*>is required/);
    expect(res.body).toMatch(/id="f-domain-error"[^>]*>must be one of the listed choices/);
    expect(res.body).toContain('value="Kept owner"');
    expect(res.body).toContain('Kept description</textarea>');
    expect(res.body).toMatch(new RegExp(`value="${parent.id}" checked`));
    expect(res.body).toMatch(new RegExp(`<option value="${inverterId}" selected`));
    expect(countRows(t.db, 'technologies')).toBe(before);

    // A domain refusal (a category that does not exist) lands next to its field; htmx gets the form alone.
    const missing = await s.post('/technologies', techFields({ name: 'Ghost category', category_id: '987654' }), { htmx: true });
    expect(missing.statusCode).toBe(422);
    expect(missing.body.startsWith('<form')).toBe(true);
    expect(missing.body).toMatch(/id="f-category_id-error"[^>]*>does not exist/);
    expect(missing.body).toContain('value="Ghost category"');
    expect(countRows(t.db, 'technologies')).toBe(before);
  });

  it('refuses a post without the CSRF token with 403', async () => {
    const before = countRows(t.db, 'technologies');
    const res = await s.post('/technologies', techFields({ name: 'No CSRF tech' }), { csrf: false });
    expect(res.statusCode).toBe(403);
    expect(countRows(t.db, 'technologies')).toBe(before);
  });

  it('shows DER-1 on the edit form next to the derives-from list, keeps the input and writes nothing', async () => {
    const race = await apiTech('DER race inverter');
    const road = await apiTech('DER road inverter', { derived_from: [race.id] });
    const audits = countRows(t.db, 'audit_events');

    const form = await s.get(`/technologies/${race.id}/edit`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(`id="f-derived_from-${road.id}"`);
    expect(form.body).not.toContain(`id="f-derived_from-${race.id}"`);
    expect(form.body).toContain('(derives from this one)');

    const res = await s.post(
      `/technologies/${race.id}`,
      techFields({ name: 'DER race inverter', owner: 'Typed owner', description: 'Typed description', derived_from: ['', String(road.id)], version: String(race.version) }),
    );
    expect(res.statusCode).toBe(422);
    expect(res.body).toMatch(/id="f-derived_from-error"[^>]*>DER-1: deriving DER race inverter from DER road inverter would make a cycle/);
    expect(res.body).toContain('value="Typed owner"');
    expect(res.body).toContain('Typed description</textarea>');
    expect(res.body).toMatch(new RegExp(`value="${road.id}" checked`));
    expect(await stored(race.id)).toMatchObject({ version: race.version, derived_from: [], owner: '' });
    expect(countRows(t.db, 'audit_events')).toBe(audits);
  });

  it('shows stored markup escaped and inert on the list and detail pages', async () => {
    const x = await apiTech(`xss ${XSS_SCRIPT}`, { owner: XSS_HTMX, description: `${XSS_SCRIPT} ${XSS_HTMX}` });
    for (const url of ['/technologies?q=xss', `/technologies/${x.id}`]) {
      const page = await s.get(url);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('<script>alert');
      expect(page.body).not.toContain('<a hx-get');
      expect(page.body).toMatch(/&lt;script(&gt;|>)alert\(1\)&lt;\/script/);
      expect(page.body).toMatch(/&lt;a hx-get=(&quot;|&#34;|")\/x/);
    }
    // In the edit form the text sits in quoted attributes: its quotes are escaped, so no attribute leaks.
    const edit = await s.get(`/technologies/${x.id}/edit`);
    expect(edit.body).not.toContain('hx-get="/x"');
    expect(edit.body).toMatch(/value="xss (&lt;|<)script(&gt;|>)alert\(1\)/);
    expect(edit.body).toMatch(/<textarea[^>]*>&lt;script(&gt;|>)alert/);
    // Other technologies' forms list it as a parent choice, escaped too.
    const other = await s.get('/technologies/new');
    expect(other.body).not.toContain('<script>alert');
    expect(other.body).toMatch(/xss &lt;script/);
  });

  it('edits with the version: a second edit from the same version gets 409 naming the changed field and keeps the input', async () => {
    const tech = await apiTech('Stale tech', { owner: 'Original owner' });
    const form = await s.get(`/technologies/${tech.id}/edit`);
    expect(form.body).toContain('name="version" value="1"');

    const first = await s.post(`/technologies/${tech.id}`, techFields({ name: 'Stale tech', owner: 'First owner', version: '1' }));
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe(`/technologies/${tech.id}`);

    const second = await s.post(`/technologies/${tech.id}`, techFields({ name: 'Stale tech', owner: 'Second owner', version: '1' }));
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain('changed by someone else');
    expect(second.body).toMatch(/owner: Original owner → First owner/);
    expect(second.body).toContain('value="Second owner"');
    expect(second.body).toContain('name="version" value="2"');
    expect(await stored(tech.id)).toMatchObject({ owner: 'First owner', version: 2 });

    const third = await s.post(`/technologies/${tech.id}`, techFields({ name: 'Stale tech', owner: 'Second owner', version: '2' }));
    expect(third.statusCode).toBe(303);
    expect(await stored(tech.id)).toMatchObject({ owner: 'Second owner', version: 3 });
  });

  it('shows evidence runs with their outcome and counts, and the road models it feeds with their stage', async () => {
    const tech = await apiTech('Evidence tech');
    const prototype = await created<{ id: number }>(t.app, '/api/v1/prototypes', { code: 'FE-MULE-07', kind: 'mule' });
    const run = (title: string, outcome: string, extra: Record<string, unknown> = {}) =>
      created<{ id: number; code: string }>(t.app, '/api/v1/test-runs', {
        prototype_id: prototype.id,
        title,
        venue_type: 'dyno',
        start_time: '2026-05-14T09:30:00Z',
        evidence: [{ technology_id: tech.id, outcome }],
        ...extra,
      });
    const passed = await run('Thermal soak', 'pass');
    await run('Second soak', 'pass', { start_time: '2026-05-15T09:30:00Z' });
    const failed = await run('Overload', 'fail', { start_time: '2026-05-16T09:30:00Z' });
    await run('Planned soak', 'fail', { start_time: '2026-06-01T09:30:00Z', status: 'planned' });
    const model = await created<{ id: number }>(t.app, '/api/v1/road-models', { name: 'Ariya NISMO', powertrain: 'ev', status: 'production' });
    const transfer = await created<{ id: number }>(t.app, '/api/v1/transfers', { technology_id: tech.id, road_model_id: model.id, stage: 'in_production' });

    const page = await s.get(`/technologies/${tech.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="/test-runs/${passed.id}"`);
    expect(page.body).toMatch(new RegExp(`href="/test-runs/${failed.id}"[\\s\\S]*?<span class="badge fail"[^>]*>Fail</span>`));
    // Counts are over completed runs only: the planned run's fail does not count.
    expect(page.body).toContain('2 pass');
    expect(page.body).toContain('1 fail');
    expect(page.body).toContain('0 inconclusive');
    expect(page.body).toContain(`href="/road-models/${model.id}"`);
    expect(page.body).toContain('Ariya NISMO');
    expect(page.body).toContain(`href="/transfers/${transfer.id}"`);
    expect(page.body).toMatch(/<span class="badge in_production"[^>]*>In production<\/span>/);
  });

  it('deletes after a confirmation page', async () => {
    const tech = await apiTech('To be deleted tech');
    const confirm = await s.get(`/technologies/${tech.id}/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(`action="/technologies/${tech.id}/delete"`);
    expect(confirm.body).toContain('To be deleted tech');
    const res = await s.post(`/technologies/${tech.id}/delete`, { version: '1' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/technologies');
    expect((await s.get(`/technologies/${tech.id}`)).statusCode).toBe(404);
  });

  it('refuses to delete a technology another derives from with a readable 409 page, and deletes nothing', async () => {
    const parent = await apiTech('Blocked parent');
    await apiTech('Blocking child', { derived_from: [parent.id] });
    const before = countRows(t.db, 'technologies');
    const res = await s.post(`/technologies/${parent.id}/delete`, { version: '1' });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('Cannot delete the technology');
    expect(res.body).toContain('1 technology derives from it');
    expect(res.body).toContain(`href="/technologies?derived_from=${parent.id}"`);
    expect(countRows(t.db, 'technologies')).toBe(before);
    const detail = await s.get(`/technologies/${parent.id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toContain('Blocking child');
  });
});
