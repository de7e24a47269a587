// The test-run CSV layout, shared by the export and the import: one row per run, one column per
// field, the run's evidence and measurements as small lists inside one cell each.
//
//   evidence      `e-4ORCE control:pass;Tyres:fail:Grained after 8 laps`
//                 technology name:outcome[:notes] items separated by `;`
//   measurements  `Lap time=92.31 s;Peak power=350 kW;Ratio=0.5`
//                 name=value[ unit] items separated by `;` (the unit follows the first space)
//
// Escaping inside those two cells: a `;`, `:`, `=` or `\` that belongs to a name, unit or note is
// written with a backslash before it (`Aero\: front wing:pass`, `C\\temp`); a backslash before any
// other character is kept as it is. Spaces around items and around their parts are ignored.
//
// Programs are named by id (`program_id`): programs have no short unique key, and the id is what
// the API and the program pages show. Prototypes are named by code and technologies by name; both
// are unique, and a name that matches in another letter case only is accepted when it is the only one.
//
// The run code is the key of an import: a code that exists updates that run, a new code creates
// one, and an empty code creates a run with a generated code (so re-importing such a file creates
// the runs again; the export always writes codes). Text cells lose the formula-injection prefix
// the export adds (`'=SUM(A1)` → `=SUM(A1)`, DESIGN §4) before anything else reads them.
import { prototypes, technologies } from '../../db/schema.js';
import type { Db } from '../db.js';
import { csvLine, stripInjectionPrefix, toCsv, type CsvOptions } from './csv.js';
import type { FieldProblem } from './errors.js';
import { EVIDENCE_OUTCOMES } from '../../db/schema.js';
import type { EvidenceInput, EvidenceOutcome, MeasurementInput, TestRun, TestRunInput } from './test-runs.js';

export const TEST_RUN_CSV_COLUMNS = [
  'code',
  'prototype',
  'program_id',
  'title',
  'objective',
  'venue_type',
  'location',
  'start_time',
  'end_time',
  'status',
  'software_version',
  'hardware_revision',
  'engineer',
  'result_summary',
  'evidence',
  'measurements',
] as const;

export type TestRunCsvColumn = (typeof TEST_RUN_CSV_COLUMNS)[number];
export type TestRunCsvRow = Record<TestRunCsvColumn, string>;

/** A problem of one cell: the column (header name, '' for the whole row) and what is wrong. */
export interface CsvCellProblem {
  column: string;
  message: string;
}

/** The mapping as documentation: the import page's table and the API operation's description. */
export const TEST_RUN_CSV_MAPPING: { column: TestRunCsvColumn; required: boolean; meaning: string; example: string }[] = [
  { column: 'code', required: false, meaning: 'The run code, the key of the import: an existing code updates that run, a new one creates it. Empty: a new run with a generated code (TR-YYYY-NNNN).', example: 'TR-2026-0042' },
  { column: 'prototype', required: true, meaning: 'The prototype, by its code.', example: 'FE-MULE-07' },
  { column: 'program_id', required: false, meaning: 'The program (race context), by its id as shown on the program page. Empty: none.', example: '3' },
  { column: 'title', required: true, meaning: 'Title of the run.', example: 'Inverter thermal soak' },
  { column: 'objective', required: false, meaning: 'What the run set out to show.', example: 'Hold 350 kW for 8 laps' },
  { column: 'venue_type', required: true, meaning: 'One of track, race_event, dyno, bench, hil, sil, simulator, wind_tunnel.', example: 'dyno' },
  { column: 'location', required: false, meaning: 'Where it ran.', example: 'Atsugi dyno cell 3' },
  { column: 'start_time', required: true, meaning: 'Start, RFC 3339 date-time with a time zone.', example: '2026-05-14T09:30:00Z' },
  { column: 'end_time', required: false, meaning: 'End, RFC 3339; not before the start. Empty: not recorded.', example: '2026-05-14T11:00:00Z' },
  { column: 'status', required: false, meaning: 'planned, running, completed or aborted. Empty: completed for a new run, unchanged for an existing one.', example: 'completed' },
  { column: 'software_version', required: false, meaning: 'Software under test.', example: 'inv-fw 5.2.1' },
  { column: 'hardware_revision', required: false, meaning: 'Hardware under test.', example: 'INV-05 rev C' },
  { column: 'engineer', required: false, meaning: 'Who ran it. Empty: the importing user for a new run, unchanged for an existing one.', example: 'k.tanaka' },
  { column: 'result_summary', required: false, meaning: 'The result in a sentence or two.', example: 'Passed with 4 degC margin' },
  { column: 'evidence', required: true, meaning: 'Technologies exercised, by name, each with its outcome (pass, fail, inconclusive) and optional notes: name:outcome[:notes] separated by ";".', example: 'e-4ORCE control:pass;Tyres:fail:Grained after 8 laps' },
  { column: 'measurements', required: false, meaning: 'Measured values: name=value[ unit] separated by ";"; the value is a number with a dot for decimals.', example: 'Lap time=92.31 s;Peak power=350 kW' },
];

