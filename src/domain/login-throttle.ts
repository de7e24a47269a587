// Slows down password guessing: after 5 failed logins for one username from one address, or 20
// from one address, within 15 minutes, further attempts are refused until the window passes.
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_USER = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < LOGIN_WINDOW_MS);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Seconds to wait before another attempt, or 0 when one is allowed now. */
  retryAfter(ip: string, username: string, now = Date.now()): number {
    const perUser = this.recent(`u:${ip}|${username}`, now);
    const perIp = this.recent(`a:${ip}`, now);
    const blocking =
      perUser.length >= MAX_FAILURES_PER_USER ? perUser[perUser.length - MAX_FAILURES_PER_USER]! : perIp.length >= MAX_FAILURES_PER_ADDRESS ? perIp[perIp.length - MAX_FAILURES_PER_ADDRESS]! : undefined;
    return blocking === undefined ? 0 : Math.ceil((blocking + LOGIN_WINDOW_MS - now) / 1000);
  }

  fail(ip: string, username: string, now = Date.now()): void {
    for (const key of [`u:${ip}|${username}`, `a:${ip}`]) this.failures.set(key, [...this.recent(key, now), now]);
  }

  succeed(ip: string, username: string): void {
    this.failures.delete(`u:${ip}|${username}`);
  }
}
