import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../../src/db.js';
import { api, countRows, createTestApp, created, json, type TestApp } from '../../../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const RUNS = '/api/v1/test-runs';
let unique = 0;

/** Fixtures straight in SQL (series → program → prototype; category → technology): other APIs are not ours. */
function fixtures(db: Db) {
  const n = ++unique;
  const insert = (sqlText: string, ...params: unknown[]) => Number(db.sqlite.prepare(sqlText).run(...params).lastInsertRowid);
  const seriesId = insert(`INSERT INTO series (name) VALUES (?)`, `Series ${n}`);
  const programId = insert(
    `INSERT INTO programs (series_id, season, start_year, end_year, class, entry, car, status) VALUES (?, '2025-26', 2025, 2026, '', ?, 'Nissan e-4ORCE 05', 'active')`,
    seriesId,
    `#${n} Nissan`,
  );
  const prototypeId = insert(`INSERT INTO prototypes (code, kind) VALUES (?, 'mule')`, `FE-MULE-${n}`);
  const categoryId = insert(`INSERT INTO technology_categories (name) VALUES (?)`, `Inverter ${n}`);
  const tech = (name: string) => insert(`INSERT INTO technologies (name, domain, category_id) VALUES (?, 'hardware', ?)`, `${name} ${n}`, categoryId);
  return { seriesId, programId, prototypeId, techA: tech('SiC inverter'), techB: tech('Front motor regen'), techC: tech('Brake-by-wire') };
}

type Fx = ReturnType<typeof fixtures>;

function runBody(fx: Fx, extra: Record<string, unknown> = {}) {
  return {
    prototype_id: fx.prototypeId,
    title: 'Inverter thermal soak',
    venue_type: 'dyno',
    start_time: '2026-05-14T09:30:00Z',
    evidence: [{ technology_id: fx.techA, outcome: 'pass' }],
    ...extra,
  };
}

function counts() {
  return {
    runs: countRows(t.db, 'test_runs'),
    measurements: countRows(t.db, 'measurements'),
    evidence: countRows(t.db, 'evidence'),
    audit: countRows(t.db, 'audit_events'),
    sequences: JSON.stringify(t.db.sqlite.prepare('SELECT * FROM sequences ORDER BY name').all()),
  };
}

function auditOf(id: number) {
  return (
    t.db.sqlite.prepare(`SELECT action, before, after FROM audit_events WHERE entity = 'test_run' AND entity_id = ? ORDER BY seq`).all(String(id)) as {
      action: string;
      before: string | null;
      after: string | null;
    }[]
  ).map((e) => ({ action: e.action, before: e.before && JSON.parse(e.before), after: e.after && JSON.parse(e.after) }));
}