/** The escaping rules, in words, for the same documentation. */
export const TEST_RUN_CSV_RULES = [
  'The first row names the columns, in any order; every column of the table must be there and no other.',
  'Inside evidence and measurements, a ";", ":", "=" or "\\" that is part of a name, unit or note is written with a backslash before it: "Aero\\: front wing:pass".',
  'A text cell that starts with an apostrophe followed by =, +, -, @, a tab or a carriage return loses the apostrophe (the export adds it against formula injection).',
  'The run code is the key: a re-imported row with the same values leaves its run unchanged; a changed row updates it (its version moves and the change is audited). Rows without a code always create new runs; the export always writes codes.',
  'UTF-8 with or without a byte order mark; CRLF or LF line ends; fields with commas, quotes or line breaks in double quotes (quotes doubled).',
];

// ---------------------------------------------------------------------------------------------
// Lookups between ids and the readable keys of the file

export interface TestRunCsvLookups {
  prototypeCode(id: number): string | undefined;
  prototypeId(code: string): number | undefined;
  technologyName(id: number): string | undefined;
  technologyId(name: string): number | undefined;
}

/** Exact match first; then a match ignoring letter case, when only one key matches that way. */
function keyIndex(rows: { id: number; key: string }[]) {
  const byId = new Map<number, string>();
  const exact = new Map<string, number>();
  const folded = new Map<string, number | null>();
  for (const r of rows) {
    byId.set(r.id, r.key);
    exact.set(r.key, r.id);
    const f = r.key.toLowerCase();
    folded.set(f, folded.has(f) ? null : r.id);
  }
  return {
    key: (id: number) => byId.get(id),
    id: (key: string) => exact.get(key) ?? folded.get(key.toLowerCase()) ?? undefined,
  };
}

/** Every prototype code and technology name, loaded once for a whole file (both tables are small). */
export function loadTestRunCsvLookups(db: Db): TestRunCsvLookups {
  const protos = keyIndex(db.orm.select({ id: prototypes.id, key: prototypes.code }).from(prototypes).all());
  const techs = keyIndex(db.orm.select({ id: technologies.id, key: technologies.name }).from(technologies).all());
  return { prototypeCode: protos.key, prototypeId: protos.id, technologyName: techs.key, technologyId: techs.id };
}

// ---------------------------------------------------------------------------------------------
// Escaping inside the evidence and measurements cells

const SPECIAL = /[\\;:=]/g;

export function escapeCsvPart(text: string): string {
  return text.replace(SPECIAL, '\\$&');
}

/** Removes the backslash before `;`, `:`, `=` and `\`; any other backslash stays. */
export function unescapeCsvPart(text: string): string {
  return text.replace(/\\([\\;:=])/g, '$1');
}

/** Splits at every `separator` not escaped by a backslash; the pieces keep their escapes. */
export function splitUnescaped(text: string, separator: string): string[] {
  const pieces: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[i + 1];
      i++;
    } else if (c === separator) {
      pieces.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  pieces.push(current);
  return pieces;
}

// ---------------------------------------------------------------------------------------------
// Run → row (export)

function evidenceCell(run: TestRun, lookups: TestRunCsvLookups): string {
  return run.evidence
    .map((e) => {
      const name = escapeCsvPart(lookups.technologyName(e.technology_id) ?? `#${e.technology_id}`);
      return e.notes ? `${name}:${e.outcome}:${escapeCsvPart(e.notes)}` : `${name}:${e.outcome}`;
    })
    .join(';');
}

function measurementsCell(run: TestRun): string {
  return run.measurements.map((m) => `${escapeCsvPart(m.name)}=${String(m.value)}${m.unit ? ` ${escapeCsvPart(m.unit)}` : ''}`).join(';');
}

/** One run as the cells of its row (plain text: the CSV writer adds quotes and the injection guard). */
export function testRunToCsvRow(run: TestRun, lookups: TestRunCsvLookups): TestRunCsvRow {
  return {
    code: run.code,
    prototype: lookups.prototypeCode(run.prototype_id) ?? `#${run.prototype_id}`,
    program_id: run.program_id === null ? '' : String(run.program_id),
    title: run.title,
    objective: run.objective,
    venue_type: run.venue_type,
    location: run.location,
    start_time: run.start_time,
    end_time: run.end_time ?? '',
    status: run.status,
    software_version: run.software_version,
    hardware_revision: run.hardware_revision,
    engineer: run.engineer,
    result_summary: run.result_summary,
    evidence: evidenceCell(run, lookups),
    measurements: measurementsCell(run),
  };
}

