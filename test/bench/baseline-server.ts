// The benchmark's baseline, the practical limit: a bare Fastify server (no auth, no validation, no
// plugins) answering the benchmarked API requests with the same SQL as Pitlane run through raw
// better-sqlite3 prepared statements, and the same JSON (same items, same cursors). Run by
// test/bench/run.ts in its own process:
//
//   BASELINE_DB=<file> PORT=<port> node --import tsx test/bench/baseline-server.ts
import Database from 'better-sqlite3';
import Fastify from 'fastify';

const file = process.env.BASELINE_DB;
if (!file) throw new Error('BASELINE_DB is required');
const db = new Database(file);
// The pragmas of src/db.ts: the same durability for the writes.
db.pragma('journal_mode = WAL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = FULL');

const COLUMNS = `id, code, prototype_id, program_id, title, objective, venue_type, location, start_time, end_time, status,
  software_version, hardware_revision, engineer, result_summary, demo, version, created_at, updated_at`;

interface RunRow {
  id: number;
  start_time: string;
  demo: number | boolean;
  [key: string]: unknown;
}

const measurementsOf = db.prepare(
  `SELECT test_run_id, name, value, unit FROM measurements WHERE test_run_id IN (SELECT value FROM json_each(?)) ORDER BY test_run_id, position`,
);
const evidenceOf = db.prepare(
  `SELECT test_run_id, technology_id, outcome, notes FROM evidence WHERE test_run_id IN (SELECT value FROM json_each(?)) ORDER BY test_run_id, evidence.rowid`,
);
const runById = db.prepare(`SELECT ${COLUMNS} FROM test_runs WHERE id = ?`);

/** The page's children in one query per table, as src/domain/test-runs.ts does. */
function withChildren(rows: RunRow[]) {
  const ids = JSON.stringify(rows.map((r) => r.id));
  const ms = new Map<number, unknown[]>();
  for (const m of measurementsOf.all(ids) as { test_run_id: number; name: string; value: number; unit: string }[]) {
    let list = ms.get(m.test_run_id);
    if (!list) ms.set(m.test_run_id, (list = []));
    list.push({ name: m.name, value: m.value, unit: m.unit });
  }
  const ev = new Map<number, unknown[]>();
  for (const e of evidenceOf.all(ids) as { test_run_id: number; technology_id: number; outcome: string; notes: string }[]) {
    let list = ev.get(e.test_run_id);
    if (!list) ev.set(e.test_run_id, (list = []));
    list.push({ technology_id: e.technology_id, outcome: e.outcome, notes: e.notes });
  }
  return rows.map((r) => ({ ...r, demo: r.demo === 1, measurements: ms.get(r.id) ?? [], evidence: ev.get(r.id) ?? [] }));
}

// Filters, each from its query parameter: the conditions Pitlane's list builds.
const FILTERS: Record<string, string> = {
  prototype_id: 'prototype_id = @prototype_id',
  program_id: 'program_id = @program_id',
  technology_id: 'id IN (SELECT test_run_id FROM evidence WHERE technology_id = @technology_id)',
  technology_outcome: 'id IN (SELECT test_run_id FROM evidence WHERE technology_id = @technology_id AND outcome = @technology_outcome)',
  outcome: 'EXISTS (SELECT 1 FROM evidence WHERE evidence.test_run_id = test_runs.id AND evidence.outcome = @outcome)',
  status: 'status = @status',
  venue_type: 'venue_type = @venue_type',
  started_after: 'start_time >= @started_after',
  started_before: 'start_time < @started_before',
  q: 'id IN (SELECT rowid FROM test_runs_fts WHERE test_runs_fts MATCH @q)',
  cursor: '(start_time < @cursor_value OR (start_time = @cursor_value AND id < @cursor_id))',
};
const statements = new Map<string, Database.Statement>();

function listStatement(used: string[]): Database.Statement {
  const key = used.join(' ');
  let statement = statements.get(key);
  if (!statement) {
    const where = used.length ? `WHERE ${used.map((u) => FILTERS[u]).join(' AND ')}` : '';
    statement = db.prepare(`SELECT ${COLUMNS} FROM test_runs ${where} ORDER BY start_time DESC, id DESC LIMIT @limit`);
    statements.set(key, statement);
  }
  return statement;
}

const cursorOf = (row: RunRow) => Buffer.from(JSON.stringify({ s: '-start_time', v: row.start_time, i: row.id })).toString('base64url');
const iso = (value: string) => new Date(value).toISOString();

const app = Fastify({ logger: false });

