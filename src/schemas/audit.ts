// The audit history: who changed what, newest first, filtered by record, person and time.
import { Type } from 'typebox';
import { AUDIT_ACTIONS } from '../../db/schema.js';
import { StringEnum } from './common.js';

/** The entity names the audit records (DESIGN §4), for filters and documentation. */
export const AUDIT_ENTITIES = [
  'series',
  'program',
  'prototype',
  'technology_category',
  'technology',
  'test_run',
  'attachment',
  'readiness_assessment',
  'market',
  'road_model',
  'transfer',
  'plan_target',
  'user',
  'api_token',
  'webhook',
] as const;

export const AuditEvent = Type.Object(
  {
    seq: Type.Integer({ minimum: 1, description: 'Order of the event; higher is newer.' }),
    entity: Type.String({ maxLength: 50, description: `The kind of record: ${AUDIT_ENTITIES.map((e) => `\`${e}\``).join(', ')}.`, examples: ['test_run'] }),
    entity_id: Type.String({ maxLength: 50, examples: ['42'] }),
    action: StringEnum(AUDIT_ACTIONS),
    actor_id: Type.Union([Type.Null(), Type.Integer()], { description: 'The user who made the change; null for the system.' }),
    actor: Type.String({ maxLength: 100, description: 'Username at the time of the change (`system` for seeding).', examples: ['k.tanaka'] }),
    at: Type.String({ format: 'date-time' }),
    before: Type.Unknown({ description: 'The whole record before the change, nested arrays included (null on create).' }),
    after: Type.Unknown({ description: 'The whole record after the change, nested arrays included (null on delete).' }),
  },
  {
    $id: 'AuditEvent',
    additionalProperties: false,
    examples: [
      {
        seq: 812,
        entity: 'test_run',
        entity_id: '42',
        action: 'update',
        actor_id: 7,
        actor: 'k.tanaka',
        at: '2026-05-14T09:30:00.000Z',
        before: { id: 42, code: 'TR-2026-0042', status: 'planned', version: 1 },
        after: { id: 42, code: 'TR-2026-0042', status: 'completed', version: 2 },
      },
    ],
  },
);

/** A calendar day (the whole day) or an exact instant. */
const TimeBound = (description: string) =>
  Type.Optional(
    Type.Union([Type.String({ format: 'date', maxLength: 10 }), Type.String({ format: 'date-time', maxLength: 40 })], {
      description,
      examples: ['2026-05-01'],
    }),
  );

export const AuditQuery = Type.Object({
  entity: Type.Optional(
    Type.String({ maxLength: 50, pattern: '^[a-z_]+$', description: 'Only events of this kind of record (e.g. `test_run`).', examples: ['test_run'] }),
  ),
  entity_id: Type.Optional(Type.String({ maxLength: 50, description: 'Only events of this record (with `entity`).', examples: ['42'] })),
  actor: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Only changes by this person: a username or a user id.', examples: ['k.tanaka'] })),
  from: TimeBound('Only events at or after this time; a date means from the start of that day (UTC).'),
  to: TimeBound('Only events at or before this time; a date means to the end of that day (UTC).'),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Page size (max 200).' })),
  cursor: Type.Optional(Type.String({ maxLength: 30, pattern: '^[0-9]+$', description: 'Opaque cursor from `next_cursor` of the previous page.' })),
});