/** The header line (CRLF included), for writing the file row by row. */
export function testRunCsvHeaderLine(): string {
  return csvLine(TEST_RUN_CSV_COLUMNS);
}

/** One run's line (CRLF included), with quoting and the formula-injection guard. */
export function testRunCsvLine(run: TestRun, lookups: TestRunCsvLookups): string {
  const row = testRunToCsvRow(run, lookups);
  return csvLine(TEST_RUN_CSV_COLUMNS.map((c) => row[c]));
}

/** A whole file of runs. */
export function testRunsToCsv(runs: Iterable<TestRun>, lookups: TestRunCsvLookups, options: CsvOptions = {}): string {
  const columns = TEST_RUN_CSV_COLUMNS.map((c) => ({ header: c, value: (row: TestRunCsvRow) => row[c] }));
  const rows = (function* () {
    for (const run of runs) yield testRunToCsvRow(run, lookups);
  })();
  return toCsv(columns, rows, options);
}

// ---------------------------------------------------------------------------------------------
// Row → run input (import)

/** The header's problem ('' when it names exactly the columns of the layout, in any order). */
export function checkTestRunCsvHeader(header: readonly string[]): string {
  const names = header.map((h) => h.trim().toLowerCase());
  const known = new Set<string>(TEST_RUN_CSV_COLUMNS);
  const unknown = names.filter((n) => !known.has(n));
  const missing = TEST_RUN_CSV_COLUMNS.filter((c) => !names.includes(c));
  const twice = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  const parts: string[] = [];
  const quoted = (list: string[]) => list.map((n) => `“${n}”`).join(', ');
  if (unknown.length) parts.push(`unknown column${unknown.length > 1 ? 's' : ''} ${quoted(unknown)}`);
  if (missing.length) parts.push(`missing column${missing.length > 1 ? 's' : ''} ${quoted(missing)}`);
  if (twice.length) parts.push(`column${twice.length > 1 ? 's' : ''} named twice ${quoted(twice)}`);
  if (!parts.length) return '';
  return `The header row does not match the test-run layout: ${parts.join('; ')}. The first row must name exactly these columns, in any order: ${TEST_RUN_CSV_COLUMNS.join(', ')}.`;
}

/** Normalised header names (trimmed, lower case), to key the cells of each row. */
export function normalizeTestRunCsvHeader(header: readonly string[]): string[] {
  return header.map((h) => h.trim().toLowerCase());
}

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const ID_RE = /^\d{1,15}$/;

function parseEvidence(cell: string, lookups: TestRunCsvLookups, problem: (message: string) => void): EvidenceInput[] | undefined {
  if (cell.trim() === '') return undefined;
  const list: EvidenceInput[] = [];
  const items = splitUnescaped(cell, ';').filter((item) => item.trim() !== '');
  items.forEach((raw, i) => {
    const [namePart = '', outcomePart, ...noteParts] = splitUnescaped(raw, ':');
    const name = unescapeCsvPart(namePart.trim());
    const label = `item ${i + 1} “${name || raw.trim()}”`;
    if (outcomePart === undefined) {
      problem(`${label}: write technology:outcome (pass, fail or inconclusive)`);
      return;
    }
    const outcome = unescapeCsvPart(outcomePart.trim()).toLowerCase();
    const notes = unescapeCsvPart(noteParts.join(':').trim());
    const id = name === '' ? undefined : lookups.technologyId(name);
    let ok = true;
    if (name === '') {
      problem(`${label}: the technology name is empty`);
      ok = false;
    } else if (id === undefined) {
      problem(`${label}: no technology is named “${name}”`);
      ok = false;
    }
    if (!(EVIDENCE_OUTCOMES as readonly string[]).includes(outcome)) {
      problem(`${label}: outcome “${unescapeCsvPart(outcomePart.trim())}” must be one of ${EVIDENCE_OUTCOMES.join(', ')}`);
      ok = false;
    }
    if (ok) list.push({ technology_id: id!, outcome: outcome as EvidenceOutcome, notes });
  });
  return list;
}

