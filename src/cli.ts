// Operator commands: `npm run cli -- <command>`. The CLI opens the server's database (same
// environment configuration) through the same domain functions, so every change is checked and
// audited (actor `cli`). SQLite's WAL lets it run while the server serves.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, readConfig } from './config.js';
import { migrateDatabase, openDatabase, type Db } from './db.js';
import type { Actor } from './domain/actor.js';
import { backupTo } from './domain/backup.js';
import { ConflictError, InvalidInputError, NotFoundError } from './domain/errors.js';
import { tokenScopesFor } from './domain/permissions.js';
import { createToken, listTokens, revokeToken, type TokenScopes } from './domain/tokens.js';
import { minuteOf } from './domain/time.js';
import { createUser, findUserByUsername, listUsers, setPassword, updateUser, type Role, type User } from './domain/users.js';
import { USER_ROLES } from '../db/schema.js';

const CLI_ACTOR: Actor = { id: null, name: 'cli' };
const DEFAULT_TOKEN_DAYS = 90;

export const USAGE = `Pitlane operator commands

Usage: npm run cli -- <command> [options]

Users
  user add NAME --role ROLE [--display-name TEXT] [--password-stdin]
  user passwd NAME [--password-stdin]      set a new password (their sessions end)
  user disable NAME                        sign them out everywhere; tokens stop working
  user enable NAME
  user list

API tokens
  token create --user NAME --scopes read|read,write [--name TEXT] [--days N|none]
                                           prints only the token (shown once); default 90 days
  token list --user NAME
  token revoke ID

Backup
  backup FILE                              online backup of the database, verified

Roles: ${USER_ROLES.join(', ')}.
Passwords are never arguments: on a terminal they are asked twice; when standard input is piped
(or with --password-stdin) its first line is the password.
The database is the server's (PITLANE_DATA_DIR, PITLANE_DB); the server may keep running.
Exit status: 0 done, 1 refused or failed, 2 bad usage.
`;

/** Bad usage: exit 2 with the usage text. */
class UsageError extends Error {}
/** A refusal or failure the operator should read: exit 1. */
class Failure extends Error {}

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

type Flags = Record<string, string | boolean | undefined>;

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean' }>, positionals: number): { values: Flags; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(positionals === 0 ? `unexpected argument: ${parsed.positionals[0]}` : `expected ${positionals} argument(s), got ${parsed.positionals.length}`);
  }
  return { values: parsed.values as Flags, positionals: parsed.positionals };
}

function text(values: Flags, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

function required(values: Flags, name: string): string {
  const v = text(values, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

function userNamed(db: Db, name: string): User {
  const user = findUserByUsername(db, name.trim().toLowerCase());
  if (!user) throw new Failure(`no user named "${name}"`);
  return user;
}

// ---------------------------------------------------------------------------------------------
// Passwords: never on the command line (it ends up in shell history and `ps`).

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) break;
  }
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (line === '') throw new Failure('no password on standard input (its first line is the password)');
  return line;
}

function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || ch === '\u0004') return finish(new Failure('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function readPassword(values: Flags): Promise<string> {
  if (values['password-stdin'] === true || !process.stdin.isTTY) return readStdinLine();
  const first = await promptHidden('New password: ');
  const again = await promptHidden('Repeat it: ');
  if (first !== again) throw new Failure('the two passwords differ; nothing changed');
  return first;
}

// ---------------------------------------------------------------------------------------------
// Commands

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i]!))).join('  '));
}

