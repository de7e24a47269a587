import { Type } from 'typebox';
import { PROTOTYPE_KINDS } from '../../db/schema.js';
import { Id, LongText, PageQuery, SearchParam, ShortText, SortParam, Stamps, StringEnum } from './common.js';

const fields = {
  code: ShortText({
    minLength: 1,
    maxLength: 40,
    pattern: '^[A-Za-z0-9_-]+$',
    description: 'Unique code: letters, digits, `-` and `_`.',
    examples: ['FE-MULE-07'],
  }),
  name: ShortText({ maxLength: 200, examples: ['Formula E powertrain mule'] }),
  kind: StringEnum(PROTOTYPE_KINDS, { examples: ['mule'] }),
  hardware_revision: ShortText({ maxLength: 100, examples: ['HW-C3'] }),
  road_model_id: Type.Union([Type.Null(), Id], { description: 'The road model of a road prototype; null for any other kind.' }),
  notes: LongText({ examples: ['Gen3 Evo inverter on a 2023 chassis'] }),
  program_ids: Type.Array(Id, {
    maxItems: 50,
    uniqueItems: true,
    description: 'The programs it serves. On PATCH the list replaces the whole set.',
    examples: [[3, 4]],
  }),
};

export const Prototype = Type.Object(
  {
    id: Id,
    ...fields,
    demo: Type.Boolean({ readOnly: true, description: 'Invented demo data (set by the demo seed, not by the API).' }),
    ...Stamps,
  },
  {
    $id: 'Prototype',
    additionalProperties: false,
    description: 'A test vehicle or rig, and the programs it serves.',
    examples: [
      {
        id: 7,
        code: 'FE-MULE-07',
        name: 'Formula E powertrain mule',
        kind: 'mule',
        hardware_revision: 'HW-C3',
        road_model_id: null,
        notes: '',
        demo: false,
        program_ids: [3, 4],
        version: 2,
        created_at: '2026-01-10T08:00:00.000Z',
        updated_at: '2026-02-01T11:20:00.000Z',
      },
    ],
  },
);

export const PrototypeCreate = Type.Object(
  {
    code: fields.code,
    name: Type.Optional(fields.name),
    kind: fields.kind,
    hardware_revision: Type.Optional(fields.hardware_revision),
    road_model_id: Type.Optional(fields.road_model_id),
    notes: Type.Optional(fields.notes),
    program_ids: Type.Optional(fields.program_ids),
  },
  {
    additionalProperties: false,
    examples: [{ code: 'FE-MULE-07', name: 'Formula E powertrain mule', kind: 'mule', hardware_revision: 'HW-C3', program_ids: [3, 4] }],
  },
);

export const PrototypePatch = Type.Partial(PrototypeCreate, {
  additionalProperties: false,
  examples: [{ hardware_revision: 'HW-C4', program_ids: [4] }],
});

export const PrototypeListQuery = Type.Object({
  ...PageQuery,
  sort: SortParam(['code', 'id', 'updated_at'], 'code'),
  kind: Type.Optional(StringEnum(PROTOTYPE_KINDS)),
  program_id: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Only prototypes serving this program.' })),
  road_model_id: Type.Optional(Id),
  q: SearchParam,
});
