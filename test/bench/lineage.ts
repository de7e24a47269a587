// Lineage benchmark: builds a generated graph of 50,000 nodes and 100,000 edge rows in a temporary
// database, starts the real app and measures GET /api/v1/lineage with autocannon: p50/p99 latency
// with 1 connection and throughput with 50, at depth 3 and 6.
//
//   npx tsx test/bench/lineage.ts            (BENCH_SECONDS=10 per measurement by default)
//
// The generator is exported for test/domain/lineage-large.test.ts, which checks the engine
// against a breadth-first search over the same edges.
import fs from 'node:fs';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Db } from '../../src/db.js';

const require = createRequire(import.meta.url);
const execFileAsync = promisify(execFile);

/** A small seeded PRNG (mulberry32): the same seed builds the same graph. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const GRAPH_SIZE = { series: 20, programs: 480, prototypes: 2_500, technologies: 5_000, roadModels: 500, runs: 41_500 };
export const GRAPH_NODES = Object.values(GRAPH_SIZE).reduce((a, b) => a + b, 0);
export const GRAPH_EDGE_ROWS = 100_000;

export interface GeneratedGraph {
  /** Rows inserted into edge tables (programs.series_id, prototype_programs, test_runs.prototype_id and
   * program_id, evidence, technology_derivations, technologies.origin_program_id, transfers). */
  edgeRows: number;
  /** The lineage edges by the rules (completed runs' evidence, transfers not rejected), race → road. */
  edges: [from: string, to: string][];
  /** The first id of each table (the tables may not be empty before). */
  first: { series: number; program: number; prototype: number; run: number; technology: number; roadModel: number };
}