describe('test runs API: create and read', () => {
  it('creates a run with measurements and evidence in one request and echoes them in order', async () => {
    const fx = fixtures(t.db);
    const body = runBody(fx, {
      program_id: fx.programId,
      end_time: '2026-05-14T13:00:00+02:00',
      measurements: [
        { name: 'peak_motor_temp', value: 118.4, unit: 'degC' },
        { name: 'lap_energy', value: 1.92, unit: 'kWh' },
        { name: 'peak_motor_temp', value: 121 },
      ],
      evidence: [
        { technology_id: fx.techB, outcome: 'fail', notes: 'regen cut at 580 kW' },
        { technology_id: fx.techA, outcome: 'pass' },
      ],
    });
    const res = await api(t.app).post(RUNS, body);
    expect(res.statusCode).toBe(201);
    const run = json(res);
    expect(res.headers.location).toBe(`${RUNS}/${run.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(run).toMatchObject({
      prototype_id: fx.prototypeId,
      program_id: fx.programId,
      title: 'Inverter thermal soak',
      venue_type: 'dyno',
      start_time: '2026-05-14T09:30:00.000Z',
      end_time: '2026-05-14T11:00:00.000Z',
      status: 'completed',
      engineer: 'admin',
      demo: false,
      version: 1,
    });
    expect(run.code).toMatch(/^TR-2026-\d{4,}$/);
    expect(run.measurements).toEqual([
      { name: 'peak_motor_temp', value: 118.4, unit: 'degC' },
      { name: 'lap_energy', value: 1.92, unit: 'kWh' },
      { name: 'peak_motor_temp', value: 121, unit: '' },
    ]);
    expect(run.evidence).toEqual([
      { technology_id: fx.techB, outcome: 'fail', notes: 'regen cut at 580 kW' },
      { technology_id: fx.techA, outcome: 'pass', notes: '' },
    ]);

    const got = await api(t.app).get(`${RUNS}/${run.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.headers.etag).toBe('"1"');
    expect(json(got)).toEqual(run);
    const listed = json(await api(t.app).get(`${RUNS}?prototype_id=${fx.prototypeId}`));
    expect(listed.items).toEqual([run]);

    const events = auditOf(run.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'create', before: null, after: run });
  });

  it('defaults end_time, program and measurements to empty, and keeps a given status and engineer', async () => {
    const fx = fixtures(t.db);
    const run = await created(t.app, RUNS, runBody(fx, { status: 'planned', engineer: 'k.tanaka' }));
    expect(run).toMatchObject({ end_time: null, status: 'planned', engineer: 'k.tanaka', measurements: [], program_id: null });
  });

  it('generates TR-<year>-NNNN per year of start_time, skips numbers a given code took, and keeps given codes', async () => {
    const fx = fixtures(t.db);
    const codeOf = async (extra: Record<string, unknown>) => (await created<{ code: string }>(t.app, RUNS, runBody(fx, extra))).code;
    expect(await codeOf({ start_time: '2031-03-01T10:00:00Z' })).toBe('TR-2031-0001');
    expect(await codeOf({ start_time: '2031-12-31T23:00:00Z' })).toBe('TR-2031-0002');
    expect(await codeOf({ start_time: '2032-01-01T00:00:00Z' })).toBe('TR-2032-0001');
    // +09:00 on New Year's morning is still the previous year in UTC, where times are stored.
    expect(await codeOf({ start_time: '2032-01-01T08:00:00+09:00' })).toBe('TR-2031-0003');
    expect(await codeOf({ start_time: '2031-06-01T00:00:00Z', code: 'TR-2031-0004' })).toBe('TR-2031-0004');
    expect(await codeOf({ start_time: '2031-06-02T00:00:00Z' })).toBe('TR-2031-0005');
    expect(await codeOf({ code: 'BENCH-07.a_1' })).toBe('BENCH-07.a_1');
    expect(t.db.sqlite.prepare(`SELECT value FROM sequences WHERE name = 'test_run:2031'`).get()).toEqual({ value: 5 });
  });

  it('answers 404 for an unknown run on get, patch and delete', async () => {
    expect((await api(t.app).get(`${RUNS}/999999`)).statusCode).toBe(404);
    expect((await api(t.app).patch(`${RUNS}/999999`, { title: 'x' }, { 'if-match': '"1"' })).statusCode).toBe(404);
    expect((await api(t.app).delete(`${RUNS}/999999`, { 'if-match': '"1"' })).statusCode).toBe(404);
    expect(json(await api(t.app).get(`${RUNS}/999999`)).type).toBe('/problems/not-found');
  });
});

