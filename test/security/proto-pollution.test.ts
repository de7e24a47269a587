// `__proto__` and `constructor.prototype` in JSON bodies are refused by the JSON parser itself (400
// "not valid JSON", before any schema), so they never reach an object, a row or the audit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, countRows, createTestApp, created, json, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const PAYLOADS = [
  '{"name": "Proto", "__proto__": {"isAdmin": true}}',
  '{"name": "Proto", "nested": {"__proto__": {"polluted": 1}}}',
  '{"name": "Proto", "constructor": {"prototype": {"polluted": 1}}}',
  '{"__proto__": {"polluted": 1}, "name": "Proto"}',
];

describe('prototype poisoning', () => {
  it.each(PAYLOADS)('POST %s answers 400 and stores nothing', async (payload) => {
    const rows = countRows(t.db, 'series');
    const audit = countRows(t.db, 'audit_events');
    const res = await api(t.app).post('/api/v1/series', payload);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(json(res)).toMatchObject({ status: 400, detail: expect.stringMatching(/not valid JSON/) });
    expect(countRows(t.db, 'series')).toBe(rows);
    expect(countRows(t.db, 'audit_events')).toBe(audit);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('refuses them on PATCH too, leaving the record as it was', async () => {
    const s = await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Unpolluted' });
    const res = await api(t.app).patch(`/api/v1/series/${s.id}`, '{"description": "x", "__proto__": {"version": 99}}', { 'if-match': '"1"' });
    expect(res.statusCode).toBe(400);
    expect(json(res).detail).toMatch(/not valid JSON/);
    expect(json(await api(t.app).get(`/api/v1/series/${s.id}`))).toMatchObject({ description: '', version: 1 });
  });
});
