import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLineageAnswerBuffers, getLineage, parseLineageQuery, type LineageGraph } from '../../../../src/domain/lineage.js';
import { api, createTestApp, json, tokenFor, type TestApp } from '../../../support/app.js';
import { fetchOpenApi, listOperations, responseChecker } from '../../../support/openapi-walk.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  t.db.sqlite.exec(`
    INSERT INTO series (id, name) VALUES (1, 'Formula E');
    INSERT INTO programs (id, series_id, season, start_year, end_year, entry, car, status) VALUES
      (1, 1, '2024-25', 2024, 2025, 'Nissan Formula E Team', 'Nissan e-4ORCE 05', 'completed');
    INSERT INTO prototypes (id, code, kind) VALUES (1, 'FE-MULE-01', 'mule');
    INSERT INTO prototype_programs (prototype_id, program_id) VALUES (1, 1);
    INSERT INTO technology_categories (id, name) VALUES (1, 'Tyres');
    INSERT INTO technologies (id, name, domain, category_id, origin_program_id) VALUES
      (1, 'FE tyre compound', 'hardware', 1, 1), (2, 'Road tyre compound', 'hardware', 1, NULL);
    INSERT INTO technology_derivations (parent_id, child_id) VALUES (1, 2);
    INSERT INTO road_models (id, name, powertrain, status) VALUES (1, 'Ariya NISMO', 'ev', 'production');
    INSERT INTO transfers (technology_id, road_model_id, stage, reviewed_at) VALUES (2, 1, 'in_production', '2024-12-01T00:00:00.000Z');
    INSERT INTO test_runs (id, code, prototype_id, program_id, title, venue_type, start_time, status) VALUES
      (1, 'TR-2025-0001', 1, 1, 'Tyre wear', 'track', '2025-01-01T00:00:00.000Z', 'completed'),
      (2, 'TR-2025-0002', 1, 1, 'Tyre wear 2', 'track', '2025-01-02T00:00:00.000Z', 'completed');
    INSERT INTO evidence (test_run_id, technology_id, outcome) VALUES (1, 1, 'pass'), (2, 1, 'fail');
  `);
});
afterAll(async () => t.close());

const get = (query: string) => api(t.app).get(`/api/v1/lineage?${query}`);

describe('GET /api/v1/lineage', () => {
  it('answers a graph asked again with the same bytes, and the next write changes them', async () => {
    const query = 'node=technology:1&direction=downstream&depth=2';
    const first = await get(query);
    const again = await get(query);
    expect(again.statusCode).toBe(200);
    expect(again.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(again.body).toBe(first.body);
    // Nothing the schema does not name.
    expect(Object.keys(json(again)).sort()).toEqual(['depth', 'direction', 'edges', 'nodes', 'root', 'truncated']);
    t.db.sqlite.exec(`UPDATE technologies SET name = 'FE tyre compound B' WHERE id = 1`);
    const renamed = json(await get(query));
    expect(renamed.nodes[0]).toMatchObject({ id: 'technology:1', label: 'FE tyre compound B' });
    t.db.sqlite.exec(`UPDATE technologies SET name = 'FE tyre compound' WHERE id = 1`);
  });

  it('sends graphs that match the documented schema exactly', async () => {
    // Every kind of start node of the demo data, both ways, with hidden kinds and expanded runs:
    // a field the schema does not name, or of another type, fails the documented 200 schema
    // (additionalProperties: false on the graph, its nodes and its edges).
    const demo = await createTestApp({ seed: 'demo' });
    try {
      const doc = await fetchOpenApi(demo.app);
      const op = listOperations(doc).find((o) => o.operationId === 'getLineage')!;
      const check = responseChecker(doc);
      const starts = demo.db.sqlite
        .prepare(
          `SELECT 'road-model:' || id FROM road_models UNION ALL SELECT 'technology:' || id FROM technologies
           UNION ALL SELECT 'program:' || id FROM programs UNION ALL SELECT 'series:' || id FROM series
           UNION ALL SELECT 'prototype:' || id FROM prototypes UNION ALL SELECT 'test-run:' || id FROM (SELECT id FROM test_runs LIMIT 10)`,
        )
        .pluck()
        .all() as string[];
      const technologies = demo.db.sqlite.prepare('SELECT id FROM technologies LIMIT 3').pluck().all() as number[];
      let checked = 0;
      for (const node of starts) {
        for (const extra of ['', '&kinds=program,technology,road-model', `&expand=${technologies.join(',')}`]) {
          for (const direction of ['upstream', 'downstream']) {
            const res = await api(demo.app).get(`/api/v1/lineage?node=${node}&direction=${direction}&depth=6${extra}`);
            expect(check(op, res), `${node} ${direction}${extra}`).toBeNull();
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(100);
    } finally {
      await demo.close();
    }
  });

  it('answers the graph of a node with typed edges, runs grouped', async () => {
    const res = await get('node=road-model:1&direction=upstream&depth=3');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = json(res);
    expect(body).toMatchObject({ root: 'road-model:1', direction: 'upstream', depth: 3, truncated: false });
    expect(body.nodes.map((n: { id: string; depth: number }) => [n.id, n.depth])).toEqual([
      ['road-model:1', 0],
      ['technology:2', 1],
      ['technology:1', 2],
      ['program:1', 3],
      ['run-group:1', 3],
    ]);
    expect(body.nodes[0]).toEqual({ id: 'road-model:1', kind: 'road-model', label: 'Ariya NISMO', depth: 0, href: '/road-models/1', status: 'production' });
    expect(body.nodes[4]).toMatchObject({ kind: 'run-group', count: 2, passes: 1, fails: 1, inconclusive: 0, technology_id: 1 });
    expect(body.edges).toContainEqual({ from: 'technology:2', to: 'road-model:1', type: 'transfer', stage: 'in_production', suspect: true });
    expect(body.edges).toContainEqual({ from: 'run-group:1', to: 'technology:1', type: 'evidence', failing: true });
    expect(body.edges).toContainEqual({ from: 'program:1', to: 'technology:1', type: 'origin' });
  });

  it('takes kinds and expand comma-separated or repeated', async () => {
    const comma = json(await get('node=program:1&direction=downstream&depth=10&kinds=program,road-model'));
    const repeated = json(await get('node=program:1&direction=downstream&depth=10&kinds=program&kinds=road-model'));
    expect(repeated).toEqual(comma);
    expect(comma.nodes.map((n: { id: string }) => n.id)).toEqual(['program:1', 'road-model:1']);
    expect(comma.edges).toEqual([
      { from: 'program:1', to: 'road-model:1', type: 'implied', implied: true, via: ['prototype', 'test-run', 'technology'], failing: true, suspect: true },
    ]);
    const expanded = json(await get('node=technology:1&depth=1&expand=technology:1'));
    expect(expanded.nodes.map((n: { id: string }) => n.id)).toEqual(['technology:1', 'program:1', 'test-run:1', 'test-run:2']);
    expect(expanded.edges).toContainEqual({ from: 'test-run:2', to: 'technology:1', type: 'evidence', outcome: 'fail', failing: true });
  });

  it('marks the transfer suspect: a fail on an ancestor was logged after its last review (SUS-1)', async () => {
    const body = json(await get('node=road-model:1&depth=1'));
    expect(body.edges.find((e: { type: string }) => e.type === 'transfer')).toMatchObject({ suspect: true });
  });

  it('says when the node limit cut the graph', async () => {
    const body = json(await get('node=road-model:1&depth=10&limit=2'));
    expect(body.truncated).toBe(true);
    expect(body.nodes).toHaveLength(2);
    expect(body.edges).toEqual([{ from: 'technology:2', to: 'road-model:1', type: 'transfer', stage: 'in_production', suspect: true }]);
  });

  it('refuses a malformed node id or an unknown kind with 400', async () => {
    for (const [query, path] of [
      ['node=nonsense', '/node'],
      ['node=car:1', '/node'],
      ['node=road-model:1&kinds=technology,car', '/kinds'],
      ['node=road-model:1&expand=program:1', '/expand'],
    ]) {
      const res = await get(query!);
      expect(res.statusCode, query).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(json(res)).toMatchObject({ type: '/problems/validation', status: 400, errors: [expect.objectContaining({ path })] });
    }
    expect((await api(t.app).get('/api/v1/lineage')).statusCode).toBe(400);
    expect((await get('node=road-model:1&direction=sideways')).statusCode).toBe(400);
  });

  it('answers 404 for a node that does not exist', async () => {
    const res = await get('node=road-model:999&direction=upstream');
    expect(res.statusCode).toBe(404);
    expect(json(res)).toMatchObject({ type: '/problems/not-found', detail: expect.stringContaining('road-model:999') });
  });

  it('takes depths from 1 to 10 and limits up to 2000', async () => {
    for (const depth of ['0', '11', '-1', 'x', '2.5']) expect((await get(`node=road-model:1&depth=${depth}`)).statusCode, depth).toBe(400);
    expect(json(await get('node=road-model:1')).depth).toBe(1);
    expect((await get('node=road-model:1&depth=1')).statusCode).toBe(200);
    expect((await get('node=road-model:1&depth=10')).statusCode).toBe(200);
    expect((await get('node=road-model:1&limit=2001')).statusCode).toBe(400);
    expect((await get('node=road-model:1&limit=0')).statusCode).toBe(400);
    expect((await get('node=road-model:1&limit=2000')).statusCode).toBe(200);
  });

  it('needs a token', async () => {
    const res = await api(t.app, { token: null }).get('/api/v1/lineage?node=road-model:1');
    expect(res.statusCode).toBe(401);
  });

  it('is documented as getLineage with named schemas', async () => {
    const doc = json(await api(t.app).get('/api/v1/openapi.json'));
    const op = doc.paths['/api/v1/lineage'].get;
    expect(op.operationId).toBe('getLineage');
    expect(op.tags).toEqual(['Lineage']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '404']));
    expect(doc.components.schemas.LineageGraph).toBeTruthy();
    expect(doc.components.schemas.LineageNode).toBeTruthy();
    expect(doc.components.schemas.LineageEdge).toBeTruthy();
  });
});

describe('GET /api/v1/lineage over a socket', () => {
  // The answers' buffers are used again once a response has been written (the cache holds 32
  // graphs): many graphs at once, on several connections, each must still arrive whole and right.
  it('sends every graph whole while their buffers are used again, one request after another and many at once', async () => {
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const token = tokenFor(t.db, 'admin', 'read');
    // Distinct graphs of the small database: each limit cuts the same walk elsewhere.
    const queries = Array.from({ length: 70 }, (_, i) => ({ node: 'road-model:1', direction: 'upstream', depth: 1 + (i % 10), limit: 1 + Math.floor(i / 10) }));
    const fetchGraph = async (q: (typeof queries)[number]) => {
      const res = await fetch(`${url}/api/v1/lineage?node=${q.node}&direction=${q.direction}&depth=${q.depth}&limit=${q.limit}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as LineageGraph;
    };
    const expectedGraphs = () => queries.map((q) => getLineage(t.db, parseLineageQuery(q), { useIndex: false }));
    let expected = expectedGraphs();
    for (const [i, q] of queries.entries()) expect(await fetchGraph(q), JSON.stringify(q)).toEqual(expected[i]);
    // The cache now holds the last 32 of those, their responses written. 32 other graphs push them
    // out: each takes a free buffer, and each graph pushed out gives its buffer back only if its
    // response let it go.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const free = freeLineageAnswerBuffers().length;
    for (let i = 0; i < 32; i++) getLineage(t.db, parseLineageQuery({ node: 'road-model:1', depth: 6 }), { walkCap: 30_000 + i });
    expect(freeLineageAnswerBuffers().length).toBe(Math.max(free, 1));
    // After a write every graph is cold again; now all at once, on several connections.
    t.db.sqlite.exec(`UPDATE technologies SET name = name || ' (renamed)' WHERE id = 2`);
    expected = expectedGraphs();
    const graphs = await Promise.all(queries.map(fetchGraph));
    graphs.forEach((g, i) => expect(g, JSON.stringify(queries[i])).toEqual(expected[i]));
    expect(graphs.some((g) => g.nodes.some((n) => n.label.endsWith('(renamed)')))).toBe(true);
  });
});
