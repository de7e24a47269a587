// Text search that is safe for any input: users type codes (TR-2026-0042), hyphenated words
// (e-4ORCE), Japanese and short words, never FTS5 query syntax.
import { and, or, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/** The trigram tokenizer needs 3 characters; shorter words are matched with LIKE. */
const TRIGRAM = 3;

function ftsString(token: string): string {
  return `"${token.replace(/"/g, '""')}"`;
}

/** `%`, `_` and `\` taken literally, for LIKE … ESCAPE '\'. */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function likePattern(token: string): string {
  return `%${likeLiteral(token)}%`;
}

/**
 * A condition matching rows whose text contains every word of `q` (case-insensitive).
 * `ftsTable` is an external-content trigram FTS5 table keyed by the row id.
 */
export function textMatch(q: string, ftsTable: string, id: SQLiteColumn, columns: SQLiteColumn[]): SQL | undefined {
  const tokens = q.trim().split(/\s+/u).filter(Boolean).slice(0, 16);
  if (tokens.length === 0) return undefined;
  const long = tokens.filter((t) => [...t].length >= TRIGRAM);
  const short = tokens.filter((t) => [...t].length < TRIGRAM);
  const conditions: SQL[] = [];
  if (long.length > 0) {
    const match = long.map(ftsString).join(' AND ');
    conditions.push(sql`${id} IN (SELECT rowid FROM ${sql.identifier(ftsTable)} WHERE ${sql.identifier(ftsTable)} MATCH ${match})`);
  }
  for (const token of short) {
    const pattern = likePattern(token);
    conditions.push(or(...columns.map((c) => sql`${c} LIKE ${pattern} ESCAPE '\\'`))!);
  }
  return and(...conditions);
}

/** For small lookup tables without an FTS index: every word of `q` in one of `columns`. */
export function textMatchLike(q: string, columns: SQLiteColumn[]): SQL | undefined {
  const tokens = q.trim().split(/\s+/u).filter(Boolean).slice(0, 16);
  if (tokens.length === 0) return undefined;
  return and(
    ...tokens.map((token) => {
      const pattern = likePattern(token);
      return or(...columns.map((c) => sql`${c} LIKE ${pattern} ESCAPE '\\'`))!;
    }),
  );
}