describe('test runs API: refusals', () => {
  it('answers 400 with JSON Pointers: unknown field, "7" for prototype_id, missing evidence, bad enum, demo', async () => {
    const fx = fixtures(t.db);
    const http = api(t.app);
    const before = counts();
    const unknown = await http.post(RUNS, runBody(fx, { colour: 'red' }));
    expect(unknown.statusCode).toBe(400);
    expect(json(unknown)).toMatchObject({ type: '/problems/validation', errors: [{ path: '/colour', message: 'is not a known field' }] });

    const stringId = json(await http.post(RUNS, runBody(fx, { prototype_id: String(fx.prototypeId) })));
    expect(stringId.status).toBe(400);
    expect(stringId.errors).toEqual([expect.objectContaining({ path: '/prototype_id' })]);

    const { evidence: _e, ...withoutEvidence } = runBody(fx);
    expect(json(await http.post(RUNS, withoutEvidence)).errors).toEqual([{ path: '/evidence', message: 'is required' }]);
    expect(json(await http.post(RUNS, runBody(fx, { evidence: [] }))).errors).toEqual([expect.objectContaining({ path: '/evidence' })]);

    const badEnum = json(await http.post(RUNS, runBody(fx, { venue_type: 'Wind Tunnel', evidence: [{ technology_id: fx.techA, outcome: 'ok' }] })));
    expect(badEnum.status).toBe(400);
    expect(badEnum.errors.map((e: { path: string }) => e.path).sort()).toEqual(['/evidence/0/outcome', '/venue_type']);

    expect(json(await http.post(RUNS, runBody(fx, { demo: true }))).errors).toEqual([{ path: '/demo', message: 'is not a known field' }]);
    expect(json(await http.post(RUNS, runBody(fx, { code: '-bad code' }))).errors).toEqual([expect.objectContaining({ path: '/code' })]);
    expect(json(await http.post(RUNS, runBody(fx, { start_time: '2026-05-14' }))).errors).toEqual([expect.objectContaining({ path: '/start_time' })]);
    expect(json(await http.post(RUNS, runBody(fx, { measurements: [{ name: 'x', value: '3' }] }))).errors).toEqual([
      expect.objectContaining({ path: '/measurements/0/value' }),
    ]);
    expect(counts()).toEqual(before);
  });

  it('answers 422 naming the fields for a missing prototype, program or technology, an end before the start and a technology twice', async () => {
    const fx = fixtures(t.db);
    const before = counts();
    const res = await api(t.app).post(
      RUNS,
      runBody(fx, {
        prototype_id: 987654,
        program_id: 987655,
        end_time: '2026-05-14T09:29:59Z',
        measurements: [{ name: 'peak_motor_temp', value: 118.4, unit: 'degC' }],
        evidence: [
          { technology_id: fx.techA, outcome: 'pass' },
          { technology_id: 987656, outcome: 'fail' },
          { technology_id: fx.techA, outcome: 'fail' },
        ],
      }),
    );
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = json(res);
    expect(body.type).toBe('/problems/invalid-input');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { path: '/prototype_id', message: 'does not exist' },
        { path: '/program_id', message: 'does not exist' },
        { path: '/end_time', message: 'must not be before start_time' },
        { path: '/evidence/1/technology_id', message: 'does not exist' },
        expect.objectContaining({ path: '/evidence/2/technology_id' }),
      ]),
    );
    expect(body.errors).toHaveLength(5);

    // JSON can spell a number no double holds: 1e309 parses as Infinity.
    const huge = await api(t.app).post(RUNS, JSON.stringify(runBody(fx, { measurements: [{ name: 'x', value: 1 }] })).replace('"value":1', '"value":1e309'));
    expect(huge.statusCode).toBe(422);
    expect(json(huge).errors).toEqual([{ path: '/measurements/0/value', message: 'must be a finite number' }]);
    // A failed write leaves nothing: no run, no measurement, no evidence, no audit event, no code used.
    expect(counts()).toEqual(before);
  });

  it('answers 409 for a taken code, naming the field, and writes nothing', async () => {
    const fx = fixtures(t.db);
    await created(t.app, RUNS, runBody(fx, { code: 'FE-TAKEN-1' }));
    const before = counts();
    const res = await api(t.app).post(RUNS, runBody(fx, { code: 'FE-TAKEN-1', measurements: [{ name: 'x', value: 1 }] }));
    expect(res.statusCode).toBe(409);
    expect(json(res)).toMatchObject({ type: '/problems/conflict', errors: [{ path: '/code' }] });
    expect(counts()).toEqual(before);
  });

  it('needs If-Match on PATCH and DELETE (428) and refuses a stale one (412)', async () => {
    const fx = fixtures(t.db);
    const run = await created<{ id: number }>(t.app, RUNS, runBody(fx));
    const http = api(t.app);
    expect((await http.patch(`${RUNS}/${run.id}`, { title: 'x' })).statusCode).toBe(428);
    expect((await http.delete(`${RUNS}/${run.id}`)).statusCode).toBe(428);
    expect((await http.patch(`${RUNS}/${run.id}`, { title: 'y' }, { 'if-match': '"1"' })).statusCode).toBe(200);
    const stale = await http.patch(`${RUNS}/${run.id}`, { title: 'z' }, { 'if-match': '"1"' });
    expect(stale.statusCode).toBe(412);
    expect(json(stale).type).toBe('/problems/precondition-failed');
    expect((await http.delete(`${RUNS}/${run.id}`, { 'if-match': '"1"' })).statusCode).toBe(412);
    expect(json(await http.get(`${RUNS}/${run.id}`))).toMatchObject({ title: 'y', version: 2 });
  });
});

