import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, countRows, createTestApp, created, type TestApp } from '../../support/app.js';
import { pageSession, type PageSession } from '../../support/pages.js';

let t: TestApp;
let s: PageSession;
let seriesId: number;

const XSS_SCRIPT = '<script>alert(1)</script>';
const XSS_HTMX = '<a hx-get="/x">';

beforeAll(async () => {
  t = await createTestApp();
  s = await pageSession(t.app);
  seriesId = (await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Formula E' })).id;
});
afterAll(async () => t.close());

function programFields(overrides: Record<string, string> = {}): Record<string, string> {
  return { series_id: String(seriesId), season: '2024-25', start_year: '2024', end_year: '2025', class: '', entry: 'Nissan Formula E Team', car: 'Nissan e-4ORCE 04', status: 'completed', ...overrides };
}

async function apiProgram(overrides: Record<string, unknown> = {}): Promise<{ id: number; version: number }> {
  return created(t.app, '/api/v1/programs', {
    series_id: seriesId,
    season: `S${Math.random().toString(36).slice(2, 8)}`,
    start_year: 2025,
    end_year: 2025,
    entry: '#23 NISMO',
    car: 'Nissan Z NISMO GT500',
    ...overrides,
  });
}

describe('program pages', () => {
  it('answers the full list page, the #results fragment for a partial, and only rows for a cursor', async () => {
    for (let i = 0; i < 3; i++) await apiProgram({ season: `20${30 + i}`, start_year: 2030 + i, end_year: 2030 + i, entry: `Paging entry ${i}` });

    const full = await s.get('/programs');
    expect(full.statusCode).toBe(200);
    expect(full.headers['content-type']).toMatch(/text\/html/);
    expect(full.headers.vary).toMatch(/HX-Request-Type/i);
    expect(full.body).toContain('<!doctype html>');
    expect(full.body).toContain('name="series_id"');
    expect(full.body).toContain('Formula E');

    const partial = await s.get('/programs?q=Paging&limit=2&series_id=&status=', { 'hx-request': 'true', 'hx-request-type': 'partial' });
    expect(partial.statusCode).toBe(200);
    expect(partial.body).not.toContain('<!doctype html>');
    expect(partial.body.startsWith('<div id="results"')).toBe(true);
    expect(partial.body).toContain('Paging entry 2');
    expect(partial.body).toContain('Paging entry 1');
    expect(partial.body).not.toContain('Paging entry 0');
    const more = /href="([^"]*cursor=[^"]+)"/.exec(partial.body)?.[1];
    expect(more).toBeDefined();

    const rows = await s.get(more!.replace(/&amp;/g, '&'), { 'hx-request': 'true', 'hx-request-type': 'partial' });
    expect(rows.statusCode).toBe(200);
    expect(rows.body.startsWith('<tr>')).toBe(true);
    expect(rows.body).not.toContain('id="results"');
    expect(rows.body).toContain('Paging entry 0');
    expect(rows.body).not.toContain('Paging entry 2');
  });

  it('filters by series and status, and says what to do when nothing matches', async () => {
    const other = await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Super Taikyu' });
    await apiProgram({ series_id: other.id, entry: 'Taikyu only entry', status: 'active' });
    const bySeries = await s.get(`/programs?series_id=${other.id}`);
    expect(bySeries.body).toContain('Taikyu only entry');
    expect(bySeries.body).not.toContain('Paging entry');
    const none = await s.get(`/programs?series_id=${other.id}&status=completed`);
    expect(none.statusCode).toBe(200);
    expect(none.body).toContain('No programs match these filters');
  });

  it('creates a program from the form: 303 to its page, which shows it with its series linked', async () => {
    const res = await s.post('/programs', programFields());
    expect(res.statusCode).toBe(303);
    const location = res.headers.location as string;
    expect(location).toMatch(/^\/programs\/\d+$/);
    const page = await s.get(location);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Nissan e-4ORCE 04');
    expect(page.body).toContain(`href="/series/${seriesId}"`);
    expect(page.body).toMatch(new RegExp(`/audit\\?entity=program&(amp;)?entity_id=${location.split('/').pop()}"`));
    expect(page.body).toContain('No prototype serves this program yet');
  });

  it('answers an htmx post with HX-Location', async () => {
    const res = await s.post('/programs', programFields({ season: '2025-26', start_year: '2025', end_year: '2026' }), { htmx: true });
    expect(res.statusCode).toBe(200);
    expect(res.headers['hx-location']).toMatch(/^\/programs\/\d+$/);
  });

  it('re-renders an invalid form with 422, every value kept and the field named', async () => {
    const before = countRows(t.db, 'programs');
    const res = await s.post('/programs', programFields({ season: 'Kept season', start_year: '2026', end_year: 'soon', entry: 'Kept entry' }));
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('value="Kept season"');
    expect(res.body).toContain('value="Kept entry"');
    expect(res.body).toContain('value="soon"');
    expect(res.body).toMatch(/id="f-end_year-error"[^>]*>must be a number/);
    expect(countRows(t.db, 'programs')).toBe(before);

    // A domain refusal (end before start) lands next to its field too; htmx gets the form alone.
    const order = await s.post('/programs', programFields({ season: '2027', start_year: '2027', end_year: '2026' }), { htmx: true });
    expect(order.statusCode).toBe(422);
    expect(order.body.startsWith('<form')).toBe(true);
    expect(order.body).toMatch(/id="f-end_year-error"[^>]*>must be at or after start_year/);
    expect(order.body).toContain('value="2026"');
  });

  it('refuses a post without the CSRF token with 403', async () => {
    const before = countRows(t.db, 'programs');
    const res = await s.post('/programs', programFields({ season: 'no-csrf' }), { csrf: false });
    expect(res.statusCode).toBe(403);
    expect(countRows(t.db, 'programs')).toBe(before);
  });

  it('shows stored markup escaped and inert on the list and detail pages', async () => {
    const p = await apiProgram({ season: 'xss', entry: XSS_SCRIPT, car: XSS_HTMX, class: XSS_HTMX });
    for (const url of ['/programs?season=xss', `/programs/${p.id}`]) {
      const page = await s.get(url);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('<script>alert');
      expect(page.body).not.toContain('<a hx-get');
      expect(page.body).toMatch(/&lt;script(&gt;|>)alert\(1\)&lt;\/script/);
      expect(page.body).toMatch(/&lt;a hx-get=(&quot;|&#34;|")\/x/);
    }
    // In the edit form the text sits in quoted attributes: its quotes are escaped, so no attribute leaks.
    const edit = await s.get(`/programs/${p.id}/edit`);
    expect(edit.body).not.toContain('hx-get="/x"');
    expect(edit.body).toMatch(/value="(&lt;|<)script(&gt;|>)alert\(1\)/);
  });

  it('edits with the version: a second edit from the same version gets 409 naming the changed field and keeps the input', async () => {
    const p = await apiProgram({ entry: 'Stale test entry' });
    const form = await s.get(`/programs/${p.id}/edit`);
    expect(form.body).toContain('name="version" value="1"');

    const first = await s.post(`/programs/${p.id}`, programFields({ season: '2031', start_year: '2031', end_year: '2031', entry: 'Stale test entry', car: 'First car', version: '1' }));
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe(`/programs/${p.id}`);

    const second = await s.post(`/programs/${p.id}`, programFields({ season: '2031', start_year: '2031', end_year: '2031', entry: 'Stale test entry', car: 'Second car', version: '1' }));
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain('changed by someone else');
    expect(second.body).toMatch(/car: Nissan Z NISMO GT500 → First car/);
    expect(second.body).toContain('value="Second car"');
    expect(second.body).toContain('name="version" value="2"');
    const stored = await api(t.app).get(`/api/v1/programs/${p.id}`);
    expect(stored.json()).toMatchObject({ car: 'First car', version: 2 });

    // Saving again from the re-based form applies the user's values.
    const third = await s.post(`/programs/${p.id}`, programFields({ season: '2031', start_year: '2031', end_year: '2031', entry: 'Stale test entry', car: 'Second car', version: '2' }));
    expect(third.statusCode).toBe(303);
    expect((await api(t.app).get(`/api/v1/programs/${p.id}`)).json()).toMatchObject({ car: 'Second car', version: 3 });
  });

  it('deletes after a confirmation page', async () => {
    const p = await apiProgram({ entry: 'To be deleted' });
    const confirm = await s.get(`/programs/${p.id}/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(`action="/programs/${p.id}/delete"`);
    expect(confirm.body).toContain('To be deleted');
    const res = await s.post(`/programs/${p.id}/delete`, { version: '1' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/programs');
    expect((await s.get(`/programs/${p.id}`)).statusCode).toBe(404);
  });

  it('refuses to delete a program a prototype serves with a readable 409 page, and deletes nothing', async () => {
    const p = await apiProgram({ entry: 'Served entry' });
    await created(t.app, '/api/v1/prototypes', { code: 'BLOCK-01', kind: 'mule', program_ids: [p.id] });
    const before = countRows(t.db, 'programs');
    const res = await s.post(`/programs/${p.id}/delete`, { version: '1' });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('Cannot delete the program');
    expect(res.body).toContain('1 prototype(s) serving it');
    expect(res.body).toContain(`href="/prototypes?program_id=${p.id}"`);
    expect(countRows(t.db, 'programs')).toBe(before);
    const detail = await s.get(`/programs/${p.id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toContain('BLOCK-01');
  });
});
