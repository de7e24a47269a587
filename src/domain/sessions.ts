// Server-side sessions for the pages. The cookie holds a random id; the database keeps only its
// sha256, so a copied database yields no live session. Idle and absolute timeouts both apply.
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import { sessions, users } from '../../db/schema.js';
import { BUSY_TIMEOUT_MS, type Db } from '../db.js';
import type { User } from './users.js';

export const SESSION_IDLE_MS = 8 * 60 * 60 * 1000; // a working day at the track
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;
/** last_seen_at is written at most this often, so that reads stay reads. */
const TOUCH_EVERY_MS = 60 * 1000;

/**
 * Bookkeeping on a read (last seen, last used) must never turn a read into a failure, nor make it
 * wait: when another connection holds the write lock (an import), skip it at once instead of
 * waiting out the busy timeout; the next request records it.
 */
export function touchBestEffort(db: Db, write: () => unknown): void {
  db.sqlite.pragma('busy_timeout = 0');
  try {
    write();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') throw error;
  } finally {
    db.sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface SessionInfo {
  idHash: string;
  user: User;
  createdAt: string;
}

/** Starts a new session (a new id at every login: no fixation). Returns the cookie value. */
export function createSession(db: Db, userId: number, now = new Date()): { cookieValue: string; idHash: string } {
  const cookieValue = randomBytes(32).toString('base64url');
  const idHash = hashSecret(cookieValue);
  db.orm
    .insert(sessions)
    .values({
      id_hash: idHash,
      user_id: userId,
      csrf_secret: randomBytes(16).toString('base64url'),
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: new Date(now.getTime() + SESSION_ABSOLUTE_MS).toISOString(),
    })
    .run();
  return { cookieValue, idHash };
}

// Every page request looks its session up: prepared once per connection (building the query each
// time cost a tenth of a page).
const sessionStatements = new WeakMap<Db, { byHash: ReturnType<typeof prepareByHash> }>();

function prepareByHash(db: Db) {
  return db.orm
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.user_id))
    .where(eq(sessions.id_hash, sql.placeholder('hash')))
    .prepare();
}

/** The live session behind a cookie, or undefined (unknown, idle, expired, or user disabled). */
export function findSession(db: Db, cookieValue: string, now = new Date()): SessionInfo | undefined {
  const idHash = hashSecret(cookieValue);
  let s = sessionStatements.get(db);
  if (!s) sessionStatements.set(db, (s = { byHash: prepareByHash(db) }));
  const row = s.byHash.get({ hash: idHash });
  if (!row) return undefined;
  const t = now.getTime();
  const idle = t - Date.parse(row.session.last_seen_at) > SESSION_IDLE_MS;
  const expired = t > Date.parse(row.session.expires_at);
  if (idle || expired || row.user.disabled) {
    db.orm.delete(sessions).where(eq(sessions.id_hash, idHash)).run();
    return undefined;
  }
  if (t - Date.parse(row.session.last_seen_at) > TOUCH_EVERY_MS) {
    touchBestEffort(db, () => db.orm.update(sessions).set({ last_seen_at: now.toISOString() }).where(eq(sessions.id_hash, idHash)).run());
  }
  return { idHash, user: row.user, createdAt: row.session.created_at };
}

export function endSession(db: Db, cookieValue: string): void {
  db.orm.delete(sessions).where(eq(sessions.id_hash, hashSecret(cookieValue))).run();
}

export function endUserSessions(db: Db, userId: number): number {
  return db.orm.delete(sessions).where(eq(sessions.user_id, userId)).run().changes;
}

export function purgeExpiredSessions(db: Db, now = new Date()): number {
  const idleBefore = new Date(now.getTime() - SESSION_IDLE_MS).toISOString();
  const a = db.orm.delete(sessions).where(lt(sessions.expires_at, now.toISOString())).run().changes;
  const b = db.orm.delete(sessions).where(and(lt(sessions.last_seen_at, idleBefore))).run().changes;
  return a + b;
}
