// Contracts for the traceability matrix: technologies × road models, a transfer stage per cell.
import { Type, type TSchema } from 'typebox';
import { ROAD_MODEL_STATUSES, TRANSFER_STAGES } from '../../db/schema.js';
import { DateOnly, Id, StringEnum, ref } from './common.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema]);
const QueryId = (description: string) => Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description }));

/** `format` on every report: `csv` answers text/csv (as `Accept: text/csv` does). */
export const FormatParam = Type.Optional(
  StringEnum(['json', 'csv'] as const, { description: 'Answer as CSV with `csv` (same as `Accept: text/csv`); JSON by default.' }),
);

export const MatrixQuery = Type.Object({
  series_id: QueryId("Only technologies whose origin program belongs to this series."),
  category_id: QueryId('Only technologies of this category.'),
  stage: Type.Optional(StringEnum(TRANSFER_STAGES, { description: 'Only transfers at this stage.' })),
  format: FormatParam,
});

/** The matrix page (/matrix): the API's filters and a page of technologies. */
export const MatrixPageQuery = Type.Object({
  ...MatrixQuery.properties,
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'The page of technologies (by name), from 1.' })),
});

export const MatrixTechnology = Type.Object(
  {
    id: Id,
    name: Type.String({ maxLength: 200, examples: ['FE SiC inverter'] }),
    category_id: Id,
    category: Type.String({ maxLength: 200, examples: ['Inverter'] }),
    series_id: Nullable(Id),
    series: Nullable(Type.String({ maxLength: 200, examples: ['Formula E'] })),
  },
  {
    $id: 'MatrixTechnology',
    additionalProperties: false,
    description: 'A row of the matrix; `series` is that of the origin program (null without one).',
    examples: [{ id: 7, name: 'FE SiC inverter', category_id: 2, category: 'Inverter', series_id: 1, series: 'Formula E' }],
  },
);

export const MatrixRoadModel = Type.Object(
  {
    id: Id,
    name: Type.String({ maxLength: 200, examples: ['Ariya NISMO'] }),
    status: StringEnum(ROAD_MODEL_STATUSES),
    launch_date: Nullable(DateOnly),
  },
  {
    $id: 'MatrixRoadModel',
    additionalProperties: false,
    description: 'A column of the matrix.',
    examples: [{ id: 1, name: 'Ariya NISMO', status: 'production', launch_date: '2024-06-01' }],
  },
);

export const MatrixCell = Type.Object(
  {
    technology_id: Id,
    road_model_id: Id,
    transfer_id: Id,
    stage: StringEnum(TRANSFER_STAGES),
    suspect: Type.Boolean({ description: 'SUS-1 or SUS-2 holds and no review has cleared it (SUS-3).' }),
    suspect_reasons: Type.Array(
      Type.Object(
        {
          rule: StringEnum(['SUS-1', 'SUS-2'] as const),
          detail: Type.String({ maxLength: 2000 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 1000 },
    ),
  },
  {
    $id: 'MatrixCell',
    additionalProperties: false,
    description: 'A transfer at the crossing of its technology and road model.',
    examples: [
      {
        technology_id: 7,
        road_model_id: 1,
        transfer_id: 4,
        stage: 'in_production',
        suspect: true,
        suspect_reasons: [{ rule: 'SUS-1', detail: 'run TR-2026-0042 failed FE SiC inverter; it ended 2026-04-01 12:00 UTC, after the last review (2026-03-02 10:00 UTC)' }],
      },
    ],
  },
);

export const Matrix = Type.Object(
  {
    technologies: Type.Array(ref(MatrixTechnology), { description: 'Rows: technologies with at least one transfer after the filters, by name.' }),
    road_models: Type.Array(ref(MatrixRoadModel), { description: 'Columns: road models with at least one transfer after the filters, by name.' }),
    cells: Type.Array(ref(MatrixCell), { description: 'Only the crossings that hold a transfer, by row then column.' }),
  },
  {
    $id: 'Matrix',
    additionalProperties: false,
    examples: [
      {
        technologies: [{ id: 7, name: 'FE SiC inverter', category_id: 2, category: 'Inverter', series_id: 1, series: 'Formula E' }],
        road_models: [{ id: 1, name: 'Ariya NISMO', status: 'production', launch_date: '2024-06-01' }],
        cells: [{ technology_id: 7, road_model_id: 1, transfer_id: 4, stage: 'approved', suspect: false, suspect_reasons: [] }],
      },
    ],
  },
);
