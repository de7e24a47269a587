import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, countRows, createTestApp, created, json, type TestApp } from '../../../support/app.js';

let t: TestApp;
let tech: number;
let windTunnel: number;
let bench: number;

interface Assessment {
  id: number;
  technology_id: number;
  target: string;
  level: number;
  assessed_on: string;
  assessor: string;
  rationale: string;
  evidence_run_ids: number[];
  version: number;
  created_at: string;
  updated_at: string;
}

beforeAll(async () => {
  t = await createTestApp();
  const category = await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Aero', venue_types: ['wind_tunnel', 'track'] });
  tech = (await created<{ id: number }>(t.app, '/api/v1/technologies', { name: 'FE front wing', domain: 'hardware', category_id: category.id })).id;
  const mule = await created<{ id: number }>(t.app, '/api/v1/prototypes', { code: 'FE-MULE-07', kind: 'mule' });
  const run = async (venue: string, day: string) =>
    (
      await created<{ id: number }>(t.app, '/api/v1/test-runs', {
        prototype_id: mule.id,
        title: `${venue} sweep`,
        venue_type: venue,
        start_time: `${day}T09:00:00Z`,
        end_time: `${day}T12:00:00Z`,
        evidence: [{ technology_id: tech, outcome: 'pass' }],
      })
    ).id;
  windTunnel = await run('wind_tunnel', '2026-03-02');
  bench = await run('bench', '2026-03-01');
});
afterAll(async () => t.close());

describe('readiness API', () => {
  it('creates an assessment (201, Location, ETag), gets it, lists the history and withdraws it with If-Match', async () => {
    const http = api(t.app);
    const res = await http.post(`/api/v1/technologies/${tech}/readiness`, {
      target: 'race',
      level: 6,
      assessed_on: '2026-03-31',
      rationale: 'Wind tunnel correlation within 2 %',
      evidence_run_ids: [windTunnel, bench],
    });
    expect(res.statusCode).toBe(201);
    const a = json<Assessment>(res);
    expect(a).toMatchObject({ technology_id: tech, target: 'race', level: 6, assessed_on: '2026-03-31', assessor: 'admin', evidence_run_ids: [windTunnel, bench], version: 1 });
    expect(res.headers.location).toBe(`/api/v1/readiness-assessments/${a.id}`);
    expect(res.headers.etag).toBe('"1"');

    const got = await http.get(`/api/v1/readiness-assessments/${a.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.headers.etag).toBe('"1"');
    expect(json(got)).toEqual(a);

    const older = await created<Assessment>(t.app, `/api/v1/technologies/${tech}/readiness`, { target: 'race', level: 3, assessed_on: '2026-01-10', assessor: 'k.tanaka' });
    const road = await created<Assessment>(t.app, `/api/v1/technologies/${tech}/readiness`, { target: 'road', level: 4, assessed_on: '2026-02-01' });
    const list = json<{ items: Assessment[]; next_cursor: string | null }>(await http.get(`/api/v1/technologies/${tech}/readiness`));
    expect(list.items.map((x) => x.id)).toEqual([a.id, road.id, older.id]);
    expect(list.items[0]).toEqual(a);
    expect(list.next_cursor).toBeNull();
    const raceOnly = json<{ items: Assessment[] }>(await http.get(`/api/v1/technologies/${tech}/readiness?target=race&sort=assessed_on`));
    expect(raceOnly.items.map((x) => x.id)).toEqual([older.id, a.id]);
    const paged = await http.get(`/api/v1/technologies/${tech}/readiness?limit=1`);
    expect(paged.headers.link).toMatch(/rel="next"/);

    expect((await http.delete(`/api/v1/readiness-assessments/${a.id}`)).statusCode).toBe(428);
    expect((await http.delete(`/api/v1/readiness-assessments/${a.id}`, { 'if-match': '"2"' })).statusCode).toBe(412);
    expect((await http.delete(`/api/v1/readiness-assessments/${a.id}`, { 'if-match': '"1"' })).statusCode).toBe(204);
    expect((await http.get(`/api/v1/readiness-assessments/${a.id}`)).statusCode).toBe(404);
    const events = t.db.sqlite
      .prepare(`SELECT action FROM audit_events WHERE entity = 'readiness_assessment' AND entity_id = ? ORDER BY seq`)
      .all(String(a.id)) as { action: string }[];
    expect(events.map((e) => e.action)).toEqual(['create', 'delete']);
  });

  it('TRL-6: refuses a race TRL 6 resting only on a bench pass with 422 naming the rule, and writes nothing', async () => {
    const before = countRows(t.db, 'readiness_assessments');
    const res = await api(t.app).post(`/api/v1/technologies/${tech}/readiness`, { target: 'race', level: 6, assessed_on: '2026-03-31', evidence_run_ids: [bench] });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(json(res)).toMatchObject({ type: '/problems/rule-violation', status: 422, rule: 'TRL-6', errors: [{ path: '/evidence_run_ids' }] });
    expect(countRows(t.db, 'readiness_assessments')).toBe(before);
  });

  it('EVD-1: refuses a run that ended after the assessment date, naming the index', async () => {
    const res = await api(t.app).post(`/api/v1/technologies/${tech}/readiness`, { target: 'race', level: 5, assessed_on: '2026-03-01', evidence_run_ids: [bench, windTunnel] });
    expect(res.statusCode).toBe(422);
    expect(json(res)).toMatchObject({ rule: 'EVD-1', errors: [{ path: '/evidence_run_ids/1' }] });
  });

  it('answers 404 for an unknown technology or assessment, 422 for an unknown run and 400 for a malformed body', async () => {
    const http = api(t.app);
    expect((await http.get('/api/v1/technologies/999999/readiness')).statusCode).toBe(404);
    const missingTech = await http.post('/api/v1/technologies/999999/readiness', { target: 'race', level: 1, assessed_on: '2026-03-01' });
    expect(missingTech.statusCode).toBe(404);
    expect(json(missingTech).type).toBe('/problems/not-found');
    expect((await http.get('/api/v1/readiness-assessments/999999')).statusCode).toBe(404);
    expect((await http.delete('/api/v1/readiness-assessments/999999', { 'if-match': '"1"' })).statusCode).toBe(404);

    const unknownRun = await http.post(`/api/v1/technologies/${tech}/readiness`, { target: 'race', level: 5, assessed_on: '2026-03-31', evidence_run_ids: [999999] });
    expect(unknownRun.statusCode).toBe(422);
    expect(json(unknownRun)).toMatchObject({ type: '/problems/invalid-input', errors: [{ path: '/evidence_run_ids/0', message: 'does not exist' }] });

    for (const body of [
      { target: 'race', level: 10, assessed_on: '2026-03-31' },
      { target: 'track', level: 5, assessed_on: '2026-03-31' },
      { target: 'race', level: '5', assessed_on: '2026-03-31' },
      { target: 'race', level: 5, assessed_on: '31/03/2026' },
      { target: 'race', level: 5, assessed_on: '2026-03-31', evidence_run_ids: [bench, bench] },
      { target: 'race', level: 5, assessed_on: '2026-03-31', technology_id: tech },
    ]) {
      expect((await http.post(`/api/v1/technologies/${tech}/readiness`, body)).statusCode, JSON.stringify(body)).toBe(400);
    }
  });
});
