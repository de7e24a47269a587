import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, countRows, createTestApp, created, type TestApp } from '../../support/app.js';
import { pageSession, type PageSession } from '../../support/pages.js';

let t: TestApp;
let s: PageSession;
let jp: number;
let us: number;
let technology: number;

beforeAll(async () => {
  t = await createTestApp();
  s = await pageSession(t.app);
  jp = (await created<{ id: number }>(t.app, '/api/v1/markets', { code: 'JP', name: 'Japan' })).id;
  us = (await created<{ id: number }>(t.app, '/api/v1/markets', { code: 'US', name: 'United States' })).id;
  const category = await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Tyres', venue_types: ['track'] });
  technology = (await created<{ id: number }>(t.app, '/api/v1/technologies', { name: 'FE tyre compound', domain: 'hardware', category_id: category.id })).id;
});
afterAll(async () => t.close());

function fields(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    name: 'Ariya NISMO',
    base_model: 'Ariya',
    powertrain: 'ev',
    status: 'production',
    launch_date: '2024-06-01',
    end_date: '',
    partner: '',
    description: 'e-4ORCE tuned by NISMO',
    market_id: [String(jp), String(us)],
    market_year: ['2026', '2026'],
    market_units: ['3000', '1500'],
    ...overrides,
  };
}

const partial = { 'hx-request': 'true', 'hx-request-type': 'partial' };

/** How many markets-plan rows a rendered form has (the <template> row excluded). */
function rowCount(html: string): number {
  const withoutTemplate = html.replace(/<template[\s\S]*?<\/template>/g, '');
  return (withoutTemplate.match(/name="market_year"/g) ?? []).length;
}

