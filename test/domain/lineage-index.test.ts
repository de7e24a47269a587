// The in-memory lineage index: it is used only while it holds the edges the reader sees, it is
// read in chunks without ever keeping a build that a write overtook, and it answers exactly what
// the SQL walk answers (lineage-large.test.ts checks both walks against a BFS on a large graph).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db.js';
import { lineageIndexState, prepareLineageIndex } from '../../src/domain/lineage-index.js';
import {
  acquireLineageJson,
  freeLineageAnswerBuffers,
  getLineage,
  LINEAGE_NODE_KINDS,
  parseLineageQuery,
  setLineageWalkNumber,
  type LineageGraph,
  type LineageQueryInput,
} from '../../src/domain/lineage.js';
import { createTestApp, openDemoDatabase } from '../support/app.js';

let db: Db;
let closeDb: () => void;

beforeEach(() => {
  ({ db, close: closeDb } = openDemoDatabase());
});
afterEach(() => {
  closeDb();
});

const version = () => db.sqlite.prepare('SELECT version FROM lineage_version').pluck().get() as number;
const one = (sql: string) => db.sqlite.prepare(sql).pluck().get() as number;
const lineage = (input: LineageQueryInput, useIndex?: boolean): LineageGraph =>
  getLineage(db, parseLineageQuery({ limit: 100_000, ...input }), { useIndex });
const builtOnce = async () => {
  while (lineageIndexState(db).building) await new Promise((resolve) => setImmediate(resolve));
};

describe('lineage_version', () => {
  it('moves with every write to a lineage edge, in the same transaction, and with no other write', () => {
    const run = one(`SELECT id FROM test_runs WHERE status = 'completed' LIMIT 1`);
    const technology = one('SELECT id FROM technologies LIMIT 1');
    const other = one(`SELECT id FROM technologies WHERE id <> ${technology} AND id NOT IN (SELECT technology_id FROM evidence WHERE test_run_id = ${run}) LIMIT 1`);
    const transfer = one(`SELECT id FROM transfers WHERE stage = 'candidate' LIMIT 1`);
    const moves = (sql: string) => {
      const before = version();
      db.sqlite.exec(sql);
      return version() - before;
    };
    // Edges: run status (EVD-1), evidence, derivations, origin, transfer stage, program's series.
    expect(moves(`UPDATE test_runs SET status = 'aborted' WHERE id = ${run}`)).toBe(1);
    expect(moves(`UPDATE test_runs SET status = 'completed' WHERE id = ${run}`)).toBe(1);
    expect(moves(`INSERT INTO evidence (test_run_id, technology_id, outcome) VALUES (${run}, ${other}, 'pass')`)).toBe(1);
    expect(moves(`UPDATE evidence SET outcome = 'fail' WHERE test_run_id = ${run} AND technology_id = ${other}`)).toBe(1);
    expect(moves(`DELETE FROM evidence WHERE test_run_id = ${run} AND technology_id = ${other}`)).toBe(1);
    expect(moves(`UPDATE technologies SET origin_program_id = NULL WHERE id = ${technology}`)).toBeLessThanOrEqual(1);
    expect(moves(`UPDATE technologies SET origin_program_id = (SELECT min(id) FROM programs) WHERE id = ${technology}`)).toBe(1);
    expect(moves(`UPDATE transfers SET stage = 'evaluation' WHERE id = ${transfer}`)).toBe(1);
    expect(moves(`UPDATE programs SET series_id = series_id WHERE id = (SELECT min(id) FROM programs)`)).toBe(0);
    // Not edges: names, titles, notes, sessions.
    expect(moves(`UPDATE technologies SET name = name || ' (renamed)' WHERE id = ${technology}`)).toBe(0);
    expect(moves(`UPDATE test_runs SET title = 'Retitled', status = status WHERE id = ${run}`)).toBe(0);
    expect(moves(`UPDATE evidence SET notes = 'seen' WHERE test_run_id = ${run}`)).toBe(0);
    expect(moves(`UPDATE transfers SET rationale = 'why' WHERE id = ${transfer}`)).toBe(0);
    expect(moves(`DELETE FROM sessions`)).toBe(0);
    // A rolled-back write leaves it where it was.
    const before = version();
    expect(() =>
      db.sqlite.transaction(() => {
        db.sqlite.exec(`UPDATE test_runs SET status = 'aborted' WHERE id = ${run}`);
        throw new Error('abandon');
      })(),
    ).toThrow('abandon');
    expect(version()).toBe(before);
  });
});

