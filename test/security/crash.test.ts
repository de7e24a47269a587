// The real server process under a concurrent write load, killed with SIGKILL at random moments
// (PITLANE_CRASH_KILLS, 20 by default). After each restart: every write that was answered 2xx is
// there, every write is all-or-nothing (a run has all its measurements, its evidence and its one
// audit event, or is absent), `PRAGMA integrity_check` says ok and `foreign_key_check` is empty.
//
// "Inside a write" is counted from the client side: a kill that lands while at least one write
// request had been sent and not yet answered. Large writes (runs with 500 measurements) keep
// such windows wide; the WAL size at each kill is logged as well.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDatabase } from '../../src/app.js';
import { readConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db.js';
import { tempDir, tokenFor } from '../support/app.js';
import { httpSender, seedThroughApi, type OpenApiDoc } from '../support/openapi-walk.js';

const KILLS = Number(process.env.PITLANE_CRASH_KILLS ?? 20);
const CLIENTS = 6;
const BIG = 500;

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Server {
  child: ChildProcess;
  base: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

async function startServer(dir: string): Promise<Server> {
  for (let attempt = 0; ; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), PITLANE_DATA_DIR: dir, PITLANE_SEED: 'none', PITLANE_RATE_LIMIT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const started = await new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
      child.stdout!.on('data', () => {
        if (/serving on http/.test(output)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (started) return { child, base: `http://127.0.0.1:${port}`, exited, output: () => output };
    if (!/EADDRINUSE/.test(output) || attempt >= 3) throw new Error(`server exited at start:\n${output}`);
  }
}

interface Sent {
  kind: 'run' | 'series';
  measurements: number;
}

/** What the clients sent and what was acknowledged, by unique title / name. */
const sent = new Map<string, Sent>();
const acked = new Set<string>();
const unexpected: string[] = [];

interface Load {
  stop: boolean;
  inFlight: number;
  done: Promise<void>[];
  answered: number;
}

function startLoad(base: string, token: string, refs: { prototype_id: number; technology_id: number }, cycle: number): Load {
  const load: Load = { stop: false, inFlight: 0, done: [], answered: 0 };
  for (let n = 0; n < CLIENTS; n++) {
    load.done.push(
      (async () => {
        for (let seq = 0; !load.stop; seq++) {
          const isRun = Math.random() < 0.8;
          const big = isRun && Math.random() < 0.5;
          const key = isRun ? `crash run c${cycle} k${n} #${seq}` : `Crash series c${cycle} k${n} #${seq}`;
          const measurements = big ? BIG : isRun ? 2 : 0;
          const body = isRun
            ? {
                prototype_id: refs.prototype_id,
                title: key,
                venue_type: 'dyno',
                start_time: new Date(Date.UTC(2026, 0, 1) + seq * 60_000).toISOString(),
                evidence: [{ technology_id: refs.technology_id, outcome: 'pass', notes: '' }],
                measurements: Array.from({ length: measurements }, (_, i) => ({ name: `m${i % 50}`, value: i / 7, unit: 'degC' })),
              }
            : { name: key, description: 'written under SIGKILL' };
          sent.set(key, { kind: isRun ? 'run' : 'series', measurements });
          load.inFlight++;
          let res: Response;
          try {
            res = await fetch(`${base}/api/v1/${isRun ? 'test-runs' : 'series'}`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify(body),
            });
          } catch {
            return; // the server is gone
          } finally {
            load.inFlight--;
          }
          load.answered++;
          if (res.status === 201) acked.add(key);
          else unexpected.push(`${res.status} for ${key}: ${(await res.text().catch(() => '')).slice(0, 200)}`);
          await res.arrayBuffer().catch(() => undefined);
        }
      })(),
    );
  }
  return load;
}

function verify(dbFile: string): { runs: number; series: number; unacknowledged: number } {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const runs = db
      .prepare(
        `SELECT r.id, r.title,
           (SELECT count(*) FROM measurements m WHERE m.test_run_id = r.id) AS measurements,
           (SELECT count(*) FROM evidence e WHERE e.test_run_id = r.id) AS evidence,
           (SELECT count(*) FROM audit_events a WHERE a.entity = 'test_run' AND a.entity_id = CAST(r.id AS TEXT) AND a.action = 'create') AS audits
         FROM test_runs r WHERE r.title LIKE 'crash run %'`,
      )
      .all() as { id: number; title: string; measurements: number; evidence: number; audits: number }[];
    const series = db.prepare(`SELECT s.id, s.name, (SELECT count(*) FROM audit_events a WHERE a.entity = 'series' AND a.entity_id = CAST(s.id AS TEXT) AND a.action = 'create') AS audits FROM series s WHERE s.name LIKE 'Crash series %'`).all() as { id: number; name: string; audits: number }[];
    // All or nothing: whatever committed, acknowledged or not, is whole.
    for (const r of runs) {
      expect({ title: r.title, measurements: r.measurements, evidence: r.evidence, audits: r.audits }).toEqual({ title: r.title, measurements: sent.get(r.title)?.measurements, evidence: 1, audits: 1 });
    }
    for (const s of series) expect({ name: s.name, audits: s.audits }).toEqual({ name: s.name, audits: 1 });
    // Nothing acknowledged is lost.
    const present = new Set([...runs.map((r) => r.title), ...series.map((s) => s.name)]);
    const lost = [...acked].filter((k) => !present.has(k));
    expect(lost, 'writes answered 201 but missing after the restart').toEqual([]);
    // Committed, but the answer never reached the client: the kill fell between commit and reply.
    const unacknowledged = [...present].filter((k) => !acked.has(k)).length;
    return { runs: runs.length, series: series.length, unacknowledged };
  } finally {
    db.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Frames in the WAL after its last commit frame: pages of a transaction that was being
 * committed when the process died (SQLite ignores them on recovery). Frames of an older WAL
 * generation (other salts) end the scan.
 */
function uncommittedWalFrames(walFile: string): number {
  if (!fs.existsSync(walFile)) return 0;
  const wal = fs.readFileSync(walFile);
  if (wal.length < 32) return 0;
  const pageSize = wal.readUInt32BE(8);
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  let frames = 0;
  let lastCommit = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    frames++;
    if (wal.readUInt32BE(at + 4) !== 0) lastCommit = frames;
  }
  return frames - lastCommit;
}

describe('crash safety', () => {
  it(`keeps every acknowledged write and a sound database across ${KILLS} SIGKILLs under a write load`, async () => {
    const started = Date.now();
    const dir = tempDir('pitlane-crash-');
    const config = readConfig({ PITLANE_DATA_DIR: dir, PITLANE_SEED: 'none', PITLANE_ADMIN_PASSWORD: 'Crash-Test-Pw-For-Pitlane-1' });
    const setup = openDatabase(config.dbFile);
    prepareDatabase(setup, config);
    const token = tokenFor(setup, 'admin');
    setup.sqlite.close();

    let server = await startServer(dir);
    const doc = (await (await fetch(`${server.base}/api/v1/openapi.json`)).json()) as OpenApiDoc;
    const { ids } = await seedThroughApi(httpSender(server.base, token), doc);
    const refs = { prototype_id: ids.prototypes?.[0] ?? 0, technology_id: ids.technologies?.[0] ?? 0 };
    expect(refs.prototype_id).toBeGreaterThan(0);
    expect(refs.technology_id).toBeGreaterThan(0);

    const log: string[] = [];
    const startups: number[] = [];
    let insideWrites = 0;
    let tornCommits = 0;
    for (let cycle = 1; cycle <= KILLS; cycle++) {
      const load = startLoad(server.base, token, refs, cycle);
      // Kill at a random moment: sometimes early (first requests in flight), mostly mid-load.
      await sleep(Math.random() < 0.2 ? 20 + Math.random() * 100 : 150 + Math.random() * 900);
      const inFlight = load.inFlight;
      server.child.kill('SIGKILL');
      const exit = await server.exited;
      expect(exit.signal).toBe('SIGKILL');
      const wal = fs.statSync(`${config.dbFile}-wal`, { throwIfNoEntry: false })?.size ?? 0;
      const torn = uncommittedWalFrames(`${config.dbFile}-wal`);
      if (torn > 0) tornCommits++;
      load.stop = true;
      await Promise.all(load.done);
      if (inFlight > 0) insideWrites++;
      const t0 = Date.now();
      server = await startServer(dir);
      startups.push(Date.now() - t0);
      const counts = verify(config.dbFile);
      log.push(
        `kill ${String(cycle).padStart(2)}: ${inFlight} write(s) in flight, ${load.answered} answered this cycle, WAL ${wal} B with ${torn} frame(s) past the last commit; ` +
          `after restart ${counts.runs} runs, ${counts.series} series, all ${acked.size} acknowledged present, ${counts.unacknowledged} committed but never answered so far`,
      );
    }
    // The last start stops cleanly.
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    verify(config.dbFile);
    fs.rmSync(dir, { recursive: true, force: true });

    const avg = Math.round(startups.reduce((a, b) => a + b, 0) / startups.length);
    console.info(
      [
        ...log,
        `${KILLS} kills, ${insideWrites} with at least one write request in flight ("inside a write"), ${tornCommits} in the middle of writing a commit to the WAL,`,
        `${acked.size} writes acknowledged of ${sent.size} sent,`,
        `restart ${avg} ms on average (max ${Math.max(...startups)} ms), ${Math.round((Date.now() - started) / 1000)} s in all`,
      ].join('\n'),
    );
    expect(unexpected, 'answers other than 201').toEqual([]);
    expect(insideWrites, 'kills that landed while writes were in flight').toBeGreaterThanOrEqual(1);
    expect(acked.size).toBeGreaterThan(KILLS);
  }, 900_000);
});