describe('road model pages', () => {
  it('answers the full list page, the #results fragment for a partial, and only rows for a cursor', async () => {
    for (const name of ['RM-A', 'RM-B', 'RM-C']) await created(t.app, '/api/v1/road-models', { name, powertrain: 'e_power', status: 'planned' });

    const full = await s.get('/road-models');
    expect(full.statusCode).toBe(200);
    expect(full.body).toContain('<!doctype html>');
    expect(full.body).toContain('name="powertrain"');
    expect(full.body).toContain('e-POWER');

    const res = await s.get('/road-models?status=planned&powertrain=e_power&q=&limit=2', partial);
    expect(res.statusCode).toBe(200);
    expect(res.headers.vary).toContain('HX-Request-Type');
    expect(res.body.startsWith('<div id="results"')).toBe(true);
    expect(res.body).toContain('RM-A');
    expect(res.body).toContain('RM-B');
    expect(res.body).not.toContain('RM-C');
    const more = /href="([^"]*cursor=[^"]+)"/.exec(res.body)?.[1];
    expect(more).toBeDefined();

    const rows = await s.get(more!.replace(/&amp;/g, '&'), partial);
    expect(rows.statusCode).toBe(200);
    expect(rows.body.startsWith('<tr>')).toBe(true);
    expect(rows.body).toContain('RM-C');
    expect(rows.body).not.toContain('RM-A');

    const sorted = await s.get('/road-models?sort=-name&powertrain=e_power', partial);
    expect(sorted.body.indexOf('RM-C')).toBeLessThan(sorted.body.indexOf('RM-A'));

    const none = await s.get('/road-models?status=discontinued');
    expect(none.body).toContain('No road models match these filters');
  });

  it('offers two empty market rows and a template row on the new form', async () => {
    const form = await s.get('/road-models/new');
    expect(form.statusCode).toBe(200);
    expect(rowCount(form.body)).toBe(2);
    expect(form.body).toContain('<template id="market-row-template">');
    expect(form.body).toContain('data-add-row="market-rows"');
    expect(form.body).toContain('name="_add" value="market"');
    expect(form.body).toContain('US — United States');
  });

  it('creates a road model with two market rows: 303 to its page, which shows the plan as market × year with totals', async () => {
    const res = await s.post(
      '/road-models',
      fields({
        market_id: [String(jp), String(us), '', String(jp)],
        market_year: ['2026', '2026', '', '2027'],
        market_units: ['3000', '1500', '', '12000'],
      }),
    );
    expect(res.statusCode).toBe(303);
    const location = res.headers.location as string;
    expect(location).toMatch(/^\/road-models\/\d+$/);
    const id = Number(location.split('/').pop());
    const stored = (await api(t.app).get(`/api/v1/road-models/${id}`)).json();
    expect(stored).toMatchObject({ name: 'Ariya NISMO', partner: null, end_date: null, launch_date: '2024-06-01' });
    expect(stored.markets).toHaveLength(3);

    const page = await s.get(location);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Ariya NISMO');
    expect(page.body).toContain('JP — Japan');
    expect(page.body).toContain('US — United States');
    expect(page.body).toMatch(/<th scope="col" class="numeric">2026<\/th><th scope="col" class="numeric">2027<\/th>/);
    expect(page.body).toContain('12,000');
    // 2026: 3,000 + 1,500
    expect(page.body).toContain('<strong>4,500</strong>');
    expect(page.body).toMatch(/\/audit\?entity=road_model&(amp;)?entity_id=\d+"/);
    expect(page.body).toContain('No race technology feeds this road model yet');

    // The edit form shows the stored rows.
    const edit = await s.get(`${location}/edit`);
    expect(rowCount(edit.body)).toBe(3);
    expect(edit.body).toContain('value="12000"');
  });

  it('htmx posts get HX-Location on success and the form fragment on refusal', async () => {
    const ok = await s.post('/road-models', fields({ name: 'Z NISMO', powertrain: 'ice', market_id: ['', ''], market_year: ['', ''], market_units: ['', ''] }), { htmx: true });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['hx-location']).toMatch(/^\/road-models\/\d+$/);

    const bad = await s.post('/road-models', fields({ name: '' }), { htmx: true });
    expect(bad.statusCode).toBe(422);
    expect(bad.body.startsWith('<form')).toBe(true);
  });

  it('re-renders a refused form with 422, every value and row kept, the message next to its row', async () => {
    const before = countRows(t.db, 'road_models');
    const res = await s.post(
      '/road-models',
      fields({
        name: 'Micra NISMO',
        partner: 'Renault/Alpine',
        launch_date: 'June 2027',
        market_id: [String(jp), '', String(us)],
        market_year: ['2027', '', 'soon'],
        market_units: ['2000', '', '100'],
      }),
    );
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('value="Micra NISMO"');
    expect(res.body).toContain('value="Renault/Alpine"');
    expect(res.body).toContain('value="soon"');
    expect(res.body).toContain('value="2000"');
    expect(res.body).toContain('value="June 2027"');
    expect(res.body).toMatch(/id="f-launch_date-error"[^>]*>must be a date/);
    expect(rowCount(res.body)).toBe(3);
    // The third posted row (a blank one between) is the one named.
    expect(res.body).toMatch(/id="f-market_row_3-error" class="field-error">year must be a number/);
    expect(res.body).toMatch(/id="f-market_year_3"[^>]*aria-invalid="true"/);
    expect(countRows(t.db, 'road_models')).toBe(before);

    // A domain refusal: the same market and year twice, named next to the second row; end before launch.
    const dup = await s.post(
      '/road-models',
      fields({
        name: 'Micra NISMO',
        end_date: '2020-01-01',
        market_id: [String(jp), String(jp)],
        market_year: ['2027', '2027'],
        market_units: ['2000', '500'],
      }),
    );
    expect(dup.statusCode).toBe(422);
    expect(dup.body).toMatch(/id="f-market_row_2-error" class="field-error">repeats market \d+ in 2027/);
    expect(dup.body).not.toContain('f-market_row_1-error');
    expect(dup.body).toMatch(/id="f-end_date-error"[^>]*>must not be before launch_date/);
    expect(dup.body).toContain('value="500"');
    expect(dup.body).toMatch(new RegExp(`<option value="${jp}" selected>JP — Japan</option>`));
    expect(countRows(t.db, 'road_models')).toBe(before);
  });

  it('adds a row without JavaScript (_add=market): the form comes back with one more row, nothing saved', async () => {
    const before = countRows(t.db, 'road_models');
    const auditBefore = countRows(t.db, 'audit_events');
    const res = await s.post('/road-models', fields({ name: 'Leaf NISMO', _add: 'market' }));
    expect(res.statusCode).toBe(200);
    expect(rowCount(res.body)).toBe(3);
    expect(res.body).toContain('value="Leaf NISMO"');
    expect(res.body).toContain('value="1500"');
    expect(res.body).not.toContain('error-summary');
    expect(countRows(t.db, 'road_models')).toBe(before);
    expect(countRows(t.db, 'audit_events')).toBe(auditBefore);

    // Removing a row without JavaScript works the same way.
    const removed = await s.post('/road-models', fields({ name: 'Leaf NISMO', _remove: '0' }));
    expect(removed.statusCode).toBe(200);
    expect(removed.body).not.toContain('value="3000"');
    expect(removed.body).toContain('value="1500"');
    expect(countRows(t.db, 'road_models')).toBe(before);
  });

  it('refuses a post without the CSRF token with 403', async () => {
    const before = countRows(t.db, 'road_models');
    const res = await s.post('/road-models', fields({ name: 'No CSRF' }), { csrf: false });
    expect(res.statusCode).toBe(403);
    expect(countRows(t.db, 'road_models')).toBe(before);
  });

  it('shows stored markup escaped and inert on the list and detail pages', async () => {
    const m = await created<{ id: number }>(t.app, '/api/v1/road-models', {
      name: 'XSS <script>alert(1)</script>',
      base_model: '<a hx-get="/x">',
      partner: '<a hx-get="/x">',
      description: '<script>alert(1)</script><a hx-get="/x">',
      powertrain: 'ev',
      status: 'concept',
    });
    for (const url of ['/road-models?q=XSS', `/road-models/${m.id}`]) {
      const page = await s.get(url);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('<script>alert');
      expect(page.body).not.toContain('<a hx-get');
      expect(page.body).toMatch(/&lt;script(&gt;|>)alert\(1\)&lt;\/script/);
      expect(page.body).toMatch(/&lt;a hx-get=(&quot;|&#34;|")\/x/);
    }
    // In the edit form the values sit in quoted attributes and an escaped textarea.
    const edit = await s.get(`/road-models/${m.id}/edit`);
    expect(edit.body).not.toContain('hx-get="/x"');
    expect(edit.body).not.toContain('<script>alert(1)</script></textarea>');
    expect(edit.body).toContain('value="&lt;a hx-get=&#34;/x&#34;>"');
  });

  it('edits with the version: a stale edit gets 409 naming the change and keeps the input, rows included', async () => {
    const m = await created<{ id: number }>(t.app, '/api/v1/road-models', { name: 'GT-R NISMO', powertrain: 'ice', status: 'production', markets: [{ market_id: jp, year: 2025, planned_units: 300 }] });
    const form = await s.get(`/road-models/${m.id}/edit`);
    expect(form.body).toContain('name="version" value="1"');

    const edit = (status: string, version: string, units: string) =>
      s.post(`/road-models/${m.id}`, fields({ name: 'GT-R NISMO', powertrain: 'ice', status, launch_date: '', description: '', market_id: [String(jp)], market_year: ['2025'], market_units: [units], version }));
    expect((await edit('discontinued', '1', '300')).statusCode).toBe(303);

    const second = await edit('development', '1', '450');
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain('changed by someone else');
    expect(second.body).toContain('status: production → discontinued');
    expect(second.body).toContain('value="450"');
    expect(second.body).toContain('name="version" value="2"');
    expect((await api(t.app).get(`/api/v1/road-models/${m.id}`)).json()).toMatchObject({ status: 'discontinued', markets: [{ planned_units: 300 }] });

    // Saving from the re-based form applies the user's values; clearing every row clears the plan.
    const third = await s.post(`/road-models/${m.id}`, fields({ name: 'GT-R NISMO', powertrain: 'ice', status: 'discontinued', launch_date: '', market_id: ['', ''], market_year: ['', ''], market_units: ['', ''], version: '2' }));
    expect(third.statusCode).toBe(303);
    expect((await api(t.app).get(`/api/v1/road-models/${m.id}`)).json()).toMatchObject({ markets: [], version: 3 });
  });

  it('deletes after a confirmation page, and refuses readably (409) while a transfer feeds the road model', async () => {
    const m = await created<{ id: number }>(t.app, '/api/v1/road-models', { name: 'Gone NISMO', powertrain: 'ev', status: 'concept', markets: [{ market_id: us, year: 2027, planned_units: 10 }] });
    const confirm = await s.get(`/road-models/${m.id}/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(`action="/road-models/${m.id}/delete"`);
    const res = await s.post(`/road-models/${m.id}/delete`, { version: '1' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/road-models');
    expect((await s.get(`/road-models/${m.id}`)).statusCode).toBe(404);

    const used = await created<{ id: number }>(t.app, '/api/v1/road-models', { name: 'Used NISMO', powertrain: 'ev', status: 'development' });
    const transfer = await created<{ id: number }>(t.app, '/api/v1/transfers', { technology_id: technology, road_model_id: used.id, stage: 'evaluation', rationale: 'FE tyre work' });
    const before = countRows(t.db, 'road_models');
    const blocked = await s.post(`/road-models/${used.id}/delete`, { version: '1' });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.body).toContain('Cannot delete the road model');
    expect(blocked.body).toContain('1 transfer(s)');
    expect(blocked.body).toContain(`href="/transfers?road_model_id=${used.id}"`);
    expect(countRows(t.db, 'road_models')).toBe(before);

    // Its page lists the transfer feeding it, linking the technology.
    const page = await s.get(`/road-models/${used.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="/technologies/${technology}"`);
    expect(page.body).toContain('FE tyre compound');
    expect(page.body).toContain(`href="/transfers/${transfer.id}"`);
    expect(page.body).toContain('<span class="badge evaluation">Evaluation</span>');
    expect(page.body).toContain('FE tyre work');
  });

  it('lists the road prototypes that belong to the road model', async () => {
    const m = await created<{ id: number }>(t.app, '/api/v1/road-models', { name: 'Proto NISMO', powertrain: 'ev', status: 'development' });
    await created(t.app, '/api/v1/prototypes', { code: 'PROTO-RP-01', kind: 'road_prototype', road_model_id: m.id });
    const page = await s.get(`/road-models/${m.id}`);
    expect(page.body).toContain('PROTO-RP-01');
    expect(page.body).not.toContain('No road prototype belongs to this road model yet');
  });
});