const RUN_STATUSES = ['completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'planned', 'running', 'aborted'];
const OUTCOMES = ['pass', 'pass', 'pass', 'pass', 'pass', 'fail', 'inconclusive'];
const STAGES = ['candidate', 'evaluation', 'approved', 'in_production', 'rejected'];

/**
 * Inserts the generated graph with one prepared statement per table in one transaction.
 * Shapes are skewed like real data: a few rigs and technologies carry most runs, derivations are
 * local chains (a technology derives from recent ones), and a share of runs is not completed.
 */
export function buildLineageGraph(db: Db, seed = 42): GeneratedGraph {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const skewed = (n: number, power: number) => Math.floor(n * rnd() ** power);
  const pick = <T>(list: readonly T[]) => list[int(list.length)]!;
  const s = db.sqlite;
  const edges: [string, string][] = [];
  let edgeRows = 0;

  return s.transaction(() => {
    const category = Number(
      s.prepare(`INSERT INTO technology_categories (name) VALUES (?)`).run(`Bench category ${seed}-${Date.now()}`).lastInsertRowid,
    );
    const insertSeries = s.prepare(`INSERT INTO series (name) VALUES (?)`);
    const insertProgram = s.prepare(
      `INSERT INTO programs (series_id, season, start_year, end_year, entry, car, status) VALUES (?, ?, 2020, 2021, ?, 'Car', 'active')`,
    );
    const insertPrototype = s.prepare(`INSERT INTO prototypes (code, kind) VALUES (?, 'mule')`);
    const insertServes = s.prepare(`INSERT INTO prototype_programs (prototype_id, program_id) VALUES (?, ?)`);
    const insertTech = s.prepare(`INSERT INTO technologies (name, domain, category_id, origin_program_id) VALUES (?, 'hardware', ?, ?)`);
    const insertDerivation = s.prepare(`INSERT INTO technology_derivations (parent_id, child_id) VALUES (?, ?)`);
    const insertModel = s.prepare(`INSERT INTO road_models (name, powertrain, status) VALUES (?, 'ev', 'production')`);
    const insertTransfer = s.prepare(`INSERT INTO transfers (technology_id, road_model_id, stage) VALUES (?, ?, ?)`);
    const insertRun = s.prepare(
      `INSERT INTO test_runs (code, prototype_id, program_id, title, venue_type, start_time, status) VALUES (?, ?, ?, ?, 'dyno', ?, ?)`,
    );
    const insertEvidence = s.prepare(`INSERT INTO evidence (test_run_id, technology_id, outcome) VALUES (?, ?, ?)`);

    const tag = `${seed}-${Date.now().toString(36)}`;
    const seriesIds: number[] = [];
    for (let i = 0; i < GRAPH_SIZE.series; i++) seriesIds.push(Number(insertSeries.run(`Series ${tag}-${i}`).lastInsertRowid));

    const programIds: number[] = [];
    for (let i = 0; i < GRAPH_SIZE.programs; i++) {
      const seriesId = seriesIds[i % seriesIds.length]!;
      programIds.push(Number(insertProgram.run(seriesId, `S${i}`, `#${tag}-${i}`).lastInsertRowid));
      edges.push([`series:${seriesId}`, `program:${programIds[i]}`]);
      edgeRows++;
    }

    const prototypeIds: number[] = [];
    for (let i = 0; i < GRAPH_SIZE.prototypes; i++) {
      const id = Number(insertPrototype.run(`P-${tag}-${i}`).lastInsertRowid);
      prototypeIds.push(id);
      const serves = new Set<number>();
      const n = 1 + int(3);
      while (serves.size < n) serves.add(pick(programIds));
      for (const p of serves) {
        insertServes.run(id, p);
        edges.push([`program:${p}`, `prototype:${id}`]);
        edgeRows++;
      }
    }

    const techIds: number[] = [];
    for (let i = 0; i < GRAPH_SIZE.technologies; i++) {
      const origin = rnd() < 0.7 ? pick(programIds) : null;
      const id = Number(insertTech.run(`Tech ${tag}-${i}`, category, origin).lastInsertRowid);
      techIds.push(id);
      if (origin !== null) {
        edges.push([`program:${origin}`, `technology:${id}`]);
        edgeRows++;
      }
      if (i >= 200) {
        // Parents among the 400 technologies before it: local chains, acyclic by construction.
        const r = rnd();
        const n = r < 0.3 ? 0 : r < 0.8 ? 1 : 2;
        const parents = new Set<number>();
        while (parents.size < n) parents.add(techIds[i - 1 - int(Math.min(400, i))]!);
        for (const parent of parents) {
          insertDerivation.run(parent, id);
          edges.push([`technology:${parent}`, `technology:${id}`]);
          edgeRows++;
        }
      }
    }

    const modelIds: number[] = [];
    for (let i = 0; i < GRAPH_SIZE.roadModels; i++) modelIds.push(Number(insertModel.run(`Model ${tag}-${i}`).lastInsertRowid));
    const transferPairs = new Set<string>();
    while (transferPairs.size < 3_000) {
      // Road-bound technologies sit late in the derivation chains.
      const tech = techIds[techIds.length - 1 - skewed(techIds.length, 2)]!;
      const model = pick(modelIds);
      const key = `${tech}:${model}`;
      if (transferPairs.has(key)) continue;
      transferPairs.add(key);
      const stage = pick(STAGES);
      insertTransfer.run(tech, model, stage);
      edgeRows++;
      if (stage !== 'rejected') edges.push([`technology:${tech}`, `road-model:${model}`]);
    }

    const runIds: number[] = [];
    const completed = new Set<number>();
    const start = Date.UTC(2020, 0, 1);
    for (let i = 0; i < GRAPH_SIZE.runs; i++) {
      const prototype = prototypeIds[skewed(prototypeIds.length, 1.6)]!;
      const program = rnd() < 0.15 ? pick(programIds) : null;
      const status = pick(RUN_STATUSES);
      const at = new Date(start + i * 3_600_000).toISOString();
      const id = Number(insertRun.run(`TR-${tag}-${i}`, prototype, program, `Run ${i}`, at, status).lastInsertRowid);
      runIds.push(id);
      if (status === 'completed') completed.add(id);
      edges.push([`prototype:${prototype}`, `test-run:${id}`]);
      edgeRows++;
      if (program !== null) {
        edges.push([`program:${program}`, `test-run:${id}`]);
        edgeRows++;
      }
    }

    // Evidence fills the rest of the edge budget; races tech (early ids) get most runs.
    const evidencePairs = new Set<string>();
    while (edgeRows < GRAPH_EDGE_ROWS) {
      const run = pick(runIds);
      const tech = techIds[skewed(techIds.length, 1.8)]!;
      const key = `${run}:${tech}`;
      if (evidencePairs.has(key)) continue;
      evidencePairs.add(key);
      insertEvidence.run(run, tech, pick(OUTCOMES));
      edgeRows++;
      if (completed.has(run)) edges.push([`test-run:${run}`, `technology:${tech}`]);
    }

    return {
      edgeRows,
      edges,
      first: {
        series: seriesIds[0]!,
        program: programIds[0]!,
        prototype: prototypeIds[0]!,
        run: runIds[0]!,
        technology: techIds[0]!,
        roadModel: modelIds[0]!,
      },
    };
  })();
}

// ---------------------------------------------------------------------------------------------
// The benchmark itself

interface AutocannonResult {
  latency: { p50: number; p99: number; average: number };
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** Runs autocannon in a child process, so the load generator does not share the server's event loop. */
async function autocannon(options: Record<string, unknown>): Promise<AutocannonResult> {
  const script = `require(${JSON.stringify(require.resolve('autocannon'))})(JSON.parse(process.argv[1])).then((r) => process.stdout.write(JSON.stringify(r)), (e) => { console.error(e); process.exit(1); })`;
  const { stdout } = await execFileAsync(process.execPath, ['-e', script, JSON.stringify(options)], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as AutocannonResult;
}

async function main(): Promise<void> {
  const { buildApp } = await import('../../src/app.js');
  const { openDatabase, migrateDatabase } = await import('../../src/db.js');
  const { tempDir, testConfig, tokenFor } = await import('../support/app.js');
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);

  const dir = tempDir('pitlane-bench-');
  const config = testConfig(dir);
  const db = openDatabase(config.dbFile);
  migrateDatabase(db);
  let t = performance.now();
  const graph = buildLineageGraph(db);
  db.sqlite.exec('ANALYZE');
  console.log(`graph: ${GRAPH_NODES} nodes, ${graph.edgeRows} edge rows, built in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const app = await buildApp({ config, db, logger: false });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const headers = { authorization: `Bearer ${tokenFor(db, 'admin', 'read')}` };

  // Rotate among road models (upstream, the product team's view) and programs (downstream, impact).
  const scenarios = [3, 6].flatMap((depth) => [
    {
      name: `road model upstream, depth ${depth}`,
      paths: Array.from({ length: 20 }, (_, i) => `/api/v1/lineage?node=road-model:${graph.first.roadModel + i * 7}&direction=upstream&depth=${depth}`),
    },
    {
      name: `program downstream, depth ${depth}`,
      paths: Array.from({ length: 20 }, (_, i) => `/api/v1/lineage?node=program:${graph.first.program + i * 11}&direction=downstream&depth=${depth}`),
    },
  ]);

  const rows: string[][] = [];
  for (const scenario of scenarios) {
    const requests = scenario.paths.map((p) => ({ method: 'GET', path: p, headers }));
    // Sizes of the answers, for the table.
    let nodes = 0;
    let truncated = 0;
    t = performance.now();
    for (const p of scenario.paths) {
      const res = await app.inject({ method: 'GET', url: p, headers });
      if (res.statusCode !== 200) throw new Error(`${p} answered ${res.statusCode}: ${res.body}`);
      const body = res.json() as { nodes: unknown[]; truncated: boolean };
      nodes += body.nodes.length;
      if (body.truncated) truncated++;
    }
    const injectMs = (performance.now() - t) / scenario.paths.length;
    await autocannon({ url: address, connections: 1, duration: 2, headers, requests }); // warm-up
    const one = await autocannon({ url: address, connections: 1, duration: seconds, headers, requests });
    const fifty = await autocannon({ url: address, connections: 50, duration: seconds, timeout: 30, headers, requests });
    if (one.non2xx || fifty.non2xx) throw new Error(`${scenario.name}: ${one.non2xx + fifty.non2xx} answers were not 2xx`);
    rows.push([
      scenario.name,
      String(Math.round(nodes / scenario.paths.length)),
      `${truncated}/${scenario.paths.length}`,
      injectMs.toFixed(1),
      String(one.latency.p50),
      String(one.latency.p99),
      String(Math.round(fifty.requests.average)),
      String(fifty.latency.p99),
      String(one.errors + fifty.errors),
    ]);
  }

  const header = ['scenario (20 start nodes)', 'avg nodes', 'truncated', 'inject ms', 'p50 ms (1 conn)', 'p99 ms (1 conn)', 'req/s (50 conn)', 'p99 ms (50 conn)', 'errors'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));

  await app.close();
  db.sqlite.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