describe('test runs API: update and delete', () => {
  it('PATCH replacing measurements replaces the whole set, moves the version and writes one audit event', async () => {
    const fx = fixtures(t.db);
    const run = await created<any>(t.app, RUNS, runBody(fx, {
      measurements: [
        { name: 'a', value: 1, unit: 'kW' },
        { name: 'b', value: 2, unit: 'kW' },
      ],
      evidence: [{ technology_id: fx.techA, outcome: 'pass' }, { technology_id: fx.techB, outcome: 'inconclusive' }],
    }));
    const auditBefore = countRows(t.db, 'audit_events');
    const res = await api(t.app).patch(`${RUNS}/${run.id}`, { measurements: [{ name: 'c', value: -3.5, unit: 'Nm' }] }, { 'if-match': '"1"' });
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"2"');
    const after = json(res);
    expect(after.measurements).toEqual([{ name: 'c', value: -3.5, unit: 'Nm' }]);
    expect(after.evidence).toEqual(run.evidence);
    expect(after).toMatchObject({ version: 2, title: run.title, code: run.code });
    expect(t.db.sqlite.prepare('SELECT count(*) AS n FROM measurements WHERE test_run_id = ?').get(run.id)).toEqual({ n: 1 });
    expect(countRows(t.db, 'audit_events')).toBe(auditBefore + 1);
    const event = auditOf(run.id).at(-1)!;
    expect(event).toMatchObject({ action: 'update', before: run, after });

    // Evidence replaced too, and an empty set is refused: a run keeps at least one technology.
    const ev = await api(t.app).patch(`${RUNS}/${run.id}`, { evidence: [{ technology_id: fx.techC, outcome: 'fail' }] }, { 'if-match': '"2"' });
    expect(json(ev).evidence).toEqual([{ technology_id: fx.techC, outcome: 'fail', notes: '' }]);
    expect(json(ev).measurements).toEqual(after.measurements);
    expect((await api(t.app).patch(`${RUNS}/${run.id}`, { evidence: [] }, { 'if-match': '"3"' })).statusCode).toBe(400);
    expect((await api(t.app).patch(`${RUNS}/${run.id}`, { measurements: [] }, { 'if-match': '"3"' })).statusCode).toBe(200);
    expect(json(await api(t.app).get(`${RUNS}/${run.id}`))).toMatchObject({ measurements: [], version: 4 });
  });

  it('PATCH checks references and times against the stored run, and clears nullable fields with null', async () => {
    const fx = fixtures(t.db);
    const run = await created<any>(t.app, RUNS, runBody(fx, { program_id: fx.programId, end_time: '2026-05-14T10:00:00Z' }));
    const http = api(t.app);
    const late = await http.patch(`${RUNS}/${run.id}`, { start_time: '2026-05-14T10:30:00Z' }, { 'if-match': '"1"' });
    expect(late.statusCode).toBe(422);
    expect(json(late).errors).toEqual([{ path: '/start_time', message: 'must not be after end_time' }]);
    const missing = await http.patch(`${RUNS}/${run.id}`, { evidence: [{ technology_id: 876543, outcome: 'pass' }] }, { 'if-match': '"1"' });
    expect(json(missing).errors).toEqual([{ path: '/evidence/0/technology_id', message: 'does not exist' }]);
    expect(json(await http.get(`${RUNS}/${run.id}`))).toEqual(run);

    const cleared = await http.patch(`${RUNS}/${run.id}`, { program_id: null, end_time: null, start_time: '2026-05-14T10:30:00Z' }, { 'if-match': '"1"' });
    expect(cleared.statusCode).toBe(200);
    expect(json(cleared)).toMatchObject({ program_id: null, end_time: null, start_time: '2026-05-14T10:30:00.000Z', code: run.code });
  });

  it('DELETE removes the run with its measurements and evidence, and records the deletion', async () => {
    const fx = fixtures(t.db);
    const run = await created<any>(t.app, RUNS, runBody(fx, { measurements: [{ name: 'a', value: 1 }], evidence: [{ technology_id: fx.techA, outcome: 'pass' }] }));
    const res = await api(t.app).delete(`${RUNS}/${run.id}`, { 'if-match': '"1"' });
    expect(res.statusCode).toBe(204);
    expect((await api(t.app).get(`${RUNS}/${run.id}`)).statusCode).toBe(404);
    expect(t.db.sqlite.prepare('SELECT count(*) AS n FROM measurements WHERE test_run_id = ?').get(run.id)).toEqual({ n: 0 });
    expect(t.db.sqlite.prepare('SELECT count(*) AS n FROM evidence WHERE test_run_id = ?').get(run.id)).toEqual({ n: 0 });
    expect(auditOf(run.id).map((e) => e.action)).toEqual(['create', 'delete']);
    expect(auditOf(run.id)[1]!.before).toEqual(run);
    // Gone from search too (the FTS index follows deletes).
    expect(json(await api(t.app).get(`${RUNS}?q=${encodeURIComponent(run.code)}`)).items).toEqual([]);
  });

  it('DELETE is blocked (409) while a readiness assessment cites the run, and keeps everything', async () => {
    const fx = fixtures(t.db);
    const run = await created<any>(t.app, RUNS, runBody(fx, { measurements: [{ name: 'a', value: 1 }] }));
    const assessment = t.db.sqlite
      .prepare(`INSERT INTO readiness_assessments (technology_id, target, level, assessed_on, assessor) VALUES (?, 'race', 5, '2026-06-01', 'k.tanaka')`)
      .run(fx.techA).lastInsertRowid;
    t.db.sqlite.prepare('INSERT INTO readiness_evidence_runs (assessment_id, test_run_id) VALUES (?, ?)').run(assessment, run.id);
    const before = counts();
    const res = await api(t.app).delete(`${RUNS}/${run.id}`, { 'if-match': '*' });
    expect(res.statusCode).toBe(409);
    expect(json(res).detail).toMatch(/readiness assessment/);
    expect(counts()).toEqual(before);
    expect(json(await api(t.app).get(`${RUNS}/${run.id}`))).toEqual(run);
  });
});

