// One clock for the domain so that a write's rows and its audit event share a timestamp.
export function nowIso(): string {
  return new Date().toISOString();
}
