import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../../../src/domain/audit.js';
import { findUserByUsername } from '../../../../src/domain/users.js';
import { addUser, api, createTestApp, created, json, tokenFor, type TestApp } from '../../../support/app.js';
import { pageSession } from '../../../support/pages.js';

let t: TestApp;
let engineerToken: string;
let engineerId: number;

beforeAll(async () => {
  t = await createTestApp();
  addUser(t.db, 'k.tanaka', 'engineer');
  engineerToken = tokenFor(t.db, 'k.tanaka');
  engineerId = findUserByUsername(t.db, 'k.tanaka')!.id;
});
afterAll(async () => t.close());

interface Event {
  seq: number;
  entity: string;
  entity_id: string;
  action: string;
  actor: string;
  actor_id: number | null;
  at: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

async function audit(query: string): Promise<{ items: Event[]; next_cursor: string | null }> {
  const res = await api(t.app).get(`/api/v1/audit${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return json(res);
}

describe('audit API', () => {
  it('lists the history of one record newest first, with the whole record before and after', async () => {
    const s = await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Super Formula' });
    await api(t.app).patch(`/api/v1/series/${s.id}`, { description: 'Top open-wheel series in Japan' }, { 'if-match': '"1"' });
    await created(t.app, '/api/v1/series', { name: 'Unrelated series' });

    const page = await audit(`?entity=series&entity_id=${s.id}`);
    expect(page.items.map((e) => e.action)).toEqual(['update', 'create']);
    expect(page.items[0]).toMatchObject({
      entity: 'series',
      entity_id: String(s.id),
      actor: 'admin',
      before: { name: 'Super Formula', description: '', version: 1 },
      after: { name: 'Super Formula', description: 'Top open-wheel series in Japan', version: 2 },
    });
    expect(page.items[1]!.before).toBeNull();
    expect(page.next_cursor).toBeNull();
  });

  it('records the real actor: an engineer token on the API, a product session on the pages', async () => {
    const res = await api(t.app, { token: engineerToken }).post('/api/v1/prototypes', { code: 'FE-MULE-09', kind: 'mule' });
    expect(res.statusCode, res.body).toBe(201);
    const prototypeId = json(res).id as number;

    const product = addUser(t.db, 'm.sato', 'product');
    const session = await pageSession(t.app, product);
    const page = await session.post('/road-models', { name: 'Note Aura NISMO', powertrain: 'e_power', status: 'production' });
    expect(page.statusCode, page.body).toBe(303);
    const roadModelId = /\/road-models\/(\d+)$/.exec(String(page.headers.location))![1];

    const api1 = (await audit(`?entity=prototype&entity_id=${prototypeId}`)).items;
    expect(api1).toHaveLength(1);
    expect(api1[0]).toMatchObject({ action: 'create', actor: 'k.tanaka', actor_id: engineerId });

    const pages1 = (await audit(`?entity=road_model&entity_id=${roadModelId}`)).items;
    expect(pages1).toHaveLength(1);
    expect(pages1[0]).toMatchObject({ action: 'create', actor: 'm.sato', actor_id: findUserByUsername(t.db, 'm.sato')!.id });
  });

  it('filters by person, given as a username or a user id, and by a non-user actor name', async () => {
    const byName = await audit('?actor=k.tanaka');
    expect(byName.items.length).toBeGreaterThan(0);
    expect(byName.items.every((e) => e.actor === 'k.tanaka')).toBe(true);
    const byId = await audit(`?actor=${engineerId}`);
    expect(byId.items.map((e) => e.seq)).toEqual(byName.items.map((e) => e.seq));
    // Capitals as a person might type them.
    expect((await audit('?actor=K.Tanaka')).items.map((e) => e.seq)).toEqual(byName.items.map((e) => e.seq));

    recordAudit(t.db, { id: null, name: 'system' }, { entity: 'market', entityId: 99, action: 'create', after: { id: 99, code: 'ZZ' } });
    const system = await audit('?actor=system');
    expect(system.items[0]).toMatchObject({ entity: 'market', entity_id: '99', actor_id: null });
    expect(system.items.every((e) => e.actor === 'system')).toBe(true);
    expect((await audit('?actor=nobody-at-all')).items).toEqual([]);
  });

  it('filters by time: a date covers its whole day, instants in any offset compare correctly', async () => {
    const actor = { id: null, name: 'system' };
    recordAudit(t.db, actor, { entity: 'transfer', entityId: 501, action: 'create', after: { id: 501 } }, '2025-03-09T23:30:00.000Z');
    recordAudit(t.db, actor, { entity: 'transfer', entityId: 502, action: 'create', after: { id: 502 } }, '2025-03-10T00:10:00.000Z');
    recordAudit(t.db, actor, { entity: 'transfer', entityId: 503, action: 'create', after: { id: 503 } }, '2025-03-10T23:59:00.000Z');
    recordAudit(t.db, actor, { entity: 'transfer', entityId: 504, action: 'create', after: { id: 504 } }, '2025-03-11T00:00:01.000Z');
    const ids = async (q: string) => (await audit(`?entity=transfer${q}`)).items.map((e) => e.entity_id);

    expect(await ids('&from=2025-03-10&to=2025-03-10')).toEqual(['503', '502']);
    expect(await ids('&from=2025-03-10')).toEqual(expect.arrayContaining(['504', '503', '502']));
    expect(await ids('&from=2025-03-10')).not.toContain('501');
    // 09:00 in Tokyo on the 10th is 00:00 UTC on the 10th.
    expect(await ids(`&from=${encodeURIComponent('2025-03-10T09:00:00+09:00')}&to=2025-03-10`)).toEqual(['503', '502']);
    expect(await ids('&to=2025-03-09')).toEqual(['501']);
  });

  it('pages newest first by cursor with a Link header, and every event appears once', async () => {
    for (let i = 0; i < 5; i++) await created(t.app, '/api/v1/markets', { code: `P${i}`, name: `Paged ${i}` });
    const all = (await audit('?entity=market&limit=200')).items.map((e) => e.seq);
    const first = await api(t.app).get('/api/v1/audit?entity=market&limit=2');
    const body = json(first);
    expect(body.items).toHaveLength(2);
    expect(body.next_cursor).toEqual(expect.any(String));
    expect(first.headers.link).toBe(`</api/v1/audit?entity=market&limit=2&cursor=${body.next_cursor}>; rel="next"`);
    const seen: number[] = body.items.map((e: Event) => e.seq);
    let cursor = body.next_cursor as string | null;
    while (cursor) {
      const next = await audit(`?entity=market&limit=2&cursor=${cursor}`);
      seen.push(...next.items.map((e) => e.seq));
      cursor = next.next_cursor;
    }
    expect(seen).toEqual(all);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
  });

  it('refuses malformed filters with 400 naming the parameter, and needs a token', async () => {
    for (const q of ['?from=yesterday', '?to=2025-13-45', '?limit=0', '?limit=201', '?cursor=abc', '?entity=Test%20Run']) {
      const res = await api(t.app).get(`/api/v1/audit${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(json(res).type).toBe('/problems/validation');
    }
    expect((await api(t.app, { token: null }).get('/api/v1/audit')).statusCode).toBe(401);
  });

  it('is readable by every role with a read token', async () => {
    addUser(t.db, 'v.viewer', 'viewer');
    const res = await api(t.app, { token: tokenFor(t.db, 'v.viewer', 'read') }).get('/api/v1/audit?limit=1');
    expect(res.statusCode).toBe(200);
    expect(json(res).items).toHaveLength(1);
  });
});