// GET /api/v1/test-runs with the parameters the benchmark sends (sort: the default, -start_time).
app.get('/api/v1/test-runs', async (request, reply) => {
  const query = request.query as Record<string, string | undefined>;
  const limit = Math.min(Number(query.limit ?? 50), 200);
  const params: Record<string, unknown> = { limit: limit + 1 };
  const used: string[] = [];
  const use = (name: string, value: unknown) => {
    if (value === undefined || value === '') return;
    params[name] = value;
    used.push(name);
  };
  use('prototype_id', query.prototype_id === undefined ? undefined : Number(query.prototype_id));
  use('program_id', query.program_id === undefined ? undefined : Number(query.program_id));
  if (query.technology_id !== undefined && query.outcome !== undefined) {
    params.technology_id = Number(query.technology_id);
    use('technology_outcome', query.outcome);
  } else {
    use('technology_id', query.technology_id === undefined ? undefined : Number(query.technology_id));
    use('outcome', query.outcome);
  }
  use('status', query.status);
  use('venue_type', query.venue_type);
  use('started_after', query.started_after && iso(query.started_after));
  use('started_before', query.started_before && iso(query.started_before));
  // Words of 3+ characters, each an FTS string, as src/domain/search.ts quotes them.
  use('q', query.q?.trim() ? query.q.trim().split(/\s+/u).map((t) => `"${t.replace(/"/g, '""')}"`).join(' AND ') : undefined);
  if (query.cursor) {
    const c = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as { v: string; i: number };
    params.cursor_value = c.v;
    params.cursor_id = c.i;
    used.push('cursor');
  }
  const rows = listStatement(used).all(params) as RunRow[];
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const next_cursor = more ? cursorOf(items[items.length - 1]!) : null;
  if (next_cursor) {
    const url = new URL(request.url, 'http://x');
    url.searchParams.set('cursor', next_cursor);
    reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
  }
  return { items: withChildren(items), next_cursor };
});

app.get('/api/v1/test-runs/:id', async (request, reply) => {
  const row = runById.get(Number((request.params as { id: string }).id)) as RunRow | undefined;
  if (!row) return reply.code(404).send({ title: 'not found' });
  reply.header('etag', `"${row.version as number}"`);
  return withChildren([row])[0];
});

// POST: the run and its children in one transaction, answered with the stored item.
const insertRun = db.prepare(
  `INSERT INTO test_runs (code, prototype_id, program_id, title, objective, venue_type, location, start_time, end_time, status,
     software_version, hardware_revision, engineer, result_summary, created_at, updated_at)
   VALUES (@code, @prototype_id, @program_id, @title, @objective, @venue_type, @location, @start_time, @end_time, @status,
     @software_version, @hardware_revision, @engineer, @result_summary, @at, @at)`,
);
const insertMeasurement = db.prepare(`INSERT INTO measurements (test_run_id, position, name, value, unit) VALUES (?, ?, ?, ?, ?)`);
const insertEvidence = db.prepare(`INSERT INTO evidence (test_run_id, technology_id, outcome, notes) VALUES (?, ?, ?, ?)`);
let counter = 0;
const create = db.transaction((body: Record<string, any>) => {
  const at = new Date().toISOString();
  const id = Number(
    insertRun.run({
      code: `RAW-${process.pid}-${++counter}`,
      prototype_id: body.prototype_id,
      program_id: body.program_id ?? null,
      title: body.title,
      objective: body.objective ?? '',
      venue_type: body.venue_type,
      location: body.location ?? '',
      start_time: iso(body.start_time),
      end_time: body.end_time ? iso(body.end_time) : null,
      status: body.status ?? 'completed',
      software_version: body.software_version ?? '',
      hardware_revision: body.hardware_revision ?? '',
      engineer: body.engineer ?? 'admin',
      result_summary: body.result_summary ?? '',
      at,
    }).lastInsertRowid,
  );
  (body.measurements ?? []).forEach((m: { name: string; value: number; unit?: string }, i: number) => insertMeasurement.run(id, i, m.name, m.value, m.unit ?? ''));
  for (const e of body.evidence as { technology_id: number; outcome: string; notes?: string }[]) insertEvidence.run(id, e.technology_id, e.outcome, e.notes ?? '');
  return withChildren([runById.get(id) as RunRow])[0]! as unknown as { id: number; version: number };
});
app.post('/api/v1/test-runs', async (request, reply) => {
  const item = create(request.body as Record<string, unknown>);
  return reply.code(201).header('location', `/api/v1/test-runs/${item.id}`).header('etag', `"${item.version as number}"`).send(item);
});

app.get('/health', async () => ({ status: 'ok' }));

const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(`baseline listening on ${address}`);
const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
