import { Type } from 'typebox';
import { PROGRAM_STATUSES } from '../../db/schema.js';
import { Id, PageQuery, SearchParam, ShortText, SortParam, Stamps, StringEnum } from './common.js';

const Year = (options: Record<string, unknown> = {}) => Type.Integer({ minimum: 1900, maximum: 2200, examples: [2024], ...options });

const fields = {
  series_id: Id,
  season: ShortText({ minLength: 1, maxLength: 20, description: 'Season label as the series names it.', examples: ['2024-25', '2025'] }),
  start_year: Year(),
  end_year: Year({ description: 'At or after `start_year`.', examples: [2025] }),
  class: Type.Union([Type.Null(), ShortText({ minLength: 1, maxLength: 40, examples: ['GT500'] })], {
    description: 'Class within the series (GT500, GT300); null when the series has none (Formula E).',
  }),
  entry: ShortText({ minLength: 1, maxLength: 100, description: 'Team and car number.', examples: ['#23 NISMO'] }),
  car: ShortText({ minLength: 1, maxLength: 200, description: 'Car or platform.', examples: ['Nissan e-4ORCE 05'] }),
  status: StringEnum(PROGRAM_STATUSES, { examples: ['active'] }),
};

export const Program = Type.Object(
  { id: Id, ...fields, ...Stamps },
  {
    $id: 'Program',
    additionalProperties: false,
    description: 'One entry in a series for a season. Unique on (series_id, season, class, entry).',
    examples: [
      {
        id: 1,
        series_id: 1,
        season: '2024-25',
        start_year: 2024,
        end_year: 2025,
        class: null,
        entry: 'Nissan Formula E Team',
        car: 'Nissan e-4ORCE 05',
        status: 'completed',
        version: 1,
        created_at: '2026-01-10T08:00:00.000Z',
        updated_at: '2026-01-10T08:00:00.000Z',
      },
    ],
  },
);

// No `default` on status here: Type.Partial keeps defaults and Ajv would then fill them into PATCH bodies.
export const ProgramCreate = Type.Object(
  {
    series_id: fields.series_id,
    season: fields.season,
    start_year: fields.start_year,
    end_year: fields.end_year,
    class: Type.Optional(fields.class),
    entry: fields.entry,
    car: fields.car,
    status: Type.Optional(StringEnum(PROGRAM_STATUSES, { description: 'Default `planned`.', examples: ['active'] })),
  },
  {
    additionalProperties: false,
    examples: [
      { series_id: 2, season: '2025', start_year: 2025, end_year: 2025, class: 'GT500', entry: '#23 NISMO', car: 'Nissan Z NISMO GT500', status: 'active' },
    ],
  },
);

export const ProgramPatch = Type.Partial(ProgramCreate, { additionalProperties: false, examples: [{ status: 'completed' }] });

export const ProgramListQuery = Type.Object({
  ...PageQuery,
  sort: SortParam(['start_year', 'season', 'id', 'updated_at'], '-start_year'),
  series_id: Type.Optional(Id),
  status: Type.Optional(StringEnum(PROGRAM_STATUSES)),
  season: Type.Optional(ShortText({ maxLength: 20, description: 'Exact season label.' })),
  start_year: Type.Optional(Year({ description: 'Programs starting in this year.' })),
  q: SearchParam,
});