async function userCommand(db: Db, args: string[], io: Io): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'add': {
      const { values, positionals } = parse(rest, { role: { type: 'string' }, 'display-name': { type: 'string' }, 'password-stdin': { type: 'boolean' } }, 1);
      const role = required(values, 'role');
      if (!(USER_ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${USER_ROLES.join(', ')}`);
      const username = positionals[0]!;
      if (findUserByUsername(db, username)) throw new Failure(`a user named "${username}" already exists`);
      const password = await readPassword(values);
      const displayName = text(values, 'display-name');
      const user = createUser(db, { username, role: role as Role, password, ...(displayName !== undefined ? { display_name: displayName } : {}) }, CLI_ACTOR);
      io.out(`Created user ${user.username} (${user.role}).`);
      return;
    }
    case 'passwd': {
      const { values, positionals } = parse(rest, { 'password-stdin': { type: 'boolean' } }, 1);
      const user = userNamed(db, positionals[0]!);
      const password = await readPassword(values);
      setPassword(db, CLI_ACTOR, user.id, password);
      io.out(`Password of ${user.username} changed; their sessions have ended.`);
      return;
    }
    case 'disable':
    case 'enable': {
      const { positionals } = parse(rest, {}, 1);
      const user = userNamed(db, positionals[0]!);
      updateUser(db, CLI_ACTOR, user.id, undefined, { disabled: sub === 'disable' });
      io.out(sub === 'disable' ? `Disabled ${user.username}: their sessions have ended and their tokens no longer work.` : `Enabled ${user.username}.`);
      return;
    }
    case 'list': {
      parse(rest, {}, 0);
      const rows = listUsers(db).map((u) => [u.username, u.role, u.disabled ? 'disabled' : 'active', u.created_at.slice(0, 10), u.display_name]);
      for (const line of table([['USERNAME', 'ROLE', 'STATUS', 'CREATED', 'DISPLAY NAME'], ...rows])) io.out(line);
      return;
    }
    default:
      throw new UsageError(sub ? `unknown user command: ${sub}` : 'user needs a command: add, passwd, disable, enable or list');
  }
}

function tokenCommand(db: Db, args: string[], io: Io): void {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'create': {
      const { values } = parse(rest, { user: { type: 'string' }, scopes: { type: 'string' }, name: { type: 'string' }, days: { type: 'string' } }, 0);
      const user = userNamed(db, required(values, 'user'));
      const scopes = required(values, 'scopes');
      if (scopes !== 'read' && scopes !== 'read,write') throw new UsageError('--scopes must be read or read,write');
      if (!tokenScopesFor(user.role as Role).includes(scopes)) throw new Failure(`${user.username} is a ${user.role}: their tokens can only read (--scopes read)`);
      if (user.disabled) throw new Failure(`${user.username} is disabled: enable them first`);
      const daysText = text(values, 'days');
      let days: number | null = DEFAULT_TOKEN_DAYS;
      if (daysText === 'none') days = null;
      else if (daysText !== undefined) {
        if (!/^\d+$/.test(daysText)) throw new UsageError('--days must be a whole number of days, or none');
        days = Number(daysText);
      }
      const name = text(values, 'name') ?? `cli ${new Date().toISOString().slice(0, 10)}`;
      const { secret } = createToken(db, CLI_ACTOR, { userId: user.id, name, scopes: scopes as TokenScopes, expiresInDays: days });
      io.out(secret);
      return;
    }
    case 'list': {
      const { values } = parse(rest, { user: { type: 'string' } }, 0);
      const user = userNamed(db, required(values, 'user'));
      const rows = listTokens(db, user.id).map((t) => [
        String(t.id),
        `pl_${t.prefix}_…`,
        t.scopes,
        t.revoked_at ? 'revoked' : t.expires_at && Date.parse(t.expires_at) <= Date.now() ? 'expired' : 'active',
        t.expires_at?.slice(0, 10) ?? 'never',
        (t.last_used_at ? minuteOf(t.last_used_at) : 'never'),
        t.name,
      ]);
      for (const line of table([['ID', 'PREFIX', 'SCOPES', 'STATUS', 'EXPIRES', 'LAST USED', 'NAME'], ...rows])) io.out(line);
      return;
    }
    case 'revoke': {
      const { positionals } = parse(rest, {}, 1);
      if (!/^\d+$/.test(positionals[0]!)) throw new UsageError('token revoke needs the token ID (a number; see token list)');
      const id = Number(positionals[0]);
      const owner = listUsers(db).find((u) => listTokens(db, u.id).some((t) => t.id === id));
      if (!owner) throw new Failure(`no token with ID ${id}`);
      const token = revokeToken(db, CLI_ACTOR, owner.id, id);
      io.out(`Revoked token ${id} (pl_${token.prefix}_…) of ${owner.username}.`);
      return;
    }
    default:
      throw new UsageError(sub ? `unknown token command: ${sub}` : 'token needs a command: create, list or revoke');
  }
}

async function backupCommand(db: Db, dataDir: string, args: string[], io: Io): Promise<void> {
  const { positionals } = parse(args, {}, 1);
  const result = await backupTo(db, dataDir, positionals[0]!);
  io.out(`Backup written to ${result.file} (${result.bytes} bytes, integrity ok).`);
}

function explain(error: unknown): string | undefined {
  if (error instanceof Failure) return error.message;
  if (error instanceof InvalidInputError) return error.errors.map((e) => `${e.path.replace(/^\//, '').replace(/_/g, ' ')} ${e.message}`).join('; ');
  if (error instanceof NotFoundError || error instanceof ConflictError) return error.message;
  if (error instanceof Error && error.name === 'BackupError') return error.message;
  const code = (error as { code?: unknown })?.code;
  if (code === 'SQLITE_BUSY') return 'the database is busy; try again in a moment';
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') return (error as Error).message;
  return undefined;
}

export async function runCli(argv: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    if (command) {
      io.out(USAGE);
      return 0;
    }
    io.err(USAGE);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  if (!['user', 'token', 'backup'].includes(command)) {
    io.err(`error: unknown command: ${command}\n\n${USAGE}`);
    return 2;
  }
  let config;
  try {
    config = readConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const db = openDatabase(config.dbFile);
  try {
    migrateDatabase(db);
    if (command === 'user') await userCommand(db, args, io);
    else if (command === 'token') tokenCommand(db, args, io);
    else await backupCommand(db, config.dataDir, args, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    const message = explain(error);
    if (message === undefined) throw error;
    io.err(`error: ${message}`);
    return 1;
  } finally {
    db.sqlite.close();
  }
}

function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  runCli(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((error: unknown) => {
      console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    });
}
