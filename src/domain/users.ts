// People who sign in. The accounts issue adds sessions, roles on routes and the operator CLI.
import { count, eq } from 'drizzle-orm';
import { users, USER_ROLES } from '../../db/schema.js';
import type { Db } from '../db.js';
import { SYSTEM_ACTOR } from './actor.js';
import { recordAudit } from './audit.js';
import { hashPassword, randomPassword } from './passwords.js';
import { inTransaction } from './records.js';
import { nowIso } from './time.js';

export type Role = (typeof USER_ROLES)[number];
export type User = typeof users.$inferSelect;
/** A user as shown anywhere outside the domain: never the hash. */
export type PublicUser = Omit<User, 'password_hash'>;

export function toPublicUser(user: User): PublicUser {
  const { password_hash: _hidden, ...rest } = user;
  return rest;
}

export function findUserByUsername(db: Db, username: string): User | undefined {
  return db.orm.select().from(users).where(eq(users.username, username)).get();
}

export function createUser(
  db: Db,
  input: { username: string; display_name?: string; role: Role; password: string },
  actor = SYSTEM_ACTOR,
): PublicUser {
  return inTransaction(db, () => {
    const at = nowIso();
    const row = db.orm
      .insert(users)
      .values({
        username: input.username,
        display_name: input.display_name ?? input.username,
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

/**
 * Creates the `admin` user when there is no user at all. Returns the password when it was
 * generated (so that start-up can print it once), null when none was created or it was given.
 */
export function ensureAdmin(db: Db, password: string | undefined): { created: boolean; generatedPassword: string | null } {
  const existing = db.orm.select({ n: count() }).from(users).get()!.n;
  if (existing > 0) return { created: false, generatedPassword: null };
  const chosen = password ?? randomPassword();
  createUser(db, { username: 'admin', display_name: 'Administrator', role: 'admin', password: chosen });
  return { created: true, generatedPassword: password ? null : chosen };
}
