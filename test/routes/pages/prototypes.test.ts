import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../../src/domain/actor.js';
import { createPrototype } from '../../../src/domain/prototypes.js';
import { api, countRows, createTestApp, created, type TestApp } from '../../support/app.js';
import { pageSession, type PageSession } from '../../support/pages.js';

let t: TestApp;
let s: PageSession;
let programA: number;
let programB: number;
let roadModel: number;
let technology: number;

beforeAll(async () => {
  t = await createTestApp();
  s = await pageSession(t.app);
  const fe = await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Formula E' });
  const gt = await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Super GT' });
  programA = (await created<{ id: number }>(t.app, '/api/v1/programs', { series_id: fe.id, season: '2024-25', start_year: 2024, end_year: 2025, entry: 'Nissan Formula E Team', car: 'Nissan e-4ORCE 05' })).id;
  programB = (await created<{ id: number }>(t.app, '/api/v1/programs', { series_id: gt.id, season: '2025', start_year: 2025, end_year: 2025, class: 'GT500', entry: '#23 NISMO', car: 'Nissan Z NISMO GT500' })).id;
  roadModel = (await created<{ id: number }>(t.app, '/api/v1/road-models', { name: 'Ariya NISMO', powertrain: 'ev', status: 'production' })).id;
  const category = await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Inverter', venue_types: ['dyno'] });
  technology = (await created<{ id: number }>(t.app, '/api/v1/technologies', { name: 'SiC inverter', domain: 'hardware', category_id: category.id })).id;
});
afterAll(async () => t.close());

function fields(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return { code: 'FE-MULE-07', name: 'Formula E powertrain mule', kind: 'mule', hardware_revision: 'HW-C3', road_model_id: '', program_ids: ['', String(programA), String(programB)], notes: 'Gen3 Evo inverter', ...overrides };
}

