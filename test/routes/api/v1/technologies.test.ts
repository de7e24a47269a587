import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, countRows, createTestApp, created, json, type TestApp } from '../../../support/app.js';

let t: TestApp;
let categoryId: number;
let programId: number;

beforeAll(async () => {
  t = await createTestApp();
  categoryId = (await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Powertrain', venue_types: ['dyno', 'track'] })).id;
  // Programs may not have an API yet: insert one directly.
  const seriesId = Number(t.db.sqlite.prepare(`INSERT INTO series (name) VALUES ('Formula E')`).run().lastInsertRowid);
  programId = Number(
    t.db.sqlite
      .prepare(`INSERT INTO programs (series_id, season, start_year, end_year, entry, car, status) VALUES (?, '2024-25', 2024, 2025, 'Nissan Formula E Team', 'Nissan e-4ORCE 05', 'active')`)
      .run(seriesId).lastInsertRowid,
  );
});
afterAll(async () => t.close());

interface Tech {
  id: number;
  name: string;
  domain: string;
  category_id: number;
  description: string;
  origin_program_id: number | null;
  owner: string;
  derived_from: number[];
  version: number;
}

let seq = 0;
async function tech(fields: Partial<Tech> = {}): Promise<Tech> {
  seq += 1;
  return created<Tech>(t.app, '/api/v1/technologies', { name: `Tech ${seq}`, domain: 'hardware', category_id: categoryId, ...fields });
}

const derivationRows = () => countRows(t.db, 'technology_derivations');
const auditCount = (id: number) =>
  (t.db.sqlite.prepare(`SELECT count(*) AS n FROM audit_events WHERE entity = 'technology' AND entity_id = ?`).get(String(id)) as { n: number }).n;
const parentsOf = (id: number) =>
  (t.db.sqlite.prepare('SELECT parent_id FROM technology_derivations WHERE child_id = ? ORDER BY parent_id').all(id) as { parent_id: number }[]).map(
    (r) => r.parent_id,
  );

describe('technologies API: create, read, update, delete', () => {
  it('creates a technology with all fields and derivations, and reads it back with an ETag', async () => {
    const http = api(t.app);
    const race = await tech({ name: 'Race SiC inverter' });
    const res = await http.post('/api/v1/technologies', {
      name: 'Road SiC inverter',
      domain: 'hardware',
      category_id: categoryId,
      description: 'Inverter for the Ariya NISMO',
      origin_program_id: programId,
      owner: 'NISMO powertrain',
      derived_from: [race.id],
    });
    expect(res.statusCode).toBe(201);
    const road = json<Tech>(res);
    expect(res.headers.location).toBe(`/api/v1/technologies/${road.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(road).toMatchObject({
      name: 'Road SiC inverter',
      domain: 'hardware',
      category_id: categoryId,
      description: 'Inverter for the Ariya NISMO',
      origin_program_id: programId,
      owner: 'NISMO powertrain',
      derived_from: [race.id],
      version: 1,
    });
    expect(parentsOf(road.id)).toEqual([race.id]);

    const got = await http.get(`/api/v1/technologies/${road.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.headers.etag).toBe('"1"');
    expect(json(got)).toEqual(road);
    expect(race).toMatchObject({ description: '', owner: '', origin_program_id: null, derived_from: [] });

    const event = t.db.sqlite.prepare(`SELECT action, after FROM audit_events WHERE entity = 'technology' AND entity_id = ?`).get(String(road.id)) as {
      action: string;
      after: string;
    };
    expect(event.action).toBe('create');
    expect(JSON.parse(event.after).derived_from).toEqual([race.id]);
  });

  it('answers 400 with JSON Pointers for missing, unknown and ill-typed fields', async () => {
    const http = api(t.app);
    const before = countRows(t.db, 'technologies');
    const missing = json(await http.post('/api/v1/technologies', { name: 'X' }));
    expect(missing.status).toBe(400);
    expect(missing.errors).toEqual(
      expect.arrayContaining([
        { path: '/domain', message: 'is required' },
        { path: '/category_id', message: 'is required' },
      ]),
    );
    const bad = await http.post('/api/v1/technologies', { name: 'X', domain: 'wetware', category_id: '1', colour: 'red' });
    expect(bad.statusCode).toBe(400);
    const paths = json(bad).errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/domain', '/category_id', '/colour']));
    const dupParents = await http.post('/api/v1/technologies', { name: 'X', domain: 'hardware', category_id: categoryId, derived_from: [1, 1] });
    expect(dupParents.statusCode).toBe(400);
    expect(json(dupParents).errors[0].path).toBe('/derived_from');
    const tooMany = await http.post('/api/v1/technologies', {
      name: 'X',
      domain: 'hardware',
      category_id: categoryId,
      derived_from: Array.from({ length: 51 }, (_, i) => i + 1),
    });
    expect(tooMany.statusCode).toBe(400);
    expect(countRows(t.db, 'technologies')).toBe(before);
  });

  it('refuses references to nothing with 422 naming each field, writing nothing', async () => {
    const http = api(t.app);
    const parent = await tech();
    const before = { techs: countRows(t.db, 'technologies'), audit: countRows(t.db, 'audit_events'), der: derivationRows() };
    const res = await http.post('/api/v1/technologies', {
      name: 'Orphan',
      domain: 'software',
      category_id: 999999,
      origin_program_id: 999999,
      derived_from: [parent.id, 999999],
    });
    expect(res.statusCode).toBe(422);
    expect(json(res)).toMatchObject({ type: '/problems/invalid-input' });
    expect(json(res).errors).toEqual([
      { path: '/category_id', message: 'does not exist' },
      { path: '/origin_program_id', message: 'does not exist' },
      { path: '/derived_from/1', message: 'does not exist' },
    ]);
    expect({ techs: countRows(t.db, 'technologies'), audit: countRows(t.db, 'audit_events'), der: derivationRows() }).toEqual(before);

    const patch = await http.patch(`/api/v1/technologies/${parent.id}`, { category_id: 999999 }, { 'if-match': '"1"' });
    expect(patch.statusCode).toBe(422);
    expect(json(patch).errors).toEqual([{ path: '/category_id', message: 'does not exist' }]);
    expect(json(await http.get(`/api/v1/technologies/${parent.id}`)).version).toBe(1);
  });

  it('refuses a taken name with 409', async () => {
    await tech({ name: 'Unique name' });
    const res = await api(t.app).post('/api/v1/technologies', { name: 'Unique name', domain: 'software', category_id: categoryId });
    expect(res.statusCode).toBe(409);
    expect(json(res).errors).toEqual([{ path: '/name', message: 'is already taken' }]);
  });

  it('PATCH sets only the named fields, clears origin with null, and moves the version', async () => {
    const http = api(t.app);
    const a = await tech({ description: 'keep me', origin_program_id: programId, owner: 'team' });
    const res = await http.patch(`/api/v1/technologies/${a.id}`, { domain: 'software', origin_program_id: null }, { 'if-match': '"1"' });
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"2"');
    expect(json(res)).toMatchObject({ domain: 'software', origin_program_id: null, description: 'keep me', owner: 'team', version: 2 });
  });

  it('PATCH derived_from replaces the whole set and moves the version, with before/after in the audit', async () => {
    const http = api(t.app);
    const [p1, p2, p3] = [await tech(), await tech(), await tech()];
    const child = await tech({ derived_from: [p1.id, p2.id] });
    const res = await http.patch(`/api/v1/technologies/${child.id}`, { derived_from: [p3.id, p2.id] }, { 'if-match': '"1"' });
    expect(res.statusCode).toBe(200);
    const after = json<Tech>(res);
    expect([...after.derived_from].sort((x, y) => x - y)).toEqual([p2.id, p3.id]);
    expect(after.version).toBe(2);
    expect(after.name).toBe(child.name);
    expect(parentsOf(child.id)).toEqual([p2.id, p3.id]);
    const event = t.db.sqlite
      .prepare(`SELECT before, after FROM audit_events WHERE entity = 'technology' AND entity_id = ? AND action = 'update'`)
      .get(String(child.id)) as { before: string; after: string };
    expect(JSON.parse(event.before).derived_from).toEqual([p1.id, p2.id]);
    expect(JSON.parse(event.after).derived_from.sort((x: number, y: number) => x - y)).toEqual([p2.id, p3.id]);

    const cleared = json<Tech>(await http.patch(`/api/v1/technologies/${child.id}`, { derived_from: [] }, { 'if-match': '"2"' }));
    expect(cleared).toMatchObject({ derived_from: [], version: 3 });
    expect(parentsOf(child.id)).toEqual([]);
  });

  it('answers 404, 428 and 412 on PATCH and DELETE', async () => {
    const http = api(t.app);
    const a = await tech();
    expect((await http.get('/api/v1/technologies/999999')).statusCode).toBe(404);
    expect((await http.get('/api/v1/technologies/abc')).statusCode).toBe(400);
    expect((await http.patch('/api/v1/technologies/999999', { owner: 'x' }, { 'if-match': '*' })).statusCode).toBe(404);
    expect((await http.delete('/api/v1/technologies/999999', { 'if-match': '*' })).statusCode).toBe(404);
    expect((await http.patch(`/api/v1/technologies/${a.id}`, { owner: 'x' })).statusCode).toBe(428);
    expect((await http.patch(`/api/v1/technologies/${a.id}`, { owner: 'x' }, { 'if-match': '"9"' })).statusCode).toBe(412);
    expect((await http.delete(`/api/v1/technologies/${a.id}`)).statusCode).toBe(428);
    expect((await http.delete(`/api/v1/technologies/${a.id}`, { 'if-match': '"9"' })).statusCode).toBe(412);
    expect(json(await http.get(`/api/v1/technologies/${a.id}`))).toMatchObject({ owner: '', version: 1 });
    expect(auditCount(a.id)).toBe(1);
  });

  it('deletes a technology with its own derived_from rows', async () => {
    const http = api(t.app);
    const parent = await tech();
    const child = await tech({ derived_from: [parent.id] });
    const res = await http.delete(`/api/v1/technologies/${child.id}`, { 'if-match': '"1"' });
    expect(res.statusCode).toBe(204);
    expect(parentsOf(child.id)).toEqual([]);
    expect((await http.get(`/api/v1/technologies/${child.id}`)).statusCode).toBe(404);
    expect((await http.get(`/api/v1/technologies/${parent.id}`)).statusCode).toBe(200);
    const actions = t.db.sqlite.prepare(`SELECT action FROM audit_events WHERE entity = 'technology' AND entity_id = ? ORDER BY seq`).all(String(child.id));
    expect(actions).toEqual([{ action: 'create' }, { action: 'delete' }]);
  });

  it('blocks deleting a technology others derive from (409), keeping both', async () => {
    const parent = await tech();
    const child = await tech({ derived_from: [parent.id] });
    const res = await api(t.app).delete(`/api/v1/technologies/${parent.id}`, { 'if-match': '*' });
    expect(res.statusCode).toBe(409);
    expect(json(res).detail).toMatch(/derive/);
    expect(parentsOf(child.id)).toEqual([parent.id]);
    expect(auditCount(parent.id)).toBe(1);
  });

  it('blocks deleting a technology with evidence, transfers or readiness assessments (409)', async () => {
    const sqlite = t.db.sqlite;
    const withEvidence = await tech();
    const protoId = Number(sqlite.prepare(`INSERT INTO prototypes (code, kind) VALUES ('FE-MULE-07', 'mule')`).run().lastInsertRowid);
    const runId = Number(
      sqlite
        .prepare(`INSERT INTO test_runs (code, prototype_id, title, venue_type, start_time, status) VALUES ('TR-2026-0001', ?, 'Dyno run', 'dyno', '2026-01-01T00:00:00.000Z', 'completed')`)
        .run(protoId).lastInsertRowid,
    );
    sqlite.prepare(`INSERT INTO evidence (test_run_id, technology_id, outcome) VALUES (?, ?, 'pass')`).run(runId, withEvidence.id);

    const withTransfer = await tech();
    const roadId = Number(sqlite.prepare(`INSERT INTO road_models (name, powertrain, status) VALUES ('Ariya NISMO', 'ev', 'production')`).run().lastInsertRowid);
    sqlite.prepare(`INSERT INTO transfers (technology_id, road_model_id, stage) VALUES (?, ?, 'candidate')`).run(withTransfer.id, roadId);

    const withAssessment = await tech();
    sqlite
      .prepare(`INSERT INTO readiness_assessments (technology_id, target, level, assessed_on, assessor) VALUES (?, 'race', 4, '2026-01-02', 'eng')`)
      .run(withAssessment.id);

    for (const [id, word] of [
      [withEvidence.id, /evidence/],
      [withTransfer.id, /transfer/],
      [withAssessment.id, /readiness/],
    ] as const) {
      const res = await api(t.app).delete(`/api/v1/technologies/${id}`, { 'if-match': '*' });
      expect(res.statusCode).toBe(409);
      expect(json(res).detail).toMatch(word);
      expect((await api(t.app).get(`/api/v1/technologies/${id}`)).statusCode).toBe(200);
    }
  });
});

describe('technologies API: DER-1 (derivations never form a cycle)', () => {
  async function expectDer1Refusal(id: number, body: { derived_from: number[] }, pointer: string) {
    const before = { der: derivationRows(), audit: countRows(t.db, 'audit_events'), item: json(await api(t.app).get(`/api/v1/technologies/${id}`)) };
    const res = await api(t.app).patch(`/api/v1/technologies/${id}`, body, { 'if-match': '*' });
    expect(res.statusCode).toBe(422);
    const problem = json(res);
    expect(problem).toMatchObject({ type: '/problems/rule-violation', rule: 'DER-1', status: 422 });
    expect(problem.detail).toMatch(/would make a cycle/);
    expect(problem.errors).toEqual([expect.objectContaining({ path: pointer })]);
    expect(derivationRows()).toBe(before.der);
    expect(countRows(t.db, 'audit_events')).toBe(before.audit);
    expect(json(await api(t.app).get(`/api/v1/technologies/${id}`))).toEqual(before.item);
    return problem;
  }

  it('DER-1: refuses deriving a technology from itself', async () => {
    const a = await tech({ name: 'Self loop' });
    const problem = await expectDer1Refusal(a.id, { derived_from: [a.id] }, '/derived_from/0');
    expect(problem.detail).toContain('deriving Self loop from Self loop');
  });

  it('DER-1: refuses a 2-cycle (A derives from B, then B from A)', async () => {
    const b = await tech({ name: 'Race inverter' });
    const a = await tech({ name: 'Road inverter', derived_from: [b.id] });
    const other = await tech();
    const problem = await expectDer1Refusal(b.id, { derived_from: [other.id, a.id] }, '/derived_from/1');
    expect(problem.detail).toContain('deriving Race inverter from Road inverter would make a cycle: Race inverter → Road inverter → Race inverter');
  });

  it('DER-1: refuses a longer cycle made through PATCH (A → B → C → D, then A from D)', async () => {
    const a = await tech({ name: 'Chain A' });
    const b = await tech({ name: 'Chain B', derived_from: [a.id] });
    const c = await tech({ name: 'Chain C' });
    // Build the chain partly through PATCH, as an editor would.
    expect((await api(t.app).patch(`/api/v1/technologies/${c.id}`, { derived_from: [b.id] }, { 'if-match': '"1"' })).statusCode).toBe(200);
    const d = await tech({ name: 'Chain D', derived_from: [c.id] });
    const problem = await expectDer1Refusal(a.id, { derived_from: [d.id] }, '/derived_from/0');
    expect(problem.detail).toContain('Chain A → Chain B → Chain C → Chain D → Chain A');
  });

  it('DER-1: allows a diamond (B and C from A, D from B and C) and a new parent that is no descendant', async () => {
    const http = api(t.app);
    const a = await tech({ name: 'Diamond A' });
    const b = await tech({ name: 'Diamond B', derived_from: [a.id] });
    const c = await tech({ name: 'Diamond C', derived_from: [a.id] });
    const d = await tech({ name: 'Diamond D', derived_from: [b.id] });
    const res = await http.patch(`/api/v1/technologies/${d.id}`, { derived_from: [b.id, c.id] }, { 'if-match': '"1"' });
    expect(res.statusCode).toBe(200);
    expect([...json<Tech>(res).derived_from].sort((x, y) => x - y)).toEqual([b.id, c.id]);
    // D may also derive from A directly: A is an ancestor, not a descendant.
    expect((await http.patch(`/api/v1/technologies/${d.id}`, { derived_from: [a.id, b.id, c.id] }, { 'if-match': '"2"' })).statusCode).toBe(200);
    // But A from D closes the diamond into a cycle.
    await expectDer1Refusal(a.id, { derived_from: [d.id] }, '/derived_from/0');
  });
});

describe('technologies API: search and filters', () => {
  let fe: Tech;
  let jp: Tech;
  let soft: Tech;
  beforeAll(async () => {
    fe = await tech({ name: 'e-4ORCE front motor regen', description: 'Front motor regeneration up to 600 kW', origin_program_id: programId });
    jp = await tech({ name: 'Motor control JP', description: 'モーター制御 のソフトウェア', domain: 'software' });
    soft = await tech({ name: 'Sound design', description: 'Formula-E-inspired sound', owner: 'UX', domain: 'software', derived_from: [fe.id] });
  });
  const search = async (q: string) => {
    const res = await api(t.app).get(`/api/v1/technologies?q=${encodeURIComponent(q)}`);
    expect(res.statusCode).toBe(200);
    return json<{ items: Tech[] }>(res).items.map((x) => x.id);
  };

  it('finds a hyphenated word (e-4ORCE) in any case', async () => {
    expect(await search('e-4ORCE')).toEqual([fe.id]);
    expect(await search('E-4orce regen')).toEqual([fe.id]);
  });

  it('finds Japanese text by a longer and by a 2-character word', async () => {
    expect(await search('モーター')).toEqual([jp.id]);
    expect(await search('制御')).toEqual([jp.id]);
  });

  it('finds short words (2 characters) and owners', async () => {
    expect(await search('UX')).toEqual([soft.id]);
    expect(await search('kW')).toEqual([fe.id]);
  });

  it('answers 200 for hostile input, never a 500', async () => {
    for (const q of ['"', 'e-4ORCE OR', '*', 'NEAR(a b)', '""', "'; DROP TABLE technologies; --", 'a AND', '^e-4', '(', '%', '_', '\\']) {
      const res = await api(t.app).get(`/api/v1/technologies?q=${encodeURIComponent(q)}`);
      expect(res.statusCode, q).toBe(200);
    }
    // Words are literal text, never FTS operators: OR does not widen the search.
    expect(await search('e-4ORCE OR')).toEqual([fe.id]);
    expect(await search('e-4ORCE OR Sound')).toEqual([]);
    expect(await search('%')).toEqual([]);
  });

  it('finds a technology inserted after the migrations, and follows edits (FTS triggers work)', async () => {
    const later = await tech({ name: 'Hyper Force aero', description: 'Aero developed with NISMO' });
    expect(await search('hyper force')).toEqual([later.id]);
    await api(t.app).patch(`/api/v1/technologies/${later.id}`, { name: 'Solid-state battery pack' }, { 'if-match': '"1"' });
    expect(await search('Hyper')).toEqual([]);
    expect(await search('solid-state')).toEqual([later.id]);
  });

  it('filters by domain, category, origin program and parent', async () => {
    const http = api(t.app);
    const ids = async (url: string) => json<{ items: Tech[] }>(await http.get(url)).items.map((x) => x.id);
    expect(await ids(`/api/v1/technologies?origin_program_id=${programId}&q=regen`)).toEqual([fe.id]);
    expect(await ids(`/api/v1/technologies?derived_from=${fe.id}`)).toEqual([soft.id]);
    expect(await ids(`/api/v1/technologies?domain=software&q=motor`)).toEqual([jp.id]);
    const otherCat = await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Filter cat' });
    const inOther = await tech({ category_id: otherCat.id });
    expect(await ids(`/api/v1/technologies?category_id=${otherCat.id}`)).toEqual([inOther.id]);
    expect((await http.get('/api/v1/technologies?domain=wetware')).statusCode).toBe(400);
  });

  it('returns derived_from in list items, the same shape as get', async () => {
    const list = json<{ items: Tech[] }>(await api(t.app).get(`/api/v1/technologies?q=${encodeURIComponent('Formula-E-inspired')}`));
    expect(list.items).toEqual([json(await api(t.app).get(`/api/v1/technologies/${soft.id}`))]);
    expect(list.items[0]!.derived_from).toEqual([fe.id]);
  });
});

describe('technologies API: paging', () => {
  it('pages by name across inserts between pages without skipping or repeating', async () => {
    const http = api(t.app);
    for (const n of ['Page B', 'Page D', 'Page F', 'Page H']) await tech({ name: n });
    const first = await http.get('/api/v1/technologies?q=Page&limit=2');
    const page1 = json<{ items: Tech[]; next_cursor: string }>(first);
    expect(page1.items.map((x) => x.name)).toEqual(['Page B', 'Page D']);
    expect(first.headers.link).toMatch(/rel="next"/);
    // Rows inserted before the cursor must not shift the next page; rows after it show up.
    await tech({ name: 'Page A' });
    await tech({ name: 'Page E' });
    const page2 = json<{ items: Tech[]; next_cursor: string }>(
      await http.get(`/api/v1/technologies?q=Page&limit=2&cursor=${encodeURIComponent(page1.next_cursor)}`),
    );
    expect(page2.items.map((x) => x.name)).toEqual(['Page E', 'Page F']);
    const page3 = json<{ items: Tech[]; next_cursor: string | null }>(
      await http.get(`/api/v1/technologies?q=Page&limit=2&cursor=${encodeURIComponent(page2.next_cursor)}`),
    );
    expect(page3.items.map((x) => x.name)).toEqual(['Page H']);
    expect(page3.next_cursor).toBeNull();
  });

  it('sorts by id and -updated_at, and refuses a cursor of another sort', async () => {
    const http = api(t.app);
    const byId = json<{ items: Tech[]; next_cursor: string }>(await http.get('/api/v1/technologies?sort=id&limit=3'));
    const ids = byId.items.map((x) => x.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const wrong = await http.get(`/api/v1/technologies?sort=name&cursor=${encodeURIComponent(byId.next_cursor)}`);
    expect(wrong.statusCode).toBe(400);
    expect(json(wrong).errors[0].path).toBe('/cursor');
    const a = await tech({ name: 'Recently touched' });
    await http.patch(`/api/v1/technologies/${a.id}`, { owner: 'me' }, { 'if-match': '*' });
    const recent = json<{ items: Tech[] }>(await http.get('/api/v1/technologies?sort=-updated_at&limit=1'));
    expect(recent.items[0]!.id).toBe(a.id);
  });
});
