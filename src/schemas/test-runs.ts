import { Type } from 'typebox';
import { EVIDENCE_OUTCOMES, RUN_STATUSES, VENUE_TYPES } from '../../db/schema.js';
import { TEST_RUN_CODE_PATTERN, TEST_RUN_LIMITS as L } from '../domain/test-runs.js';
import { Id, PageQuery, SearchParam, SortParam, Stamps, StringEnum, Timestamp, ref } from './common.js';

const text = (maxLength: number, options: Record<string, unknown> = {}) => Type.String({ maxLength, ...options });
const NullableId = Type.Union([Type.Null(), Id]);
const NullableTimestamp = Type.Union([Type.Null(), Timestamp]);

const measurementFields = {
  name: text(L.measurement_name, { minLength: 1, examples: ['peak_motor_temp'] }),
  value: Type.Number({ examples: [118.4] }),
  unit: text(L.measurement_unit, { examples: ['degC'] }),
};

const evidenceFields = {
  technology_id: Id,
  outcome: StringEnum(EVIDENCE_OUTCOMES, { examples: ['pass'] }),
  notes: text(L.evidence_notes, { examples: ['Held 350 kW for the full stint'] }),
};

export const Measurement = Type.Object(measurementFields, {
  $id: 'Measurement',
  additionalProperties: false,
  description: 'One measured value of a run; a run may have several of one name.',
  examples: [{ name: 'peak_motor_temp', value: 118.4, unit: 'degC' }],
});

export const Evidence = Type.Object(evidenceFields, {
  $id: 'Evidence',
  additionalProperties: false,
  description: 'A technology the run exercised, with its own outcome.',
  examples: [{ technology_id: 3, outcome: 'pass', notes: '' }],
});

/** Request shapes: unit and notes may be left out (empty). */
const MeasurementInput = Type.Object(
  { name: measurementFields.name, value: measurementFields.value, unit: Type.Optional(measurementFields.unit) },
  { additionalProperties: false },
);
const EvidenceInput = Type.Object(
  { technology_id: evidenceFields.technology_id, outcome: evidenceFields.outcome, notes: Type.Optional(evidenceFields.notes) },
  { additionalProperties: false },
);

const code = (options: Record<string, unknown> = {}) =>
  text(L.code, { minLength: 1, pattern: TEST_RUN_CODE_PATTERN, examples: ['TR-2026-0042'], ...options });
const status = (options: Record<string, unknown> = {}) => StringEnum(RUN_STATUSES, { examples: ['completed'], ...options });
const engineer = (options: Record<string, unknown> = {}) => text(L.engineer, { examples: ['k.tanaka'], ...options });

const fields = {
  code: code(),
  prototype_id: Id,
  program_id: NullableId,
  title: text(L.title, { minLength: 1, examples: ['Inverter thermal soak, 350 kW qualifying map'] }),
  objective: text(L.objective, { examples: ['Confirm the inverter holds qualifying power for 8 laps'] }),
  venue_type: StringEnum(VENUE_TYPES, { examples: ['dyno'] }),
  location: text(L.location, { examples: ['Atsugi dyno cell 3'] }),
  start_time: Timestamp,
  end_time: NullableTimestamp,
  status: status(),
  software_version: text(L.software_version, { examples: ['inv-fw 5.2.1'] }),
  hardware_revision: text(L.hardware_revision, { examples: ['INV-05 rev C'] }),
  engineer: engineer(),
  result_summary: text(L.result_summary, { examples: ['Passed; 4 degC margin at the end of the stint'] }),
};

