// People who sign in, their roles, and the login check.
import { asc, count, eq } from 'drizzle-orm';
import { users, USER_ROLES } from '../../db/schema.js';
import type { Db } from '../db.js';
import { SYSTEM_ACTOR, type Actor } from './actor.js';
import { recordAudit } from './audit.js';
import { InvalidInputError, NotFoundError } from './errors.js';
import { hashPassword, randomPassword, verifyPassword } from './passwords.js';
import { passwordProblem } from './password-policy.js';
import { bumped, expectVersion, inTransaction } from './records.js';
import { endUserSessions } from './sessions.js';
import { nowIso } from './time.js';

export type Role = (typeof USER_ROLES)[number];
export type User = typeof users.$inferSelect;
/** A user as shown anywhere outside the domain: never the hash. */
export type PublicUser = Omit<User, 'password_hash'>;

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,39}$/;

export function toPublicUser(user: User): PublicUser {
  const { password_hash: _hidden, ...rest } = user;
  return rest;
}

export function findUserByUsername(db: Db, username: string): User | undefined {
  return db.orm.select().from(users).where(eq(users.username, username)).get();
}

export function findUser(db: Db, id: number): User | undefined {
  return db.orm.select().from(users).where(eq(users.id, id)).get();
}

export function getUser(db: Db, id: number): PublicUser {
  const u = findUser(db, id);
  if (!u) throw new NotFoundError('user', id);
  return toPublicUser(u);
}

export function listUsers(db: Db): PublicUser[] {
  return db.orm.select().from(users).orderBy(asc(users.username)).all().map(toPublicUser);
}

export interface UserInput {
  username: string;
  display_name?: string;
  role: Role;
  password: string;
}

function checkUserInput(input: UserInput): void {
  const problems = [];
  if (!USERNAME_PATTERN.test(input.username)) {
    problems.push({ path: '/username', message: 'must be 2–40 lower-case letters, digits, dot, dash or underscore' });
  }
  if (!(USER_ROLES as readonly string[]).includes(input.role)) problems.push({ path: '/role', message: `must be one of ${USER_ROLES.join(', ')}` });
  const bad = passwordProblem(input.password, input.username);
  if (bad) problems.push({ path: '/password', message: bad });
  if (problems.length) throw new InvalidInputError(problems);
}

export function createUser(db: Db, input: UserInput, actor: Actor = SYSTEM_ACTOR): PublicUser {
  checkUserInput(input);
  return inTransaction(db, () => {
    const at = nowIso();
    const row = db.orm
      .insert(users)
      .values({
        username: input.username,
        display_name: input.display_name?.trim() || input.username,
        role: input.role,
        password_hash: hashPassword(input.password),
        created_at: at,
        updated_at: at,
      })
      .returning()
      .get();
    const shown = toPublicUser(row);
    recordAudit(db, actor, { entity: 'user', entityId: row.id, action: 'create', after: shown }, at);
    return shown;
  });
}

export interface UserPatch {
  display_name?: string;
  role?: Role;
  disabled?: boolean;
}

/** Changes a user's name, role or access; disabling ends their sessions at once. */
export function updateUser(db: Db, actor: Actor, id: number, expectedVersion: number | undefined, patch: UserPatch): PublicUser {
  if (patch.role !== undefined && !(USER_ROLES as readonly string[]).includes(patch.role)) {
    throw new InvalidInputError([{ path: '/role', message: `must be one of ${USER_ROLES.join(', ')}` }]);
  }
  return inTransaction(db, () => {
    const current = findUser(db, id);
    if (!current) throw new NotFoundError('user', id);
    expectVersion('user', current, expectedVersion);
    const at = nowIso();
    const after = db.orm
      .update(users)
      .set({
        ...(patch.display_name !== undefined ? { display_name: patch.display_name.trim() || current.username } : {}),
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
        ...bumped(at),
      })
      .where(eq(users.id, id))
      .returning()
      .get();
    if (patch.disabled === true) endUserSessions(db, id);
    recordAudit(db, actor, { entity: 'user', entityId: id, action: 'update', before: toPublicUser(current), after: toPublicUser(after) }, at);
    return toPublicUser(after);
  });
}

/** Sets a new password; every session of that user ends (they sign in again). */
export function setPassword(db: Db, actor: Actor, id: number, password: string): void {
  const current = findUser(db, id);
  if (!current) throw new NotFoundError('user', id);
  const bad = passwordProblem(password, current.username);
  if (bad) throw new InvalidInputError([{ path: '/password', message: bad }]);
  inTransaction(db, () => {
    const at = nowIso();
    db.orm.update(users).set({ password_hash: hashPassword(password), ...bumped(at) }).where(eq(users.id, id)).run();
    endUserSessions(db, id);
    recordAudit(db, actor, { entity: 'user', entityId: id, action: 'update', before: { password: 'changed' }, after: { password: 'changed' } }, at);
  });
}

// A hash to compare against when the username is unknown, so that timing does not tell which
// usernames exist. Any valid hash with the cost of hashPassword's does (the answer is "no" whatever
// the comparison gives), so it is a constant (of a random password, thrown away): hashing one at
// start took ~50 ms, a twentieth of the time to the first answer on a large database.
export const DUMMY_HASH = 'scrypt$16384$8$1$woZ54dgUBHVFyCn51yFoBg$3DQxW5ggJSzVUcm-GIhSQ6A_K7hKz4Bamkb4gm5oMZY';

/** The user if the username and password match an enabled account. */
export function verifyLogin(db: Db, username: string, password: string): User | undefined {
  const user = findUserByUsername(db, username.trim().toLowerCase());
  const ok = verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
  if (!user || !ok || user.disabled) return undefined;
  return user;
}

/**
 * Creates the `admin` user when there is no user at all. Returns the password when it was
 * generated (so that start-up can print it once).
 */
export function ensureAdmin(db: Db, password: string | undefined): { created: boolean; generatedPassword: string | null } {
  const existing = db.orm.select({ n: count() }).from(users).get()!.n;
  if (existing > 0) return { created: false, generatedPassword: null };
  const chosen = password ?? randomPassword();
  createUser(db, { username: 'admin', display_name: 'Administrator', role: 'admin', password: chosen });
  return { created: true, generatedPassword: password ? null : chosen };
}
