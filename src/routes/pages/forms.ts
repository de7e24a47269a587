// Turning HTML form posts into the API's typed inputs, validated by the very same TypeBox
// schemas as the API, and turning refusals (schema or domain) into per-field messages.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema } from 'typebox';
import { ConflictError, InvalidInputError, RuleViolationError, StaleVersionError, type FieldProblem } from '../../domain/errors.js';

type AddFormats = (ajv: Ajv) => Ajv;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

const ajv = new Ajv({ allErrors: true, coerceTypes: false, useDefaults: false, strict: false });
addFormats(ajv);
const compiled = new WeakMap<object, ValidateFunction>();

export type FormBody = Record<string, string | string[] | undefined>;
export type FieldErrors = Record<string, string>;

interface JsonSchemaLike {
  type?: string | string[];
  anyOf?: JsonSchemaLike[];
  properties?: Record<string, JsonSchemaLike>;
  items?: JsonSchemaLike;
  format?: string;
  enum?: unknown[];
}

function kinds(schema: JsonSchemaLike): Set<string> {
  const out = new Set<string>();
  const walk = (s: JsonSchemaLike) => {
    if (typeof s.type === 'string') out.add(s.type);
    if (Array.isArray(s.type)) s.type.forEach((t) => out.add(t));
    s.anyOf?.forEach(walk);
  };
  walk(schema);
  return out;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** `datetime-local` inputs send `2026-05-14T09:30`; the API wants a full ISO time (UTC). */
export function toIsoTime(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return new Date(`${value}${value.length === 16 ? ':00' : ''}Z`).toISOString();
  return value;
}

/**
 * Converts form strings to the types `schema` declares: numbers for integer/number fields, null
 * for an empty nullable field, absent for an empty optional one, arrays for array fields. Fields
 * not in the schema are dropped (the CSRF token, buttons).
 */
export function formToInput(schema: TSchema, body: FormBody, options: { keepEmpty?: boolean } = {}): Record<string, unknown> {
  const props = (schema as JsonSchemaLike).properties ?? {};
  const out: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(props)) {
    const k = kinds(prop);
    if (k.has('array')) {
      const raw = body[name];
      if (raw === undefined) continue;
      const list = (Array.isArray(raw) ? raw : [raw]).filter((v) => v !== '');
      const itemKinds = prop.items ? kinds(prop.items) : new Set<string>();
      out[name] = itemKinds.has('integer') || itemKinds.has('number') ? list.map((v) => (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v)) : list;
      continue;
    }
    const raw = first(body[name]);
    if (raw === undefined) continue;
    const value = raw.trim();
    if (value === '') {
      if (k.has('null')) out[name] = null;
      else if (k.has('string') && options.keepEmpty) out[name] = '';
      else if (k.has('string') && !k.has('integer') && !k.has('number')) out[name] = '';
      continue;
    }
    if (k.has('integer') || k.has('number')) {
      out[name] = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value) ? Number(value) : value;
    } else if (k.has('boolean')) {
      out[name] = value === 'on' || value === 'true' || value === '1';
    } else {
      const format = prop.format ?? prop.anyOf?.find((s) => s.format)?.format;
      out[name] = format === 'date-time' ? toIsoTime(value) : value;
    }
  }
  return out;
}

/** Drops empty strings for optional fields that were left blank, so that defaults apply. */
export function withoutEmpty(input: Record<string, unknown>, keep: string[] = []): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([k, v]) => v !== '' || keep.includes(k)));
}

function fieldName(pointer: string): string {
  // `/evidence/0/outcome` → `evidence.0.outcome`: forms name repeated rows that way.
  return pointer.replace(/^\//, '').replace(/\//g, '.') || 'form';
}

function messageFor(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'type':
      return error.params.type === 'integer' || error.params.type === 'number' ? 'must be a number' : `must be ${String(error.params.type)}`;
    case 'minLength':
      return error.params.limit === 1 ? 'is required' : `must be at least ${String(error.params.limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(error.params.limit)} characters`;
    case 'format':
      return error.params.format === 'date-time' ? 'must be a date and time' : error.params.format === 'date' ? 'must be a date' : `must be a valid ${String(error.params.format)}`;
    case 'enum':
      return 'must be one of the listed choices';
    case 'minItems':
      return `needs at least ${String(error.params.limit)}`;
    case 'pattern':
      return 'has characters that are not allowed';
    default:
      return error.message ?? 'is not valid';
  }
}

/** Validates like the API does; returns messages keyed by field name (empty when valid). */
export function validateInput(schema: TSchema, input: unknown): FieldErrors {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema as object);
    compiled.set(schema, validate);
  }
  if (validate(input)) return {};
  const errors: FieldErrors = {};
  for (const e of validate.errors ?? []) {
    // A nullable field's `null` branch always fails for a typed value: the other branch says why.
    if (e.keyword === 'anyOf' || (e.keyword === 'type' && e.params.type === 'null')) continue;
    const pointer = e.keyword === 'required' ? `${e.instancePath}/${String(e.params.missingProperty)}` : e.instancePath;
    const name = fieldName(pointer);
    errors[name] ??= messageFor(e);
  }
  return errors;
}

export function problemsToFields(problems: FieldProblem[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const p of problems) errors[fieldName(p.path)] ??= p.message;
  return errors;
}

/**
 * Domain refusals a form can show next to its fields; anything else is rethrown.
 * Returns the field errors and a general message.
 */
export function domainErrorToForm(error: unknown): { errors: FieldErrors; general?: string; status: number } {
  if (error instanceof InvalidInputError) return { errors: problemsToFields(error.errors), status: 422 };
  if (error instanceof RuleViolationError) return { errors: problemsToFields(error.errors), general: `${error.rule}: ${error.message}`, status: 422 };
  if (error instanceof ConflictError) return { errors: problemsToFields(error.errors), general: error.message, status: 409 };
  if (error instanceof StaleVersionError) return { errors: {}, general: error.message, status: 412 };
  const sqlite = error as { code?: string; message?: string };
  if (sqlite?.code === 'SQLITE_CONSTRAINT_UNIQUE' && sqlite.message) {
    const columns = [...sqlite.message.matchAll(/\b\w+\.(\w+)\b/g)].map((m) => m[1]!);
    return { errors: Object.fromEntries(columns.map((c) => [c, 'is already taken'])), status: 409 };
  }
  throw error;
}
