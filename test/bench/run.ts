// `npm run bench`: Pitlane on a large generated database, against a raw baseline measured in the
// same run. Never part of `npm test`.
//
//  1. Builds the dataset (test/bench/dataset.ts: 100,000 runs, 200,000 evidence links, 300,000
//     measurements, 10,000 technologies, …) into a temporary database.
//  2. Times start → first 200 of the real server process on it: the bundle `npm run build` makes,
//     which `npm start` runs, and the TypeScript sources through tsx (`npm run dev`) for comparison.
//  3. Starts the server (production settings: LOG_LEVEL=warn, PITLANE_RATE_LIMIT=0) and the
//     baseline (test/bench/baseline-server.ts: bare Fastify, raw better-sqlite3, the same SQL and
//     JSON) as separate processes, checks that both answer the same JSON, then measures each
//     scenario with autocannon after a warm-up, in rounds that alternate app and baseline.
//  4. Lineage at depth 3 and 6 (1 connection: p50/p99; 50: req/s), the logging POST, then the CSV
//     import of 100,000 rows through the API against a raw insert of the same rows (test/bench/
//     csv-import.ts). The server's peak RSS (VmHWM) is taken per phase (reset before each).
//  5. Prints a table and writes the same as JSON (BENCH_JSON, default test/bench/last-run.json);
//     BENCH_COMPARE=<an earlier JSON> adds the change against it.
//
// Besides req/s the table gives the server's CPU time per request (from /proc): on a machine that
// other work shares, req/s move with that work, CPU ms per request much less.
//
// Knobs: BENCH_SECONDS (per round, default 4), BENCH_ROUNDS (default 3), BENCH_IMPORT_ROWS
// (default 100000), BENCH_CPU_PROF=<dir> (the server runs with --cpu-prof into that folder).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { prepareDatabase } from '../../src/app.js';
import { openDatabase } from '../../src/db.js';
import { encodeCursor } from '../../src/domain/paging.js';
import { createSession } from '../../src/domain/sessions.js';
import { findUserByUsername } from '../../src/domain/users.js';
import { SESSION_COOKIE } from '../../src/plugins/auth.js';
import { ADMIN_PASSWORD, tempDir, testConfig, tokenFor } from '../support/app.js';
import { buildNpmStart } from '../support/npm-start.js';
import { BENCH_SIZE, buildBenchDataset } from './dataset.js';
import { importRows, importThroughApi, rawInsert, writeImportCsv } from './csv-import.js';

const require = createRequire(import.meta.url);
// autocannon ships no types.
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IMPORT_ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const WARMUP_SECONDS = 2;
const CONNECTIONS = 50;

