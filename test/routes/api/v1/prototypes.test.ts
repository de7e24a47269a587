import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrototype, findPrototypeByCode } from '../../../../src/domain/prototypes.js';
import { SYSTEM_ACTOR } from '../../../../src/domain/actor.js';
import { api, countRows, createTestApp, created, json, type TestApp } from '../../../support/app.js';

let t: TestApp;
let programA: number;
let programB: number;
let programC: number;
let ariya: number;

beforeAll(async () => {
  t = await createTestApp();
  const fe = (await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Formula E' })).id;
  const program = async (season: string, year: number) =>
    (
      await created<{ id: number }>(t.app, '/api/v1/programs', {
        series_id: fe,
        season,
        start_year: year,
        end_year: year + 1,
        entry: 'Nissan Formula E Team',
        car: 'Nissan e-4ORCE 05',
      })
    ).id;
  programA = await program('2022-23', 2022);
  programB = await program('2023-24', 2023);
  programC = await program('2024-25', 2024);
  // Road models have their own API; a direct row keeps this file independent of it.
  ariya = Number(
    t.db.sqlite.prepare(`INSERT INTO road_models (name, powertrain, status) VALUES ('Ariya NISMO', 'ev', 'production')`).run().lastInsertRowid,
  );
});
afterAll(async () => t.close());

interface Prototype {
  id: number;
  code: string;
  name: string;
  kind: string;
  hardware_revision: string;
  road_model_id: number | null;
  notes: string;
  demo: boolean;
  program_ids: number[];
  version: number;
  updated_at: string;
}

function auditEvents(id: number) {
  return (
    t.db.sqlite.prepare(`SELECT action, before, after FROM audit_events WHERE entity = 'prototype' AND entity_id = ? ORDER BY seq`).all(String(id)) as {
      action: string;
      before: string | null;
      after: string | null;
    }[]
  ).map((e) => ({ action: e.action, before: e.before && JSON.parse(e.before), after: e.after && JSON.parse(e.after) }));
}

function links(id: number): number[] {
  return (
    t.db.sqlite.prepare('SELECT program_id FROM prototype_programs WHERE prototype_id = ? ORDER BY program_id').all(id) as { program_id: number }[]
  ).map((r) => r.program_id);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('prototypes API', () => {
  it('creates a prototype with its programs and defaults, and reads it back by id and code', async () => {
    const http = api(t.app);
    const res = await http.post('/api/v1/prototypes', { code: 'FE-MULE-07', kind: 'mule', program_ids: [programC, programA] });
    expect(res.statusCode).toBe(201);
    const p = json<Prototype>(res);
    expect(p).toMatchObject({
      code: 'FE-MULE-07',
      name: '',
      kind: 'mule',
      hardware_revision: '',
      road_model_id: null,
      notes: '',
      demo: false,
      program_ids: [programA, programC],
      version: 1,
    });
    expect(res.headers.location).toBe(`/api/v1/prototypes/${p.id}`);
    expect(res.headers.etag).toBe('"1"');
    const got = await http.get(`/api/v1/prototypes/${p.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.headers.etag).toBe('"1"');
    expect(json(got)).toEqual(p);
    expect(findPrototypeByCode(t.db, 'FE-MULE-07')).toEqual(p);
    expect(findPrototypeByCode(t.db, 'NOPE')).toBeUndefined();

    const events = auditEvents(p.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'create', after: { program_ids: [programA, programC] } });

    const road = await http.post('/api/v1/prototypes', { code: 'ARIYA-RP-01', kind: 'road_prototype', road_model_id: ariya, name: 'Ariya NISMO prototype', hardware_revision: 'B2', notes: 'tyre tests' });
    expect(road.statusCode).toBe(201);
    expect(json(road)).toMatchObject({ road_model_id: ariya, program_ids: [] });
  });

  it('does not let the API set demo, while the domain (the seed) can', async () => {
    const res = await api(t.app).post('/api/v1/prototypes', { code: 'DEMO-API', kind: 'mule', demo: true });
    expect(res.statusCode).toBe(400);
    expect(json(res).errors).toContainEqual({ path: '/demo', message: 'is not a known field' });
    const seeded = createPrototype(t.db, SYSTEM_ACTOR, { code: 'DEMO-SEED', kind: 'simulator', demo: true, program_ids: [programB] });
    const got = json<Prototype>(await api(t.app).get(`/api/v1/prototypes/${seeded.id}`));
    expect(got).toMatchObject({ demo: true, program_ids: [programB] });
    const patch = await api(t.app).patch(`/api/v1/prototypes/${seeded.id}`, { demo: false }, { 'if-match': '"1"' });
    expect(patch.statusCode).toBe(400);
  });

  it('PATCH program_ids replaces the set, moves the version and writes one audit event', async () => {
    const http = api(t.app);
    const p = await created<Prototype>(t.app, '/api/v1/prototypes', { code: 'HIL-01', kind: 'hil_rig', program_ids: [programA, programB] });
    const res = await http.patch(`/api/v1/prototypes/${p.id}`, { program_ids: [programC] }, { 'if-match': '"1"' });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toMatchObject({ program_ids: [programC], version: 2, kind: 'hil_rig' });
    expect(res.headers.etag).toBe('"2"');
    expect(links(p.id)).toEqual([programC]);
    const events = auditEvents(p.id);
    expect(events.map((e) => e.action)).toEqual(['create', 'update']);
    expect(events[1]!.before.program_ids).toEqual([programA, programB]);
    expect(events[1]!.after).toMatchObject({ program_ids: [programC], version: 2 });

    // A PATCH that does not name program_ids keeps them; an empty list clears them.
    const renamed = json<Prototype>(await http.patch(`/api/v1/prototypes/${p.id}`, { name: 'HIL rig 1' }, { 'if-match': '"2"' }));
    expect(renamed).toMatchObject({ name: 'HIL rig 1', program_ids: [programC], version: 3 });
    const cleared = json<Prototype>(await http.patch(`/api/v1/prototypes/${p.id}`, { program_ids: [] }, { 'if-match': '"3"' }));
    expect(cleared.program_ids).toEqual([]);
    expect(links(p.id)).toEqual([]);
  });

  it('needs If-Match (428), refuses stale versions (412) and deletes with its program links', async () => {
    const http = api(t.app);
    const p = await created<Prototype>(t.app, '/api/v1/prototypes', { code: 'DYNO-01', kind: 'dyno_rig', program_ids: [programA] });
    const url = `/api/v1/prototypes/${p.id}`;
    expect((await http.patch(url, { name: 'x' })).statusCode).toBe(428);
    expect((await http.patch(url, { name: 'x' }, { 'if-match': '"9"' })).statusCode).toBe(412);
    expect((await http.delete(url)).statusCode).toBe(428);
    const stale = await http.delete(url, { 'if-match': '"2"' });
    expect(stale.statusCode).toBe(412);
    expect(json(stale).type).toBe('/problems/precondition-failed');
    expect((await http.delete(url, { 'if-match': '"1"' })).statusCode).toBe(204);
    expect((await http.get(url)).statusCode).toBe(404);
    expect(links(p.id)).toEqual([]);
    expect(auditEvents(p.id).map((e) => e.action)).toEqual(['create', 'delete']);
    expect(auditEvents(p.id)[1]!.before.program_ids).toEqual([programA]);
  });

  it('answers 404 for unknown ids', async () => {
    const http = api(t.app);
    expect((await http.get('/api/v1/prototypes/999999')).statusCode).toBe(404);
    expect((await http.patch('/api/v1/prototypes/999999', { name: 'x' }, { 'if-match': '*' })).statusCode).toBe(404);
    expect((await http.delete('/api/v1/prototypes/999999', { 'if-match': '*' })).statusCode).toBe(404);
  });

  it('answers 400 with JSON Pointers: unknown field, string for an integer, bad code, duplicate ids, too many ids', async () => {
    const http = api(t.app);
    const paths = async (b: unknown) => {
      const res = await http.post('/api/v1/prototypes', b);
      expect(res.statusCode).toBe(400);
      expect(json(res).type).toBe('/problems/validation');
      // One field may break several keywords (minLength and pattern): compare the fields named.
      return [...new Set(json(res).errors.map((e: { path: string }) => e.path) as string[])];
    };
    expect(await paths({ code: 'X-1', kind: 'mule', colour: 'red' })).toEqual(['/colour']);
    expect(await paths({ code: 'X-1', kind: 'road_prototype', road_model_id: '7' })).toContain('/road_model_id');
    expect(await paths({ code: 'X-1', kind: 'mule', program_ids: [programA, '7'] })).toContain('/program_ids/1');
    expect(await paths({ code: 'has space', kind: 'mule' })).toEqual(['/code']);
    expect(await paths({ code: 'x'.repeat(41), kind: 'mule' })).toEqual(['/code']);
    expect(await paths({ code: '', kind: 'mule' })).toEqual(['/code']);
    expect(await paths({ code: 'X-1', kind: 'spaceship' })).toEqual(['/kind']);
    expect(await paths({ code: 'X-1', kind: 'mule', program_ids: [programA, programA] })).toEqual(['/program_ids']);
    expect(await paths({ code: 'X-1', kind: 'mule', program_ids: Array.from({ length: 51 }, (_, i) => i + 1) })).toEqual(['/program_ids']);
    expect(await paths({ kind: 'mule' })).toEqual(['/code']);
    expect((await http.get('/api/v1/prototypes?kind=spaceship')).statusCode).toBe(400);
    expect(findPrototypeByCode(t.db, 'X-1')).toBeUndefined();
  });

  it('refuses a taken code with 409 naming /code, on create and on update', async () => {
    const http = api(t.app);
    const first = await created<Prototype>(t.app, '/api/v1/prototypes', { code: 'GT500-TC-01', kind: 'race_car' });
    const other = await created<Prototype>(t.app, '/api/v1/prototypes', { code: 'GT500-TC-02', kind: 'race_car' });
    const rows = countRows(t.db, 'prototypes');
    const events = countRows(t.db, 'audit_events');
    const dup = await http.post('/api/v1/prototypes', { code: 'GT500-TC-01', kind: 'mule', program_ids: [programA] });
    expect(dup.statusCode).toBe(409);
    expect(json(dup)).toMatchObject({ type: '/problems/conflict', errors: [{ path: '/code' }] });
    const rename = await http.patch(`/api/v1/prototypes/${other.id}`, { code: first.code }, { 'if-match': '"1"' });
    expect(rename.statusCode).toBe(409);
    expect(countRows(t.db, 'prototypes')).toBe(rows);
    expect(countRows(t.db, 'audit_events')).toBe(events);
    expect(json<Prototype>(await http.get(`/api/v1/prototypes/${other.id}`))).toMatchObject({ code: 'GT500-TC-02', version: 1 });
  });

  it('refuses bad references with 422 naming each path, leaving no row, link or audit event', async () => {
    const http = api(t.app);
    const rows = countRows(t.db, 'prototypes');
    const linkRows = countRows(t.db, 'prototype_programs');
    const events = countRows(t.db, 'audit_events');

    const programs = await http.post('/api/v1/prototypes', { code: 'BAD-REF-1', kind: 'mule', program_ids: [programA, 999998, programB, 999999] });
    expect(programs.statusCode).toBe(422);
    expect(json(programs)).toMatchObject({
      type: '/problems/invalid-input',
      errors: [
        { path: '/program_ids/1', message: 'does not exist' },
        { path: '/program_ids/3', message: 'does not exist' },
      ],
    });

    const notRoad = await http.post('/api/v1/prototypes', { code: 'BAD-REF-2', kind: 'mule', road_model_id: ariya });
    expect(notRoad.statusCode).toBe(422);
    expect(json(notRoad).errors).toEqual([expect.objectContaining({ path: '/road_model_id' })]);

    const missingModel = await http.post('/api/v1/prototypes', { code: 'BAD-REF-3', kind: 'road_prototype', road_model_id: 999999 });
    expect(missingModel.statusCode).toBe(422);
    expect(json(missingModel).errors).toEqual([{ path: '/road_model_id', message: 'does not exist' }]);

    expect(countRows(t.db, 'prototypes')).toBe(rows);
    expect(countRows(t.db, 'prototype_programs')).toBe(linkRows);
    expect(countRows(t.db, 'audit_events')).toBe(events);

    // On PATCH, the merged record is judged: a road prototype turned into a mule keeps no road model.
    const road = await created<Prototype>(t.app, '/api/v1/prototypes', { code: 'ARIYA-RP-02', kind: 'road_prototype', road_model_id: ariya, program_ids: [programA] });
    const after = countRows(t.db, 'audit_events');
    const toMule = await http.patch(`/api/v1/prototypes/${road.id}`, { kind: 'mule' }, { 'if-match': '"1"' });
    expect(toMule.statusCode).toBe(422);
    expect(json(toMule).errors[0].path).toBe('/road_model_id');
    const badLinks = await http.patch(`/api/v1/prototypes/${road.id}`, { program_ids: [programB, 999999] }, { 'if-match': '"1"' });
    expect(badLinks.statusCode).toBe(422);
    expect(json(badLinks).errors).toEqual([{ path: '/program_ids/1', message: 'does not exist' }]);
    expect(links(road.id)).toEqual([programA]);
    expect(countRows(t.db, 'audit_events')).toBe(after);
    const ok = await http.patch(`/api/v1/prototypes/${road.id}`, { kind: 'mule', road_model_id: null }, { 'if-match': '"1"' });
    expect(ok.statusCode).toBe(200);
    expect(json(ok)).toMatchObject({ kind: 'mule', road_model_id: null, version: 2 });
  });

  it('blocks deleting a prototype with test runs (409) and keeps it with its links', async () => {
    const http = api(t.app);
    const p = await created<Prototype>(t.app, '/api/v1/prototypes', { code: 'FE-RACE-23', kind: 'race_car', program_ids: [programC] });
    t.db.sqlite
      .prepare(
        `INSERT INTO test_runs (code, prototype_id, title, venue_type, start_time, status) VALUES ('TR-2025-0001', ?, 'Shakedown', 'track', '2025-01-10T09:00:00.000Z', 'completed')`,
      )
      .run(p.id);
    const res = await http.delete(`/api/v1/prototypes/${p.id}`, { 'if-match': '"1"' });
    expect(res.statusCode).toBe(409);
    expect(json(res)).toMatchObject({ type: '/problems/conflict' });
    expect(json(res).detail).toMatch(/1 test run/);
    expect((await http.get(`/api/v1/prototypes/${p.id}`)).statusCode).toBe(200);
    expect(links(p.id)).toEqual([programC]);
    expect(auditEvents(p.id).map((e) => e.action)).toEqual(['create']);
  });

  it('filters by kind, program, road model, and searches code, name, hardware revision and notes', async () => {
    const http = api(t.app);
    const sim = await created<Prototype>(t.app, '/api/v1/prototypes', { code: 'SIM-DIL-01', kind: 'simulator', name: 'Driver-in-the-loop', hardware_revision: 'Rev-Q9', notes: 'e-4ORCE 05 torque split', program_ids: [programB] });
    const bench = await created<Prototype>(t.app, '/api/v1/prototypes', { code: 'BENCH-INV-02', kind: 'bench_rig', notes: 'SiC インバーター', program_ids: [programB, programC] });
    const ids = async (qs: string) => json<{ items: Prototype[] }>(await http.get(`/api/v1/prototypes?limit=200&${qs}`)).items.map((p) => p.id);

    expect(await ids('kind=simulator')).toContain(sim.id);
    expect(await ids('kind=simulator')).not.toContain(bench.id);
    const servingB = await ids(`program_id=${programB}`);
    expect(servingB).toEqual(expect.arrayContaining([sim.id, bench.id]));
    for (const item of json<{ items: Prototype[] }>(await http.get(`/api/v1/prototypes?limit=200&program_id=${programB}`)).items) {
      expect(item.program_ids).toContain(programB);
    }
    expect(await ids(`road_model_id=${ariya}`)).toEqual(
      json<{ items: Prototype[] }>(await http.get('/api/v1/prototypes?limit=200&kind=road_prototype')).items.filter((p) => p.road_model_id === ariya).map((p) => p.id),
    );
    expect(await ids('q=sim-dil')).toEqual([sim.id]);
    expect(await ids('q=rev-q9')).toEqual([sim.id]);
    expect(await ids(`q=${encodeURIComponent('e-4ORCE')}`)).toEqual([sim.id]);
    expect(await ids(`q=${encodeURIComponent('インバーター')}`)).toEqual([bench.id]);
    expect(await ids(`q=${encodeURIComponent('driver loop')}`)).toEqual([sim.id]);
    expect(await ids(`q=${encodeURIComponent('"% OR 1=1')}`)).toEqual([]);
  });

  it('sorts by code (default) and descending', async () => {
    const http = api(t.app);
    const codes = json<{ items: Prototype[] }>(await http.get('/api/v1/prototypes?limit=200')).items.map((p) => p.code);
    expect(codes.length).toBeGreaterThan(3);
    expect(codes).toEqual([...codes].sort());
    const desc = json<{ items: Prototype[] }>(await http.get('/api/v1/prototypes?limit=200&sort=-code')).items.map((p) => p.code);
    expect(desc).toEqual([...codes].reverse());
    const byUpdated = json<{ items: Prototype[] }>(await http.get('/api/v1/prototypes?limit=200&sort=-updated_at')).items.map((p) => p.updated_at);
    expect(byUpdated).toEqual([...byUpdated].sort().reverse());
  });

  it('pages by cursor through more than two pages with rows inserted between pages: none twice, none skipped', async () => {
    const http = api(t.app);
    const original: number[] = [];
    for (const n of ['10', '20', '30', '40', '50', '60', '70']) {
      original.push((await created<Prototype>(t.app, '/api/v1/prototypes', { code: `PG-${n}`, kind: 'bench_rig', program_ids: [programA] })).id);
    }
    const seen: Prototype[] = [];
    let url = '/api/v1/prototypes?q=PG-&limit=3';
    let pages = 0;
    let before = 0;
    let after = 0;
    for (;;) {
      const res = await http.get(url);
      expect(res.statusCode).toBe(200);
      const page = json<{ items: Prototype[]; next_cursor: string | null }>(res);
      seen.push(...page.items);
      pages += 1;
      if (!page.next_cursor) break;
      expect(res.headers.link).toContain('rel="next"');
      if (pages === 1) {
        before = (await created<Prototype>(t.app, '/api/v1/prototypes', { code: 'PG-05', kind: 'bench_rig' })).id;
        after = (await created<Prototype>(t.app, '/api/v1/prototypes', { code: 'PG-55', kind: 'bench_rig' })).id;
      }
      url = `/api/v1/prototypes?q=PG-&limit=3&cursor=${encodeURIComponent(page.next_cursor)}`;
    }
    const ids = seen.map((p) => p.id);
    expect(pages).toBeGreaterThan(2);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of original) expect(ids).toContain(id);
    expect(ids).toContain(after);
    expect(ids).not.toContain(before);
    // Every item of every page carries its program ids.
    expect(seen.filter((p) => original.includes(p.id)).every((p) => p.program_ids.join() === String(programA))).toBe(true);
    // A cursor issued for one sort is refused for another.
    const first = json<{ next_cursor: string }>(await http.get('/api/v1/prototypes?limit=1'));
    const wrong = await http.get(`/api/v1/prototypes?limit=1&sort=-code&cursor=${encodeURIComponent(first.next_cursor)}`);
    expect(wrong.statusCode).toBe(400);
    expect(json(wrong).errors[0].path).toBe('/cursor');
  });

  it('lists only rows changed at or after updated_since, including a change of program_ids only', async () => {
    const http = api(t.app);
    const a = await created<Prototype>(t.app, '/api/v1/prototypes', { code: 'UPD-A', kind: 'mule' });
    await created<Prototype>(t.app, '/api/v1/prototypes', { code: 'UPD-B', kind: 'mule' });
    await sleep(5);
    const since = new Date().toISOString();
    await sleep(5);
    expect((await http.patch(`/api/v1/prototypes/${a.id}`, { program_ids: [programA] }, { 'if-match': '"1"' })).statusCode).toBe(200);
    const items = json<{ items: Prototype[] }>(await http.get(`/api/v1/prototypes?limit=200&updated_since=${encodeURIComponent(since)}`)).items;
    expect(items.map((p) => p.id)).toEqual([a.id]);
  });
});