describe('the lineage index', () => {
  const roots = () =>
    LINEAGE_NODE_KINDS.flatMap((kind) => {
      const table = { series: 'series', program: 'programs', prototype: 'prototypes', 'test-run': 'test_runs', technology: 'technologies', 'road-model': 'road_models' }[kind];
      return (db.sqlite.prepare(`SELECT id FROM ${table} ORDER BY id`).pluck().all() as number[]).map((id) => `${kind}:${id}`);
    });

  it('answers every demo node, both ways, with hidden kinds and expanded runs, exactly as the SQL walk', () => {
    prepareLineageIndex(db);
    expect(lineageIndexState(db).version).toBe(version());
    const technologies = (db.sqlite.prepare('SELECT id FROM technologies').pluck().all() as number[]).map((id) => `technology:${id}`);
    let compared = 0;
    for (const node of roots()) {
      for (const direction of ['upstream', 'downstream']) {
        for (const extra of [{}, { kinds: 'program,technology,road-model' }, { kinds: 'prototype,road-model', depth: 4 }, { expand: technologies.slice(0, 3) }]) {
          const input = { node, direction, depth: 10, ...extra };
          expect(lineage(input), `${node} ${direction} ${JSON.stringify(extra)}`).toEqual(lineage(input, false));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(200);
  });

  // The walk marks what it finds in arrays by id, kept from one walk to the next (src/domain/lineage.ts,
  // WalkMarks): an entry counts when its stamp is the walk's number.
  it('answers as the SQL walk after the walk numbers wrap round, when every earlier stamp could repeat', () => {
    prepareLineageIndex(db);
    const sample = roots().filter((_, i) => i % 3 === 0);
    // The same walks numbered from 1, then again from 1 after the last number: the stamps of the
    // first round would count as found in the second unless the wrap clears them.
    setLineageWalkNumber(0);
    for (const node of sample) for (const direction of ['upstream', 'downstream']) lineage({ node, direction, depth: 10 });
    setLineageWalkNumber(2 ** 31 - 1);
    for (const node of sample) {
      for (const direction of ['upstream', 'downstream']) {
        expect(lineage({ node, direction, depth: 10 }), `${node} ${direction}`).toEqual(lineage({ node, direction, depth: 10 }, false));
      }
    }
  });

  it('walks a root with no edge past the largest id the index holds, and databases of other sizes in turn', () => {
    prepareLineageIndex(db);
    db.sqlite.exec(`INSERT INTO road_models (id, name, powertrain, status) VALUES (10000000000, 'Far future NISMO', 'ev', 'concept')`);
    expect(lineageIndexState(db).version).toBe(version());
    expect(lineage({ node: 'road-model:10000000000', depth: 6 }).nodes.map((n) => n.label)).toEqual(['Far future NISMO']);

    // A second database whose runs go further: the marks grow for it, and serve both in turn.
    const second = openDemoDatabase();
    try {
      const prototype = second.db.sqlite.prepare('SELECT min(id) FROM prototypes').pluck().get() as number;
      const technology = second.db.sqlite.prepare('SELECT min(id) FROM technologies').pluck().get() as number;
      second.db.sqlite.exec(`INSERT INTO test_runs (id, code, prototype_id, title, venue_type, start_time, status)
        VALUES (60000, 'TR-FAR-2', ${prototype}, 'Further on', 'dyno', '2025-01-01T00:00:00.000Z', 'completed');
        INSERT INTO evidence (test_run_id, technology_id, outcome) VALUES (60000, ${technology}, 'fail')`);
      prepareLineageIndex(second.db, { inlineRows: 1_000_000 });
      expect(lineageIndexState(second.db).version).toBeDefined();
      const inSecond = (input: LineageQueryInput, useIndex?: boolean) => getLineage(second.db, parseLineageQuery({ limit: 100_000, ...input }), { useIndex });
      const far = inSecond({ node: `technology:${technology}`, direction: 'upstream', depth: 1 });
      expect(far.nodes.find((n) => n.kind === 'run-group')).toMatchObject({ technology_id: technology, fails: expect.any(Number) });
      expect(far).toEqual(inSecond({ node: `technology:${technology}`, direction: 'upstream', depth: 1 }, false));
      for (const node of roots().filter((_, i) => i % 5 === 0)) {
        expect(inSecond({ node, direction: 'upstream', depth: 10, expand: [`technology:${technology}`] }), node).toEqual(
          inSecond({ node, direction: 'upstream', depth: 10, expand: [`technology:${technology}`] }, false),
        );
        expect(lineage({ node, direction: 'upstream', depth: 10 }), node).toEqual(lineage({ node, direction: 'upstream', depth: 10 }, false));
      }
      expect(lineageIndexState(second.db).version).toBeDefined();
      expect(inSecond({ node: 'test-run:60000', direction: 'downstream', depth: 1 }).nodes.map((n) => n.id)).toEqual(['test-run:60000', `technology:${technology}`]);
    } finally {
      second.close();
    }
  });

  it('is not used once an edge changed: the next graph shows the write', () => {
    prepareLineageIndex(db);
    const run = one(`SELECT r.id FROM test_runs r WHERE r.status = 'completed' AND EXISTS (SELECT 1 FROM evidence e WHERE e.test_run_id = r.id) LIMIT 1`);
    const before = lineage({ node: `test-run:${run}`, direction: 'downstream', depth: 1 });
    expect(before.nodes.some((n) => n.kind === 'technology')).toBe(true);
    db.sqlite.exec(`UPDATE test_runs SET status = 'aborted' WHERE id = ${run}`);
    const after = lineage({ node: `test-run:${run}`, direction: 'downstream', depth: 1 });
    expect(after.nodes.map((n) => n.id)).toEqual([`test-run:${run}`]);
    expect(after).toEqual(lineage({ node: `test-run:${run}`, direction: 'downstream', depth: 1 }, false));
  });

  it('reads a large database in chunks between requests, the SQL walk answering meanwhile', async () => {
    // Every database counts as large here.
    prepareLineageIndex(db, { inlineRows: 0 });
    expect(lineageIndexState(db)).toMatchObject({ building: true, builds: 0 });
    const model = one('SELECT min(id) FROM road_models');
    const meanwhile = lineage({ node: `road-model:${model}`, depth: 6 });
    await builtOnce();
    expect(lineageIndexState(db)).toMatchObject({ building: false, builds: 1, version: version() });
    expect(lineage({ node: `road-model:${model}`, depth: 6 })).toEqual(meanwhile);
  });

  it('drops a build that a write overtook, and the next build holds the write', async () => {
    prepareLineageIndex(db, { inlineRows: 0 });
    const run = one(`SELECT r.id FROM test_runs r WHERE r.status = 'completed' AND EXISTS (SELECT 1 FROM evidence e WHERE e.test_run_id = r.id) LIMIT 1`);
    // Between two chunks of the build.
    await new Promise((resolve) => setImmediate(resolve));
    expect(lineageIndexState(db).building).toBe(true);
    db.sqlite.exec(`UPDATE test_runs SET status = 'aborted' WHERE id = ${run}`);
    await builtOnce();
    expect(lineageIndexState(db)).toMatchObject({ builds: 0, version: undefined });

    // The next lineage request starts another build, which is kept and shows the write.
    const graph = lineage({ node: `test-run:${run}`, direction: 'downstream', depth: 1 });
    expect(graph.nodes.map((n) => n.id)).toEqual([`test-run:${run}`]);
    await builtOnce();
    expect(lineageIndexState(db)).toMatchObject({ builds: 1, version: version() });
    expect(lineage({ node: `test-run:${run}`, direction: 'downstream', depth: 2 })).toEqual(lineage({ node: `test-run:${run}`, direction: 'downstream', depth: 2 }, false));
  });

  it('leaves a database whose ids are too sparse for arrays to the SQL walk', () => {
    const prototype = one('SELECT min(id) FROM prototypes');
    db.sqlite.exec(`INSERT INTO test_runs (id, code, prototype_id, title, venue_type, start_time, status)
      VALUES (900000000, 'TR-FAR-1', ${prototype}, 'Far away', 'dyno', '2025-01-01T00:00:00.000Z', 'completed')`);
    prepareLineageIndex(db);
    expect(lineageIndexState(db)).toMatchObject({ builds: 0, version: undefined });
    const graph = lineage({ node: 'test-run:900000000', direction: 'upstream', depth: 1 });
    expect(graph.nodes.map((n) => n.id)).toEqual(['test-run:900000000', `prototype:${prototype}`]);
  });
});

describe('the app and the lineage index', () => {
  it('reads the index once the server listens, not before (its chunks would delay the start)', async () => {
    const t = await createTestApp();
    try {
      expect(lineageIndexState(t.db).builds).toBe(0);
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      expect(lineageIndexState(t.db)).toMatchObject({ builds: 1, version: t.db.sqlite.prepare('SELECT version FROM lineage_version').pluck().get() });
    } finally {
      await t.close();
    }
  });
});

// Answer buffers are used again once nothing holds them (src/domain/lineage.ts, acquireLineageJson):
// the cache while a graph is cached, the API until its response is written.
describe('lineage answers', () => {
  const nodes = () => (db.sqlite.prepare('SELECT id FROM technologies ORDER BY id').pluck().all() as number[]).map((id) => `technology:${id}`);
  const query = (node: string) => parseLineageQuery({ node, direction: 'downstream', depth: 4 });

  it('keeps the bytes of an answer still held, and uses a buffer again only once every holder let go', () => {
    prepareLineageIndex(db);
    const [held, ...others] = nodes();
    expect(others.length).toBeGreaterThan(40);
    const answer = acquireLineageJson(db, query(held!));
    const text = answer.bytes.toString('utf8');
    // Enough other graphs to push the held one out of the cache (32 graphs) and to reuse every free buffer.
    const seen = new Set<ArrayBufferLike>();
    for (const node of others) seen.add(acquireLineageJson(db, query(node)).bytes.buffer);
    for (const node of others) {
      const other = acquireLineageJson(db, query(node));
      seen.add(other.bytes.buffer);
      other.release();
    }
    expect(answer.bytes.toString('utf8')).toBe(text);
    expect(seen.has(answer.bytes.buffer)).toBe(false);
    // Released, it is free for the next graph, which writes over it.
    answer.release();
    answer.release();
    expect(freeLineageAnswerBuffers()).toContain(answer.bytes.buffer as ArrayBuffer);
    const node = nodes().at(-1)!;
    const next = acquireLineageJson(db, query(node), { walkCap: 19_999 });
    expect(next.bytes.buffer).toBe(answer.bytes.buffer);
    expect(JSON.parse(next.bytes.toString('utf8'))).toEqual(lineage({ node, direction: 'downstream', depth: 4 }, false));
  });
});
