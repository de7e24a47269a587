// Webhooks: an admin registers URLs for events; every write that causes an event inserts one
// outbox row per subscribed hook (webhook_deliveries) in its own transaction, and the worker in
// src/domain/outbox.ts posts them later. A slow receiver therefore never slows a write. Target
// URLs that resolve to private, loopback, link-local or unique-local addresses are refused unless
// PITLANE_WEBHOOK_ALLOW_PRIVATE=1 (checked at registration and again at each delivery).
import { createHmac, randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { and, desc, eq, gte, sql, type SQL } from 'drizzle-orm';
import { DELIVERY_STATUSES, WEBHOOK_EVENTS, webhook_deliveries, webhooks } from '../../db/schema.js';
import type { Db } from '../db.js';
import type { Actor } from './actor.js';
import { recordAudit } from './audit.js';
import { InvalidInputError, NotFoundError, type FieldProblem } from './errors.js';
import { keyset, type KeysetSpec, type Page, type PageQuery } from './paging.js';
import { bumped, definedFields, expectVersion, inTransaction } from './records.js';
import { SUSPECT_STAGES_SQL, suspectTransfers, type SuspectTransfer } from './suspect.js';
import { nowIso } from './time.js';

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A hook as the API and pages show it: never the secret (shown once, at creation). */
export interface Webhook {
  id: number;
  url: string;
  events: WebhookEvent[];
  active: boolean;
  description: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface WebhookWithSecret extends Webhook {
  secret: string;
}

export interface WebhookInput {
  url: string;
  events: WebhookEvent[];
  description?: string;
  active?: boolean;
}
export type WebhookPatch = Partial<WebhookInput>;

export interface WebhookListQuery extends PageQuery {
  active?: boolean;
  event?: WebhookEvent;
  updated_since?: string;
}

export interface Delivery {
  id: number;
  webhook_id: number;
  event: WebhookEvent;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string;
  last_status: number | null;
  last_error: string;
  created_at: string;
  delivered_at: string | null;
  /** The body that is (or was) posted: `{ event, occurred_at, data }`. */
  payload: unknown;
}

export interface DeliveryListQuery extends PageQuery {
  status?: DeliveryStatus;
}

export const WEBHOOK_LIMITS = { url: 2000, description: 2000 } as const;

const ENTITY = 'webhook';

// ---------------------------------------------------------------------------------------------
// Addresses a webhook may not reach unless private targets are allowed

function ipv4Private(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number, number, number];
  return (
    a === 0 || // "this" network
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && ip.split('.')[2] === '0') || // IETF protocol assignments
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a >= 224 // multicast, reserved, broadcast
  );
}