const example = {
  id: 42,
  code: 'TR-2026-0042',
  prototype_id: 7,
  program_id: 3,
  title: 'Inverter thermal soak, 350 kW qualifying map',
  objective: 'Confirm the inverter holds qualifying power for 8 laps',
  venue_type: 'dyno',
  location: 'Atsugi dyno cell 3',
  start_time: '2026-05-14T09:30:00.000Z',
  end_time: '2026-05-14T11:00:00.000Z',
  status: 'completed',
  software_version: 'inv-fw 5.2.1',
  hardware_revision: 'INV-05 rev C',
  engineer: 'k.tanaka',
  result_summary: 'Passed; 4 degC margin at the end of the stint',
  demo: false,
  measurements: [
    { name: 'peak_motor_temp', value: 118.4, unit: 'degC' },
    { name: 'lap_energy', value: 1.92, unit: 'kWh' },
  ],
  evidence: [{ technology_id: 3, outcome: 'pass', notes: '' }],
  version: 1,
  created_at: '2026-05-14T11:05:00.000Z',
  updated_at: '2026-05-14T11:05:00.000Z',
};

export const TestRun = Type.Object(
  {
    id: Id,
    ...fields,
    demo: Type.Boolean({ description: 'Invented demo data (seeded), not a real run.' }),
    measurements: Type.Array(ref(Measurement), { maxItems: L.measurements, description: 'In the order given.' }),
    evidence: Type.Array(ref(Evidence), { maxItems: L.evidence, description: 'One entry per technology, in the order given.' }),
    ...Stamps,
  },
  { $id: 'TestRun', additionalProperties: false, examples: [example] },
);

export const TestRunCreate = Type.Object(
  {
    code: Type.Optional(code({ description: 'Generated as `TR-YYYY-NNNN` (year of start_time) when absent.' })),
    prototype_id: fields.prototype_id,
    program_id: Type.Optional(fields.program_id),
    title: fields.title,
    objective: Type.Optional(fields.objective),
    venue_type: fields.venue_type,
    location: Type.Optional(fields.location),
    start_time: fields.start_time,
    end_time: Type.Optional(fields.end_time),
    status: Type.Optional(status({ description: 'Default `completed`.' })),
    software_version: Type.Optional(fields.software_version),
    hardware_revision: Type.Optional(fields.hardware_revision),
    engineer: Type.Optional(engineer({ description: 'Default: the signed-in user.' })),
    result_summary: Type.Optional(fields.result_summary),
    measurements: Type.Optional(Type.Array(MeasurementInput, { maxItems: L.measurements })),
    evidence: Type.Array(EvidenceInput, {
      minItems: 1,
      maxItems: L.evidence,
      description: 'The technologies the run exercised, each once, with its outcome.',
    }),
  },
  {
    additionalProperties: false,
    examples: [
      {
        prototype_id: 7,
        title: 'Inverter thermal soak, 350 kW qualifying map',
        venue_type: 'dyno',
        start_time: '2026-05-14T09:30:00Z',
        measurements: [{ name: 'peak_motor_temp', value: 118.4, unit: 'degC' }],
        evidence: [{ technology_id: 3, outcome: 'pass' }],
      },
    ],
  },
);

export const TestRunPatch = Type.Partial(TestRunCreate, {
  additionalProperties: false,
  examples: [{ result_summary: 'Re-run after firmware fix', measurements: [{ name: 'peak_motor_temp', value: 114.9, unit: 'degC' }] }],
});

const idParam = (description: string) => Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description });

export const TestRunListQuery = Type.Object({
  ...PageQuery,
  sort: SortParam(['start_time', 'code', 'id', 'updated_at'], '-start_time'),
  prototype_id: Type.Optional(idParam('Runs of this prototype.')),
  program_id: Type.Optional(idParam('Runs in this program.')),
  technology_id: Type.Optional(idParam('Runs with evidence for this technology.')),
  outcome: Type.Optional(
    StringEnum(EVIDENCE_OUTCOMES, { description: 'Runs with evidence of this outcome (for `technology_id` when given).' }),
  ),
  status: Type.Optional(status({ description: 'Runs in this status.' })),
  venue_type: Type.Optional(StringEnum(VENUE_TYPES, { description: 'Runs at this type of venue.' })),
  engineer: Type.Optional(engineer({ description: 'Exact engineer name.' })),
  started_after: Type.Optional(
    Type.String({ format: 'date-time', maxLength: 40, description: 'Runs that started at or after this time.' }),
  ),
  started_before: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Runs that started before this time.' })),
  q: SearchParam,
});