interface AutocannonResult {
  latency: { p50: number; p99: number; average: number };
  requests: { average: number; total: number; sent: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

interface Request {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Processes

interface Server {
  name: string;
  child: ChildProcess;
  url: string;
  /** Milliseconds from spawn to the first 200 of GET /health. */
  startMs: number;
  output: string[];
  stop(): Promise<void>;
}

async function startServer(name: string, args: string[], env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let startMs = NaN;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before answering:\n${output.join('\n')}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200) {
        startMs = performance.now() - t;
        break;
      }
    } catch {
      // not listening yet
    }
    if (performance.now() - t > 120_000) throw new Error(`${name} did not answer within 120 s:\n${output.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return {
    name,
    child,
    url,
    startMs,
    output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resets the peak resident set (VmHWM) of a process to its current one (Linux 4.0+). */
function resetPeak(pid: number): void {
  fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** Peak and current resident set of a process, in MB (Linux). */
function memoryOf(pid: number): { peakMb: number; rssMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}


// ---------------------------------------------------------------------------------------------
// Measuring

/** CPU time (user + system) a process has used so far, in ms (Linux). */
function cpuMsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

/**
 * One autocannon run against `server`, with the server's CPU time per request. When autocannon
 * stops, up to `connections` requests are still queued in the server: wait until it has answered
 * them (a /health request queued behind them), so that they neither slow the next measurement
 * (of this server or of the other) nor go uncounted in the CPU time.
 */
async function load(server: Server, requests: Request[], connections: number, seconds: number): Promise<AutocannonResult & { cpuMsPerRequest: number }> {
  const before = cpuMsOf(server.child.pid!);
  const result = await autocannon({ url: server.url, connections, duration: seconds, timeout: 30, requests });
  await fetch(`${server.url}/health`);
  const cpu = cpuMsOf(server.child.pid!) - before;
  return { ...result, cpuMsPerRequest: cpu / Math.max(1, result.requests.sent, result.requests.total) };
}

interface Side {
  reqPerSec: number;
  p50: number;
  p99: number;
  /** The server's CPU time per request: steadier than req/s when other work shares the machine. */
  cpuMsPerRequest: number;
  rounds: number[];
  non2xx: number;
  errors: number;
}

function summarize(results: (AutocannonResult & { cpuMsPerRequest: number })[]): Side {
  return {
    reqPerSec: Math.round(median(results.map((r) => r.requests.average))),
    p50: median(results.map((r) => r.latency.p50)),
    p99: median(results.map((r) => r.latency.p99)),
    cpuMsPerRequest: Number(median(results.map((r) => r.cpuMsPerRequest)).toFixed(3)),
    rounds: results.map((r) => Math.round(r.requests.average)),
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    errors: results.reduce((n, r) => n + r.errors + r.timeouts, 0),
  };
}

interface Scenario {
  name: string;
  /** The requirement, when the issue sets one: the least ratio to the baseline. */
  minRatio?: number;
  app: Request[];
  baseline?: Request[];
  /** Compare the JSON of app and baseline before measuring (same items, same cursor). */
  sameJson?: boolean;
}

interface ScenarioResult {
  name: string;
  connections: number;
  app: Side;
  baseline?: Side;
  ratio?: number;
  minRatio?: number;
  met?: boolean;
  sameJson?: boolean;
}

async function fetchOnce(url: string, r: Request): Promise<{ status: number; body: string }> {
  const res = await fetch(url + r.path, { method: r.method ?? 'GET', headers: r.headers, body: r.body });
  return { status: res.status, body: await res.text() };
}

/** Each distinct request answers 2xx on both sides, and (sameJson) with the same JSON. */
async function check(scenario: Scenario, app: Server, baseline: Server): Promise<boolean | undefined> {
  let same: boolean | undefined = scenario.sameJson ? true : undefined;
  for (let i = 0; i < Math.min(scenario.app.length, 5); i++) {
    const a = await fetchOnce(app.url, scenario.app[i]!);
    if (a.status >= 300) throw new Error(`${scenario.name}: ${scenario.app[i]!.path} answered ${a.status}: ${a.body.slice(0, 500)}`);
    if (!scenario.baseline) continue;
    const b = await fetchOnce(baseline.url, scenario.baseline[i % scenario.baseline.length]!);
    if (b.status >= 300) throw new Error(`${scenario.name} (baseline): answered ${b.status}: ${b.body.slice(0, 500)}`);
    if (scenario.sameJson && !isDeepStrictEqual(JSON.parse(a.body), JSON.parse(b.body))) {
      same = false;
      console.warn(`  ! ${scenario.name}: the baseline's JSON differs from the app's for ${scenario.app[i]!.path}`);
    }
  }
  return same;
}

async function measure(scenario: Scenario, app: Server, baseline: Server): Promise<ScenarioResult> {
  const sameJson = await check(scenario, app, baseline);
  await load(app, scenario.app, CONNECTIONS, WARMUP_SECONDS);
  if (scenario.baseline) await load(baseline, scenario.baseline, CONNECTIONS, WARMUP_SECONDS);
  const a: Awaited<ReturnType<typeof load>>[] = [];
  const b: Awaited<ReturnType<typeof load>>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which side goes first, so that a load spike from elsewhere hits both alike.
    const order = round % 2 === 0 ? ['baseline', 'app'] : ['app', 'baseline'];
    for (const side of order) {
      if (side === 'app') a.push(await load(app, scenario.app, CONNECTIONS, SECONDS));
      else if (scenario.baseline) b.push(await load(baseline, scenario.baseline, CONNECTIONS, SECONDS));
    }
  }
  const appSide = summarize(a);
  const baseSide = scenario.baseline ? summarize(b) : undefined;
  const ratio = baseSide ? appSide.reqPerSec / baseSide.reqPerSec : undefined;
  const result: ScenarioResult = {
    name: scenario.name,
    connections: CONNECTIONS,
    app: appSide,
    baseline: baseSide,
    ratio,
    minRatio: scenario.minRatio,
    met: scenario.minRatio === undefined || ratio === undefined ? undefined : ratio >= scenario.minRatio,
    sameJson,
  };
  log(
    `${scenario.name}: ${appSide.reqPerSec} req/s (rounds ${appSide.rounds.join(', ')})` +
      (baseSide ? ` vs raw ${baseSide.reqPerSec} (rounds ${baseSide.rounds.join(', ')}) = ${ratio!.toFixed(2)}×` : ''),
  );
  return result;
}

interface LineageResult {
  name: string;
  /** First requests for graphs not asked before (computed), one at a time. */
  cold: { requests: number; p50: number; p99: number; cpuMsPerRequest: number; met: boolean };
  /** The same client and connection asking one graph from the cache as many times: what the cold figures cost without any graph work. */
  floor: { requests: number; p50: number; p99: number };
  oneConnection: Side;
  fifty: Side;
  maxP99: number;
  met: boolean;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * One GET on a kept-alive connection, timed from the request to the response's last byte, as
 * autocannon times its requests: the body is counted, not decoded or parsed (fetch's own work on
 * a 125 KB graph was ~1 ms of the time it reported).
 */
function timedGet(agent: http.Agent, url: string, r: Request): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = http.get(new URL(r.path, url), { agent, headers: r.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        if (res.statusCode !== 200) chunks.push(chunk);
      });
      res.on('end', () => {
        const ms = performance.now() - t;
        if (res.statusCode === 200) resolve(ms);
        else reject(new Error(`${r.path} answered ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`));
      });
    });
    req.on('error', reject);
  });
}

/**
 * The app keeps computed graphs until the database changes, so the autocannon rounds (20 URLs
 * over and over) measure answers from that cache. `coldRequests` are asked once each, one at a
 * time, before anything else: what a graph nobody opened since the last write costs. Other graphs
 * (`warmupRequests`) are asked first, as the autocannon rounds have their warm-up: the code is
 * compiled and the connection open, and no graph measured is in the cache.
 */
async function measureLineage(name: string, warmupRequests: Request[], coldRequests: Request[], requests: Request[], app: Server, maxP99: number): Promise<LineageResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  const floorTimes: number[] = [];
  let cpuPerCold: number;
  try {
    for (const r of warmupRequests) await timedGet(agent, app.url, r);
    const cpuBefore = cpuMsOf(app.child.pid!);
    for (const r of coldRequests) times.push(await timedGet(agent, app.url, r));
    cpuPerCold = (cpuMsOf(app.child.pid!) - cpuBefore) / coldRequests.length;
    for (let i = 0; i < coldRequests.length; i++) floorTimes.push(await timedGet(agent, app.url, coldRequests.at(-1)!));
  } finally {
    agent.destroy();
  }
  times.sort((a, b) => a - b);
  const coldP99 = Math.round(percentile(times, 99) * 10) / 10;
  const cold = { requests: coldRequests.length, p50: Math.round(percentile(times, 50) * 10) / 10, p99: coldP99, cpuMsPerRequest: Number(cpuPerCold.toFixed(2)), met: coldP99 <= maxP99 };
  for (const r of requests.slice(0, 3)) {
    const res = await fetchOnce(app.url, r);
    if (res.status !== 200) throw new Error(`${name}: ${r.path} answered ${res.status}: ${res.body.slice(0, 300)}`);
  }
  await load(app, requests, 1, WARMUP_SECONDS);
  const one: Awaited<ReturnType<typeof load>>[] = [];
  const fifty: Awaited<ReturnType<typeof load>>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    one.push(await load(app, requests, 1, SECONDS));
    fifty.push(await load(app, requests, CONNECTIONS, SECONDS));
  }
  floorTimes.sort((a, b) => a - b);
  const floor = { requests: floorTimes.length, p50: Math.round(percentile(floorTimes, 50) * 10) / 10, p99: Math.round(percentile(floorTimes, 99) * 10) / 10 };
  const result = { name, cold, floor, oneConnection: summarize(one), fifty: summarize(fifty), maxP99, met: false };
  // A round that answered nothing has no p99: that is a miss, not a 0 ms latency.
  result.met = result.oneConnection.rounds.every((r) => r > 0) && result.oneConnection.p99 <= maxP99;
  log(`${name}: cold (${cold.requests} graphs, once each) p50 ${cold.p50} ms p99 ${cold.p99} ms (the last one again from the cache, as many times: p50 ${floor.p50} ms p99 ${floor.p99} ms); repeated: 1 conn p50 ${result.oneConnection.p50} ms p99 ${result.oneConnection.p99} ms, 50 conn ${result.fifty.reqPerSec} req/s`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Output

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}

const fmt = (n: number | undefined, digits = 0) => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(digits));
const verdict = (met: boolean | undefined) => (met === undefined ? '' : met ? 'met' : 'MISSED');

function commitId(): string | undefined {
  try {
    const head = fs.readFileSync(path.join(ROOT, '.git/HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head.slice(0, 12);
    return fs.readFileSync(path.join(ROOT, '.git', head.slice(5)), 'utf8').trim().slice(0, 12);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const began = performance.now();
  const loadBefore = os.loadavg();
  const dir = tempDir('pitlane-bench-');
  const servers: Server[] = [];
  const cleanup = async () => {
    for (const s of servers) await s.stop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

  try {
    // 1. The dataset.
    const config = testConfig(dir);
    let t = performance.now();
    const db = openDatabase(config.dbFile);
    prepareDatabase(db, config);
    db.sqlite.pragma('synchronous = OFF'); // the build only; the servers open their own connections
    const data = buildBenchDataset(db);
    const buildSeconds = (performance.now() - t) / 1000;
    log(`dataset built in ${buildSeconds.toFixed(1)} s (${Object.entries(data.seconds).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')})`);
    const token = tokenFor(db, 'admin', 'read,write');
    const cookie = `${SESSION_COOKIE}=${createSession(db, findUserByUsername(db, 'admin')!.id).cookieValue}`;
    const auth = { authorization: `Bearer ${token}` };
    // Deep pages: cursors 10,000 to 90,000 rows into the default order.
    const at = db.sqlite.prepare(`SELECT start_time, id FROM test_runs ORDER BY start_time DESC, id DESC LIMIT 1 OFFSET ?`);
    const deepCursors = Array.from({ length: 9 }, (_, i) => {
      const row = at.get((i + 1) * 10_000) as { start_time: string; id: number };
      return encodeCursor('-start_time', row.start_time, row.id);
    });
    const busyPrototypes = (db.sqlite.prepare(`SELECT prototype_id AS id FROM test_runs GROUP BY prototype_id ORDER BY count(*) DESC LIMIT 5`).all() as { id: number }[]).map((r) => r.id);
    db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    db.sqlite.close();
    // A copy in the same state for the raw side of the import comparison.
    const rawCopy = path.join(dir, 'raw-insert.db');
    fs.copyFileSync(config.dbFile, rawCopy);
    const dbBytes = fs.statSync(config.dbFile).size;

    const serverEnv = {
      PITLANE_DATA_DIR: dir,
      PITLANE_DB: config.dbFile,
      PITLANE_SEED: 'none',
      PITLANE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: 'warn',
      PITLANE_RATE_LIMIT: '0',
    };

    // 2. Start to first 200, three times each: the bundle (npm start), and the TypeScript sources through tsx (npm run dev).
    t = performance.now();
    const bundle = buildNpmStart('inherit');
    const bundleSeconds = (performance.now() - t) / 1000;
    const startups: Record<string, number[]> = { tsx: [], bundle: [] };
    const idleRss: Record<string, number[]> = { tsx: [], bundle: [] };
    for (let i = 0; i < 3; i++) {
      for (const [kind, args, env] of [
        ['tsx', ['--import', 'tsx', 'src/server.ts'], serverEnv],
        ['bundle', bundle.args, { ...bundle.env, ...serverEnv }],
      ] as const) {
        const s = await startServer(kind, [...args], env);
        startups[kind]!.push(Math.round(s.startMs));
        await new Promise((resolve) => setTimeout(resolve, 500));
        idleRss[kind]!.push(Math.round(memoryOf(s.child.pid!).rssMb));
        await s.stop();
      }
    }
    log(`start → first 200: bundle (npm start) ${startups.bundle!.join(', ')} ms; tsx (npm run dev) ${startups.tsx!.join(', ')} ms`);

    // 3. The app (as npm start runs it) and the baseline.
    const profDir = process.env.BENCH_CPU_PROF;
    const app = await startServer('app', [...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profDir)}`] : []), ...bundle.args], { ...bundle.env, ...serverEnv });
    servers.push(app);
    const baseline = await startServer('baseline', ['--import', 'tsx', 'test/bench/baseline-server.ts'], { BASELINE_DB: config.dbFile });
    servers.push(baseline);
    const idleMemory = memoryOf(app.child.pid!);
    // The server's peak RSS per phase (the peak is reset before each), to see what drives it.
    const peaks: Record<string, number> = {};
    const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      resetPeak(app.child.pid!);
      const result = await work();
      peaks[name] = Math.round(memoryOf(app.child.pid!).peakMb);
      return result;
    };

    const runIds = Array.from({ length: 100 }, (_, i) => data.ids.runs[(i * 997) % data.ids.runs.length]!);
    const get = (p: string, headers: Record<string, string> = auth): Request => ({ method: 'GET', path: p, headers });
    const raw = (p: string): Request => ({ method: 'GET', path: p });
    const listFirst = '/api/v1/test-runs?limit=50';
    const filtered = [
      `/api/v1/test-runs?limit=50&prototype_id=${busyPrototypes[0]}`,
      `/api/v1/test-runs?limit=50&technology_id=${data.busyTechnology}&outcome=pass`,
      `/api/v1/test-runs?limit=50&status=aborted`,
      `/api/v1/test-runs?limit=50&venue_type=wind_tunnel`,
      `/api/v1/test-runs?limit=50&started_after=2023-01-01T00:00:00.000Z&started_before=2023-03-01T00:00:00.000Z`,
      `/api/v1/test-runs?limit=50&prototype_id=${busyPrototypes[3]}`,
    ];
    const searches = ['inverter', 'brake endurance', '耐久テスト', 'fuji shakedown', 'TR-2024-01'].map((q) => `/api/v1/test-runs?limit=50&q=${encodeURIComponent(q)}`);
    const deep = deepCursors.map((c) => `/api/v1/test-runs?limit=50&cursor=${c}`);
    const byId = runIds.map((id) => `/api/v1/test-runs/${id}`);
    const postBody = (i: number) =>
      JSON.stringify({
        prototype_id: data.ids.prototypes[i % 50],
        title: `Load test run ${i}`,
        venue_type: 'dyno',
        start_time: '2024-06-01T10:00:00Z',
        end_time: '2024-06-01T11:00:00Z',
        engineer: 'bench',
        measurements: [
          { name: 'Peak power', value: 350 + i, unit: 'kW' },
          { name: 'Inverter temp', value: 80.5, unit: 'degC' },
          { name: 'Lap time', value: 92.31, unit: 's' },
        ],
        evidence: [
          { technology_id: data.ids.technologies[i % 500], outcome: 'pass' },
          { technology_id: data.ids.technologies[500 + (i % 500)], outcome: 'fail', notes: 'Grained after 8 laps' },
        ],
      });
    const posts = Array.from({ length: 20 }, (_, i) => ({ method: 'POST', path: '/api/v1/test-runs', headers: { ...auth, 'content-type': 'application/json' }, body: postBody(i) }));
    const rawPosts = posts.map((p) => ({ ...p, headers: { 'content-type': 'application/json' } }));

    const scenarios: Scenario[] = [
      { name: 'API list, first page', minRatio: 0.9, app: [get(listFirst)], baseline: [raw(listFirst)], sameJson: true },
      { name: 'API list, filtered (6 filters)', minRatio: 0.9, app: filtered.map((p) => get(p)), baseline: filtered.map(raw), sameJson: true },
      { name: 'API list, searched (q)', minRatio: 0.9, app: searches.map((p) => get(p)), baseline: searches.map(raw), sameJson: true },
      { name: 'API list, deep page (cursor)', minRatio: 0.9, app: deep.map((p) => get(p)), baseline: deep.map(raw), sameJson: true },
      { name: 'API run by id', app: byId.map((p) => get(p)), baseline: byId.map(raw), sameJson: true },
      { name: 'HTML list page', minRatio: 0.75, app: [get('/test-runs', { cookie })], baseline: [raw(listFirst)] },
      { name: 'HTML detail page', app: byId.map((p) => get(p.replace('/api/v1', ''), { cookie })), baseline: byId.map(raw) },
    ];
    const results: ScenarioResult[] = [];
    for (const s of scenarios) results.push(await phase(s.name, () => measure(s, app, baseline)));

    // 4. Lineage, then the write paths (they grow the database: last).
    const lineage: LineageResult[] = [];
    for (const depth of [3, 6]) {
      const url = (id: number) => `/api/v1/lineage?node=road-model:${id}&direction=upstream&depth=${depth}`;
      const models = data.ids.roadModels;
      const repeated = Array.from({ length: 20 }, (_, i) => models[i * 37]!);
      // 100 other road models, each asked once; before them, 20 more that are neither.
      const cold = Array.from({ length: 100 }, (_, i) => models[(i * 37 + 11) % models.length]!);
      const warmup = Array.from({ length: 20 }, (_, i) => models[(i * 37 + 23) % models.length]!).filter((id) => !cold.includes(id) && !repeated.includes(id));
      const name = `lineage, road model upstream, depth ${depth}`;
      lineage.push(await phase(name, () => measureLineage(name, warmup.map((id) => get(url(id))), cold.map((id) => get(url(id))), repeated.map((id) => get(url(id))), app, 5)));
    }
    results.push(await phase('API log a run (POST)', () => measure({ name: 'API log a run (POST)', app: posts, baseline: rawPosts }, app, baseline)));
    const peakHttp = Math.max(...Object.values(peaks));

    const csv = path.join(dir, 'import.csv');
    const rows = importRows({ prototypeIds: data.ids.prototypes, prototypeCodes: data.prototypeCodes, technologyIds: data.ids.technologies, technologyNames: data.technologyNames, programIds: data.ids.programs }, IMPORT_ROWS);
    const csvBytes = writeImportCsv(csv, rows);
    const rawSeconds = rawInsert(rawCopy, rows);
    log(`raw insert of ${IMPORT_ROWS} rows: ${rawSeconds.toFixed(2)} s`);
    // While the import runs, the API list with one connection: reads must not wait for its writes.
    let duringImport: Awaited<ReturnType<typeof load>> | undefined;
    const imported = await phase('CSV import', async () => {
      const job = importThroughApi(app.url, token, csv);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      duringImport = await load(app, [get(listFirst)], 1, 20);
      return job;
    });
    log(`API list during the import (1 conn, 20 s): p50 ${duringImport!.latency.p50} ms, p99 ${duringImport!.latency.p99} ms, ${duringImport!.non2xx} non-2xx`);
    if (imported.status !== 'succeeded' || imported.rows_created !== IMPORT_ROWS) throw new Error(`the import did not create every row: ${JSON.stringify(imported)}`);
    const importRatio = imported.seconds / rawSeconds;
    log(`CSV import of ${IMPORT_ROWS} rows: ${imported.seconds.toFixed(2)} s (${importRatio.toFixed(1)}× the raw insert)`);
    const logLines = app.output.filter((l) => !l.startsWith('Pitlane is serving'));

    // 5. Report.
    const non2xx = [...results.flatMap((r) => [r.app.non2xx]), ...lineage.flatMap((l) => [l.oneConnection.non2xx, l.fifty.non2xx]), duringImport!.non2xx].reduce((a, b) => a + b, 0);
    const errors = [...results.flatMap((r) => [r.app.errors]), ...lineage.flatMap((l) => [l.oneConnection.errors, l.fifty.errors]), duringImport!.errors].reduce((a, b) => a + b, 0);
    const startMedian = { tsx: median(startups.tsx!), bundle: median(startups.bundle!) };
    const targets = [
      ...results.filter((r) => r.minRatio !== undefined).map((r) => ({ target: `${r.name} ≥ ${r.minRatio}× raw`, value: `${fmt(r.ratio, 2)}×`, met: r.met! })),
      ...lineage
        .filter((l) => l.name.endsWith('depth 6'))
        .flatMap((l) => [
          { target: `${l.name}: p99 ≤ ${l.maxP99} ms (1 conn, repeated: cached)`, value: `${l.oneConnection.p99} ms`, met: l.met },
          { target: `${l.name}: p99 ≤ ${l.maxP99} ms (cold: first request)`, value: `${l.cold.p99} ms`, met: l.cold.met },
        ]),
      { target: `CSV import of ${IMPORT_ROWS} rows ≤ 10× raw insert`, value: `${importRatio.toFixed(1)}×`, met: importRatio <= 10 },
      { target: 'peak RSS ≤ 200 MB (HTTP load)', value: `${peakHttp} MB`, met: peakHttp <= 200 },
      { target: 'peak RSS ≤ 200 MB (CSV import)', value: `${peaks['CSV import']} MB`, met: peaks['CSV import']! <= 200 },
      { target: 'start → first 200 ≤ 1 s (npm start)', value: `${startMedian.bundle} ms`, met: startMedian.bundle <= 1000 },
      { target: 'no errors, no non-2xx under load', value: `${errors} errors, ${non2xx} non-2xx, ${logLines.length} warn+ log lines`, met: errors === 0 && non2xx === 0 },
    ];

    const previous = process.env.BENCH_COMPARE ? (JSON.parse(fs.readFileSync(process.env.BENCH_COMPARE, 'utf8')) as { scenarios: ScenarioResult[] }) : undefined;
    const change = (name: string, now: number) => {
      const before = previous?.scenarios.find((s) => s.name === name)?.app.reqPerSec;
      return before ? `${now >= before ? '+' : ''}${(((now - before) / before) * 100).toFixed(0)} %` : '';
    };
    const cpus = os.cpus();
    const meta = {
      date: new Date().toISOString(),
      commit: commitId(),
      node: process.version,
      cpu: `${cpus.length} × ${cpus[0]?.model ?? '?'}`,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      loadAverage: { before: loadBefore.map((x) => Number(x.toFixed(1))), after: os.loadavg().map((x) => Number(x.toFixed(1))) },
      secondsPerRound: SECONDS,
      rounds: ROUNDS,
      connections: CONNECTIONS,
      dataset: { ...BENCH_SIZE, databaseMb: Math.round(dbBytes / 2 ** 20), buildSeconds: Number(buildSeconds.toFixed(1)) },
      totalSeconds: 0,
    };

    console.log(`\nPitlane benchmark — ${meta.date}${meta.commit ? `, commit ${meta.commit}` : ''}, Node ${meta.node}, ${meta.cpu}, ${meta.memoryGb} GB`);
    console.log(`load average ${meta.loadAverage.before.join(' ')} at start (other work on the machine lowers absolute figures; ratios are measured side by side)`);
    console.log(`dataset: ${BENCH_SIZE.runs.toLocaleString('en-US')} runs, ${BENCH_SIZE.evidence.toLocaleString('en-US')} evidence, ${BENCH_SIZE.measurements.toLocaleString('en-US')} measurements, ${BENCH_SIZE.technologies.toLocaleString('en-US')} technologies; ${meta.dataset.databaseMb} MB, built in ${meta.dataset.buildSeconds} s`);
    console.log(`each figure: median of ${ROUNDS} rounds of ${SECONDS} s after a ${WARMUP_SECONDS} s warm-up; app and raw baseline alternate;`);
    console.log(`ratio = app req/s ÷ raw req/s; CPU ratio = raw CPU ms per request ÷ app CPU ms per request (the same comparison, steadier under outside load)\n`);
    console.log(
      table(
        ['scenario', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'raw req/s', 'raw p50', 'raw p99', 'ratio', 'target', '', 'CPU ms/req', 'raw CPU', 'CPU ratio', ...(previous ? ['vs previous'] : [])],
        [
          ...results.map((r) => [
            r.name + (r.sameJson === false ? ' (JSON differs!)' : ''),
            String(r.connections),
            String(r.app.reqPerSec),
            fmt(r.app.p50),
            fmt(r.app.p99),
            fmt(r.baseline?.reqPerSec),
            fmt(r.baseline?.p50),
            fmt(r.baseline?.p99),
            r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`,
            r.minRatio === undefined ? '' : `≥ ${r.minRatio}×`,
            verdict(r.met),
            r.app.cpuMsPerRequest.toFixed(2),
            r.baseline ? r.baseline.cpuMsPerRequest.toFixed(2) : '',
            r.baseline ? `${(r.baseline.cpuMsPerRequest / r.app.cpuMsPerRequest).toFixed(2)}×` : '',
            ...(previous ? [change(r.name, r.app.reqPerSec)] : []),
          ]),
          ...lineage.flatMap((l) => [
            [`${l.name}, cold`, '1', '', fmt(l.cold.p50, 1), fmt(l.cold.p99, 1), '', '', '', '', l.name.endsWith('depth 6') ? `p99 ≤ ${l.maxP99} ms` : '', l.name.endsWith('depth 6') ? verdict(l.cold.met) : '', l.cold.cpuMsPerRequest.toFixed(2), '', '', ...(previous ? [''] : [])],
            [`${l.name}, cached, same client as cold`, '1', '', fmt(l.floor.p50, 1), fmt(l.floor.p99, 1), '', '', '', '', '', '', '', '', '', ...(previous ? [''] : [])],
            [l.name, '1', String(l.oneConnection.reqPerSec), fmt(l.oneConnection.p50), fmt(l.oneConnection.p99), '', '', '', '', l.name.endsWith('depth 6') ? `p99 ≤ ${l.maxP99} ms` : '', l.name.endsWith('depth 6') ? verdict(l.met) : '', l.oneConnection.cpuMsPerRequest.toFixed(2), '', '', ...(previous ? [''] : [])],
            [l.name, String(CONNECTIONS), String(l.fifty.reqPerSec), fmt(l.fifty.p50), fmt(l.fifty.p99), '', '', '', '', '', '', l.fifty.cpuMsPerRequest.toFixed(2), '', '', ...(previous ? [change(l.name, l.fifty.reqPerSec)] : [])],
          ]),
        ],
      ),
    );
    console.log(`\nCSV import, ${IMPORT_ROWS.toLocaleString('en-US')} rows (${(csvBytes / 2 ** 20).toFixed(1)} MB): API job ${imported.seconds.toFixed(2)} s, raw insert ${rawSeconds.toFixed(2)} s → ${importRatio.toFixed(1)}×`);
    console.log(`API list while the import ran (1 connection, 20 s from 3 s in): ${duringImport!.requests.total} requests, p50 ${duringImport!.latency.p50} ms, p99 ${duringImport!.latency.p99} ms, ${duringImport!.non2xx} non-2xx, ${duringImport!.errors} errors`);
    console.log(`server memory (npm start): idle after start ${idleMemory.rssMb.toFixed(0)} MB; peak RSS per phase: ${Object.entries(peaks).map(([k, v]) => `${k} ${v}`).join(', ')} (MB)`);
    console.log(`idle RSS 0.5 s after the first 200: npm start (bundle) ${median(idleRss.bundle!)} MB, npm run dev (tsx) ${median(idleRss.tsx!)} MB`);
    console.log(`start → first 200 on the ${meta.dataset.databaseMb} MB database: npm start (bundle) ${startups.bundle!.join(' / ')} ms, npm run dev (tsx) ${startups.tsx!.join(' / ')} ms (npm run build took ${bundleSeconds.toFixed(1)} s)`);
    if (logLines.length) console.log(`server log (warn and above), first lines:\n  ${logLines.slice(0, 5).join('\n  ')}`);
    console.log(`\n${table(['target', 'measured', ''], targets.map((x) => [x.target, x.value, verdict(x.met)]))}`);

    meta.totalSeconds = Math.round((performance.now() - began) / 1000);
    const out = path.resolve(process.env.BENCH_JSON ?? path.join(ROOT, 'test/bench/last-run.json'));
    const json = {
      meta,
      scenarios: results,
      lineage,
      listDuringImport: { p50: duringImport!.latency.p50, p99: duringImport!.latency.p99, requests: duringImport!.requests.total, non2xx: duringImport!.non2xx, errors: duringImport!.errors },
      import: { rows: IMPORT_ROWS, csvMb: Number((csvBytes / 2 ** 20).toFixed(1)), apiSeconds: Number(imported.seconds.toFixed(2)), rawSeconds: Number(rawSeconds.toFixed(2)), ratio: Number(importRatio.toFixed(2)) },
      memory: { idleRssMb: Math.round(idleMemory.rssMb), peakHttpMb: peakHttp, peakRssMbByPhase: peaks },
      startup: { tsxMs: startups.tsx, bundleMs: startups.bundle, idleRssMb: idleRss },
      errors: { errors, non2xx, serverLogLines: logLines.slice(0, 20) },
      targets,
    };
    fs.writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`\n${meta.totalSeconds} s in all; JSON written to ${path.relative(process.cwd(), out)}`);
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