/** The 8 groups of an IPv6 address (`::` expanded, an embedded dotted IPv4 tail converted). */
function ipv6Groups(ip: string): number[] | undefined {
  let text = ip.split('%')[0]!.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = text.slice(0, -v4[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const part = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<number>(Math.max(fill, 0)).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** True for private, loopback, link-local, unique-local, multicast and other non-public addresses (IPv4 and IPv6). */
export function isPrivateAddress(ip: string): boolean {
  const family = net.isIP(ip.split('%')[0]!);
  if (family === 4) return ipv4Private(ip);
  if (family !== 6) return true;
  const g = ipv6Groups(ip);
  if (!g) return true;
  const embeddedV4 = () => `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  if (g.slice(0, 7).every((x) => x === 0)) return true; // :: and ::1
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return ipv4Private(embeddedV4()); // IPv4-mapped
  if (g.slice(0, 6).every((x) => x === 0)) return true; // IPv4-compatible (deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return ipv4Private(embeddedV4()); // NAT64
  if ((g[0]! & 0xfe00) === 0xfc00) return true; // unique-local fc00::/7
  if ((g[0]! & 0xffc0) === 0xfe80 || (g[0]! & 0xffc0) === 0xfec0) return true; // link-local, old site-local
  if ((g[0]! & 0xff00) === 0xff00) return true; // multicast
  if (g[0] === 0x2001 && g[1] === 0x0db8) return true; // documentation
  if (g[0] === 0x2002) return ipv4Private(`${g[1]! >> 8}.${g[1]! & 255}.${g[2]! >> 8}.${g[2]! & 255}`); // 6to4
  return false;
}

/** Every address the host of `url` resolves to (an IP literal resolves to itself). */
async function resolveHost(url: URL): Promise<string[]> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (net.isIP(host)) return [host];
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((a) => a.address);
}

/**
 * Why `raw` may not be a webhook target, or undefined when it may: an http(s) URL without
 * credentials whose host resolves, and (unless `allowPrivate`) only to public addresses.
 */
export async function webhookUrlProblem(raw: string, allowPrivate: boolean): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not contain a user name or password: receivers check the Pitlane-Signature header instead';
  if (raw.length > WEBHOOK_LIMITS.url) return `must be at most ${WEBHOOK_LIMITS.url} characters`;
  let addresses: string[];
  try {
    addresses = await resolveHost(url);
  } catch {
    return `host ${url.hostname} does not resolve`;
  }
  if (addresses.length === 0) return `host ${url.hostname} does not resolve`;
  if (!allowPrivate) {
    const blocked = addresses.find(isPrivateAddress);
    if (blocked) {
      return `${url.hostname} resolves to ${blocked}, a private, loopback or link-local address; webhooks go to public addresses only (PITLANE_WEBHOOK_ALLOW_PRIVATE=1 allows others)`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Signing

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('hex')}`;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`: the Pitlane-Signature header. */
export function signatureHeader(secret: string, body: string, unixSeconds: number = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

// ---------------------------------------------------------------------------------------------
// Hooks

type Row = typeof webhooks.$inferSelect;

function parseEvents(value: string): WebhookEvent[] {
  const set = new Set(value.split(','));
  return WEBHOOK_EVENTS.filter((e) => set.has(e));
}

function joinEvents(events: readonly WebhookEvent[]): string {
  const set = new Set(events);
  return WEBHOOK_EVENTS.filter((e) => set.has(e)).join(',');
}

function toWebhook(row: Row): Webhook {
  return {
    id: row.id,
    url: row.url,
    events: parseEvents(row.events),
    active: row.active,
    description: row.description,
    version: row.version,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

const SORT: KeysetSpec = {
  fields: { id: webhooks.id, updated_at: webhooks.updated_at },
  id: webhooks.id,
  defaultSort: 'id',
};

const eventMatch = (event: string) => sql`(',' || ${webhooks.events} || ',') LIKE ${`%,${event},%`}`;

export function listWebhooks(db: Db, query: WebhookListQuery): Page<Webhook> {
  const ks = keyset(SORT, query);
  const where: (SQL | undefined)[] = [ks.where];
  if (query.active !== undefined) where.push(eq(webhooks.active, query.active));
  if (query.event) where.push(eventMatch(query.event));
  if (query.updated_since) where.push(gte(webhooks.updated_at, query.updated_since));
  const rows = db.orm.select().from(webhooks).where(and(...where)).orderBy(...ks.orderBy).limit(ks.limit + 1).all();
  const page = ks.page(rows);
  return { items: page.items.map(toWebhook), next_cursor: page.next_cursor };
}

export function findWebhook(db: Db, id: number): Webhook | undefined {
  const row = db.orm.select().from(webhooks).where(eq(webhooks.id, id)).get();
  return row ? toWebhook(row) : undefined;
}

export function getWebhook(db: Db, id: number): Webhook {
  const hook = findWebhook(db, id);
  if (!hook) throw new NotFoundError(ENTITY, id);
  return hook;
}

/** Shape checks for callers without a schema (pages); the API schema enforces the same. */
function shapeProblems(input: WebhookPatch, creating: boolean): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (creating || input.events !== undefined) {
    const events = input.events;
    if (!Array.isArray(events) || events.length === 0) problems.push({ path: '/events', message: 'choose at least one event' });
    else {
      events.forEach((e, i) => {
        if (!WEBHOOK_EVENTS.includes(e)) problems.push({ path: `/events/${i}`, message: `must be one of ${WEBHOOK_EVENTS.join(', ')}` });
      });
    }
  }
  if (creating && (typeof input.url !== 'string' || input.url.trim() === '')) problems.push({ path: '/url', message: 'is required' });
  if (input.description !== undefined && (typeof input.description !== 'string' || input.description.length > WEBHOOK_LIMITS.description)) {
    problems.push({ path: '/description', message: `must be at most ${WEBHOOK_LIMITS.description} characters` });
  }
  return problems;
}

async function checkInput(input: WebhookPatch, creating: boolean, allowPrivate: boolean): Promise<void> {
  const problems = shapeProblems(input, creating);
  if (typeof input.url === 'string' && input.url.trim() !== '') {
    const why = await webhookUrlProblem(input.url.trim(), allowPrivate);
    if (why) problems.push({ path: '/url', message: why });
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
}

/** Registers a hook; the answer carries its signing secret, which is never shown again. */
export async function createWebhook(db: Db, actor: Actor, input: WebhookInput, options: { allowPrivate: boolean }): Promise<WebhookWithSecret> {
  await checkInput(input, true, options.allowPrivate);
  const secret = newWebhookSecret();
  const created = inTransaction(db, () => {
    const at = nowIso();
    const row = db.orm
      .insert(webhooks)
      .values({
        url: input.url.trim(),
        events: joinEvents(input.events),
        secret,
        active: input.active ?? true,
        description: input.description ?? '',
        created_at: at,
        updated_at: at,
      })
      .returning()
      .get();
    const after = toWebhook(row);
    recordAudit(db, actor, { entity: ENTITY, entityId: row.id, action: 'create', after }, at);
    return after;
  });
  return { ...created, secret };
}

export async function updateWebhook(
  db: Db,
  actor: Actor,
  id: number,
  expectedVersion: number | undefined,
  patch: WebhookPatch,
  options: { allowPrivate: boolean },
): Promise<Webhook> {
  getWebhook(db, id);
  await checkInput(patch, false, options.allowPrivate);
  return inTransaction(db, () => {
    const before = getWebhook(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    const { events, url, ...fields } = definedFields(patch);
    const at = nowIso();
    db.orm
      .update(webhooks)
      .set({
        ...fields,
        ...(url !== undefined ? { url: url.trim() } : {}),
        ...(events !== undefined ? { events: joinEvents(events) } : {}),
        ...bumped(at),
      })
      .where(eq(webhooks.id, id))
      .run();
    const after = getWebhook(db, id);
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'update', before, after }, at);
    return after;
  });
}

/** A hook owns its deliveries: they go with it. */
export function deleteWebhook(db: Db, actor: Actor, id: number, expectedVersion: number | undefined): void {
  inTransaction(db, () => {
    const before = getWebhook(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    db.orm.delete(webhook_deliveries).where(eq(webhook_deliveries.webhook_id, id)).run();
    db.orm.delete(webhooks).where(eq(webhooks.id, id)).run();
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'delete', before });
  });
}

// ---------------------------------------------------------------------------------------------
// The outbox: written in the transaction of the change

/** The body every delivery posts. */
export interface WebhookEnvelope<T = unknown> {
  event: WebhookEvent;
  occurred_at: string;
  data: T;
}

const subscribersSql = `SELECT id FROM webhooks WHERE active = 1 AND (',' || events || ',') LIKE ?`;

// Every audited write asks whether anyone listens: prepared once per connection.
const outboxStatements = new WeakMap<Db, ReturnType<typeof prepareOutbox>>();

function prepareOutbox(db: Db) {
  return {
    subscribers: db.sqlite.prepare<[string], number>(subscribersSql).pluck(),
    anySubscriber: db.sqlite.prepare<[string], number>(`${subscribersSql} LIMIT 1`).pluck(),
    affected: db.sqlite.prepare<[string], number>(AFFECTED_SQL).pluck(),
    insert: db.sqlite.prepare(
      `INSERT INTO webhook_deliveries (webhook_id, event, payload, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, 'pending', 0, ?, ?)`,
    ),
  };
}

function outbox(db: Db) {
  let s = outboxStatements.get(db);
  if (!s) outboxStatements.set(db, (s = prepareOutbox(db)));
  return s;
}

function subscribers(db: Db, event: WebhookEvent): number[] {
  return outbox(db).subscribers.all(`%,${event},%`);
}

/** True when at least one active hook listens to `event` (lets callers skip costly payloads). */
export function hasSubscribers(db: Db, event: WebhookEvent): boolean {
  return outbox(db).anySubscriber.get(`%,${event},%`) !== undefined;
}

/**
 * Queues `event` for every active hook that subscribed to it. Call it INSIDE the transaction of
 * the write that caused the event: the rows commit or roll back with it. Returns the rows queued.
 */
export function enqueueEvent(db: Db, event: WebhookEvent, data: unknown, at: string = nowIso()): number {
  const hooks = subscribers(db, event);
  if (hooks.length === 0) return 0;
  const payload = JSON.stringify({ event, occurred_at: at, data } satisfies WebhookEnvelope);
  const { insert } = outbox(db);
  for (const id of hooks) insert.run(id, event, payload, at, at);
  return hooks.length;
}

/** `readiness.changed` when the current level of a technology's target moved (call in the transaction). */
export function readinessChanged(
  db: Db,
  technologyId: number,
  target: string,
  before: { id: number; level: number } | null,
  after: { id: number; level: number } | null,
  at: string = nowIso(),
): void {
  if ((before?.level ?? null) === (after?.level ?? null)) return;
  enqueueEvent(
    db,
    'readiness.changed',
    { technology_id: technologyId, target, level: after?.level ?? null, previous_level: before?.level ?? null, assessment_id: after?.id ?? null },
    at,
  );
}

// transfer.suspect: suspicion is computed at query time (src/domain/suspect.ts), so a write that
// may change it compares the suspect transfers of the technologies it touched (and of every
// technology deriving from them) before and after, inside its transaction.

const AFFECTED_SQL = `
  WITH RECURSIVE down(id) AS (
    SELECT value FROM json_each(?)
    UNION
    SELECT d.child_id FROM technology_derivations d JOIN down ON d.parent_id = down.id
  )
  SELECT DISTINCT t.id FROM transfers t JOIN down ON down.id = t.technology_id
   WHERE t.stage IN (${SUSPECT_STAGES_SQL})`;

/** The suspect ones among `transferIds`, by transfer id: one pass, scoped to those transfers. */
function suspectsOf(db: Db, transferIds: number[]): Map<number, SuspectTransfer> {
  return new Map(suspectTransfers(db, { transferIds }).map((s) => [s.transfer_id, s]));
}

export interface SuspectWatch {
  /** Queues `transfer.suspect` for each transfer that is suspect now and was not before. */
  emit(at?: string): void;
}

const IDLE_WATCH: SuspectWatch = { emit() {} };

/**
 * Call before a write that may make transfers suspect (a test run write, a technology update),
 * inside its transaction, with the technologies it touches; call `emit()` after the write (and
 * its audit event). Costs one query when no hook listens to `transfer.suspect`.
 */
export function watchSuspects(db: Db, technologyIds: Iterable<number>): SuspectWatch {
  const ids = [...new Set(technologyIds)];
  if (ids.length === 0 || !hasSubscribers(db, 'transfer.suspect')) return IDLE_WATCH;
  const affected = outbox(db).affected.all(JSON.stringify(ids));
  if (affected.length === 0) return IDLE_WATCH;
  const before = suspectsOf(db, affected);
  return {
    emit(at = nowIso()) {
      for (const [transferId, s] of suspectsOf(db, affected)) {
        if (before.has(transferId)) continue;
        enqueueEvent(db, 'transfer.suspect', { transfer_id: s.transfer_id, technology_id: s.technology_id, road_model_id: s.road_model_id, reasons: s.reasons }, at);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Deliveries as the admin sees them

type DeliveryRow = typeof webhook_deliveries.$inferSelect;

function toDelivery(row: DeliveryRow): Delivery {
  let payload: unknown = null;
  try {
    payload = JSON.parse(row.payload);
  } catch {
    payload = row.payload;
  }
  return {
    id: row.id,
    webhook_id: row.webhook_id,
    event: row.event as WebhookEvent,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    next_attempt_at: row.next_attempt_at,
    last_status: row.last_status,
    last_error: row.last_error,
    created_at: row.created_at,
    delivered_at: row.delivered_at,
    payload,
  };
}

const DELIVERY_SORT: KeysetSpec = { fields: { id: webhook_deliveries.id }, id: webhook_deliveries.id, defaultSort: '-id' };

/** Deliveries newest first, of one hook or (webhookId undefined) of all. */
export function listDeliveries(db: Db, webhookId: number | undefined, query: DeliveryListQuery): Page<Delivery> {
  if (webhookId !== undefined) getWebhook(db, webhookId);
  const ks = keyset(DELIVERY_SORT, { ...query, sort: '-id' });
  const where: (SQL | undefined)[] = [ks.where];
  if (webhookId !== undefined) where.push(eq(webhook_deliveries.webhook_id, webhookId));
  if (query.status) where.push(eq(webhook_deliveries.status, query.status));
  const rows = db.orm
    .select()
    .from(webhook_deliveries)
    .where(and(...where))
    .orderBy(desc(webhook_deliveries.id))
    .limit(ks.limit + 1)
    .all();
  const page = ks.page(rows);
  return { items: page.items.map(toDelivery), next_cursor: page.next_cursor };
}

export function getDelivery(db: Db, webhookId: number, deliveryId: number): Delivery {
  const row = db.orm
    .select()
    .from(webhook_deliveries)
    .where(and(eq(webhook_deliveries.id, deliveryId), eq(webhook_deliveries.webhook_id, webhookId)))
    .get();
  if (!row) throw new NotFoundError('webhook delivery', deliveryId);
  return toDelivery(row);
}

/** Sends a delivery again as soon as the worker runs: one more attempt, even after `failed`. */
export function retryDelivery(db: Db, webhookId: number, deliveryId: number): Delivery {
  return inTransaction(db, () => {
    const current = getDelivery(db, webhookId, deliveryId);
    if (current.status === 'delivered') return current;
    db.orm
      .update(webhook_deliveries)
      .set({ status: 'pending', next_attempt_at: nowIso() })
      .where(eq(webhook_deliveries.id, deliveryId))
      .run();
    return getDelivery(db, webhookId, deliveryId);
  });
}

/** Counts per status, for the admin page. */
export function deliveryCounts(db: Db): Record<DeliveryStatus, number> {
  const rows = db.sqlite.prepare(`SELECT status, count(*) AS n FROM webhook_deliveries GROUP BY status`).all() as { status: DeliveryStatus; n: number }[];
  const out = { pending: 0, delivered: 0, failed: 0 } as Record<DeliveryStatus, number>;
  for (const r of rows) out[r.status] = r.n;
  return out;
}
