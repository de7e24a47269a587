import { createRequire } from 'node:module';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { serializerSchema } from '../src/lazy-serializers.js';

const require = createRequire(import.meta.url);
const fjs = require('fast-json-stringify') as (schema: unknown, options?: unknown) => (data: unknown) => string;

const Run = Type.Object({
  id: Type.Integer(),
  program_id: Type.Union([Type.Null(), Type.Integer()]),
  end_time: Type.Union([Type.Null(), Type.String({ format: 'date-time' })]),
  note: Type.Union([Type.String({ maxLength: 10 }), Type.Null()], { description: 'either order' }),
  // Not scalar: stays an anyOf.
  owner: Type.Union([Type.Null(), Type.Object({ name: Type.String() })]),
  kind: Type.Union([Type.Literal('a'), Type.Literal('b')]),
});

describe('serializerSchema (what fast-json-stringify is given for a response)', () => {
  it('turns anyOf [null, scalar] into the scalar with nullable, and leaves other unions and the documented schema alone', () => {
    const documented = JSON.stringify(Run);
    const s = serializerSchema(Run) as unknown as { properties: Record<string, Record<string, unknown>> };
    expect(s.properties.program_id).toEqual({ type: 'integer', nullable: true });
    expect(s.properties.end_time).toEqual({ type: 'string', format: 'date-time', nullable: true });
    expect(s.properties.note).toEqual({ type: 'string', maxLength: 10, description: 'either order', nullable: true });
    expect(s.properties.owner!.anyOf).toHaveLength(2);
    expect(s.properties.kind!.anyOf).toHaveLength(2);
    expect(JSON.stringify(Run)).toBe(documented);
  });

  it('writes the same bytes as the anyOf schema, for null and for values', () => {
    const before = fjs(Run);
    const after = fjs(serializerSchema(Run));
    const rows = [
      { id: 1, program_id: null, end_time: null, note: null, owner: null, kind: 'a' },
      { id: 2, program_id: 7, end_time: '2026-05-14T11:00:00.000Z', note: 'say "hi"\n', owner: { name: '耐久' }, kind: 'b' },
      { id: 3, program_id: 0, end_time: new Date('2026-01-02T03:04:05.000Z'), note: '', owner: null, kind: 'a' },
    ];
    for (const row of rows) expect(after(row)).toBe(before(row));
  });
});
