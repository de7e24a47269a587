import { Type } from 'typebox';
import { StringEnum } from './common.js';

export const ChangeEvent = Type.Object(
  {
    seq: Type.Integer({ minimum: 1, description: 'Position in the feed; pass the last one you saw as `after`.' }),
    entity: Type.String({ examples: ['test_run'] }),
    entity_id: Type.String({ examples: ['42'] }),
    action: StringEnum(['create', 'update', 'delete'] as const),
    actor_id: Type.Union([Type.Null(), Type.Integer()]),
    actor: Type.String({ examples: ['admin'] }),
    at: Type.String({ format: 'date-time' }),
    before: Type.Unknown({ description: 'The record before the change (null on create).' }),
    after: Type.Unknown({ description: 'The record after the change (null on delete).' }),
  },
  {
    $id: 'ChangeEvent',
    additionalProperties: false,
    examples: [
      { seq: 812, entity: 'test_run', entity_id: '42', action: 'delete', actor_id: 1, actor: 'admin', at: '2026-05-14T09:30:00.000Z', before: { id: 42, code: 'TR-2026-0042' }, after: null },
    ],
  },
);

export const ChangesQuery = Type.Object({
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'Only events after this `seq`.' })),
  cursor: Type.Optional(Type.String({ maxLength: 30, pattern: '^[0-9]+$', description: 'Same as `after`; `next_cursor` of the previous page.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  entity: Type.Optional(Type.String({ maxLength: 50, description: 'Only events of this entity (e.g. `test_run`).' })),
});
