// The operator CLI, run as operators run it (a child process on the server's data folder, while
// the app has the database open): users, tokens, backups, usage errors and exit codes.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { listTokens } from '../src/domain/tokens.js';
import { findUserByUsername } from '../src/domain/users.js';
import { api, createTestApp, type TestApp } from './support/app.js';
import { pageSession } from './support/pages.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

// Each run starts Node and tsx (seconds on a busy machine).
const SLOW = { timeout: 120_000 };

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npx tsx src/cli.ts …` with the app's data folder; `input` is piped to standard input. */
function cli(args: string[], input = ''): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, PITLANE_DATA_DIR: t.dir, PITLANE_SEED: 'none', LOG_LEVEL: 'silent' };
  delete env.PITLANE_DB;
  delete env.PITLANE_ADMIN_PASSWORD;
  return new Promise((resolve) => {
    const child = execFile(TSX, ['src/cli.ts', ...args], { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin!.end(input);
  });
}

async function canSignIn(username: string, password: string): Promise<boolean> {
  try {
    await pageSession(t.app, { username, password });
    return true;
  } catch {
    return false;
  }
}

describe('cli users', () => {
  it('adds a user with the password from standard input, who can then sign in', SLOW, async () => {
    const run = await cli(['user', 'add', 'alice', '--role', 'engineer', '--display-name', 'Alice Aoki'], 'First-Pw-For-Pitlane-1\n');
    expect(run).toMatchObject({ code: 0, stdout: 'Created user alice (engineer).\n' });
    expect(run.stdout + run.stderr).not.toContain('First-Pw-For-Pitlane-1');
    expect(findUserByUsername(t.db, 'alice')).toMatchObject({ role: 'engineer', display_name: 'Alice Aoki' });
    expect(await canSignIn('alice', 'First-Pw-For-Pitlane-1')).toBe(true);
    const audit = t.db.sqlite.prepare("SELECT actor, actor_id FROM audit_events WHERE entity = 'user' AND action = 'create' ORDER BY seq DESC LIMIT 1").get();
    expect(audit).toEqual({ actor: 'cli', actor_id: null });

    const again = await cli(['user', 'add', 'alice', '--role', 'viewer'], 'Other-Pw-For-Pitlane-1\n');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    const weak = await cli(['user', 'add', 'bob', '--role', 'viewer', '--password-stdin'], 'password123\n');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('too common');
    expect(findUserByUsername(t.db, 'bob')).toBeUndefined();
  });

  it('changes a password (their sessions end) and lists users', SLOW, async () => {
    const s = await pageSession(t.app, { username: 'alice', password: 'First-Pw-For-Pitlane-1' });
    const run = await cli(['user', 'passwd', 'alice'], 'Second-Pw-For-Pitlane-2\n');
    expect(run.code).toBe(0);
    expect((await s.get('/')).statusCode).toBe(303);
    expect(await canSignIn('alice', 'First-Pw-For-Pitlane-1')).toBe(false);
    expect(await canSignIn('alice', 'Second-Pw-For-Pitlane-2')).toBe(true);

    const list = await cli(['user', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^USERNAME\s+ROLE\s+STATUS/);
    expect(list.stdout).toMatch(/\nadmin\s+admin\s+active/);
    expect(list.stdout).toMatch(/\nalice\s+engineer\s+active\s+\S+\s+Alice Aoki/);
    expect(list.stdout).not.toContain('scrypt');
  });

  it('disables a user (login fails, tokens stop) and enables them again', SLOW, async () => {
    const disable = await cli(['user', 'disable', 'alice']);
    expect(disable.code).toBe(0);
    expect(disable.stdout).toContain('sessions have ended');
    expect(await canSignIn('alice', 'Second-Pw-For-Pitlane-2')).toBe(false);
    expect((await cli(['user', 'list'])).stdout).toMatch(/\nalice\s+engineer\s+disabled/);
    const refused = await cli(['token', 'create', '--user', 'alice', '--scopes', 'read']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('disabled');

    expect((await cli(['user', 'enable', 'alice'])).code).toBe(0);
    expect(await canSignIn('alice', 'Second-Pw-For-Pitlane-2')).toBe(true);
    expect((await cli(['user', 'disable', 'nobody'])).code).toBe(1);
  });
});

describe('cli tokens', () => {
  it('creates a token that works against the app, prints only it, and revokes it', SLOW, async () => {
    const run = await cli(['token', 'create', '--user', 'alice', '--scopes', 'read,write', '--name', 'lab sync', '--days', '30']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^pl_[0-9a-f]{8}_[A-Za-z0-9_-]{20,64}\n$/);
    const token = run.stdout.trim();
    expect((await api(t.app, { token }).get('/api/v1/series')).statusCode).toBe(200);
    const alice = findUserByUsername(t.db, 'alice')!;
    const stored = listTokens(t.db, alice.id).find((x) => x.prefix === token.slice(3, 11))!;
    expect(stored).toMatchObject({ name: 'lab sync', scopes: 'read,write' });
    expect(Date.parse(stored.expires_at!) - Date.parse(stored.created_at)).toBe(30 * 86_400_000);

    const list = await cli(['token', 'list', '--user', 'alice']);
    expect(list.stdout).toContain(`pl_${stored.prefix}_…`);
    expect(list.stdout).not.toContain(token);

    const revoke = await cli(['token', 'revoke', String(stored.id)]);
    expect(revoke.code).toBe(0);
    expect((await api(t.app, { token }).get('/api/v1/series')).statusCode).toBe(401);
    expect((await cli(['token', 'revoke', '99999'])).code).toBe(1);
  });

  it('gives a viewer only read tokens', SLOW, async () => {
    expect((await cli(['user', 'add', 'vic', '--role', 'viewer'], 'Viewer-Pw-For-Pitlane-3\n')).code).toBe(0);
    const write = await cli(['token', 'create', '--user', 'vic', '--scopes', 'read,write']);
    expect(write.code).toBe(1);
    expect(write.stderr).toContain('only read');
    const read = await cli(['token', 'create', '--user', 'vic', '--scopes', 'read', '--days', 'none']);
    expect(read.code).toBe(0);
    expect((await api(t.app, { token: read.stdout.trim() }).get('/api/v1/series')).statusCode).toBe(200);
  });
});

describe('cli backup', () => {
  it('writes a verified backup while the app has the database open', SLOW, async () => {
    const file = path.join(t.dir, 'backups', 'cli.db');
    const run = await cli(['backup', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('integrity ok');
    const copy = new Database(file, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.prepare("SELECT role FROM users WHERE username = 'vic'").get()).toEqual({ role: 'viewer' });
    } finally {
      copy.close();
    }
    expect((await api(t.app).get('/api/v1/series')).statusCode).toBe(200);
  });
});

describe('cli usage', () => {
  it('prints usage on --help (exit 0) and on bad input (exit 2, stderr)', SLOW, async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm run cli -- <command>');
    expect(help.stdout).toContain('token create --user NAME --scopes read|read,write');
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: npm run cli -- <command>');
    expect(none.stdout).toBe('');
  });

  it('answers every kind of bad usage with exit 2 and the usage text (in-process)', async () => {
    const env = { PITLANE_DATA_DIR: t.dir, PITLANE_SEED: 'none', LOG_LEVEL: 'silent' };
    const bad = [
      ['frobnicate'],
      ['user'],
      ['user', 'add', 'carol'],
      ['user', 'add', 'carol', '--role', 'boss'],
      ['user', 'list', 'extra'],
      ['token', 'create', '--user', 'alice', '--scopes', 'admin'],
      ['token', 'create', '--user', 'alice', '--scopes', 'read', '--days', '-3'],
      ['token', 'revoke', 'abc'],
      ['backup'],
    ];
    for (const args of bad) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, env);
      expect(code, args.join(' ')).toBe(2);
      expect(err.join('\n'), args.join(' ')).toContain('Usage: npm run cli -- <command>');
      expect(out).toEqual([]);
    }
    expect(findUserByUsername(t.db, 'carol')).toBeUndefined();
  });

  it('never takes a password as an argument', SLOW, async () => {
    const run = await cli(['user', 'add', 'carol', '--role', 'viewer', '--password', 'Carol-Pw-For-Pitlane-1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Unknown option '--password'");
    expect(findUserByUsername(t.db, 'carol')).toBeUndefined();
  });
});
