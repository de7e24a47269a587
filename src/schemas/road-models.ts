import { Type } from 'typebox';
import { POWERTRAINS, ROAD_MODEL_STATUSES } from '../../db/schema.js';
import { DateOnly, Id, LongText, PageQuery, SearchParam, ShortText, SortParam, Stamps, StringEnum } from './common.js';

/** Planned units of the road model in one market and year; the set is owned by the road model. */
export const RoadModelMarketEntry = Type.Object(
  {
    market_id: Id,
    year: Type.Integer({ minimum: 2000, maximum: 2100, examples: [2026] }),
    planned_units: Type.Integer({ minimum: 0, maximum: 1_000_000_000, examples: [12000] }),
  },
  { additionalProperties: false },
);

const fields = {
  name: ShortText({ minLength: 1, maxLength: 100, examples: ['Ariya NISMO'] }),
  base_model: ShortText({ maxLength: 100, examples: ['Ariya'] }),
  powertrain: StringEnum(POWERTRAINS, { examples: ['ev'] }),
  status: StringEnum(ROAD_MODEL_STATUSES, { examples: ['production'] }),
  launch_date: Type.Union([Type.Null(), DateOnly], { description: 'First sale.' }),
  end_date: Type.Union([Type.Null(), DateOnly], { description: 'End of production; not before the launch date.' }),
  partner: Type.Union([Type.Null(), ShortText({ maxLength: 100 })], { description: 'External partner, e.g. Renault/Alpine.', examples: ['Renault/Alpine'] }),
  description: LongText({ examples: ['e-4ORCE tuned by NISMO; tyres developed with Formula E technology.'] }),
  markets: Type.Array(RoadModelMarketEntry, {
    maxItems: 500,
    description: 'Planned yearly units per market; one entry per (market, year). A PATCH naming it replaces the whole set.',
  }),
};

export const RoadModel = Type.Object(
  { id: Id, ...fields, ...Stamps },
  {
    $id: 'RoadModel',
    additionalProperties: false,
    examples: [
      {
        id: 1,
        name: 'Ariya NISMO',
        base_model: 'Ariya',
        powertrain: 'ev',
        status: 'production',
        launch_date: '2024-06-01',
        end_date: null,
        partner: null,
        description: 'e-4ORCE tuned by NISMO; tyres developed with Formula E technology.',
        markets: [
          { market_id: 1, year: 2026, planned_units: 3000 },
          { market_id: 2, year: 2026, planned_units: 1500 },
        ],
        version: 1,
        created_at: '2026-01-10T08:00:00.000Z',
        updated_at: '2026-01-10T08:00:00.000Z',
      },
    ],
  },
);

export const RoadModelCreate = Type.Object(
  {
    name: fields.name,
    base_model: Type.Optional(fields.base_model),
    powertrain: fields.powertrain,
    status: fields.status,
    launch_date: Type.Optional(fields.launch_date),
    end_date: Type.Optional(fields.end_date),
    partner: Type.Optional(fields.partner),
    description: Type.Optional(fields.description),
    markets: Type.Optional(fields.markets),
  },
  {
    additionalProperties: false,
    examples: [
      {
        name: 'Micra NISMO',
        base_model: 'Micra',
        powertrain: 'ev',
        status: 'concept',
        partner: 'Renault/Alpine',
        markets: [{ market_id: 3, year: 2027, planned_units: 2000 }],
      },
    ],
  },
);

export const RoadModelPatch = Type.Partial(RoadModelCreate, {
  additionalProperties: false,
  examples: [{ status: 'discontinued', end_date: '2025-08-31' }],
});

export const RoadModelListQuery = Type.Object({
  ...PageQuery,
  sort: SortParam(['name', 'id', 'updated_at'], 'name'),
  status: Type.Optional(StringEnum(ROAD_MODEL_STATUSES, { description: 'Only road models with this status.' })),
  powertrain: Type.Optional(StringEnum(POWERTRAINS, { description: 'Only road models with this powertrain.' })),
  q: SearchParam,
});