describe('prototype pages', () => {
  it('answers the full list page, the #results fragment for a partial, and only rows for a cursor', async () => {
    for (const code of ['PG-A', 'PG-B', 'PG-C']) await created(t.app, '/api/v1/prototypes', { code, kind: 'bench_rig', program_ids: [programB] });

    const full = await s.get('/prototypes');
    expect(full.statusCode).toBe(200);
    expect(full.body).toContain('<!doctype html>');
    expect(full.body).toContain('name="road_model_id"');
    expect(full.body).toContain('Super GT 2025 GT500 · #23 NISMO');

    const headers = { 'hx-request': 'true', 'hx-request-type': 'partial' };
    const partial = await s.get(`/prototypes?kind=bench_rig&program_id=${programB}&road_model_id=&q=&limit=2`, headers);
    expect(partial.statusCode).toBe(200);
    expect(partial.body.startsWith('<div id="results"')).toBe(true);
    expect(partial.body).toContain('PG-A');
    expect(partial.body).toContain('PG-B');
    expect(partial.body).not.toContain('PG-C');
    expect(partial.body).toContain(`href="/programs/${programB}"`);
    const more = /href="([^"]*cursor=[^"]+)"/.exec(partial.body)?.[1];
    expect(more).toBeDefined();

    const rows = await s.get(more!.replace(/&amp;/g, '&'), headers);
    expect(rows.statusCode).toBe(200);
    expect(rows.body.startsWith('<tr>')).toBe(true);
    expect(rows.body).toContain('PG-C');
    expect(rows.body).not.toContain('PG-A');

    const none = await s.get('/prototypes?kind=simulator');
    expect(none.body).toContain('No prototypes match these filters');
  });

  it('creates a prototype from the form with its programs: 303 to its page, which links them', async () => {
    const res = await s.post('/prototypes', fields());
    expect(res.statusCode).toBe(303);
    const location = res.headers.location as string;
    expect(location).toMatch(/^\/prototypes\/\d+$/);
    const id = Number(location.split('/').pop());
    expect((await api(t.app).get(`/api/v1/prototypes/${id}`)).json()).toMatchObject({ code: 'FE-MULE-07', program_ids: [programA, programB], road_model_id: null });
    const page = await s.get(location);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('FE-MULE-07');
    expect(page.body).toContain(`href="/programs/${programA}"`);
    expect(page.body).toContain('Formula E 2024-25 · Nissan Formula E Team');
    expect(page.body).toContain('only road prototypes belong to a road model');
    expect(page.body).toMatch(/\/audit\?entity=prototype&(amp;)?entity_id=\d+"/);
    expect(page.body).toContain('No test run is logged with this prototype yet');

    // The program's page lists the prototype serving it.
    const program = await s.get(`/programs/${programA}`);
    expect(program.body).toContain(`href="/prototypes/${id}"`);
  });

  it('links a road prototype to its road model and shows its latest runs; htmx posts get HX-Location', async () => {
    const res = await s.post('/prototypes', fields({ code: 'ARIYA-RP-01', kind: 'road_prototype', road_model_id: String(roadModel), program_ids: [''] }), { htmx: true });
    expect(res.statusCode).toBe(200);
    const location = res.headers['hx-location'] as string;
    expect(location).toMatch(/^\/prototypes\/\d+$/);
    const id = Number(location.split('/').pop());
    await created(t.app, '/api/v1/test-runs', {
      code: 'TR-2026-0001',
      prototype_id: id,
      title: 'Tyre wear on the road loop',
      venue_type: 'track',
      start_time: '2026-05-14T09:30:00Z',
      evidence: [{ technology_id: technology, outcome: 'pass' }],
    });
    const page = await s.get(location);
    expect(page.body).toContain(`href="/road-models/${roadModel}"`);
    expect(page.body).toContain('Ariya NISMO');
    expect(page.body).toContain('TR-2026-0001');
    expect(page.body).toContain('Tyre wear on the road loop');
  });

  it('re-renders an invalid form with 422, every value kept and the field named', async () => {
    const before = countRows(t.db, 'prototypes');
    const res = await s.post('/prototypes', fields({ code: 'bad code!', name: 'Kept name', notes: 'Kept notes' }));
    expect(res.statusCode).toBe(422);
    expect(res.body).toMatch(/id="f-code-error"[^>]*>has characters that are not allowed/);
    expect(res.body).toContain('value="bad code!"');
    expect(res.body).toContain('value="Kept name"');
    expect(res.body).toContain('Kept notes</textarea>');
    expect(res.body).toMatch(new RegExp(`value="${programA}" checked`));
    expect(countRows(t.db, 'prototypes')).toBe(before);

    // A domain refusal: a road model on a mule, shown next to the road model select (htmx: form only).
    const refused = await s.post('/prototypes', fields({ code: 'MULE-RM', road_model_id: String(roadModel) }), { htmx: true });
    expect(refused.statusCode).toBe(422);
    expect(refused.body.startsWith('<form')).toBe(true);
    expect(refused.body).toMatch(/id="f-road_model_id-error"[^>]*>must be null unless kind is road_prototype/);
    expect(refused.body).toMatch(new RegExp(`<option value="${roadModel}" selected>`));

    // A taken code is a 409 with the field named.
    const taken = await s.post('/prototypes', fields({ code: 'FE-MULE-07' }));
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toMatch(/id="f-code-error"/);
    expect(countRows(t.db, 'prototypes')).toBe(before);
  });

  it('refuses a post without the CSRF token with 403', async () => {
    const before = countRows(t.db, 'prototypes');
    const res = await s.post('/prototypes', fields({ code: 'NO-CSRF' }), { csrf: false });
    expect(res.statusCode).toBe(403);
    expect(countRows(t.db, 'prototypes')).toBe(before);
  });

  it('shows stored markup escaped and inert on the list and detail pages', async () => {
    const p = await created<{ id: number }>(t.app, '/api/v1/prototypes', {
      code: 'XSS-01',
      name: '<script>alert(1)</script>',
      kind: 'mule',
      hardware_revision: '<a hx-get="/x">',
      notes: '<script>alert(1)</script><a hx-get="/x">',
    });
    for (const url of ['/prototypes?q=XSS', `/prototypes/${p.id}`]) {
      const page = await s.get(url);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('<script>alert');
      expect(page.body).not.toContain('<a hx-get');
      expect(page.body).toMatch(/&lt;script(&gt;|>)alert\(1\)&lt;\/script/);
      expect(page.body).toMatch(/&lt;a hx-get=(&quot;|&#34;|")\/x/);
    }
    const edit = await s.get(`/prototypes/${p.id}/edit`);
    expect(edit.body).not.toContain('hx-get="/x"');
    expect(edit.body).not.toContain('<script>alert(1)</script></textarea>');
  });

  it('marks demo prototypes with a badge', async () => {
    const demo = createPrototype(t.db, SYSTEM_ACTOR, { code: 'DEMO-RIG-01', kind: 'hil_rig', demo: true });
    const list = await s.get('/prototypes?q=DEMO-RIG');
    expect(list.body).toMatch(/DEMO-RIG-01<\/a> <span class="badge demo">demo data<\/span>/);
    const detail = await s.get(`/prototypes/${demo.id}`);
    expect(detail.body).toContain('<span class="badge demo">demo data</span>');
    const plain = await s.get('/prototypes?q=PG-A');
    expect(plain.body).not.toContain('demo data');
  });

  it('edits with the version: a second edit from the same version gets 409 naming the changed field and keeps the input', async () => {
    const p = await created<{ id: number }>(t.app, '/api/v1/prototypes', { code: 'STALE-01', kind: 'dyno_rig', hardware_revision: 'HW-A', program_ids: [programA] });
    const form = await s.get(`/prototypes/${p.id}/edit`);
    expect(form.body).toContain('name="version" value="1"');
    expect(form.body).toMatch(new RegExp(`value="${programA}" checked`));

    const edit = (rev: string, version: string, programs: string[]) =>
      s.post(`/prototypes/${p.id}`, fields({ code: 'STALE-01', name: '', kind: 'dyno_rig', hardware_revision: rev, notes: '', program_ids: ['', ...programs], version }));
    const first = await edit('HW-B', '1', [String(programA)]);
    expect(first.statusCode).toBe(303);

    const second = await edit('HW-C', '1', []);
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain('changed by someone else');
    expect(second.body).toContain('hardware revision: HW-A → HW-B');
    expect(second.body).toContain('value="HW-C"');
    expect(second.body).not.toMatch(new RegExp(`value="${programA}" checked`));
    expect(second.body).toContain('name="version" value="2"');
    expect((await api(t.app).get(`/api/v1/prototypes/${p.id}`)).json()).toMatchObject({ hardware_revision: 'HW-B', program_ids: [programA] });

    // Saving from the re-based form applies the user's values, including unticking every program.
    const third = await edit('HW-C', '2', []);
    expect(third.statusCode).toBe(303);
    expect((await api(t.app).get(`/api/v1/prototypes/${p.id}`)).json()).toMatchObject({ hardware_revision: 'HW-C', program_ids: [], version: 3 });
  });

  it('deletes after a confirmation page, and refuses readably (409) when test runs use the prototype', async () => {
    const p = await created<{ id: number }>(t.app, '/api/v1/prototypes', { code: 'GONE-01', kind: 'simulator', program_ids: [programA] });
    const confirm = await s.get(`/prototypes/${p.id}/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(`action="/prototypes/${p.id}/delete"`);
    const res = await s.post(`/prototypes/${p.id}/delete`, { version: '1' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/prototypes');
    expect((await s.get(`/prototypes/${p.id}`)).statusCode).toBe(404);
    expect(countRows(t.db, 'prototype_programs')).toBeGreaterThan(0);

    const used = await created<{ id: number }>(t.app, '/api/v1/prototypes', { code: 'USED-01', kind: 'mule' });
    await created(t.app, '/api/v1/test-runs', {
      prototype_id: used.id,
      title: 'Blocking run',
      venue_type: 'dyno',
      start_time: '2026-05-15T09:30:00Z',
      evidence: [{ technology_id: technology, outcome: 'pass' }],
    });
    const blocked = await s.post(`/prototypes/${used.id}/delete`, { version: '1' });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.body).toContain('Cannot delete the prototype');
    expect(blocked.body).toContain('1 test run(s)');
    expect((await s.get(`/prototypes/${used.id}`)).statusCode).toBe(200);
  });
});
