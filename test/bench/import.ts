// Import benchmark: a 100,000-row test-run CSV imported through POST /api/v1/test-runs/import on
// the real app (a temporary database, a loopback port), while one client lists test runs back to
// back. Reports the list latency (p50/p99/max) during the import, the time of each phase, and what
// one write (creating a run) meets while an all-or-nothing import holds the write lock.
//
//   npx tsx test/bench/import.ts              (IMPORT_ROWS=100000 by default)
import type { AddressInfo } from 'node:net';
import { csvLine } from '../../src/domain/csv.js';
import { TEST_RUN_CSV_COLUMNS } from '../../src/domain/test-run-csv.js';
import { createTestApp } from '../support/app.js';

const ROWS = Number(process.env.IMPORT_ROWS ?? 100_000);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

async function main() {
  const t = await createTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  // No once-a-minute last_used_at touch (a write) inside the measurement: this measures reads.
  t.db.sqlite.prepare(`UPDATE api_tokens SET last_used_at = '2100-01-01T00:00:00.000Z'`).run();
  const headers = { authorization: `Bearer ${t.adminToken}` };

  const insert = (sqlText: string, ...params: unknown[]) => Number(t.db.sqlite.prepare(sqlText).run(...params).lastInsertRowid);
  const categoryId = insert(`INSERT INTO technology_categories (name) VALUES ('Inverter')`);
  const techIds: number[] = [];
  for (let i = 0; i < 20; i++) techIds.push(insert(`INSERT INTO technologies (name, domain, category_id) VALUES (?, 'hardware', ?)`, `Tech ${i}`, categoryId));
  for (let i = 0; i < 50; i++) insert(`INSERT INTO prototypes (code, kind) VALUES (?, 'dyno_rig')`, `RIG-${i}`);

  const lines = [csvLine(TEST_RUN_CSV_COLUMNS)];
  for (let i = 0; i < ROWS; i++) {
    const day = String((i % 28) + 1).padStart(2, '0');
    lines.push(
      csvLine([
        `BENCH-${i}`,
        `RIG-${i % 50}`,
        '',
        `Inverter soak ${i}`,
        'Hold qualifying power for 8 laps',
        'dyno',
        'Atsugi dyno cell 3',
        `2026-05-${day}T09:00:00Z`,
        `2026-05-${day}T10:30:00Z`,
        'completed',
        'inv-fw 5.2.1',
        'INV-05 rev C',
        'k.tanaka',
        i % 10 === 0 ? 'Derated after lap 6' : 'Held power',
        `Tech ${i % 20}:${i % 9 === 0 ? 'fail' : 'pass'};Tech ${(i + 7) % 20}:pass`,
        `Peak temp=${80 + (i % 40)} degC;Lap energy=${(1.8 + (i % 10) / 100).toFixed(2)} kWh`,
      ]),
    );
  }
  const csv = lines.join('');
  console.log(`CSV: ${ROWS.toLocaleString('en-US')} rows, ${(csv.length / 1024 / 1024).toFixed(1)} MB`);

  const started = performance.now();
  const post = await fetch(`${base}/api/v1/test-runs/import`, { method: 'POST', headers: { ...headers, 'content-type': 'text/csv' }, body: csv });
  if (post.status !== 202) throw new Error(`import answered ${post.status}: ${await post.text()}`);
  const location = post.headers.get('location')!;
  const uploaded = performance.now();

  const latencies: number[] = [];
  const phaseStart: Record<string, number> = {};
  let writeProbe: { ms: number; status: number } | undefined;
  let job: { status: string; progress: { phase: string; rows_written: number } | null; message: string };
  for (;;) {
    const t0 = performance.now();
    const list = await fetch(`${base}/api/v1/test-runs?limit=50`, { headers });
    await list.arrayBuffer();
    latencies.push(performance.now() - t0);
    if (list.status !== 200) throw new Error(`list answered ${list.status}`);
    job = (await (await fetch(`${base}${location}`, { headers })).json()) as typeof job;
    const phase = job.progress?.phase ?? job.status;
    phaseStart[phase] ??= performance.now();
    if (job.status === 'succeeded' || job.status === 'failed') break;
    if (!writeProbe && job.progress?.phase === 'writing' && job.progress.rows_written > 1000) {
      const w0 = performance.now();
      const res = await fetch(`${base}/api/v1/test-runs`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ prototype_id: 1, title: 'Logged during the import', venue_type: 'dyno', start_time: '2026-05-01T00:00:00Z', evidence: [{ technology_id: techIds[0], outcome: 'pass' }] }),
      });
      await res.arrayBuffer();
      writeProbe = { ms: performance.now() - w0, status: res.status };
    }
  }
  const finished = performance.now();
  latencies.sort((a, b) => a - b);
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`job: ${job.status}: ${job.message}`);
  console.log(
    `upload ${s(uploaded - started)}; checking ${s((phaseStart.writing ?? finished) - (phaseStart.checking ?? uploaded))}; writing ${s(finished - (phaseStart.writing ?? finished))}; total ${s(finished - started)}`,
  );
  console.log(
    `GET /api/v1/test-runs?limit=50 during the import: ${latencies.length} requests, p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`,
  );
  if (writeProbe) console.log(`one POST /api/v1/test-runs while the import writes: ${writeProbe.status} after ${writeProbe.ms.toFixed(0)} ms`);
  await t.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
