// The CSV import benchmark: a seeded file of new test runs (the export's layout), imported through
// the API as a job (POST /api/v1/test-runs/import, then GET /api/v1/jobs/{id} until it ends),
// against a raw prepared-statement insert of the same rows (runs, measurements, evidence; the FTS
// triggers on) in one transaction into a copy of the same database.
import fs from 'node:fs';
import { csvLine } from '../../src/domain/csv.js';
import { openDatabase } from '../../src/db.js';
import { TEST_RUN_CSV_COLUMNS } from '../../src/domain/test-run-csv.js';
import { prng } from './lineage.js';

export interface ImportRow {
  code: string;
  prototype_id: number;
  prototype: string;
  program_id: number | null;
  title: string;
  objective: string;
  venue_type: string;
  location: string;
  start_time: string;
  end_time: string;
  status: string;
  software_version: string;
  hardware_revision: string;
  engineer: string;
  result_summary: string;
  evidence: { technology_id: number; technology: string; outcome: string }[];
  measurements: { name: string; value: number; unit: string }[];
}

export interface ImportSource {
  prototypeIds: number[];
  prototypeCodes: string[];
  technologyIds: number[];
  technologyNames: string[];
  programIds: number[];
}

const VENUES = ['track', 'dyno', 'bench', 'hil', 'wind_tunnel'];
const OUTCOMES = ['pass', 'pass', 'fail', 'inconclusive'];

/** `count` rows with new codes (IM-000001, …): every row creates a run. */
export function importRows(source: ImportSource, count: number, seed = 11): ImportRow[] {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const rows: ImportRow[] = [];
  const start = Date.UTC(2025, 0, 1);
  for (let i = 0; i < count; i++) {
    const p = int(source.prototypeIds.length);
    const techs = new Set<number>();
    const n = 1 + int(3);
    while (techs.size < n) techs.add(int(source.technologyIds.length));
    const at = new Date(start + i * 60_000);
    rows.push({
      code: `IM-${String(i + 1).padStart(6, '0')}`,
      prototype_id: source.prototypeIds[p]!,
      prototype: source.prototypeCodes[p]!,
      program_id: rnd() < 0.3 ? source.programIds[int(source.programIds.length)]! : null,
      title: `Imported run ${i + 1}`,
      objective: 'Bulk-logged from the rig computer',
      venue_type: VENUES[int(VENUES.length)]!,
      location: 'Atsugi bench 2',
      start_time: at.toISOString(),
      end_time: new Date(at.getTime() + 3_600_000).toISOString(),
      status: 'completed',
      software_version: `fw ${int(6)}.${int(10)}`,
      hardware_revision: 'rev C',
      engineer: 'k.tanaka',
      result_summary: 'Passed',
      evidence: [...techs].map((t) => ({ technology_id: source.technologyIds[t]!, technology: source.technologyNames[t]!, outcome: OUTCOMES[int(OUTCOMES.length)]! })),
      measurements: Array.from({ length: int(5) }, (_, k) => ({ name: `Channel ${k}`, value: Math.round(rnd() * 10_000) / 100, unit: 'degC' })),
    });
  }
  return rows;
}

/** Writes the rows as an import file; returns its size in bytes. */
export function writeImportCsv(file: string, rows: ImportRow[]): number {
  const lines = [TEST_RUN_CSV_COLUMNS.join(',')];
  for (const r of rows) {
    const cells: Record<string, string> = {
      ...Object.fromEntries(TEST_RUN_CSV_COLUMNS.map((c) => [c, String((r as unknown as Record<string, unknown>)[c] ?? '')])),
      program_id: r.program_id === null ? '' : String(r.program_id),
      evidence: r.evidence.map((e) => `${e.technology}:${e.outcome}`).join(';'),
      measurements: r.measurements.map((m) => `${m.name}=${m.value} ${m.unit}`).join(';'),
    };
    lines.push(csvLine(TEST_RUN_CSV_COLUMNS.map((c) => cells[c]!)));
  }
  const text = `${lines.join('\r\n')}\r\n`;
  fs.writeFileSync(file, text);
  return Buffer.byteLength(text);
}

/** Inserts the rows with raw prepared statements in one transaction; returns the seconds it took. */
export function rawInsert(dbFile: string, rows: ImportRow[]): number {
  const db = openDatabase(dbFile);
  try {
    const s = db.sqlite;
    const insertRun = s.prepare(
      `INSERT INTO test_runs (code, prototype_id, program_id, title, objective, venue_type, location, start_time, end_time, status,
         software_version, hardware_revision, engineer, result_summary, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertMeasurement = s.prepare(`INSERT INTO measurements (test_run_id, position, name, value, unit) VALUES (?, ?, ?, ?, ?)`);
    const insertEvidence = s.prepare(`INSERT INTO evidence (test_run_id, technology_id, outcome, notes) VALUES (?, ?, ?, '')`);
    const t = performance.now();
    s.transaction(() => {
      const at = new Date().toISOString();
      for (const r of rows) {
        const id = insertRun.run(
          r.code, r.prototype_id, r.program_id, r.title, r.objective, r.venue_type, r.location, r.start_time, r.end_time, r.status,
          r.software_version, r.hardware_revision, r.engineer, r.result_summary, at, at,
        ).lastInsertRowid;
        r.measurements.forEach((m, i) => insertMeasurement.run(id, i, m.name, m.value, m.unit));
        for (const e of r.evidence) insertEvidence.run(id, e.technology_id, e.outcome);
      }
    })();
    return (performance.now() - t) / 1000;
  } finally {
    db.sqlite.close();
  }
}

export interface ApiImportResult {
  seconds: number;
  status: string;
  rows_created: number;
  error_count: number;
  message: string;
}

/** Uploads the file as text/csv and waits for the job to end; the time runs from the upload to the end. */
export async function importThroughApi(baseUrl: string, token: string, file: string): Promise<ApiImportResult> {
  const headers = { authorization: `Bearer ${token}` };
  const t = performance.now();
  const res = await fetch(`${baseUrl}/api/v1/test-runs/import`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'text/csv' },
    body: fs.readFileSync(file),
  });
  if (res.status !== 202) throw new Error(`import answered ${res.status}: ${await res.text()}`);
  const location = res.headers.get('location')!;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const job = (await (await fetch(`${baseUrl}${location}`, { headers })).json()) as Record<string, unknown>;
    if (job.status === 'succeeded' || job.status === 'failed') {
      return {
        seconds: (performance.now() - t) / 1000,
        status: job.status,
        rows_created: job.rows_created as number,
        error_count: job.error_count as number,
        message: job.message as string,
      };
    }
  }
}
