import { Type } from 'typebox';
import { Id, LongText, PageQuery, SearchParam, ShortText, SortParam, Stamps } from './common.js';

const fields = {
  name: ShortText({ minLength: 1, maxLength: 100, examples: ['Formula E'] }),
  description: LongText({ examples: ['FIA Formula E World Championship'] }),
};

export const Series = Type.Object(
  { id: Id, ...fields, ...Stamps },
  {
    $id: 'Series',
    additionalProperties: false,
    examples: [
      { id: 1, name: 'Formula E', description: 'FIA Formula E World Championship', version: 1, created_at: '2026-01-10T08:00:00.000Z', updated_at: '2026-01-10T08:00:00.000Z' },
    ],
  },
);

export const SeriesCreate = Type.Object(
  { name: fields.name, description: Type.Optional(fields.description) },
  { additionalProperties: false, examples: [{ name: 'Super Taikyu', description: 'Japanese endurance series' }] },
);

export const SeriesPatch = Type.Partial(SeriesCreate, { additionalProperties: false, examples: [{ description: 'Renamed' }] });

export const SeriesListQuery = Type.Object({
  ...PageQuery,
  sort: SortParam(['name', 'id', 'updated_at'], 'name'),
  q: SearchParam,
});
