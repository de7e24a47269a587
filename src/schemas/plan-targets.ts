import { Type } from 'typebox';
import { Id, LongText, PageQuery, SortParam, Stamps } from './common.js';

const Share = (description: string) =>
  Type.Union([Type.Null(), Type.Number({ minimum: 0, maximum: 100 })], { description, examples: [40] });

const fields = {
  year: Type.Integer({ minimum: 2000, maximum: 2100, description: 'One target per year.', examples: [2028] }),
  model_count_target: Type.Integer({ minimum: 0, maximum: 1000, description: 'Nismo models in the line-up.', examples: [10] }),
  units_target: Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'Nismo units sold in the year.', examples: [150000] }),
  outside_japan_share_min: Share('Lower bound of the share of growth outside Japan, in percent.'),
  outside_japan_share_max: Share('Upper bound of the share of growth outside Japan, in percent; at least the lower bound.'),
  notes: LongText({ examples: ['Public target: double the range by 2028.'] }),
};

export const PlanTarget = Type.Object(
  { id: Id, ...fields, ...Stamps },
  {
    $id: 'PlanTarget',
    additionalProperties: false,
    examples: [
      {
        id: 2,
        year: 2028,
        model_count_target: 10,
        units_target: 150000,
        outside_japan_share_min: 40,
        outside_japan_share_max: 60,
        notes: 'Public target: double the range by 2028.',
        version: 1,
        created_at: '2026-01-10T08:00:00.000Z',
        updated_at: '2026-01-10T08:00:00.000Z',
      },
    ],
  },
);

export const PlanTargetCreate = Type.Object(
  {
    year: fields.year,
    model_count_target: fields.model_count_target,
    units_target: fields.units_target,
    outside_japan_share_min: Type.Optional(fields.outside_japan_share_min),
    outside_japan_share_max: Type.Optional(fields.outside_japan_share_max),
    notes: Type.Optional(fields.notes),
  },
  {
    additionalProperties: false,
    examples: [{ year: 2028, model_count_target: 10, units_target: 150000, outside_japan_share_min: 40, outside_japan_share_max: 60 }],
  },
);

export const PlanTargetPatch = Type.Partial(PlanTargetCreate, { additionalProperties: false, examples: [{ units_target: 160000 }] });

export const PlanTargetListQuery = Type.Object({
  ...PageQuery,
  sort: SortParam(['year', 'id', 'updated_at'], 'year'),
});
