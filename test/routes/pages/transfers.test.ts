import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../../src/domain/actor.js';
import { createTransfer } from '../../../src/domain/transfers.js';
import { api, countRows, createTestApp, created, type TestApp } from '../../support/app.js';
import { pageSession, type PageSession } from '../../support/pages.js';

let t: TestApp;
let s: PageSession;
let category: number;
let tyres: number;
let inverter: number;
let ariya: number;
let z: number;

const partial = { 'hx-request': 'true', 'hx-request-type': 'partial' };

async function technology(name: string): Promise<number> {
  return (await created<{ id: number }>(t.app, '/api/v1/technologies', { name, domain: 'hardware', category_id: category })).id;
}

async function roadModel(name: string): Promise<number> {
  return (await created<{ id: number }>(t.app, '/api/v1/road-models', { name, powertrain: 'ev', status: 'production' })).id;
}

beforeAll(async () => {
  t = await createTestApp();
  s = await pageSession(t.app);
  category = (await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Powertrain', venue_types: ['dyno', 'track'] })).id;
  tyres = await technology('FE tyre compound');
  inverter = await technology('SiC inverter');
  ariya = await roadModel('Ariya NISMO');
  z = await roadModel('Z NISMO');
});
afterAll(async () => t.close());

function fields(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return { technology_id: String(tyres), road_model_id: String(ariya), stage: 'evaluation', rationale: 'Tyres developed with Formula E technology', decided_on: '2024-02-01', ...overrides };
}

describe('transfer pages', () => {
  it('answers the full list page, the #results fragment for a partial, and only rows for a cursor', async () => {
    const techs = [await technology('List tech A'), await technology('List tech B'), await technology('List tech C')];
    for (const id of techs) await created(t.app, '/api/v1/transfers', { technology_id: id, road_model_id: z, stage: 'candidate' });

    const full = await s.get('/transfers');
    expect(full.statusCode).toBe(200);
    expect(full.body).toContain('<!doctype html>');
    expect(full.body).toContain('name="technology_id"');
    expect(full.body).toMatch(new RegExp(`<option value="${z}">Z NISMO</option>`));

    const res = await s.get(`/transfers?stage=candidate&road_model_id=${z}&technology_id=&limit=2`, partial);
    expect(res.statusCode).toBe(200);
    expect(res.body.startsWith('<div id="results"')).toBe(true);
    expect(res.body).toContain('List tech A');
    expect(res.body).toContain('List tech B');
    expect(res.body).not.toContain('List tech C');
    expect(res.body).toContain(`href="/road-models/${z}"`);
    const more = /href="([^"]*cursor=[^"]+)"/.exec(res.body)?.[1];
    expect(more).toBeDefined();

    const rows = await s.get(more!.replace(/&amp;/g, '&'), partial);
    expect(rows.statusCode).toBe(200);
    expect(rows.body.startsWith('<tr>')).toBe(true);
    expect(rows.body).toContain('List tech C');
    expect(rows.body).not.toContain('List tech A');

    const sorted = await s.get(`/transfers?sort=-id&road_model_id=${z}`, partial);
    expect(sorted.body.indexOf('List tech C')).toBeLessThan(sorted.body.indexOf('List tech A'));

    const none = await s.get('/transfers?stage=rejected');
    expect(none.body).toContain('No transfers match these filters');
  });

  it('creates a transfer from the form: 303 to its page, which links both ends', async () => {
    const form = await s.get(`/transfers/new?road_model_id=${ariya}`);
    expect(form.body).toMatch(new RegExp(`<option value="${ariya}" selected>Ariya NISMO</option>`));

    const res = await s.post('/transfers', fields());
    expect(res.statusCode).toBe(303);
    const location = res.headers.location as string;
    expect(location).toMatch(/^\/transfers\/\d+$/);
    const id = Number(location.split('/').pop());
    expect((await api(t.app).get(`/api/v1/transfers/${id}`)).json()).toMatchObject({ technology_id: tyres, road_model_id: ariya, stage: 'evaluation', decided_on: '2024-02-01' });

    const page = await s.get(location);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('FE tyre compound → Ariya NISMO');
    expect(page.body).toContain(`href="/technologies/${tyres}"`);
    expect(page.body).toContain(`href="/road-models/${ariya}"`);
    expect(page.body).toContain('<span class="badge evaluation">Evaluation</span>');
    expect(page.body).toContain('Tyres developed with Formula E technology');
    expect(page.body).toContain('Administrator');
    expect(page.body).toMatch(/\/audit\?entity=transfer&(amp;)?entity_id=\d+"/);
    expect(page.body).toContain(`action="/transfers/${id}/review"`);

    // The road model's page shows it too.
    const model = await s.get(`/road-models/${ariya}`);
    expect(model.body).toContain(`href="/transfers/${id}"`);

    // The same link again is a 409 with a readable message, nothing stored; htmx gets the form.
    const before = countRows(t.db, 'transfers');
    const again = await s.post('/transfers', fields(), { htmx: true });
    expect(again.statusCode).toBe(409);
    expect(again.body.startsWith('<form')).toBe(true);
    expect(again.body).toContain('already feeds this road model');
    expect(countRows(t.db, 'transfers')).toBe(before);
  });

  it('htmx posts get HX-Location', async () => {
    const res = await s.post('/transfers', fields({ technology_id: String(inverter), stage: 'candidate' }), { htmx: true });
    expect(res.statusCode).toBe(200);
    expect(res.headers['hx-location']).toMatch(/^\/transfers\/\d+$/);
  });

  it('re-renders an invalid form with 422, every value kept and the field named', async () => {
    const before = countRows(t.db, 'transfers');
    const res = await s.post('/transfers', fields({ technology_id: '', decided_on: 'soon', rationale: 'Kept rationale' }));
    expect(res.statusCode).toBe(422);
    expect(res.body).toMatch(/id="f-technology_id-error"[^>]*>is required/);
    expect(res.body).toMatch(/id="f-decided_on-error"[^>]*>must be a date/);
    expect(res.body).toContain('value="soon"');
    expect(res.body).toContain('Kept rationale</textarea>');
    expect(res.body).toMatch(new RegExp(`<option value="${ariya}" selected>`));
    expect(countRows(t.db, 'transfers')).toBe(before);
  });

  it('refuses a post without the CSRF token with 403', async () => {
    const before = countRows(t.db, 'transfers');
    const res = await s.post('/transfers', fields({ technology_id: String(inverter), road_model_id: String(z) }), { csrf: false });
    expect(res.statusCode).toBe(403);
    expect(countRows(t.db, 'transfers')).toBe(before);
    const review = await s.post('/transfers/1/review', { version: '1' }, { csrf: false });
    expect(review.statusCode).toBe(403);
  });

  it('shows stored markup escaped and inert on the list and detail pages', async () => {
    const tech = await technology('XSS <script>alert(1)</script>');
    const model = await roadModel('<a hx-get="/x">');
    const tr = await created<{ id: number }>(t.app, '/api/v1/transfers', {
      technology_id: tech,
      road_model_id: model,
      stage: 'candidate',
      rationale: '<script>alert(1)</script><a hx-get="/x">',
      review_note: '<script>alert(1)</script><a hx-get="/x">',
    });
    for (const url of [`/transfers?road_model_id=${model}`, `/transfers/${tr.id}`]) {
      const page = await s.get(url);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('<script>alert');
      expect(page.body).not.toContain('<a hx-get');
      expect(page.body).toMatch(/&lt;script(&gt;|>)alert\(1\)&lt;\/script/);
      expect(page.body).toMatch(/&lt;a hx-get=(&quot;|&#34;|")\/x/);
    }
    const edit = await s.get(`/transfers/${tr.id}/edit`);
    expect(edit.body).not.toContain('<a hx-get');
    expect(edit.body).not.toContain('<script>alert(1)</script></textarea>');
  });

  it('edits with the version: a stale edit gets 409 naming the change and keeps the input', async () => {
    const tr = await created<{ id: number }>(t.app, '/api/v1/transfers', { technology_id: inverter, road_model_id: z, stage: 'candidate', rationale: 'First' });
    const form = await s.get(`/transfers/${tr.id}/edit`);
    expect(form.body).toContain('name="version" value="1"');
    expect(form.body).not.toContain('name="technology_id"');

    const edit = (rationale: string, version: string, extra: Record<string, string> = {}) =>
      s.post(`/transfers/${tr.id}`, { stage: 'candidate', rationale, decided_on: '', review_note: '', version, ...extra });
    expect((await edit('Second', '1')).statusCode).toBe(303);

    const stale = await edit('Third', '1');
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('changed by someone else');
    expect(stale.body).toContain('rationale: First → Second');
    expect(stale.body).toContain('Third</textarea>');
    expect(stale.body).toContain('name="version" value="2"');
    expect((await api(t.app).get(`/api/v1/transfers/${tr.id}`)).json()).toMatchObject({ rationale: 'Second', version: 2 });

    // A review note without a change of stage is refused next to the note, input kept.
    const note = await edit('Third', '2', { review_note: 'Looked again' });
    expect(note.statusCode).toBe(422);
    expect(note.body).toMatch(/id="f-review_note-error"[^>]*>is recorded only with a change of stage/);
    expect(note.body).toContain('Looked again</textarea>');

    const moved = await edit('Third', '2', { stage: 'approved', review_note: 'Approved at the product board' });
    expect(moved.statusCode).toBe(303);
    expect((await api(t.app).get(`/api/v1/transfers/${tr.id}`)).json()).toMatchObject({ stage: 'approved', rationale: 'Third', review_note: 'Approved at the product board', version: 3 });
  });

  it('"Mark reviewed" records the reviewer and moves the version: 303 without JS, the section in place with htmx', async () => {
    const tr = createTransfer(t.db, SYSTEM_ACTOR, { technology_id: await technology('Reviewed tech'), road_model_id: ariya, stage: 'approved' });
    const before = await s.get(`/transfers/${tr.id}`);
    const reviewSection = (html: string) => html.slice(html.indexOf('<section id="review"'));
    expect(reviewSection(before.body)).not.toContain('Administrator');

    const res = await s.post(`/transfers/${tr.id}/review`, { note: 'Re-checked after the March dyno run', version: '1' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/transfers/${tr.id}`);
    expect((await api(t.app).get(`/api/v1/transfers/${tr.id}`)).json()).toMatchObject({ version: 2, review_note: 'Re-checked after the March dyno run', stage: 'approved' });
    const page = await s.get(`/transfers/${tr.id}`);
    expect(reviewSection(page.body)).toContain('Administrator');
    expect(page.body).toContain('Re-checked after the March dyno run');
    expect(page.body).toContain('name="version" value="2"');

    const htmx = await s.post(`/transfers/${tr.id}/review`, { note: '', version: '2' }, { htmx: true });
    expect(htmx.statusCode).toBe(200);
    expect(htmx.body.startsWith('<section id="review"')).toBe(true);
    expect(htmx.body).toContain('Marked reviewed');
    expect(htmx.body).toContain('Administrator');
    expect(htmx.body).toContain('name="version" value="3"');
    expect((await api(t.app).get(`/api/v1/transfers/${tr.id}`)).json()).toMatchObject({ version: 3, review_note: '' });

    // A stale review is refused (409), names what changed and keeps the note.
    const stale = await s.post(`/transfers/${tr.id}/review`, { note: 'Late note', version: '1' }, { htmx: true });
    expect(stale.statusCode).toBe(409);
    expect(stale.body.startsWith('<section id="review"')).toBe(true);
    expect(stale.body).toContain('changed by someone else');
    expect(stale.body).toContain('Late note</textarea>');
    expect((await api(t.app).get(`/api/v1/transfers/${tr.id}`)).json()).toMatchObject({ version: 3 });

    // A note over the limit is a 422 next to the note.
    const long = await s.post(`/transfers/${tr.id}/review`, { note: 'x'.repeat(2001), version: '3' });
    expect(long.statusCode).toBe(422);
    expect(long.body).toMatch(/id="f-note-error"[^>]*>must be at most 2000 characters/);
    expect((await api(t.app).get(`/api/v1/transfers/${tr.id}`)).json()).toMatchObject({ version: 3 });
  });

  it('deletes after a confirmation page', async () => {
    const tech = await technology('Doomed tech');
    const tr = await created<{ id: number }>(t.app, '/api/v1/transfers', { technology_id: tech, road_model_id: z, stage: 'rejected' });
    const confirm = await s.get(`/transfers/${tr.id}/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(`action="/transfers/${tr.id}/delete"`);
    expect(confirm.body).toContain('Doomed tech → Z NISMO');
    const res = await s.post(`/transfers/${tr.id}/delete`, { version: '1' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/transfers');
    expect((await s.get(`/transfers/${tr.id}`)).statusCode).toBe(404);
  });
});
