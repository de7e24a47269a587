import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../../src/domain/audit.js';
import { findUserByUsername } from '../../../src/domain/users.js';
import { AUDIT_ENTITIES } from '../../../src/schemas/audit.js';
import { addUser, api, createTestApp, created, type TestApp } from '../../support/app.js';
import { pageSession, type PageSession } from '../../support/pages.js';

let t: TestApp;
let s: PageSession;

beforeAll(async () => {
  t = await createTestApp();
  s = await pageSession(t.app);
});
afterAll(async () => t.close());

const partial = { 'hx-request': 'true', 'hx-request-type': 'partial' };
const system = { id: null, name: 'system' };

function historyLinkOf(html: string): string {
  const href = /href="(\/audit\?entity=[^"]+)"/.exec(html)?.[1];
  if (!href) throw new Error('no history link on the page');
  return href.replace(/&amp;/g, '&');
}

describe('audit pages', () => {
  it('follows the history link of detail pages to that record’s events, linked back to the record', async () => {
    const series = await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Super GT' });
    await api(t.app).patch(`/api/v1/series/${series.id}`, { description: 'GT500 and GT300' }, { 'if-match': '"1"' });
    const prototype = await created<{ id: number }>(t.app, '/api/v1/prototypes', { code: 'GT-R-LAB', kind: 'mule' });
    const roadModel = await created<{ id: number }>(t.app, '/api/v1/road-models', { name: 'Z NISMO', powertrain: 'ice', status: 'production' });

    for (const [detail, entity, id] of [
      [`/series/${series.id}`, 'series', series.id],
      [`/prototypes/${prototype.id}`, 'prototype', prototype.id],
      [`/road-models/${roadModel.id}`, 'road_model', roadModel.id],
    ] as const) {
      const page = await s.get(detail);
      expect(page.statusCode).toBe(200);
      const link = historyLinkOf(page.body);
      expect(link).toBe(`/audit?entity=${entity}&entity_id=${id}`);
      const history = await s.get(link);
      expect(history.statusCode, link).toBe(200);
      expect(history.body).toContain(`href="${detail}"`);
      expect(history.body).toMatch(/Created/);
    }
    const seriesHistory = await s.get(`/audit?entity=series&entity_id=${series.id}`);
    expect(seriesHistory.body).toContain('History of Series Super GT');
    expect(seriesHistory.body).toMatch(/Updated[\s\S]*Created/);
  });

  it('answers every entity name the detail pages use, and links each record to its page where there is one', async () => {
    const category = await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Batteries', venue_types: ['bench'] });
    const technology = await created<{ id: number }>(t.app, '/api/v1/technologies', { name: 'Cell cooling', domain: 'hardware', category_id: category.id });
    recordAudit(t.db, system, { entity: 'test_run', entityId: 4242, action: 'create', after: { id: 4242, code: 'TR-2026-4242' } });
    recordAudit(t.db, system, { entity: 'readiness_assessment', entityId: 77, action: 'create', after: { id: 77, technology_id: technology.id, level: 6 } });

    for (const entity of AUDIT_ENTITIES) {
      const res = await s.get(`/audit?entity=${entity}&entity_id=1`);
      expect(res.statusCode, entity).toBe(200);
    }
    const run = await s.get('/audit?entity=test_run&entity_id=4242');
    expect(run.body).toContain('href="/test-runs/4242"');
    expect(run.body).toContain('Test run TR-2026-4242');
    const assessment = await s.get('/audit?entity=readiness_assessment&entity_id=77');
    expect(assessment.body).toContain(`href="/technologies/${technology.id}"`);
    recordAudit(t.db, system, { entity: 'attachment', entityId: 5, action: 'create', after: { id: 5, test_run_id: 4242, filename: 'lap.csv' } });
    expect((await s.get('/audit?entity=attachment&entity_id=5')).body).toContain('href="/test-runs/4242"');
  });

  it('links administration records (users) for admins only', async () => {
    const viewer = addUser(t.db, 'w.viewer', 'viewer');
    const userId = findUserByUsername(t.db, 'w.viewer')!.id;
    const url = `/audit?entity=user&entity_id=${userId}`;
    const asAdmin = await s.get(url);
    expect(asAdmin.body).toContain(`href="/admin/users/${userId}"`);
    expect(asAdmin.body).toContain('User w.viewer');
    const asViewer = await (await pageSession(t.app, viewer)).get(url);
    expect(asViewer.statusCode).toBe(200);
    expect(asViewer.body).toContain('User w.viewer');
    expect(asViewer.body).not.toContain(`href="/admin/users/${userId}"`);
  });

  it('shows only the changed fields, from and to, and summarises nested arrays', async () => {
    const before = {
      id: 900, code: 'TR-2026-0900', title: 'Fuji long run', status: 'planned', notes: 'same', version: 1, updated_at: '2026-01-01T00:00:00.000Z',
      measurements: [{ id: 1, name: 'lap', value: 91.2 }, { id: 2, name: 'tyre temp', value: 88 }],
      technology_ids: [3, 4],
    };
    const after = {
      ...before, status: 'completed', version: 2, updated_at: '2026-01-02T00:00:00.000Z',
      // Replaced rows get new ids: an equal row still counts as unchanged.
      measurements: [{ id: 7, name: 'lap', value: 91.2 }, { id: 8, name: 'tyre temp', value: 90 }, { id: 9, name: 'fuel', value: 12 }],
      technology_ids: [4],
    };
    recordAudit(t.db, system, { entity: 'test_run', entityId: 900, action: 'update', before, after });
    const res = await s.get('/audit?entity=test_run&entity_id=900');
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(html).toMatch(/<strong>Status<\/strong>: <del>planned<\/del>[\s\S]*?<ins>completed<\/ins>/);
    expect(html).toMatch(/<strong>Measurements<\/strong>: <del>2 rows<\/del>[\s\S]*?<ins>3 rows \(2 added, 1 removed\)<\/ins>/);
    expect(html).toMatch(/<strong>Technology ids<\/strong>: <del>3, 4<\/del>[\s\S]*?<ins>4<\/ins>/);
    // Unchanged fields and bookkeeping stay out.
    expect(html).not.toContain('<strong>Notes</strong>');
    expect(html).not.toContain('<strong>Title</strong>');
    expect(html).not.toContain('<strong>Version</strong>');
    expect(html).not.toContain('<strong>Updated at</strong>');
  });

  it('filters live: a partial request answers the #results fragment, a cursor the rows, the filters stay in the form', async () => {
    addUser(t.db, 'r.ito', 'engineer');
    const ito = { id: findUserByUsername(t.db, 'r.ito')!.id, name: 'r.ito' };
    for (let i = 0; i < 3; i++) recordAudit(t.db, ito, { entity: 'market', entityId: 300 + i, action: 'create', after: { id: 300 + i, code: `M${i}` } });

    const full = await s.get('/audit?entity=market&actor=r.ito');
    expect(full.statusCode).toBe(200);
    expect(full.body).toContain('<!doctype html>');
    expect(full.body).toMatch(/<form[^>]*hx-get="\/audit"/);
    expect(full.body).toMatch(/<option value="market" selected/);
    expect(full.body).toContain('value="r.ito"');
    expect(full.headers.vary).toMatch(/HX-Request-Type/);

    const fragment = await s.get('/audit?entity=market&actor=r.ito&limit=2', partial);
    expect(fragment.body.startsWith('<div id="results"')).toBe(true);
    expect(fragment.body).not.toContain('<!doctype html>');
    expect(fragment.body).toContain('M2');
    expect(fragment.body).toContain('M1');
    expect(fragment.body).not.toContain('M0');
    const more = /href="(\/audit\?[^"]*cursor=\d+[^"]*)"/.exec(fragment.body)?.[1]?.replace(/&amp;/g, '&');
    expect(more).toBeDefined();
    const rows = await s.get(more!, partial);
    expect(rows.body.startsWith('<tr')).toBe(true);
    expect(rows.body).toContain('M0');
    expect(rows.body).not.toContain('M1');

    const none = await s.get('/audit?actor=nobody-here', partial);
    expect(none.body).toContain('No changes match these filters');
  });

  it('escapes what users typed, in values, labels and actor names', async () => {
    const evil = '<script>alert(1)</script><a hx-get="/admin" hx-trigger="load">x</a>';
    const series = await created<{ id: number }>(t.app, '/api/v1/series', { name: evil });
    await api(t.app).patch(`/api/v1/series/${series.id}`, { description: `"><img src=x onerror=alert(2)>` }, { 'if-match': '"1"' });
    const res = await s.get(`/audit?entity=series&entity_id=${series.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<script>alert(1)');
    expect(res.body).not.toContain('<a hx-get="/admin"');
    expect(res.body).not.toContain('<img src=x');
    expect(res.body).toContain('&lt;script>alert(1)&lt;/script>');
    const odd = await s.get(`/audit?actor=${encodeURIComponent('"><b>x</b>')}`);
    expect(odd.statusCode).toBe(200);
    expect(odd.body).not.toContain('<b>x</b>');
  });

  it('refuses a malformed filter with a 400 page, and sends a signed-out visitor to the login', async () => {
    const bad = await s.get('/audit?from=last-week');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/text\/html/);
    const anonymous = await t.app.inject({ method: 'GET', url: '/audit' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2Faudit');
  });
});
