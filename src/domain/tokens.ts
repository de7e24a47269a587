// API tokens for integrators: shown once, stored as sha256, scoped `read` or `read,write`, with an
// expiry, a last-used time and revocation. A token acts as its user, within its scopes.
import { randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { api_tokens, users } from '../../db/schema.js';
import type { Db } from '../db.js';
import type { Actor } from './actor.js';
import { recordAudit } from './audit.js';
import { InvalidInputError, NotFoundError } from './errors.js';
import { inTransaction } from './records.js';
import { hashSecret, touchBestEffort } from './sessions.js';
import { nowIso } from './time.js';
import type { User } from './users.js';

export type TokenScopes = 'read' | 'read,write';
export type ApiToken = Omit<typeof api_tokens.$inferSelect, 'token_hash'>;

const LAST_USED_EVERY_MS = 60 * 1000;

export type TokenState = 'active' | 'revoked' | 'expired';

/** Whether a token still opens the API: the one rule for the API, the account and the admin pages. */
export function tokenState(t: Pick<ApiToken, 'revoked_at' | 'expires_at'>, now = Date.now()): TokenState {
  if (t.revoked_at) return 'revoked';
  if (t.expires_at && Date.parse(t.expires_at) <= now) return 'expired';
  return 'active';
}
export const MAX_TOKEN_DAYS = 366;

function publicToken(row: typeof api_tokens.$inferSelect): ApiToken {
  const { token_hash: _hidden, ...rest } = row;
  return rest;
}

/** Creates a token and returns its secret, which is never stored or shown again. */
export function createToken(
  db: Db,
  actor: Actor,
  input: { userId: number; name: string; scopes: TokenScopes; expiresInDays?: number | null },
  now = new Date(),
): { token: ApiToken; secret: string } {
  const problems = [];
  if (!input.name.trim() || input.name.length > 100) problems.push({ path: '/name', message: 'must be 1 to 100 characters' });
  if (input.expiresInDays !== undefined && input.expiresInDays !== null && (!Number.isInteger(input.expiresInDays) || input.expiresInDays < 1 || input.expiresInDays > MAX_TOKEN_DAYS)) {
    problems.push({ path: '/expires_in_days', message: `must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}` });
  }
  if (problems.length) throw new InvalidInputError(problems);
  const prefix = randomBytes(4).toString('hex');
  const secret = `pl_${prefix}_${randomBytes(24).toString('base64url')}`;
  return inTransaction(db, () => {
    const at = now.toISOString();
    const row = db.orm
      .insert(api_tokens)
      .values({
        user_id: input.userId,
        name: input.name.trim(),
        token_hash: hashSecret(secret),
        prefix,
        scopes: input.scopes,
        expires_at: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString() : null,
        created_at: at,
      })
      .returning()
      .get();
    const token = publicToken(row);
    recordAudit(db, actor, { entity: 'api_token', entityId: row.id, action: 'create', after: token }, at);
    return { token, secret };
  });
}

export interface TokenAuth {
  token: ApiToken;
  user: User;
}

export type TokenCheck = { ok: true; auth: TokenAuth } | { ok: false; reason: 'unknown' | 'revoked' | 'expired' | 'user-disabled' };

// Every API request checks its token: prepared once per connection (building the query each time
// cost more than the rest of a GET by id).
function prepareTokenStatements(db: Db) {
  return {
    byHash: db.orm
      .select({ token: api_tokens, user: users })
      .from(api_tokens)
      .innerJoin(users, eq(users.id, api_tokens.user_id))
      .where(eq(api_tokens.token_hash, sql.placeholder('hash')))
      .prepare(),
    touch: db.orm
      .update(api_tokens)
      .set({ last_used_at: sql.placeholder('at') as unknown as string })
      .where(eq(api_tokens.id, sql.placeholder('id')))
      .prepare(),
  };
}

const tokenStatements = new WeakMap<Db, ReturnType<typeof prepareTokenStatements>>();

export function verifyToken(db: Db, secret: string, now = new Date()): TokenCheck {
  if (!/^pl_[0-9a-f]{8}_[A-Za-z0-9_-]{20,64}$/.test(secret)) return { ok: false, reason: 'unknown' };
  let s = tokenStatements.get(db);
  if (!s) tokenStatements.set(db, (s = prepareTokenStatements(db)));
  const row = s.byHash.get({ hash: hashSecret(secret) });
  if (!row) return { ok: false, reason: 'unknown' };
  const state = tokenState(row.token, now.getTime());
  if (state !== 'active') return { ok: false, reason: state };
  if (row.user.disabled) return { ok: false, reason: 'user-disabled' };
  if (!row.token.last_used_at || now.getTime() - Date.parse(row.token.last_used_at) > LAST_USED_EVERY_MS) {
    touchBestEffort(db, () => s.touch.run({ at: now.toISOString(), id: row.token.id }));
  }
  return { ok: true, auth: { token: publicToken(row.token), user: row.user } };
}

export function listTokens(db: Db, userId: number): ApiToken[] {
  return db.orm.select().from(api_tokens).where(eq(api_tokens.user_id, userId)).orderBy(desc(api_tokens.id)).all().map(publicToken);
}

/** Revokes a token of `userId` (admins may pass any user's id). */
export function revokeToken(db: Db, actor: Actor, userId: number, tokenId: number): ApiToken {
  return inTransaction(db, () => {
    const before = db.orm.select().from(api_tokens).where(and(eq(api_tokens.id, tokenId), eq(api_tokens.user_id, userId))).get();
    if (!before) throw new NotFoundError('api token', tokenId);
    if (before.revoked_at) return publicToken(before);
    const at = nowIso();
    const after = db.orm.update(api_tokens).set({ revoked_at: at }).where(eq(api_tokens.id, tokenId)).returning().get();
    recordAudit(db, actor, { entity: 'api_token', entityId: tokenId, action: 'update', before: publicToken(before), after: publicToken(after) }, at);
    return publicToken(after);
  });
}

export function revokeUserTokens(db: Db, userId: number): number {
  return db.orm.update(api_tokens).set({ revoked_at: nowIso() }).where(and(eq(api_tokens.user_id, userId), isNull(api_tokens.revoked_at))).run().changes;
}
