import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  TEST_RUN_CSV_COLUMNS,
  checkTestRunCsvHeader,
  csvRowToTestRunInput,
  escapeCsvPart,
  fieldProblemsToCsv,
  splitUnescaped,
  testRunToCsvRow,
  testRunsToCsv,
  unescapeCsvPart,
  type TestRunCsvLookups,
} from '../../src/domain/test-run-csv.js';
import type { TestRun } from '../../src/domain/test-runs.js';

// The layout needs only the lookups: a fixed set of prototypes and technologies.
const PROTOTYPES = new Map([
  [7, 'FE-MULE-07'],
  [8, 'GT-DYNO-01'],
]);
const TECHNOLOGIES = new Map([
  [3, 'e-4ORCE control'],
  [4, 'Tyres'],
  [5, 'Aero: front wing; v2 = final'],
  [6, '回生ブレーキ'],
]);
const byValue = (m: Map<number, string>, v: string) => [...m].find(([, k]) => k === v)?.[0] ?? [...m].find(([, k]) => k.toLowerCase() === v.toLowerCase())?.[0];
const lookups: TestRunCsvLookups = {
  prototypeCode: (id) => PROTOTYPES.get(id),
  prototypeId: (code) => byValue(PROTOTYPES, code),
  technologyName: (id) => TECHNOLOGIES.get(id),
  technologyId: (name) => byValue(TECHNOLOGIES, name),
};

function run(extra: Partial<TestRun> = {}): TestRun {
  return {
    id: 1,
    code: 'TR-2026-0042',
    prototype_id: 7,
    program_id: 3,
    title: 'Inverter thermal soak, "qualifying" map',
    objective: 'Line one\nline two',
    venue_type: 'dyno',
    location: '厚木 dyno cell 3',
    start_time: '2026-05-14T09:30:00.000Z',
    end_time: '2026-05-14T11:00:00.000Z',
    status: 'completed',
    software_version: 'inv-fw 5.2.1',
    hardware_revision: 'INV-05 rev C',
    engineer: 'k.tanaka',
    result_summary: '=SUM(A1)',
    demo: false,
    measurements: [
      { name: 'Lap time', value: 92.31, unit: 's' },
      { name: 'ratio=a;b', value: -0.5, unit: '' },
      { name: 'tiny', value: 1e-7, unit: 'm; per s' },
    ],
    evidence: [
      { technology_id: 3, outcome: 'pass', notes: '' },
      { technology_id: 5, outcome: 'fail', notes: 'cracked: see C:\\logs; again' },
      { technology_id: 6, outcome: 'inconclusive', notes: '' },
    ],
    version: 1,
    created_at: '2026-05-14T11:05:00.000Z',
    updated_at: '2026-05-14T11:05:00.000Z',
    ...extra,
  };
}

/** Parses a file as the import does (header, then records keyed by column). */
function records(csv: string): Record<string, string>[] {
  const [header, ...rows] = parse(csv, { bom: true }) as string[][];
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!])));
}

