import { Type } from 'typebox';
import { Id, PageQuery, SearchParam, ShortText, SortParam, Stamps } from './common.js';

const fields = {
  code: Type.String({
    minLength: 2,
    maxLength: 10,
    pattern: '^[A-Z0-9]{2,10}$',
    description: 'Upper-case letters and digits; `JP` is the home market for the line-up plan.',
    examples: ['JP'],
  }),
  name: ShortText({ minLength: 1, maxLength: 100, examples: ['Japan'] }),
};

export const Market = Type.Object(
  { id: Id, ...fields, ...Stamps },
  {
    $id: 'Market',
    additionalProperties: false,
    examples: [{ id: 1, code: 'JP', name: 'Japan', version: 1, created_at: '2026-01-10T08:00:00.000Z', updated_at: '2026-01-10T08:00:00.000Z' }],
  },
);

export const MarketCreate = Type.Object(
  { code: fields.code, name: fields.name },
  { additionalProperties: false, examples: [{ code: 'GCC', name: 'Gulf Cooperation Council' }] },
);

export const MarketPatch = Type.Partial(MarketCreate, { additionalProperties: false, examples: [{ name: 'Europe' }] });

export const MarketListQuery = Type.Object({
  ...PageQuery,
  sort: SortParam(['code', 'name', 'id', 'updated_at'], 'code'),
  q: SearchParam,
});
