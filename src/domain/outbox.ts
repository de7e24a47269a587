// The webhook delivery worker: polls the outbox (webhook_deliveries) for due rows and posts each
// to its hook, signed, with a timeout, a few at a time. A failure schedules a retry with
// exponential backoff; after the last attempt the delivery is `failed`. Rows stay in the database
// until delivered, so deliveries survive a restart (at least once: a receiver dedupes on
// Pitlane-Delivery). Started and stopped with the app (src/app.ts).
import type { Db } from '../db.js';
import { signatureHeader, webhookUrlProblem } from './webhooks.js';

export interface OutboxTiming {
  /** How often due deliveries are looked for. */
  pollMs: number;
  /** Per request, from connect to the end of the response headers. */
  timeoutMs: number;
  /** Deliveries in flight at once. */
  concurrency: number;
  /** Attempts before a delivery is `failed`. */
  maxAttempts: number;
  /** Retry n waits backoffBaseMs · 2^(n-1): 30 s, 1 min, 2 min, ... */
  backoffBaseMs: number;
  /** Settled deliveries older than this are deleted. */
  keepSettledMs: number;
}

const DEFAULT_TIMING: OutboxTiming = {
  pollMs: 1000,
  timeoutMs: 5000,
  concurrency: 4,
  maxAttempts: 8,
  backoffBaseMs: 30_000,
  keepSettledMs: 30 * 24 * 3600 * 1000,
};

let timing: OutboxTiming = { ...DEFAULT_TIMING };

/** Changes the worker's timing (tests use milliseconds instead of minutes); no argument resets it. */
export function setOutboxTiming(overrides?: Partial<OutboxTiming>): void {
  timing = overrides ? { ...timing, ...overrides } : { ...DEFAULT_TIMING };
}

/** The wait before retry `attempt` (1 = the first retry). */
export function backoffMs(attempt: number, t: Pick<OutboxTiming, 'backoffBaseMs'> = timing): number {
  return t.backoffBaseMs * 2 ** Math.max(attempt - 1, 0);
}

interface DueRow {
  id: number;
  event: string;
  payload: string;
  attempts: number;
  url: string;
  secret: string;
}

interface Logger {
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface OutboxWorkerOptions {
  /** PITLANE_WEBHOOK_ALLOW_PRIVATE: deliver to private addresses too. */
  allowPrivate: boolean;
  log?: Logger;
}

const USER_AGENT = 'Pitlane-Webhooks/1';
const PRUNE_EVERY_MS = 3600 * 1000;

export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private polling = false;
  private readonly inFlight = new Map<number, Promise<void>>();
  private stopController = new AbortController();
  private lastPrune = 0;

  constructor(
    private readonly db: Db,
    private readonly options: OutboxWorkerOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.stopController = new AbortController();
    this.timer = setInterval(() => void this.poll(), timing.pollMs);
    this.timer.unref();
    void this.poll();
  }

  /** Stops polling and aborts requests in flight; their rows stay pending for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stopController.abort();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** One round: picks due deliveries up to the free slots and starts them (exposed for tests). */
  async poll(): Promise<void> {
    if (this.stopped || this.polling || !this.db.sqlite.open) return;
    this.polling = true;
    try {
      const free = timing.concurrency - this.inFlight.size;
      if (free <= 0) return;
      const now = new Date().toISOString();
      const due = this.db.sqlite
        .prepare(
          `SELECT d.id, d.event, d.payload, d.attempts, w.url, w.secret
             FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND w.active = 1
              AND d.id NOT IN (SELECT value FROM json_each(?))
            ORDER BY d.next_attempt_at, d.id
            LIMIT ?`,
        )
        .all(now, JSON.stringify([...this.inFlight.keys()]), free) as DueRow[];
      for (const row of due) {
        const work = this.deliver(row).finally(() => this.inFlight.delete(row.id));
        this.inFlight.set(row.id, work);
      }
      if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
        this.lastPrune = Date.now();
        const before = new Date(Date.now() - timing.keepSettledMs).toISOString();
        this.db.sqlite.prepare(`DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < ?`).run(before);
      }
    } catch (error) {
      this.options.log?.error({ err: error }, 'webhook outbox poll failed');
    } finally {
      this.polling = false;
    }
  }

  private async deliver(row: DueRow): Promise<void> {
    let status: number | null = null;
    let error = '';
    try {
      // Again at delivery time: DNS may have changed since the hook was registered.
      const refused = await webhookUrlProblem(row.url, this.options.allowPrivate);
      if (refused) {
        error = `refused: URL ${refused}`;
      } else {
        const signal = AbortSignal.any([AbortSignal.timeout(timing.timeoutMs), this.stopController.signal]);
        const response = await fetch(row.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': USER_AGENT,
            'pitlane-event': row.event,
            'pitlane-delivery': String(row.id),
            'pitlane-signature': signatureHeader(row.secret, row.payload),
          },
          body: row.payload,
          redirect: 'manual',
          signal,
        });
        status = response.status;
        await response.body?.cancel().catch(() => undefined);
        if (status < 200 || status > 299) error = `HTTP ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`;
      }
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      if (this.stopped) return; // aborted by stop(): stays pending, unchanged
      error = err.name === 'TimeoutError' || err.name === 'AbortError' ? `no answer within ${timing.timeoutMs} ms` : `${err.cause?.code ?? err.name}: ${err.cause?.message ?? err.message}`;
    }
    if (this.stopped || !this.db.sqlite.open) return;
    this.record(row, status, error.slice(0, 500));
  }

  private record(row: DueRow, status: number | null, error: string): void {
    const at = new Date();
    const attempts = row.attempts + 1;
    try {
      if (error === '') {
        this.db.sqlite
          .prepare(`UPDATE webhook_deliveries SET status = 'delivered', attempts = ?, last_status = ?, last_error = '', delivered_at = ? WHERE id = ?`)
          .run(attempts, status, at.toISOString(), row.id);
        return;
      }
      const failed = attempts >= timing.maxAttempts;
      const next = failed ? at : new Date(at.getTime() + backoffMs(attempts));
      this.db.sqlite
        .prepare(`UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status = ?, last_error = ?, next_attempt_at = ? WHERE id = ?`)
        .run(failed ? 'failed' : 'pending', attempts, status, error, next.toISOString(), row.id);
      if (failed) this.options.log?.warn({ delivery: row.id, event: row.event, error }, 'webhook delivery failed for good');
    } catch (e) {
      this.options.log?.error({ err: e, delivery: row.id }, 'could not record a webhook delivery');
    }
  }
}
