// The real server process: start on an empty folder, serve, and stop gracefully on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareDatabase } from '../src/app.js';
import { readConfig } from '../src/config.js';
import { openDatabase } from '../src/db.js';
import { createSession } from '../src/domain/sessions.js';
import { findUserByUsername } from '../src/domain/users.js';
import { SESSION_COOKIE } from '../src/plugins/auth.js';
import { PROJECT_ROOT } from '../src/paths.js';
import { ADMIN_PASSWORD, tempDir, tokenFor } from './support/app.js';
import { buildNpmStart } from './support/npm-start.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** The server as tests and `npm run dev` run it: the TypeScript sources through tsx. */
const FROM_SOURCES = ['--import', 'tsx', 'src/server.ts'];

function start(env: Record<string, string>, args = FROM_SOURCES, cwd = PROJECT_ROOT) {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    child.stdout!.on('data', () => {
      const m = /serving on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', () => reject(new Error(`server exited:\n${output}`)));
  });
  url.catch(() => undefined); // awaited by the tests that expect a start
  return { child, url, exited, output: () => output };
}

describe('server', () => {
  it('starts on an empty folder, creates the database, prints the generated admin password once, and stops on SIGTERM', async () => {
    const dir = path.join(tempDir(), 'nested', 'data');
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const s = start({ PITLANE_DATA_DIR: dir, PITLANE_SEED: 'none', PORT: port, PITLANE_ADMIN_PASSWORD: '' });
    const base = (await s.url).replace('localhost', '127.0.0.1');
    expect(fs.existsSync(path.join(dir, 'pitlane.db'))).toBe(true);
    expect(s.output()).toMatch(/Username: admin {2}Password: \S{20}/);
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', database: 'ok' });
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);

    // A second start finds the admin and prints no password.
    const again = start({ PITLANE_DATA_DIR: dir, PITLANE_SEED: 'none', PORT: port });
    await again.url;
    expect(again.output()).not.toMatch(/Password:/);
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
  }, 60_000);

  it('lets an in-flight request finish before it exits', async () => {
    const dir = tempDir();
    const port = 20000 + Math.floor(Math.random() * 20000);
    // The admin and a token exist before the server starts, as after an earlier run.
    const config = readConfig({ PITLANE_DATA_DIR: dir, PITLANE_SEED: 'none', PITLANE_ADMIN_PASSWORD: 'a-long-password' });
    const setup = openDatabase(config.dbFile);
    prepareDatabase(setup, config);
    const token = tokenFor(setup, 'admin');
    setup.sqlite.close();
    const s = start({ PITLANE_DATA_DIR: dir, PITLANE_SEED: 'none', PORT: String(port) });
    await s.url;
    // Headers and half the body go out before the signal; the rest after it.
    const body = JSON.stringify({ name: 'Super Taikyu', description: 'Sent across a shutdown' });
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/series', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        s.child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 300);
    });
    const done = await response;
    expect(done.status, done.text).toBe(201);
    expect(await s.exited).toBe(0);
    // The write was committed before the database closed.
    const db = new Database(path.join(dir, 'pitlane.db'), { readonly: true });
    expect(db.prepare(`SELECT description FROM series WHERE name = 'Super Taikyu'`).get()).toEqual({ description: 'Sent across a shutdown' });
    db.close();
  }, 60_000);

  it('refuses a bad configuration with a clear message and exit code 2', async () => {
    const s = start({ PITLANE_DATA_DIR: tempDir(), PORT: 'eighty' });
    expect(await s.exited).toBe(2);
    expect(s.output()).toMatch(/Pitlane cannot start: PORT must be a whole number/);
  }, 30_000);

  it('npm start runs the bundle `npm run build` makes: pages with their assets, the lineage page (elkjs), the API, and a CSV import in its worker', async () => {
    // Its environment, node's flags (memory, see README Performance), the bundle: run as npm start runs it.
    const npmStart = buildNpmStart();

    const dir = tempDir();
    const config = readConfig({ PITLANE_DATA_DIR: dir, PITLANE_SEED: 'demo', PITLANE_ADMIN_PASSWORD: ADMIN_PASSWORD });
    const setup = openDatabase(config.dbFile);
    prepareDatabase(setup, config);
    const token = tokenFor(setup, 'admin', 'read,write');
    const cookie = `${SESSION_COOKIE}=${createSession(setup, findUserByUsername(setup, 'admin')!.id).cookieValue}`;
    setup.sqlite.close();
    const port = String(20000 + Math.floor(Math.random() * 20000));
    // From another folder: the bundle finds db/migrations and views/assets from where it lies.
    const s = start({ ...npmStart.env, PITLANE_DATA_DIR: dir, PITLANE_SEED: 'demo', PORT: port }, npmStart.args, dir);
    const base = (await s.url).replace('localhost', '127.0.0.1');
    const auth = { authorization: `Bearer ${token}` };

    expect((await fetch(`${base}/assets/htmx.js`)).status).toBe(200);
    expect((await fetch(`${base}/assets/app.css`)).status).toBe(200);
    const page = await fetch(`${base}/test-runs`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('TR-');
    const model = ((await (await fetch(`${base}/api/v1/road-models?limit=1`, { headers: auth })).json()) as { items: { id: number }[] }).items[0]!;
    const lineage = await fetch(`${base}/lineage?node=road-model:${model.id}&depth=3`, { headers: { cookie } });
    expect(lineage.status).toBe(200);
    expect(await lineage.text()).toContain('<svg');

    // Export a few runs and import them back: the import runs in the bundled worker.
    const csv = await (await fetch(`${base}/api/v1/test-runs?format=csv&limit=20`, { headers: auth })).text();
    const posted = await fetch(`${base}/api/v1/test-runs/import`, { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: csv });
    expect(posted.status, await posted.clone().text()).toBe(202);
    const jobUrl = `${base}${posted.headers.get('location')}`;
    let job: { status: string; rows_total?: number } = { status: 'queued' };
    for (let i = 0; i < 100 && !['succeeded', 'failed'].includes(job.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = (await (await fetch(jobUrl, { headers: auth })).json()) as typeof job;
    }
    expect(job.status, JSON.stringify(job)).toBe('succeeded');
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  }, 120_000);
});
