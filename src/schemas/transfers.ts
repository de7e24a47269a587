import { Type } from 'typebox';
import { TRANSFER_STAGES } from '../../db/schema.js';
import { DateOnly, Id, LongText, PageQuery, SortParam, Stamps, StringEnum, Timestamp } from './common.js';

const ReviewNote = LongText({ maxLength: 2000, examples: ['Checked against the latest dyno runs.'] });

const fields = {
  technology_id: Id,
  road_model_id: Id,
  stage: StringEnum(TRANSFER_STAGES, { examples: ['approved'] }),
  rationale: LongText({ examples: ['Tyre compound work from Formula E carried over to the road car.'] }),
  decided_on: Type.Union([Type.Null(), DateOnly], { description: 'When the stage was decided.' }),
};

export const Transfer = Type.Object(
  {
    id: Id,
    ...fields,
    reviewed_by: Type.Union([Type.Null(), Id], { description: 'The user who last reviewed the transfer.' }),
    reviewed_at: Type.Union([Type.Null(), Timestamp], { description: 'When the transfer was last reviewed.' }),
    review_note: ReviewNote,
    ...Stamps,
  },
  {
    $id: 'Transfer',
    additionalProperties: false,
    description: 'A technology feeding a road model. Creating it and every change of `stage` record a review by the writer.',
    examples: [
      {
        id: 4,
        technology_id: 12,
        road_model_id: 1,
        stage: 'in_production',
        rationale: 'Tyre compound work from Formula E carried over to the road car.',
        decided_on: '2024-02-01',
        reviewed_by: 1,
        reviewed_at: '2026-03-02T10:00:00.000Z',
        review_note: 'Checked against the latest dyno runs.',
        version: 3,
        created_at: '2026-01-10T08:00:00.000Z',
        updated_at: '2026-03-02T10:00:00.000Z',
      },
    ],
  },
);

export const TransferCreate = Type.Object(
  {
    technology_id: fields.technology_id,
    road_model_id: fields.road_model_id,
    stage: fields.stage,
    rationale: Type.Optional(fields.rationale),
    decided_on: Type.Optional(fields.decided_on),
    review_note: Type.Optional(ReviewNote),
  },
  {
    additionalProperties: false,
    examples: [{ technology_id: 12, road_model_id: 1, stage: 'candidate', rationale: 'Race inverter efficiency gains' }],
  },
);

export const TransferPatch = Type.Partial(TransferCreate, {
  additionalProperties: false,
  description: '`review_note` is recorded with a change of `stage` only; to review without one, POST …/review.',
  examples: [{ stage: 'approved', decided_on: '2026-04-01', review_note: 'Approved at the product board.' }],
});

export const TransferReview = Type.Object(
  { note: Type.Optional(ReviewNote) },
  { additionalProperties: false, examples: [{ note: 'Re-checked after the March dyno failure.' }] },
);

export const TransferListQuery = Type.Object({
  ...PageQuery,
  sort: SortParam(['id', 'updated_at', 'stage'], 'id'),
  technology_id: Type.Optional(Type.Integer({ minimum: 1, description: 'Only transfers of this technology.' })),
  road_model_id: Type.Optional(Type.Integer({ minimum: 1, description: 'Only transfers to this road model.' })),
  stage: Type.Optional(StringEnum(TRANSFER_STAGES, { description: 'Only transfers at this stage.' })),
});
