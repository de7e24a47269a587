// Contracts for the reports: flat rows with a stable column order (the CSV export writes them as is).
import { Type, type TSchema } from 'typebox';
import { TRANSFER_STAGES } from '../../db/schema.js';
import { Id, StringEnum, ref } from './common.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema]);
const Name = (examples: string[]) => Type.String({ maxLength: 200, examples });
const Detail = Type.String({ maxLength: 2000, description: 'Why the row is in the report, in words.' });
const DateText = Type.String({ format: 'date', maxLength: 10, examples: ['2024-06-01'] });
const Stage = StringEnum(TRANSFER_STAGES, { examples: ['approved'] });

export const GAP_RULES = ['GAP-1', 'GAP-2', 'GAP-3'] as const;

export const CoverageGap = Type.Object(
  {
    rule: StringEnum(GAP_RULES, { description: 'GAP-1 no pass; GAP-2 race TRL below 6; GAP-3 road model without a transfer.' }),
    road_model_id: Id,
    road_model: Name(['Ariya NISMO']),
    technology_id: Nullable(Id),
    technology: Nullable(Name(['FE tyre compound'])),
    transfer_id: Nullable(Id),
    stage: Nullable(Stage),
    detail: Detail,
  },
  {
    $id: 'CoverageGap',
    additionalProperties: false,
    description: 'A road-bound technology or road model without the evidence the rules ask for. Technology and transfer are null for GAP-3.',
    examples: [
      {
        rule: 'GAP-2',
        road_model_id: 1,
        road_model: 'Ariya NISMO',
        technology_id: 12,
        technology: 'FE tyre compound',
        transfer_id: 4,
        stage: 'approved',
        detail: 'FE tyre compound is at race TRL 5 (assessed 2026-03-01); approved needs race TRL 6 or more',
      },
    ],
  },
);

export const CoverageGapsReport = Type.Object(
  { items: Type.Array(ref(CoverageGap), { description: 'By rule, road model, technology.' }) },
  {
    $id: 'CoverageGapsReport',
    additionalProperties: false,
    examples: [
      {
        items: [
          {
            rule: 'GAP-3',
            road_model_id: 5,
            road_model: 'Leaf NISMO',
            technology_id: null,
            technology: null,
            transfer_id: null,
            stage: null,
            detail: 'Leaf NISMO is in production with no transfer from racing',
          },
        ],
      },
    ],
  },
);

export const CoverageGapsQuery = Type.Object({
  rule: Type.Optional(StringEnum(GAP_RULES, { description: 'Only gaps of this rule.' })),
  road_model_id: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Only gaps of this road model.' })),
});

export const SuspectTransferRow = Type.Object(
  {
    transfer_id: Id,
    stage: Stage,
    technology_id: Id,
    technology: Name(['Race SiC inverter']),
    road_model_id: Id,
    road_model: Name(['Ariya NISMO']),
    reviewed_at: Nullable(Type.String({ format: 'date-time', maxLength: 40 })),
    rule: StringEnum(['SUS-1', 'SUS-2'] as const, { description: 'SUS-1 a later fail; SUS-2 a changed definition.' }),
    detail: Detail,
    run_id: Nullable(Id),
    run_code: Nullable(Type.String({ maxLength: 40, examples: ['TR-2026-0042'] })),
    source_technology_id: Nullable(Id),
    source_technology: Nullable(Name(['FE inverter'])),
  },
  {
    $id: 'SuspectTransferRow',
    additionalProperties: false,
    description:
      'One reason a transfer at approved or in_production is suspect; a transfer with several reasons has several rows. `source_technology` is the technology that failed or changed: the transfer\'s own or an ancestor.',
    examples: [
      {
        transfer_id: 4,
        stage: 'in_production',
        technology_id: 12,
        technology: 'Road SiC inverter',
        road_model_id: 1,
        road_model: 'Ariya NISMO',
        reviewed_at: '2026-03-02T10:00:00.000Z',
        rule: 'SUS-1',
        detail: 'run TR-2026-0042 failed FE inverter (an ancestor); it ended 2026-04-01 12:00 UTC, after the last review (2026-03-02 10:00 UTC)',
        run_id: 42,
        run_code: 'TR-2026-0042',
        source_technology_id: 7,
        source_technology: 'FE inverter',
      },
    ],
  },
);

export const SuspectTransfersReport = Type.Object(
  { items: Type.Array(ref(SuspectTransferRow)) },
  {
    $id: 'SuspectTransfersReport',
    additionalProperties: false,
    examples: [{ items: [] }],
  },
);

