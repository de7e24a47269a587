// Contracts of the CSV import of test runs and of its jobs.
import { Type } from 'typebox';
import { IMPORT_JOB_STATUSES, IMPORT_MODES } from '../../db/schema.js';
import { IMPORT_LIMITS } from '../domain/imports.js';
import { Id, StringEnum, Timestamp, ref } from './common.js';

const count = (description: string) => Type.Integer({ minimum: 0, description });

export const ImportJobError = Type.Object(
  {
    row: Type.Integer({ minimum: 1, description: 'The record in the file, the header being row 1 (as a spreadsheet numbers rows).' }),
    column: Type.String({ maxLength: 100, description: "The column (header name); '' for the whole row or file." }),
    message: Type.String({ maxLength: 2000 }),
  },
  {
    $id: 'ImportJobError',
    additionalProperties: false,
    examples: [{ row: 4, column: 'evidence', message: 'item 2 “Flux capacitor”: no technology is named “Flux capacitor”' }],
  },
);

export const ImportJobProgress = Type.Object(
  {
    phase: StringEnum(['queued', 'checking', 'writing'] as const, { description: 'Waiting, reading and checking the rows, or writing the runs.' }),
    bytes_read: count('Bytes of the file checked so far.'),
    bytes_total: count('Size of the file.'),
    rows_written: count('Runs written so far (phase writing).'),
  },
  { $id: 'ImportJobProgress', additionalProperties: false, examples: [{ phase: 'checking', bytes_read: 1048576, bytes_total: 5242880, rows_written: 0 }] },
);

const jobExample = {
  id: 12,
  kind: 'test_runs',
  status: 'succeeded',
  dry_run: false,
  mode: 'all_or_nothing',
  filename: 'dyno-week-19.csv',
  rows_read: 120,
  rows_valid: 120,
  rows_created: 100,
  rows_updated: 5,
  rows_unchanged: 15,
  error_count: 0,
  message: 'Imported: created 100, updated 5, left 15 unchanged.',
  created_by: 3,
  created_at: '2026-05-14T11:05:00.000Z',
  started_at: '2026-05-14T11:05:00.100Z',
  finished_at: '2026-05-14T11:05:02.400Z',
  progress: null,
  errors: [],
};

export const ImportJob = Type.Object(
  {
    id: Id,
    kind: Type.String({ maxLength: 40, description: 'What the job imports: `test_runs`.' }),
    status: StringEnum(IMPORT_JOB_STATUSES, { description: 'queued → running → succeeded or failed.' }),
    dry_run: Type.Boolean({ description: 'Checked and counted only; nothing written.' }),
    mode: StringEnum(IMPORT_MODES, { description: '`all_or_nothing`: one bad row and nothing is written. `valid_rows`: the valid rows are written, the rest reported.' }),
    filename: Type.String({ maxLength: 255 }),
    rows_read: count('Data rows read (the header not counted).'),
    rows_valid: count('Rows that passed every check.'),
    rows_created: count('Runs created (a dry run: would be created).'),
    rows_updated: count('Runs updated (a dry run: would be updated).'),
    rows_unchanged: count('Rows identical to their stored run (a dry run: would be left unchanged).'),
    error_count: count('All errors; `errors` lists the first 1000.'),
    message: Type.String({ maxLength: 2000, description: 'The outcome in a sentence.' }),
    created_by: Type.Union([Type.Null(), Id], { description: 'The importing user; the actor of every audit event of the job.' }),
    created_at: Timestamp,
    started_at: Type.Union([Type.Null(), Timestamp]),
    finished_at: Type.Union([Type.Null(), Timestamp]),
    progress: Type.Union([Type.Null(), ref(ImportJobProgress)], { description: 'While queued or running; null once finished.' }),
    errors: Type.Array(ref(ImportJobError), { maxItems: IMPORT_LIMITS.storedErrors, description: 'Row errors by row, the first 1000.' }),
  },
  { $id: 'ImportJob', additionalProperties: false, examples: [jobExample] },
);

export const ImportQuery = Type.Object({
  dry_run: Type.Optional(Type.Boolean({ default: false, description: 'Check and count only; write nothing.' })),
  mode: Type.Optional(StringEnum(IMPORT_MODES, { default: 'all_or_nothing', description: '`all_or_nothing` (default) or `valid_rows`.' })),
});

/** The body, by media type: the parsers save the file and stand for it by its digest. */
export const ImportBody = {
  content: {
    'text/csv': {
      schema: Type.String({ maxLength: IMPORT_LIMITS.bytes, description: 'The CSV file itself (UTF-8, header row first).' }),
    },
    'multipart/form-data': {
      schema: Type.Object(
        { file: Type.String({ format: 'binary', maxLength: IMPORT_LIMITS.bytes, description: 'The CSV file.' }) },
        { required: ['file'], additionalProperties: false },
      ),
    },
  },
};