function parseMeasurements(cell: string, problem: (message: string) => void): MeasurementInput[] {
  const list: MeasurementInput[] = [];
  const items = splitUnescaped(cell, ';').filter((item) => item.trim() !== '');
  items.forEach((raw, i) => {
    const [namePart = '', ...rest] = splitUnescaped(raw, '=');
    const name = unescapeCsvPart(namePart.trim());
    const label = `item ${i + 1} “${name || raw.trim()}”`;
    if (rest.length === 0) {
      problem(`${label}: write name=value, with an optional unit after a space`);
      return;
    }
    const valueAndUnit = rest.join('=').trim();
    const space = valueAndUnit.search(/\s/);
    const valueText = space < 0 ? valueAndUnit : valueAndUnit.slice(0, space);
    const unit = space < 0 ? '' : unescapeCsvPart(valueAndUnit.slice(space).trim());
    if (name === '') {
      problem(`${label}: the measurement name is empty`);
      return;
    }
    if (!NUMBER_RE.test(valueText)) {
      const hint = /^[+-]?\d+,\d+$/.test(valueText) ? ' (use a dot for decimals)' : '';
      problem(`${label}: “${valueText}” is not a number${hint}`);
      return;
    }
    list.push({ name, value: Number(valueText), unit });
  });
  return list;
}

/**
 * One data row (cells keyed by normalised column name) as the input of createTestRun, with the
 * problems found reading it (unknown prototype or technology, bad outcome, bad number). Rules the
 * domain checks (required fields, times, limits, references) are left to validateTestRunInput.
 * Empty cells: no code (generated), no program, no end time, default status and engineer.
 */
export function csvRowToTestRunInput(row: Readonly<Record<string, string | undefined>>, lookups: TestRunCsvLookups): { input: TestRunInput; problems: CsvCellProblem[] } {
  const problems: CsvCellProblem[] = [];
  const cell = (column: TestRunCsvColumn) => stripInjectionPrefix(row[column] ?? '');
  const optional = (column: TestRunCsvColumn) => {
    const v = cell(column).trim();
    return v === '' ? undefined : v;
  };
  const input: Partial<TestRunInput> = {};

  const code = optional('code');
  if (code !== undefined) input.code = code;

  const prototypeCode = optional('prototype');
  if (prototypeCode !== undefined) {
    const id = lookups.prototypeId(prototypeCode);
    if (id === undefined) problems.push({ column: 'prototype', message: `no prototype has the code “${prototypeCode}”` });
    else input.prototype_id = id;
  }

  const program = optional('program_id');
  if (program === undefined) input.program_id = null;
  else if (ID_RE.test(program) && Number(program) >= 1) input.program_id = Number(program);
  else problems.push({ column: 'program_id', message: `“${program}” is not a program id (a whole number; empty for none)` });

  input.title = cell('title');
  input.objective = cell('objective');
  input.location = cell('location');
  input.software_version = cell('software_version');
  input.hardware_revision = cell('hardware_revision');
  input.result_summary = cell('result_summary');

  const venue = optional('venue_type');
  if (venue !== undefined) input.venue_type = venue as TestRunInput['venue_type'];
  const start = optional('start_time');
  if (start !== undefined) input.start_time = start;
  input.end_time = optional('end_time') ?? null;
  const status = optional('status');
  if (status !== undefined) input.status = status as TestRunInput['status'];
  const engineer = optional('engineer');
  if (engineer !== undefined) input.engineer = engineer;

  const evidence = parseEvidence(cell('evidence'), lookups, (message) => problems.push({ column: 'evidence', message }));
  if (evidence !== undefined) input.evidence = evidence;
  input.measurements = parseMeasurements(cell('measurements'), (message) => problems.push({ column: 'measurements', message }));

  return { input: input as TestRunInput, problems };
}

const PATH_COLUMNS: Record<string, TestRunCsvColumn> = {
  code: 'code',
  prototype_id: 'prototype',
  program_id: 'program_id',
  title: 'title',
  objective: 'objective',
  venue_type: 'venue_type',
  location: 'location',
  start_time: 'start_time',
  end_time: 'end_time',
  status: 'status',
  software_version: 'software_version',
  hardware_revision: 'hardware_revision',
  engineer: 'engineer',
  result_summary: 'result_summary',
  evidence: 'evidence',
  measurements: 'measurements',
};

/** The domain's problems (JSON Pointers into the input) as problems of the row's cells. */
export function fieldProblemsToCsv(problems: readonly FieldProblem[]): CsvCellProblem[] {
  return problems.map((p) => {
    const [, field = '', index, sub] = p.path.split('/');
    const column = PATH_COLUMNS[field] ?? '';
    if (index !== undefined && /^\d+$/.test(index)) {
      const what = sub === 'technology_id' ? 'technology' : (sub ?? '');
      return { column, message: `item ${Number(index) + 1}: ${what ? `${what} ` : ''}${p.message}` };
    }
    const name = field === 'prototype_id' ? 'prototype' : field;
    return { column, message: column ? p.message : `${name} ${p.message}` };
  });
}
