// Every list answers CSV when asked (`?format=csv` or `Accept: text/csv`), with the same filters,
// streamed in keyset chunks: constant memory, and no statement holds the connection between
// chunks, so writes go on during a long export.
import { Readable } from 'node:stream';
import { setImmediate as nextTick } from 'node:timers/promises';
import type { FastifyReply } from 'fastify';
import type { TSchema } from 'typebox';
import { CSV_CONTENT_TYPE, csvDisposition, csvLine, type CsvValue } from '../domain/csv.js';
import type { Page } from '../domain/paging.js';
import { loadTestRunCsvLookups, testRunCsvHeaderLine, testRunCsvLine } from '../domain/test-run-csv.js';
import type { TestRun } from '../domain/test-runs.js';
import type { Db } from '../db.js';

export const CSV_CHUNK = 200;

export interface CsvFormat<T> {
  header: string;
  line(row: T): string;
}

interface PropertySchema {
  type?: string | string[];
  items?: { type?: string };
  anyOf?: PropertySchema[];
}

function cellOf(value: unknown): CsvValue {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.every((v) => typeof v !== 'object') ? value.join(';') : JSON.stringify(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return value as CsvValue;
}

/** Columns straight from an item schema: its properties in order; lists of ids joined by `;`. */
export function csvFormatFromSchema<T extends object>(schema: TSchema): CsvFormat<T> {
  const keys = Object.keys(((schema as { properties?: Record<string, PropertySchema> }).properties ?? {}));
  return {
    header: csvLine(keys),
    line: (row) => csvLine(keys.map((k) => cellOf((row as Record<string, unknown>)[k]))),
  };
}

function yieldToOthers(): Promise<void> {
  return nextTick();
}

/** Streams every page of `list` (from the query's filters and sort) as CSV. */
export function sendCsvList<T, Q extends { cursor?: string; limit?: number }>(
  reply: FastifyReply,
  filename: string,
  query: Q,
  list: (query: Q) => Page<T>,
  format: CsvFormat<T>,
): FastifyReply {
  // The first chunk is read before anything is sent, so that a bad cursor or filter is a clean 400.
  const first = list({ ...query, limit: CSV_CHUNK, cursor: query.cursor });
  async function* lines() {
    yield format.header;
    let cursor: string | undefined = query.cursor;
    let pending: Page<T> | undefined = first;
    do {
      const page: Page<T> = pending ?? list({ ...query, limit: CSV_CHUNK, cursor });
      pending = undefined;
      let chunk = '';
      for (const row of page.items) chunk += format.line(row);
      if (chunk) yield chunk;
      cursor = page.next_cursor ?? undefined;
      // Let other requests in between chunks.
      await yieldToOthers();
    } while (cursor);
  }
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  void reply
    .type(CSV_CONTENT_TYPE)
    .header('content-disposition', csvDisposition(`${filename}-${day}`))
    .send(Readable.from(lines()));
  return reply;
}

/** Test runs export in the import layout, so that an exported file imports back unchanged. */
export function testRunCsvFormat(db: Db): CsvFormat<TestRun> {
  const lookups = loadTestRunCsvLookups(db);
  return { header: testRunCsvHeaderLine(), line: (run) => testRunCsvLine(run, lookups) };
}
