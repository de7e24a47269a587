// JSON bodies on the API: odd Content-Type headers are either refused (415) or parsed and
// validated exactly like JSON. Nothing slips past validation, nothing invalid is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES } from '../../src/app.js';
import { countRows, createTestApp, json, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

function post(contentType: string, payload: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/series',
    headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': contentType },
    payload,
  });
}

const seriesNamed = (name: string) => (t.db.sqlite.prepare('SELECT count(*) AS n FROM series WHERE name = ?').get(name) as { n: number }).n;

// Header → what a valid body must get: 201 only where the body really is parsed as JSON.
const CASES: [string, 201 | 415][] = [
  ['APPLICATION/JSON', 201],
  ['application/json\t', 201],
  [' application/json', 201],
  ['application/json;', 201],
  ['application/json; charset=utf-8', 201],
  ['application/json; charset=utf-7', 415],
  ['application/json; charset=iso-8859-1', 415],
  ['text/plain', 415],
  ['text/plain; charset=utf-8', 415],
  ['application/x-www-form-urlencoded', 415],
  ['multipart/form-data; boundary=x', 415],
  ['application/xml', 415],
];

describe('Content-Type on JSON endpoints', () => {
  it.each(CASES)('%j: an invalid body is refused and never stored', async (contentType) => {
    const rows = countRows(t.db, 'series');
    const audit = countRows(t.db, 'audit_events');
    // Wrong type, unknown field: invalid as JSON; as a form it would be `name=...` text.
    for (const body of [JSON.stringify({ name: 42, colour: 'red' }), JSON.stringify({}), 'name=Sneaky%20Series', '{"name": "Half']) {
      const res = await post(contentType, body);
      expect([400, 415], `${contentType} ${body}`).toContain(res.statusCode);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(countRows(t.db, 'series')).toBe(rows);
    expect(countRows(t.db, 'audit_events')).toBe(audit);
    expect(seriesNamed('Sneaky Series')).toBe(0);
  });

  it.each(CASES)('%j: a valid body answers %i, created only when parsed as JSON', async (contentType, expected) => {
    const name = `Valid ${JSON.stringify(contentType)}`;
    const res = await post(contentType, JSON.stringify({ name }));
    expect(res.statusCode, res.body).toBe(expected);
    if (expected === 201) {
      expect(json(res)).toMatchObject({ name, description: '' });
      expect(seriesNamed(name)).toBe(1);
    } else {
      expect(json(res)).toMatchObject({ type: '/problems/unsupported-media-type', status: 415 });
      expect(seriesNamed(name)).toBe(0);
    }
  });

  it('refuses a body over the limit with a 413 problem, storing nothing', async () => {
    const rows = countRows(t.db, 'series');
    const res = await post('application/json', JSON.stringify({ name: 'Big', description: 'x'.repeat(BODY_LIMIT_BYTES) }));
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(json(res)).toMatchObject({ type: '/problems/payload-too-large', status: 413 });
    expect(countRows(t.db, 'series')).toBe(rows);
  });

  it('keeps form posts working on the pages (urlencoded is their format)', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'username=admin&password=x' });
    // The CSRF check answers, not a 415: the form body was parsed.
    expect(res.statusCode).toBe(403);
  });
});
