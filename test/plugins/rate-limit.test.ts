import { afterEach, describe, expect, it } from 'vitest';
import { addUser, api, createTestApp, json, tokenFor, type TestApp } from '../support/app.js';
import { pageSession } from '../support/pages.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const LIMIT = 5;

describe('rate limits', () => {
  it('limits API requests per token: the sixth in a minute answers 429 problem+json with Retry-After; another token goes on', async () => {
    t = await createTestApp({ rateLimit: LIMIT });
    const first = api(t.app);
    for (let i = 0; i < LIMIT; i++) {
      const res = await first.get('/api/v1/series');
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-remaining']).toBe(String(LIMIT - 1 - i));
    }
    const limited = await first.get('/api/v1/series');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(json(limited)).toMatchObject({ type: '/problems/too-many-requests', status: 429 });
    expect(json(limited).detail).toMatch(/at most 5 a minute/);

    // Same address, another token: its own budget (the key is the token, so auth ran first).
    addUser(t.db, 'e.other', 'engineer');
    const other = api(t.app, { token: tokenFor(t.db, 'e.other') });
    expect((await other.get('/api/v1/series')).statusCode).toBe(200);
    // Writes count too.
    expect((await first.post('/api/v1/series', { name: 'Too many' })).statusCode).toBe(429);
  });

  it('limits unknown URLs too (the 404 handler), per token', async () => {
    t = await createTestApp({ rateLimit: LIMIT });
    const http = api(t.app);
    for (let i = 0; i < LIMIT; i++) expect((await http.get(`/api/v1/no-such-thing/${i}`)).statusCode).toBe(404);
    const limited = await http.get('/api/v1/no-such-thing/again');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(json(limited).type).toBe('/problems/too-many-requests');
  });

  it('limits pages per signed-in user and answers the HTML 429 page', async () => {
    t = await createTestApp({ rateLimit: LIMIT });
    // Signing in is per address; the first page after it (GET /) is the user's first request.
    const session = await pageSession(t.app);
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++) statuses.push((await session.get(i === 2 ? '/no-such-page' : '/series')).statusCode);
    expect(statuses).toEqual([200, 200, 404, 200, 429]);
    const last = await session.get('/series');
    expect(last.statusCode).toBe(429);
    expect(last.headers['content-type']).toMatch(/^text\/html/);
    expect(last.body).toContain('<!doctype html>');
    expect(last.headers['retry-after']).toBeDefined();
  });

  it('limits requests without a token or session per address', async () => {
    t = await createTestApp({ rateLimit: LIMIT });
    const get = (remoteAddress: string) => t!.app.inject({ method: 'GET', url: '/api/v1/openapi.json', remoteAddress });
    for (let i = 0; i < LIMIT; i++) expect((await get('10.0.0.1')).statusCode).toBe(200);
    expect((await get('10.0.0.1')).statusCode).toBe(429);
    expect((await get('10.0.0.2')).statusCode).toBe(200);
    // Health probes and static assets are never turned away.
    for (let i = 0; i < LIMIT + 2; i++) {
      expect((await t.app.inject({ method: 'GET', url: '/health', remoteAddress: '10.0.0.1' })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/assets/app.css', remoteAddress: '10.0.0.1' })).statusCode).toBe(200);
    }
  });

  it('is off with rateLimit 0 (the test default and benchmarks)', async () => {
    t = await createTestApp();
    for (let i = 0; i < 3 * LIMIT; i++) {
      const res = await api(t.app).get('/api/v1/series');
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });
});