describe('test-run CSV layout', () => {
  it('writes one row per run with every column, evidence as name:outcome[:notes] and measurements as name=value unit', () => {
    const row = testRunToCsvRow(run({ evidence: [{ technology_id: 3, outcome: 'pass', notes: '' }, { technology_id: 4, outcome: 'fail', notes: '' }], measurements: [{ name: 'Lap time', value: 92.31, unit: 's' }, { name: 'Peak power', value: 350, unit: 'kW' }] }), lookups);
    expect(Object.keys(row)).toEqual([...TEST_RUN_CSV_COLUMNS]);
    expect(row.prototype).toBe('FE-MULE-07');
    expect(row.program_id).toBe('3');
    expect(row.evidence).toBe('e-4ORCE control:pass;Tyres:fail');
    expect(row.measurements).toBe('Lap time=92.31 s;Peak power=350 kW');
    expect(testRunToCsvRow(run({ program_id: null, end_time: null, measurements: [] }), lookups)).toMatchObject({ program_id: '', end_time: '', measurements: '' });
  });

  it('escapes ; : = and \\ inside names, units and notes with a backslash, and reads them back', () => {
    expect(escapeCsvPart('a;b:c=d\\e')).toBe('a\\;b\\:c\\=d\\\\e');
    expect(unescapeCsvPart('a\\;b\\:c\\=d\\\\e\\x')).toBe('a;b:c=d\\e\\x');
    expect(splitUnescaped('a\\;b;c', ';')).toEqual(['a\\;b', 'c']);
    const row = testRunToCsvRow(run(), lookups);
    expect(row.evidence).toBe('e-4ORCE control:pass;Aero\\: front wing\\; v2 \\= final:fail:cracked\\: see C\\:\\\\logs\\; again;回生ブレーキ:inconclusive');
    expect(row.measurements).toBe('Lap time=92.31 s;ratio\\=a\\;b=-0.5;tiny=1e-7 m\\; per s');
    const back = csvRowToTestRunInput(row, lookups);
    expect(back.problems).toEqual([]);
    expect(back.input.evidence).toEqual(run().evidence);
    expect(back.input.measurements).toEqual(run().measurements);
  });

  it('round-trips through a real CSV file: quotes, commas, line breaks, Japanese text and formula-looking cells', () => {
    const original = run();
    const csv = testRunsToCsv([original], lookups, { bom: true });
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).toContain(",'=SUM(A1),"); // the export's guard
    expect(csv).toContain('"Inverter thermal soak, ""qualifying"" map"');
    expect(csv).toContain('\r\n');
    const [cells] = records(csv);
    expect(cells!.result_summary).toBe("'=SUM(A1)");
    const { input, problems } = csvRowToTestRunInput(cells!, lookups);
    expect(problems).toEqual([]);
    const { id: _i, demo: _d, version: _v, created_at: _c, updated_at: _u, ...fields } = original;
    expect(input).toEqual(fields);
  });

  it('removes the injection prefix exactly when an apostrophe precedes = + - @ tab or CR', () => {
    const cells = (title: string) => csvRowToTestRunInput({ ...testRunToCsvRow(run(), lookups), title }, lookups).input.title;
    expect(cells("'=SUM(A1)")).toBe('=SUM(A1)');
    expect(cells("'+1")).toBe('+1');
    expect(cells("'-1")).toBe('-1');
    expect(cells("'@x")).toBe('@x');
    expect(cells("'\tx")).toBe('\tx');
    expect(cells("'\rx")).toBe('\rx');
    expect(cells("'quoted'")).toBe("'quoted'");
    expect(cells("''=x")).toBe("''=x");
    expect(cells('=SUM(A1)')).toBe('=SUM(A1)');
  });

  it('reads empty cells as defaults: no code, no program, no end, default status and engineer, no measurements', () => {
    const row = { ...testRunToCsvRow(run(), lookups), code: '', program_id: '', end_time: '', status: '', engineer: '', measurements: '' };
    const { input, problems } = csvRowToTestRunInput(row, lookups);
    expect(problems).toEqual([]);
    expect(input.code).toBeUndefined();
    expect(input.program_id).toBeNull();
    expect(input.end_time).toBeNull();
    expect(input.status).toBeUndefined();
    expect(input.engineer).toBeUndefined();
    expect(input.measurements).toEqual([]);
  });

  it('accepts a technology or prototype in another letter case and spaces around items', () => {
    const row = { ...testRunToCsvRow(run(), lookups), prototype: 'fe-mule-07', evidence: ' tyres : PASS ; e-4ORCE control:fail ', measurements: ' Lap time = 92.3 s ;' };
    const { input, problems } = csvRowToTestRunInput(row, lookups);
    expect(problems).toEqual([]);
    expect(input.prototype_id).toBe(7);
    expect(input.evidence).toEqual([
      { technology_id: 4, outcome: 'pass', notes: '' },
      { technology_id: 3, outcome: 'fail', notes: '' },
    ]);
    expect(input.measurements).toEqual([{ name: 'Lap time', value: 92.3, unit: 's' }]);
  });

  it('names the column and the item of each problem: unknown prototype and technology, bad outcome, bad number, bad program id', () => {
    const row = {
      ...testRunToCsvRow(run(), lookups),
      prototype: 'NOPE-1',
      program_id: 'three',
      evidence: 'Tyres:passed;Warp drive:pass;e-4ORCE control',
      measurements: 'Lap time=fast s;Power=1,5 kW;nothing',
    };
    const { problems } = csvRowToTestRunInput(row, lookups);
    expect(problems).toEqual([
      { column: 'prototype', message: 'no prototype has the code “NOPE-1”' },
      { column: 'program_id', message: '“three” is not a program id (a whole number; empty for none)' },
      { column: 'evidence', message: 'item 1 “Tyres”: outcome “passed” must be one of pass, fail, inconclusive' },
      { column: 'evidence', message: 'item 2 “Warp drive”: no technology is named “Warp drive”' },
      { column: 'evidence', message: 'item 3 “e-4ORCE control”: write technology:outcome (pass, fail or inconclusive)' },
      { column: 'measurements', message: 'item 1 “Lap time”: “fast” is not a number' },
      { column: 'measurements', message: 'item 2 “Power”: “1,5” is not a number (use a dot for decimals)' },
      { column: 'measurements', message: 'item 3 “nothing”: write name=value, with an optional unit after a space' },
    ]);
  });

  it('maps the domain problems (JSON Pointers) to columns and items', () => {
    expect(
      fieldProblemsToCsv([
        { path: '/prototype_id', message: 'is required' },
        { path: '/end_time', message: 'must not be before start_time' },
        { path: '/evidence/1/technology_id', message: 'is listed twice: give each technology once' },
        { path: '/measurements/0/name', message: 'must be at most 100 characters' },
      ]),
    ).toEqual([
      { column: 'prototype', message: 'is required' },
      { column: 'end_time', message: 'must not be before start_time' },
      { column: 'evidence', message: 'item 2: technology is listed twice: give each technology once' },
      { column: 'measurements', message: 'item 1: name must be at most 100 characters' },
    ]);
  });

  it('explains a header with unknown, missing or doubled columns in one message, and accepts any order and case', () => {
    expect(checkTestRunCsvHeader([...TEST_RUN_CSV_COLUMNS].reverse().map((c) => ` ${c.toUpperCase()} `))).toBe('');
    const problem = checkTestRunCsvHeader([...TEST_RUN_CSV_COLUMNS.filter((c) => c !== 'evidence' && c !== 'title'), 'colour', 'code']);
    expect(problem).toContain('unknown column “colour”');
    expect(problem).toContain('missing columns “title”, “evidence”');
    expect(problem).toContain('column named twice “code”');
    expect(problem).toContain(TEST_RUN_CSV_COLUMNS.join(', '));
  });
});
