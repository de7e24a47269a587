// Contracts shared by every resource: problems, paging, ids, headers. Named schemas get an $id and
// become OpenAPI components; request schemas stay inline (validated by src/plugins/validation.ts).
import { Type, type Static, type TSchema } from 'typebox';

/** A string enum as `{ type: string, enum: [...] }`: clearer in OpenAPI and generated clients than anyOf/const. */
export function StringEnum<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** A typed `$ref` to a named schema registered with `app.addSchema`. */
export function ref<T extends TSchema>(schema: T & { $id?: string }) {
  if (!schema.$id) throw new Error('ref() needs a schema with an $id');
  return Type.Unsafe<Static<T>>({ $ref: `${schema.$id}#` });
}

export const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Row id' });
export const Timestamp = Type.String({ format: 'date-time', maxLength: 40, examples: ['2026-05-14T09:30:00.000Z'] });
export const DateOnly = Type.String({ format: 'date', maxLength: 10, examples: ['2024-06-01'] });
export const Version = Type.Integer({ minimum: 1, description: 'Moves on every change; sent back as ETag / If-Match.' });
export const ShortText = (options: Record<string, unknown> = {}) => Type.String({ maxLength: 200, ...options });
export const LongText = (options: Record<string, unknown> = {}) => Type.String({ maxLength: 10_000, ...options });

/** `version`, `created_at`, `updated_at` on every editable row. */
export const Stamps = {
  version: Version,
  created_at: Timestamp,
  updated_at: Timestamp,
};

export const IdParams = Type.Object({ id: Id });

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Page size (max 200).' })),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'Opaque cursor from `next_cursor` of the previous page.' })),
  updated_since: Type.Optional(
    Type.String({ format: 'date-time', maxLength: 40, description: 'Only rows changed at or after this time.' }),
  ),
  format: Type.Optional(
    StringEnum(['json', 'csv'] as const, { description: '`csv` answers the whole filtered list as CSV (as does `Accept: text/csv`).' }),
  ),
};

/** `sort` among documented fields, `-` for descending. */
export function SortParam(fields: readonly string[], defaultSort: string) {
  return Type.Optional(
    StringEnum(
      fields.flatMap((f) => [f, `-${f}`]),
      { default: defaultSort, description: `Sort field; prefix with \`-\` for descending. Default \`${defaultSort}\`.` },
    ),
  );
}

export const SearchParam = Type.Optional(
  Type.String({ maxLength: 200, description: 'Text search: codes, hyphenated words, Japanese, short words.' }),
);

export function PageOf<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    next_cursor: Type.Union([Type.Null(), Type.String()], { description: 'Pass as `cursor` for the next page; null on the last.' }),
  });
}

export const FieldProblem = Type.Object({
  path: Type.String({ description: 'JSON Pointer to the field', examples: ['/evidence/0/outcome'] }),
  message: Type.String(),
});

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'A URI reference naming the kind of problem; documented at that path.', examples: ['/problems/validation'] }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(FieldProblem)),
    rule: Type.Optional(Type.String({ description: 'The id of the rule of DESIGN §3 that refused the request', examples: ['DER-1'] })),
  },
  {
    $id: 'Problem',
    description: 'RFC 9457 problem details',
    examples: [
      {
        type: '/problems/validation',
        title: 'The request does not match its schema',
        status: 400,
        detail: 'body/title must be string',
        errors: [{ path: '/title', message: 'must be string' }],
      },
    ],
  },
);

export const IfMatchHeader = Type.Object({
  'if-match': Type.Optional(Type.String({ maxLength: 100, description: 'The ETag of the version you edited (required).' })),
});

export const IdempotencyHeader = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'Replays the first response for the same key and body (24 h).' }),
  ),
});
