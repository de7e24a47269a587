// A small CSV writer (RFC 4180: fields quoted when they hold `"`, `,`, CR or LF, quotes doubled,
// lines ended by CRLF) with the formula-injection guard of DESIGN §4: a TEXT cell that starts with
// `=`, `+`, `-`, `@`, tab or CR gets a leading `'`, so a spreadsheet shows it instead of running
// it. Numbers are written as numbers (a negative number is not text and gets no prefix). The
// import removes exactly that prefix (`stripInjectionPrefix`).

export type CsvValue = string | number | boolean | null | undefined;

/** A column: a header and how to read its cell from a row; a plain string reads `row[key]`. */
export interface CsvColumn<T> {
  header: string;
  value: (row: T) => CsvValue;
}

export interface CsvOptions {
  /** Start with a UTF-8 byte order mark, so that Excel reads Japanese names right. */
  bom?: boolean;
}

export const CSV_BOM = '\uFEFF';
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

const INJECTION_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** The text of one cell: injection prefix for risky text, quotes when needed. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = INJECTION_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, CRLF included: for writing a CSV row by row (streams, keyset chunks). */
export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

function columnOf<T>(column: string | CsvColumn<T>): CsvColumn<T> {
  if (typeof column !== 'string') return column;
  return { header: column, value: (row) => (row as Record<string, CsvValue>)[column] };
}

/** A whole CSV: the header row, then one line per row (headers go through the same guard). */
export function toCsv<T>(columns: readonly (string | CsvColumn<T>)[], rows: Iterable<T>, options: CsvOptions = {}): string {
  const cols = columns.map(columnOf);
  let out = (options.bom ? CSV_BOM : '') + csvLine(cols.map((c) => c.header));
  for (const row of rows) out += csvLine(cols.map((c) => c.value(row)));
  return out;
}

/** The inverse of the guard, for imports: `'=1+2` → `=1+2`; any other text is left as it is. */
export function stripInjectionPrefix(text: string): string {
  return text.length > 1 && text[0] === "'" && INJECTION_START.test(text.slice(1)) ? text.slice(1) : text;
}

/**
 * Whether a request asks for CSV: `format=csv`, or an Accept header that prefers `text/csv` to
 * JSON (`format=json` always wins for JSON).
 */
export function wantsCsv(format: string | undefined, accept: string | undefined): boolean {
  if (format === 'csv') return true;
  if (format === 'json' || !accept) return false;
  let csv = 0;
  let json = 0;
  for (const part of accept.split(',')) {
    const [rawType, ...params] = part.toLowerCase().split(';');
    const type = rawType!.trim();
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q)) continue;
    if (type === 'text/csv') csv = Math.max(csv, q);
    else if (type === 'application/json' || type === 'application/problem+json') json = Math.max(json, q);
  }
  return csv > 0 && csv > json;
}

/** `attachment; filename="matrix.csv"` for a download. */
export function csvDisposition(basename: string): string {
  const safe = basename.replace(/[^A-Za-z0-9._-]/g, '-');
  return `attachment; filename="${safe}.csv"`;
}
