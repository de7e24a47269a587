// One clock for the domain so that a write's rows and its audit event share a timestamp.
export function nowIso(): string {
  return new Date().toISOString();
}

/** A stored time to the minute, as people read it (UTC, as stored): `2026-05-14T09:30:00.000Z` → `2026-05-14 09:30`. */
export function minuteOf(iso: string): string {
  return iso.replace('T', ' ').slice(0, 16);
}
