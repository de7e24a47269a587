// Keyset pagination shared by every list: `sort` names a documented field (`-` for descending),
// the cursor carries the last row's sort value and id, and no list ever pages by OFFSET.
import { and, asc, desc, eq, gt, gte, lt, lte, or, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { MalformedInputError } from './errors.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export interface PageQuery {
  limit?: number;
  cursor?: string;
  sort?: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

type SortValue = string | number | null;

interface CursorPayload {
  s: string;
  v: SortValue;
  i: number;
}

export function encodeCursor(sort: string, value: SortValue, id: number): string {
  return Buffer.from(JSON.stringify({ s: sort, v: value, i: id } satisfies CursorPayload)).toString('base64url');
}

function decodeCursor(cursor: string, sort: string): CursorPayload {
  const bad = () => new MalformedInputError([{ path: '/cursor', message: 'is not a cursor this list issued' }]);
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const p = payload as Partial<CursorPayload> | null;
  if (!p || typeof p !== 'object' || typeof p.i !== 'number' || !('v' in p) || typeof p.s !== 'string') throw bad();
  if (typeof p.v !== 'string' && typeof p.v !== 'number' && p.v !== null) throw bad();
  if (p.s !== sort) {
    throw new MalformedInputError([{ path: '/cursor', message: `was issued for sort "${p.s}", not "${sort}"` }]);
  }
  return p as CursorPayload;
}

export interface KeysetSpec {
  /** Sortable fields by API name; each column must be NOT NULL so that keyset comparisons hold. */
  fields: Record<string, SQLiteColumn>;
  id: SQLiteColumn;
  defaultSort: string;
}

export interface Keyset {
  sort: string;
  limit: number;
  /** Rows after the cursor; undefined on the first page. */
  where: SQL | undefined;
  orderBy: SQL[];
  /** Fetch `limit + 1` rows, then call this to cut the page and make its cursor. */
  page<T extends Record<string, unknown>>(rows: T[]): Page<T>;
}

export function keyset(spec: KeysetSpec, query: PageQuery): Keyset {
  const sort = query.sort ?? spec.defaultSort;
  const descending = sort.startsWith('-');
  const field = descending ? sort.slice(1) : sort;
  const column = spec.fields[field];
  if (!column) {
    throw new MalformedInputError([
      { path: '/sort', message: `must be one of ${Object.keys(spec.fields).flatMap((f) => [f, `-${f}`]).join(', ')}` },
    ]);
  }
  const limit = Math.min(Math.max(query.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT);
  const dir = descending ? desc : asc;
  const beyond = descending ? lt : gt;
  const bound = descending ? lte : gte;
  let where: SQL | undefined;
  if (query.cursor) {
    const c = decodeCursor(query.cursor, sort);
    // The plain bound lets SQLite start the index walk at the cursor (the value is bound twice
    // below, as two parameters it cannot tell apart): without it a deep page reads every row before it.
    where = and(bound(column, c.v), or(beyond(column, c.v), and(eq(column, c.v), beyond(spec.id, c.i))));
  }
  const isIdSort = column === spec.id;
  return {
    sort,
    limit,
    where,
    orderBy: isIdSort ? [dir(column)] : [dir(column), dir(spec.id)],
    page(rows) {
      const more = rows.length > limit;
      const items = more ? rows.slice(0, limit) : rows;
      const last = items[items.length - 1];
      const next_cursor =
        more && last ? encodeCursor(sort, last[column.name] as SortValue, last[spec.id.name] as number) : null;
      return { items, next_cursor };
    },
  };
}
