// The change feed for integrators, and the idempotency contract of POST.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestHash } from '../../../../src/domain/idempotency.js';
import { api, countRows, createTestApp, created, json, tokenFor, type TestApp } from '../../../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('GET /api/v1/changes', () => {
  it('lists creates, updates and deletes in order, so that a sync sees the deletion', async () => {
    const start = json(await api(t.app).get('/api/v1/changes?after=0&limit=200'));
    const after = start.items.length ? start.items[start.items.length - 1].seq : 0;
    const s = await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Super Taikyu' });
    await api(t.app).patch(`/api/v1/series/${s.id}`, { description: 'Endurance' }, { 'if-match': '"1"' });
    await api(t.app).delete(`/api/v1/series/${s.id}`, { 'if-match': '"2"' });

    const feed = json(await api(t.app).get(`/api/v1/changes?after=${after}`));
    const mine = feed.items.filter((e: { entity: string; entity_id: string }) => e.entity === 'series' && e.entity_id === String(s.id));
    expect(mine.map((e: { action: string }) => e.action)).toEqual(['create', 'update', 'delete']);
    const deletion = mine[2];
    expect(deletion.before).toMatchObject({ id: s.id, name: 'Super Taikyu', description: 'Endurance' });
    expect(deletion.after).toBeNull();
    expect(deletion.actor).toBe('admin');
    const seqs = feed.items.map((e: { seq: number }) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });

  it('pages with next_cursor and filters by entity', async () => {
    for (let i = 0; i < 5; i++) await created(t.app, '/api/v1/series', { name: `Feed ${i}` });
    const seen: number[] = [];
    let url = '/api/v1/changes?after=0&limit=2&entity=series';
    for (let guard = 0; guard < 50; guard++) {
      const res = await api(t.app).get(url);
      const body = json(res);
      for (const e of body.items) {
        expect(e.entity).toBe('series');
        seen.push(e.seq);
      }
      if (!body.next_cursor) break;
      expect(res.headers.link).toContain('rel="next"');
      url = `/api/v1/changes?entity=series&limit=2&cursor=${body.next_cursor}`;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(countRows(t.db, 'audit_events') - (t.db.sqlite.prepare(`SELECT count(*) AS n FROM audit_events WHERE entity <> 'series'`).get() as { n: number }).n);
  });
});

describe('Idempotency-Key', () => {
  it('answers 409 while the first request with the key is still in flight, and runs nothing', async () => {
    const body = { name: 'In flight' };
    const tokenId = (t.db.sqlite.prepare(`SELECT id FROM api_tokens ORDER BY id LIMIT 1`).get() as { id: number }).id;
    t.db.sqlite
      .prepare(
        `INSERT INTO idempotency_keys (principal, key, method, path, request_hash, state, expires_at) VALUES (?, 'k-flight', 'POST', '/api/v1/series', ?, 'in_flight', ?)`,
      )
      .run(`token:${tokenId}`, requestHash('POST', '/api/v1/series', body), new Date(Date.now() + 60_000).toISOString());
    const res = await api(t.app).post('/api/v1/series', body, { 'idempotency-key': 'k-flight' });
    expect(res.statusCode).toBe(409);
    expect(json(res).type).toBe('/problems/idempotency-key-in-flight');
    expect(json(await api(t.app).get('/api/v1/series?q=flight')).items).toHaveLength(0);
  });

  it('replays the first answer for the same key and body, refuses another body, and keys are per token', async () => {
    const first = await api(t.app).post('/api/v1/series', { name: 'Once' }, { 'idempotency-key': 'k-once' });
    expect(first.statusCode).toBe(201);
    const again = await api(t.app).post('/api/v1/series', { name: 'Once' }, { 'idempotency-key': 'k-once' });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(json(again).id).toBe(json(first).id);
    expect(again.headers.location).toBe(first.headers.location);
    const other = await api(t.app).post('/api/v1/series', { name: 'Twice' }, { 'idempotency-key': 'k-once' });
    expect(other.statusCode).toBe(422);
    expect(json(other).type).toBe('/problems/idempotency-key-reused');
    expect(json(await api(t.app).get('/api/v1/series?q=Once')).items).toHaveLength(1);
    // Another token's key space is its own.
    const otherToken = tokenFor(t.db, 'admin');
    const elsewhere = await api(t.app, { token: otherToken }).post('/api/v1/series', { name: 'Twice' }, { 'idempotency-key': 'k-once' });
    expect(elsewhere.statusCode).toBe(201);
  });
});
