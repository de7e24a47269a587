// A readable account of one audit event: the fields that changed (from → to), nested arrays
// summarised as counts of rows added and removed, bookkeeping fields left out.
import { humanize } from '../../components/common.js';

export interface DiffLine {
  field: string;
  label: string;
  /** Absent on create (nothing before) and on delete (nothing after). */
  from?: string;
  to?: string;
}

const BOOKKEEPING = new Set(['id', 'version', 'created_at', 'updated_at']);
const MAX_TEXT = 160;
const MAX_LISTED = 8;

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

function plain(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return clip(value);
  if (typeof value === 'number') return String(value);
  return clip(JSON.stringify(value));
}

/** A nested row without its own bookkeeping, so that a replaced but equal row counts as unchanged. */
function rowKey(row: unknown): string {
  if (row && typeof row === 'object' && !Array.isArray(row)) {
    const rest = Object.fromEntries(Object.entries(row).filter(([k]) => !BOOKKEEPING.has(k)));
    return JSON.stringify(rest);
  }
  return JSON.stringify(row);
}

function isPrimitiveList(list: unknown[]): boolean {
  return list.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v));
}

function rows(n: number): string {
  return `${n} ${n === 1 ? 'row' : 'rows'}`;
}

function describeList(list: unknown[]): string {
  if (list.length === 0) return 'none';
  if (isPrimitiveList(list) && list.length <= MAX_LISTED) return clip(list.map(plain).join(', '));
  return rows(list.length);
}

function arrayChange(before: unknown[], after: unknown[]): { from: string; to: string } {
  if (isPrimitiveList(before) && isPrimitiveList(after) && before.length <= MAX_LISTED && after.length <= MAX_LISTED) {
    return { from: describeList(before), to: describeList(after) };
  }
  const left = before.map(rowKey);
  const right = after.map(rowKey);
  const remaining = [...left];
  let added = 0;
  for (const key of right) {
    const i = remaining.indexOf(key);
    if (i >= 0) remaining.splice(i, 1);
    else added += 1;
  }
  const removed = remaining.length;
  const parts = [added ? `${added} added` : '', removed ? `${removed} removed` : ''].filter(Boolean);
  return { from: rows(before.length), to: `${rows(after.length)}${parts.length ? ` (${parts.join(', ')})` : ''}` };
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function line(field: string, from: unknown, to: unknown, has: { from: boolean; to: boolean }): DiffLine {
  const out: DiffLine = { field, label: humanize(field) };
  if (Array.isArray(from) || Array.isArray(to)) {
    const change = arrayChange(Array.isArray(from) ? from : [], Array.isArray(to) ? to : []);
    if (has.from) out.from = change.from;
    if (has.to) out.to = has.from ? change.to : describeList(Array.isArray(to) ? to : []);
    return out;
  }
  if (has.from) out.from = plain(from);
  if (has.to) out.to = plain(to);
  return out;
}

/** The lines to show for one event: changed fields on update, filled-in fields on create and delete. */
export function auditDiff(action: string, before: unknown, after: unknown): DiffLine[] {
  const b = asRecord(before);
  const a = asRecord(after);
  if (action === 'create') {
    return Object.entries(a)
      .filter(([k, v]) => !BOOKKEEPING.has(k) && !isEmpty(v))
      .map(([k, v]) => line(k, undefined, v, { from: false, to: true }));
  }
  if (action === 'delete') {
    return Object.entries(b)
      .filter(([k, v]) => !BOOKKEEPING.has(k) && !isEmpty(v))
      .map(([k, v]) => line(k, v, undefined, { from: true, to: false }));
  }
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !BOOKKEEPING.has(k));
  const out: DiffLine[] = [];
  for (const field of fields) {
    // A secret is never recorded; the event only says that it changed.
    if (field === 'password') {
      out.push({ field, label: 'Password', to: 'changed' });
      continue;
    }
    if (JSON.stringify(b[field]) === JSON.stringify(a[field])) continue;
    out.push(line(field, b[field], a[field], { from: true, to: true }));
  }
  return out;
}

/** A short name for the record an event is about, from its snapshot: code, name, title or username. */
export function recordLabel(before: unknown, after: unknown): string | undefined {
  const snap = { ...asRecord(before), ...asRecord(after) };
  for (const key of ['code', 'name', 'title', 'username']) {
    const v = snap[key];
    if (typeof v === 'string' && v.trim()) return clip(v);
  }
  return undefined;
}
