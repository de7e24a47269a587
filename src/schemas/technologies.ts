// Contracts for technologies and their derivations (acyclic: rule DER-1).
import { Type } from 'typebox';
import { TECHNOLOGY_DOMAINS } from '../../db/schema.js';
import { Id, LongText, PageQuery, SearchParam, ShortText, SortParam, Stamps, StringEnum } from './common.js';

const fields = {
  name: ShortText({ minLength: 1, maxLength: 200, examples: ['e-4ORCE torque vectoring'] }),
  domain: StringEnum(TECHNOLOGY_DOMAINS, { description: 'Hardware or software capability.', examples: ['software'] }),
  category_id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Technology category id', examples: [2] }),
  description: LongText({ examples: ['Front/rear torque split control developed on the Formula E car'] }),
  origin_program_id: Type.Union([Type.Null(), Id], { description: 'The program the technology came from, if any.', examples: [4] }),
  owner: ShortText({ maxLength: 200, examples: ['NISMO powertrain'] }),
  derived_from: Type.Array(Id, {
    uniqueItems: true,
    maxItems: 50,
    description: 'Ids of the technologies this one derives from. Derivations never form a cycle (DER-1).',
    examples: [[7]],
  }),
};

const example = {
  id: 12,
  name: 'e-4ORCE torque vectoring',
  domain: 'software',
  category_id: 2,
  description: 'Front/rear torque split control developed on the Formula E car',
  origin_program_id: 4,
  owner: 'NISMO powertrain',
  derived_from: [7],
  version: 1,
  created_at: '2026-01-10T08:00:00.000Z',
  updated_at: '2026-01-10T08:00:00.000Z',
};

export const Technology = Type.Object({ id: Id, ...fields, ...Stamps }, { $id: 'Technology', additionalProperties: false, examples: [example] });

export const TechnologyCreate = Type.Object(
  {
    name: fields.name,
    domain: fields.domain,
    category_id: fields.category_id,
    description: Type.Optional(fields.description),
    origin_program_id: Type.Optional(fields.origin_program_id),
    owner: Type.Optional(fields.owner),
    derived_from: Type.Optional(fields.derived_from),
  },
  {
    additionalProperties: false,
    examples: [{ name: 'Road SiC inverter', domain: 'hardware', category_id: 3, origin_program_id: null, derived_from: [5] }],
  },
);

export const TechnologyPatch = Type.Partial(TechnologyCreate, {
  additionalProperties: false,
  examples: [{ derived_from: [5, 9] }],
});

export const TechnologyListQuery = Type.Object({
  ...PageQuery,
  sort: SortParam(['name', 'id', 'updated_at'], 'name'),
  domain: Type.Optional(StringEnum(TECHNOLOGY_DOMAINS)),
  category_id: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Only this category.' })),
  origin_program_id: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Only technologies from this program.' })),
  derived_from: Type.Optional(
    Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Only technologies that derive directly from this one.' }),
  ),
  q: SearchParam,
});
