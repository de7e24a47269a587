// Contracts for technology categories: an open set, each with the venue types that count as a
// relevant environment for its technologies (TRL-6).
import { Type } from 'typebox';
import { VENUE_TYPES } from '../../db/schema.js';
import { Id, LongText, PageQuery, SearchParam, ShortText, SortParam, Stamps, StringEnum } from './common.js';

const fields = {
  name: ShortText({ minLength: 1, maxLength: 100, examples: ['Inverter'] }),
  description: LongText({ examples: ['Power electronics between battery and motor'] }),
  venue_types: Type.Array(StringEnum(VENUE_TYPES), {
    uniqueItems: true,
    maxItems: VENUE_TYPES.length,
    description: 'The venue types that count as a relevant environment for technologies of this category (TRL-6).',
    examples: [['dyno', 'hil', 'track']],
  }),
};

const example = {
  id: 3,
  name: 'Inverter',
  description: 'Power electronics between battery and motor',
  venue_types: ['track', 'dyno', 'hil'],
  version: 1,
  created_at: '2026-01-10T08:00:00.000Z',
  updated_at: '2026-01-10T08:00:00.000Z',
};

export const TechnologyCategory = Type.Object(
  { id: Id, ...fields, ...Stamps },
  { $id: 'TechnologyCategory', additionalProperties: false, examples: [example] },
);

export const TechnologyCategoryCreate = Type.Object(
  { name: fields.name, description: Type.Optional(fields.description), venue_types: Type.Optional(fields.venue_types) },
  { additionalProperties: false, examples: [{ name: 'Aerodynamics', venue_types: ['wind_tunnel', 'track'] }] },
);

export const TechnologyCategoryPatch = Type.Partial(TechnologyCategoryCreate, {
  additionalProperties: false,
  examples: [{ venue_types: ['wind_tunnel', 'track', 'race_event'] }],
});

export const TechnologyCategoryListQuery = Type.Object({
  ...PageQuery,
  sort: SortParam(['name', 'id', 'updated_at'], 'name'),
  q: SearchParam,
});