describe('test runs API: search and filters', () => {
  it('finds runs by code, hyphenated word, Japanese text and 2-character words', async () => {
    const fx = fixtures(t.db);
    const coded = await created<any>(t.app, RUNS, runBody(fx, { code: 'TR-2026-0042', title: 'Qualifying map check' }));
    const e4 = await created<any>(t.app, RUNS, runBody(fx, { title: 'e-4ORCE launch at qualifying duel' }));
    const jp = await created<any>(t.app, RUNS, runBody(fx, { title: 'Tyre run', objective: 'タイヤ摩耗の確認', location: '富士スピードウェイ' }));
    const other = await created<any>(t.app, RUNS, runBody(fx, { title: 'Baseline', hardware_revision: 'Z9' }));
    const search = async (q: string) =>
      (json(await api(t.app).get(`${RUNS}?prototype_id=${fx.prototypeId}&q=${encodeURIComponent(q)}`)).items as { id: number }[]).map((r) => r.id);
    expect(await search('TR-2026-0042')).toEqual([coded.id]);
    expect(await search('tr-2026-0042')).toEqual([coded.id]);
    expect(await search('e-4ORCE')).toEqual([e4.id]);
    expect(await search('タイヤ')).toEqual([jp.id]);
    expect(await search('摩耗')).toEqual([jp.id]);
    expect(await search('Z9')).toEqual([other.id]);
    expect(await search('e-4ORCE duel')).toEqual([e4.id]);
    expect(await search('e-4ORCE タイヤ')).toEqual([]);
    // Edits are searchable at once.
    await api(t.app).patch(`${RUNS}/${other.id}`, { title: 'Brake-by-wire soak' }, { 'if-match': '"1"' });
    expect(await search('wire soak')).toEqual([other.id]);
    expect(await search('Baseline')).toEqual([]);
  });

  it('answers 200 to hostile search text', async () => {
    for (const q of ['"', '*', 'OR', 'NEAR(', 'NEAR(a b)', 'a"b', '-', '^x', 'title:foo', 'AND OR NOT', '%', '_', '\\', "'; DROP TABLE test_runs; --"]) {
      const res = await api(t.app).get(`${RUNS}?q=${encodeURIComponent(q)}`);
      expect(res.statusCode, q).toBe(200);
    }
  });

  it('filters by technology and outcome, outcome alone, times, status, venue, engineer and program', async () => {
    const fx = fixtures(t.db);
    const mk = (extra: Record<string, unknown>) => created<any>(t.app, RUNS, runBody(fx, extra));
    const r1 = await mk({ start_time: '2026-01-10T08:00:00Z', evidence: [{ technology_id: fx.techA, outcome: 'pass' }, { technology_id: fx.techB, outcome: 'fail' }] });
    const r2 = await mk({ start_time: '2026-02-10T08:00:00Z', venue_type: 'track', evidence: [{ technology_id: fx.techA, outcome: 'fail' }] });
    const r3 = await mk({ start_time: '2026-03-10T08:00:00Z', status: 'aborted', engineer: 'm.sato', program_id: fx.programId, evidence: [{ technology_id: fx.techB, outcome: 'pass' }] });
    const ids = async (filters: string) =>
      (json(await api(t.app).get(`${RUNS}?prototype_id=${fx.prototypeId}&${filters}`)).items as { id: number }[]).map((r) => r.id);
    expect(await ids('')).toEqual([r3.id, r2.id, r1.id]);
    expect(await ids(`technology_id=${fx.techA}`)).toEqual([r2.id, r1.id]);
    expect(await ids(`technology_id=${fx.techA}&outcome=pass`)).toEqual([r1.id]);
    expect(await ids(`technology_id=${fx.techB}&outcome=fail`)).toEqual([r1.id]);
    expect(await ids(`technology_id=${fx.techC}`)).toEqual([]);
    expect(await ids('outcome=fail')).toEqual([r2.id, r1.id]);
    expect(await ids('started_after=2026-02-10T08:00:00Z')).toEqual([r3.id, r2.id]);
    expect(await ids('started_before=2026-02-10T08:00:00Z')).toEqual([r1.id]);
    expect(await ids(`started_after=${encodeURIComponent('2026-02-10T17:00:00+09:00')}&started_before=2026-03-01T00:00:00Z`)).toEqual([r2.id]);
    expect(await ids('status=aborted')).toEqual([r3.id]);
    expect(await ids('venue_type=track')).toEqual([r2.id]);
    expect(await ids('engineer=m.sato')).toEqual([r3.id]);
    expect(await ids(`program_id=${fx.programId}`)).toEqual([r3.id]);
    expect(await ids('sort=start_time')).toEqual([r1.id, r2.id, r3.id]);
    expect(await ids('sort=-id')).toEqual([r3.id, r2.id, r1.id]);
    expect((await api(t.app).get(`${RUNS}?started_after=yesterday`)).statusCode).toBe(400);
    expect((await api(t.app).get(`${RUNS}?outcome=great`)).statusCode).toBe(400);
    expect((await api(t.app).get(`${RUNS}?sort=title`)).statusCode).toBe(400);
    expect((await api(t.app).get(`${RUNS}?cursor=not-a-cursor`)).statusCode).toBe(400);
  });

  it('pages by -start_time with no run twice and none skipped while runs are inserted between pages', async () => {
    const fx = fixtures(t.db);
    const original: number[] = [];
    for (let i = 0; i < 10; i++) {
      // Two runs share each start time, so the id tie-break matters.
      const start = new Date(Date.UTC(2027, 0, 1 + Math.floor(i / 2), 9)).toISOString();
      original.push((await created<{ id: number }>(t.app, RUNS, runBody(fx, { start_time: start }))).id);
    }
    const seen: { id: number; start_time: string }[] = [];
    let url = `${RUNS}?prototype_id=${fx.prototypeId}&limit=3`;
    let pages = 0;
    for (;;) {
      const res = await api(t.app).get(url);
      expect(res.statusCode).toBe(200);
      const page = json(res);
      seen.push(...page.items);
      pages++;
      // Insert newer, older and same-time runs between pages.
      await created(t.app, RUNS, runBody(fx, { start_time: new Date(Date.UTC(2027, 5, pages)).toISOString() }));
      await created(t.app, RUNS, runBody(fx, { start_time: new Date(Date.UTC(2026, 5, pages)).toISOString() }));
      if (!page.next_cursor) {
        expect(res.headers.link).toBeUndefined();
        break;
      }
      expect(res.headers.link).toContain('rel="next"');
      url = `${RUNS}?prototype_id=${fx.prototypeId}&limit=3&cursor=${encodeURIComponent(page.next_cursor)}`;
      expect(pages).toBeLessThan(20);
    }
    const ids = seen.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of original) expect(ids).toContain(id);
    const keys = seen.map((r) => `${r.start_time}|${String(r.id).padStart(10, '0')}`);
    expect(keys).toEqual([...keys].sort().reverse());
    expect(pages).toBeGreaterThanOrEqual(4);
  });
});

