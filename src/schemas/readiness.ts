// Contracts for readiness assessments (TRL 1–9 per target, with the runs they rest on).
import { Type } from 'typebox';
import { READINESS_TARGETS } from '../../db/schema.js';
import { READINESS_LIMITS as L } from '../domain/readiness.js';
import { Id, PageQuery, SortParam, Stamps, StringEnum } from './common.js';

const fields = {
  technology_id: Id,
  target: StringEnum(READINESS_TARGETS, { description: 'What the level is assessed for.', examples: ['race'] }),
  level: Type.Integer({ minimum: 1, maximum: 9, description: 'Technology readiness level (TRL).', examples: [6] }),
  assessed_on: Type.String({
    format: 'date',
    maxLength: 10,
    description: 'The date the assessment speaks for; evidence runs must have ended by then (EVD-1).',
    examples: ['2026-04-01'],
  }),
  assessor: Type.String({ minLength: 1, maxLength: L.assessor, examples: ['k.tanaka'] }),
  rationale: Type.String({ maxLength: L.rationale, examples: ['Passed the thermal soak on the dyno and at the track.'] }),
  evidence_run_ids: Type.Array(Id, {
    uniqueItems: true,
    maxItems: L.evidence_run_ids,
    description: 'The test runs the assessment rests on: completed, ended on or before `assessed_on`, with evidence for the technology.',
    examples: [[41, 42]],
  }),
};

export const ReadinessAssessment = Type.Object(
  { id: Id, ...fields, ...Stamps },
  {
    $id: 'ReadinessAssessment',
    additionalProperties: false,
    description: 'A technology readiness level for a target at a date. The current level per target is the latest assessment (by `assessed_on`, then `id`).',
    examples: [
      {
        id: 7,
        technology_id: 12,
        target: 'race',
        level: 6,
        assessed_on: '2026-04-01',
        assessor: 'k.tanaka',
        rationale: 'Passed the thermal soak on the dyno and at the track.',
        evidence_run_ids: [41, 42],
        version: 1,
        created_at: '2026-04-01T09:00:00.000Z',
        updated_at: '2026-04-01T09:00:00.000Z',
      },
    ],
  },
);

export const ReadinessAssessmentCreate = Type.Object(
  {
    target: fields.target,
    level: fields.level,
    assessed_on: fields.assessed_on,
    assessor: Type.Optional(Type.String({ minLength: 1, maxLength: L.assessor, description: 'Default: the caller.', examples: ['k.tanaka'] })),
    rationale: Type.Optional(fields.rationale),
    evidence_run_ids: Type.Optional(fields.evidence_run_ids),
  },
  {
    additionalProperties: false,
    examples: [{ target: 'race', level: 6, assessed_on: '2026-04-01', rationale: 'Dyno and track passes', evidence_run_ids: [41, 42] }],
  },
);

export const ReadinessListQuery = Type.Object({
  ...PageQuery,
  sort: SortParam(['assessed_on', 'id', 'updated_at'], '-assessed_on'),
  target: Type.Optional(StringEnum(READINESS_TARGETS, { description: 'Only assessments for this target.' })),
});