export const SuspectTransfersQuery = Type.Object({
  road_model_id: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Only transfers to this road model.' })),
  technology_id: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Only transfers of this technology.' })),
});

export const LeadTimeRow = Type.Object(
  {
    transfer_id: Id,
    technology_id: Id,
    technology: Name(['Road SiC inverter']),
    road_model_id: Id,
    road_model: Name(['Ariya NISMO']),
    first_pass_run_id: Nullable(Id),
    first_pass_run_code: Nullable(Type.String({ maxLength: 40, examples: ['TR-2022-0003'] })),
    first_pass_technology_id: Nullable(Id),
    first_pass_technology: Nullable(Name(['FE inverter'])),
    first_pass_on: Nullable(DateText),
    launch_date: Nullable(DateText),
    lead_time_days: Nullable(Type.Integer({ description: 'Days from the first pass to the launch.' })),
    series_id: Nullable(Id),
    series: Nullable(Name(['Formula E'])),
  },
  {
    $id: 'LeadTimeRow',
    additionalProperties: false,
    description:
      'A transfer in production: the first pass (completed run, earliest end) of its technology or an ancestor, and the days to the road model\'s launch. The series is that of the origin program of the technology that passed first (else of the transfer\'s technology).',
    examples: [
      {
        transfer_id: 4,
        technology_id: 12,
        technology: 'Road SiC inverter',
        road_model_id: 1,
        road_model: 'Ariya NISMO',
        first_pass_run_id: 3,
        first_pass_run_code: 'TR-2022-0003',
        first_pass_technology_id: 7,
        first_pass_technology: 'FE inverter',
        first_pass_on: '2022-11-10',
        launch_date: '2024-06-01',
        lead_time_days: 569,
        series_id: 1,
        series: 'Formula E',
      },
    ],
  },
);

export const LeadTimeSeries = Type.Object(
  {
    series_id: Nullable(Id),
    series: Nullable(Name(['Formula E'])),
    count: Type.Integer({ minimum: 1, description: 'Transfers with a lead time.' }),
    min_days: Type.Integer(),
    median_days: Type.Number({ description: 'The middle value; the mean of the two middle values for an even count.' }),
    max_days: Type.Integer(),
  },
  {
    $id: 'LeadTimeSeries',
    additionalProperties: false,
    description: 'Lead times summarised per series of the origin program; `series` is null for technologies without an origin program.',
    examples: [{ series_id: 1, series: 'Formula E', count: 3, min_days: 410, median_days: 569, max_days: 902 }],
  },
);

export const LeadTimesReport = Type.Object(
  { transfers: Type.Array(ref(LeadTimeRow)), per_series: Type.Array(ref(LeadTimeSeries)) },
  {
    $id: 'LeadTimesReport',
    additionalProperties: false,
    examples: [
      {
        transfers: [],
        per_series: [{ series_id: 1, series: 'Formula E', count: 3, min_days: 410, median_days: 569, max_days: 902 }],
      },
    ],
  },
);

export const LineupPlanRow = Type.Object(
  {
    year: Type.Integer({ examples: [2028] }),
    models: Type.Integer({ minimum: 0, description: 'Road models on sale (or planned to be) that year.' }),
    model_target: Type.Integer({ minimum: 0 }),
    units: Type.Integer({ minimum: 0, description: 'Planned units of all road models in all markets that year.' }),
    units_target: Type.Integer({ minimum: 0 }),
    outside_japan_share: Nullable(
      Type.Number({ description: 'Percent of the unit growth since the earliest plan year from markets other than JP; null without growth.' }),
    ),
    band_min: Nullable(Type.Number()),
    band_max: Nullable(Type.Number()),
    on_track: Type.Boolean({ description: 'Both targets reached and the share (when a band is set) inside the band.' }),
  },
  {
    $id: 'LineupPlanRow',
    additionalProperties: false,
    examples: [
      { year: 2028, models: 9, model_target: 10, units: 152000, units_target: 150000, outside_japan_share: 52.3, band_min: 40, band_max: 60, on_track: false },
    ],
  },
);

export const LineupPlanReport = Type.Object(
  { items: Type.Array(ref(LineupPlanRow), { description: 'One row per plan target year, by year.' }) },
  {
    $id: 'LineupPlanReport',
    additionalProperties: false,
    examples: [
      {
        items: [
          { year: 2025, models: 5, model_target: 5, units: 100000, units_target: 100000, outside_japan_share: null, band_min: null, band_max: null, on_track: true },
        ],
      },
    ],
  },
);