describe('test runs API: Idempotency-Key', () => {
  it('replays the first response for the same key and body, and refuses the key with another body', async () => {
    const fx = fixtures(t.db);
    const body = runBody(fx, { title: 'Idempotent run', measurements: [{ name: 'a', value: 1 }] });
    const headers = { 'idempotency-key': `key-${fx.prototypeId}` };
    const first = await api(t.app).post(RUNS, body, headers);
    expect(first.statusCode).toBe(201);
    const second = await api(t.app).post(RUNS, body, headers);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.headers.location).toBe(first.headers.location);
    expect(json(second).id).toBe(json(first).id);
    expect(t.db.sqlite.prepare('SELECT count(*) AS n FROM test_runs WHERE prototype_id = ?').get(fx.prototypeId)).toEqual({ n: 1 });

    const other = await api(t.app).post(RUNS, { ...body, title: 'Another run' }, headers);
    expect(other.statusCode).toBe(422);
    expect(json(other).type).toBe('/problems/idempotency-key-reused');
    expect(t.db.sqlite.prepare('SELECT count(*) AS n FROM test_runs WHERE prototype_id = ?').get(fx.prototypeId)).toEqual({ n: 1 });
  });
});

describe('test runs API: OpenAPI', () => {
  it('documents the operations and the TestRun, Measurement and Evidence components', async () => {
    const doc = json(await api(t.app).get('/api/v1/openapi.json'));
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['TestRun', 'Measurement', 'Evidence']));
    const ops = [doc.paths['/api/v1/test-runs'].get, doc.paths['/api/v1/test-runs'].post, doc.paths['/api/v1/test-runs/{id}'].patch];
    expect(ops.map((o: { operationId: string }) => o.operationId)).toEqual(['listTestRuns', 'createTestRun', 'updateTestRun']);
    expect(ops.every((o: { tags: string[] }) => o.tags[0] === 'Test runs')).toBe(true);
  });
});
