import type { OpenAPIV3_1 } from 'openapi-types';
import { Type, type TObject } from 'typebox';
import { DELIVERY_STATUSES, IMPORT_JOB_STATUSES, READINESS_TARGETS, WEBHOOK_EVENTS } from '../../db/schema.js';
import { WEBHOOK_LIMITS } from '../domain/webhooks.js';
import { Id, PageQuery, SortParam, Stamps, StringEnum, Timestamp } from './common.js';

const EventName = StringEnum(WEBHOOK_EVENTS, { examples: ['test_run.created'] });
const Events = Type.Array(EventName, { minItems: 1, maxItems: WEBHOOK_EVENTS.length, uniqueItems: true, description: 'The events this hook receives.' });
const Url = Type.String({
  format: 'uri',
  minLength: 1,
  maxLength: WEBHOOK_LIMITS.url,
  description:
    'An http(s) URL. Hosts that resolve to private, loopback, link-local or unique-local addresses are refused (422) unless the server runs with PITLANE_WEBHOOK_ALLOW_PRIVATE=1.',
  examples: ['https://plm.example.com/hooks/pitlane'],
});
const Description = Type.String({ maxLength: WEBHOOK_LIMITS.description, examples: ['PLM sync of test runs'] });

const hookExample = {
  id: 3,
  url: 'https://plm.example.com/hooks/pitlane',
  events: ['test_run.created', 'test_run.updated'],
  active: true,
  description: 'PLM sync of test runs',
  version: 1,
  created_at: '2026-05-14T09:00:00.000Z',
  updated_at: '2026-05-14T09:00:00.000Z',
};
const hookFields = {
  id: Id,
  url: Url,
  events: Events,
  active: Type.Boolean({ description: 'Inactive hooks receive nothing; their pending deliveries wait.' }),
  description: Description,
  ...Stamps,
};

export const Webhook = Type.Object(hookFields, { $id: 'Webhook', additionalProperties: false, examples: [hookExample] });

export const WebhookWithSecret = Type.Object(
  {
    ...hookFields,
    secret: Type.String({
      maxLength: 200,
      description: 'The HMAC-SHA256 key of Pitlane-Signature. Shown only in this response: store it now.',
      examples: ['whsec_5f2b…'],
    }),
  },
  {
    $id: 'WebhookWithSecret',
    additionalProperties: false,
    examples: [{ ...hookExample, secret: 'whsec_3c1f0d7a9b2e4c6d8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e' }],
  },
);

export const WebhookCreate = Type.Object(
  {
    url: Url,
    events: Events,
    description: Type.Optional(Description),
    active: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false, examples: [{ url: 'https://plm.example.com/hooks/pitlane', events: ['test_run.created'], description: 'PLM sync' }] },
);

export const WebhookPatch = Type.Partial(WebhookCreate, { additionalProperties: false, examples: [{ active: false }] });

export const WebhookListQuery = Type.Object({
  ...PageQuery,
  sort: SortParam(['id', 'updated_at'], 'id'),
  active: Type.Optional(Type.Boolean({ description: 'Only active (true) or inactive (false) hooks.' })),
  event: Type.Optional(StringEnum(WEBHOOK_EVENTS, { description: 'Only hooks subscribed to this event.' })),
});

export const WebhookDelivery = Type.Object(
  {
    id: Id,
    webhook_id: Id,
    event: EventName,
    status: StringEnum(DELIVERY_STATUSES, { description: '`pending` until a 2xx answer (`delivered`) or the last attempt (`failed`).' }),
    attempts: Type.Integer({ minimum: 0 }),
    next_attempt_at: Type.String({ format: 'date-time', maxLength: 40, description: 'When a pending delivery is tried next.' }),
    last_status: Type.Union([Type.Null(), Type.Integer()], { description: 'HTTP status of the last attempt; null when it got no answer.' }),
    last_error: Type.String({ maxLength: 500, description: 'Why the last attempt failed (empty when it did not).' }),
    created_at: Timestamp,
    delivered_at: Type.Union([Type.Null(), Type.String({ format: 'date-time', maxLength: 40 })]),
    payload: Type.Unknown({ description: 'The JSON body posted: `{ event, occurred_at, data }`.' }),
  },
  {
    $id: 'WebhookDelivery',
    additionalProperties: false,
    examples: [
      {
        id: 91,
        webhook_id: 3,
        event: 'test_run.created',
        status: 'pending',
        attempts: 2,
        next_attempt_at: '2026-05-14T09:32:00.000Z',
        last_status: 503,
        last_error: 'HTTP 503',
        created_at: '2026-05-14T09:30:00.000Z',
        delivered_at: null,
        payload: { event: 'test_run.created', occurred_at: '2026-05-14T09:30:00.000Z', data: { test_run: { id: 42, code: 'TR-2026-0042' } } },
      },
    ],
  },
);

export const DeliveryListQuery = Type.Object({
  limit: PageQuery.limit,
  cursor: PageQuery.cursor,
  status: Type.Optional(StringEnum(DELIVERY_STATUSES, { description: 'Only deliveries in this status.' })),
});

export const DeliveryParams = Type.Object({ id: Id, delivery_id: Id });

// ---------------------------------------------------------------------------------------------
// Event payloads: the bodies Pitlane posts (OpenAPI `webhooks` section)

interface Documented {
  $id: string;
  description: string;
  examples: unknown[];
}

const envelope = (event: (typeof WEBHOOK_EVENTS)[number], data: TObject, id: string, description: string, exampleData: unknown) =>
  Type.Object(
    {
      event: Type.Unsafe<string>({ type: 'string', enum: [event], description: 'The event name (also in the Pitlane-Event header).' }),
      occurred_at: Type.String({ format: 'date-time', maxLength: 40, description: 'When the change committed.' }),
      data,
    },
    { $id: id, additionalProperties: false, description, examples: [{ event, occurred_at: '2026-05-14T11:05:00.000Z', data: exampleData }] },
  ) as unknown as TObject & Documented;

const runExample = { id: 42, code: 'TR-2026-0042', prototype_id: 7, program_id: 3, title: 'Inverter thermal soak', objective: '', venue_type: 'dyno', location: 'Atsugi dyno cell 3', start_time: '2026-05-14T09:30:00.000Z', end_time: '2026-05-14T11:00:00.000Z', status: 'completed', software_version: 'inv-fw 5.2.1', hardware_revision: 'INV-05 rev C', engineer: 'k.tanaka', result_summary: '', demo: false, measurements: [{ name: 'peak_motor_temp', value: 118.4, unit: 'degC' }], evidence: [{ technology_id: 3, outcome: 'pass', notes: '' }], version: 1, created_at: '2026-05-14T11:05:00.000Z', updated_at: '2026-05-14T11:05:00.000Z' };
const runRef = Type.Unsafe({ $ref: 'TestRun#' });

export const TestRunCreatedEvent = envelope(
  'test_run.created',
  Type.Object({ test_run: runRef }, { additionalProperties: false }),
  'TestRunCreatedEvent',
  'A test run was logged (form, API or import). `data.test_run` is the run as GET /api/v1/test-runs/{id} returns it.',
  { test_run: runExample },
);

export const TestRunUpdatedEvent = envelope(
  'test_run.updated',
  Type.Object({ test_run: runRef }, { additionalProperties: false }),
  'TestRunUpdatedEvent',
  'A test run was changed. `data.test_run` is the run after the change; its `version` moved.',
  { test_run: { ...runExample, version: 2, updated_at: '2026-05-15T08:00:00.000Z' } },
);

export const TransferSuspectEvent = envelope(
  'transfer.suspect',
  Type.Object(
    {
      transfer_id: Id,
      technology_id: Id,
      road_model_id: Id,
      reasons: Type.Array(
        Type.Object(
          {
            rule: StringEnum(['SUS-1', 'SUS-2'] as const, { description: 'SUS-1 a later fail; SUS-2 a changed definition.' }),
            detail: Type.String({ maxLength: 2000 }),
            run_id: Type.Optional(Id),
            technology_id: Type.Optional(Id),
          },
          { additionalProperties: false },
        ),
        { maxItems: 1000 },
      ),
    },
    { additionalProperties: false },
  ),
  'TransferSuspectEvent',
  'A transfer at approved or in_production became suspect (a later fail of its technology or an ancestor, or a changed definition since the last review). Sent once when it becomes suspect, not again while it stays so.',
  {
    transfer_id: 4,
    technology_id: 12,
    road_model_id: 1,
    reasons: [{ rule: 'SUS-1', detail: 'run TR-2026-0042 failed FE inverter (an ancestor); it ended 2026-05-14 11:00 UTC, after the last review (2026-03-02 10:00 UTC)', run_id: 42, technology_id: 7 }],
  },
);

export const ReadinessChangedEvent = envelope(
  'readiness.changed',
  Type.Object(
    {
      technology_id: Id,
      target: StringEnum(READINESS_TARGETS),
      level: Type.Union([Type.Null(), Type.Integer({ minimum: 1, maximum: 9 })], { description: 'The current TRL now (null when no assessment is left).' }),
      previous_level: Type.Union([Type.Null(), Type.Integer({ minimum: 1, maximum: 9 })]),
      assessment_id: Type.Union([Type.Null(), Id], { description: 'The assessment that now sets the level.' }),
    },
    { additionalProperties: false },
  ),
  'ReadinessChangedEvent',
  'The current readiness level (TRL) of a technology for a target changed: an assessment was added or withdrawn.',
  { technology_id: 7, target: 'race', level: 7, previous_level: 6, assessment_id: 19 },
);

export const ImportFinishedEvent = envelope(
  'import.finished',
  Type.Object(
    {
      job: Type.Object(
        {
          id: Id,
          status: StringEnum(IMPORT_JOB_STATUSES, { description: '`succeeded` or `failed`.' }),
          dry_run: Type.Boolean(),
          rows_read: Type.Integer({ minimum: 0 }),
          rows_valid: Type.Integer({ minimum: 0 }),
          rows_created: Type.Integer({ minimum: 0 }),
          rows_updated: Type.Integer({ minimum: 0 }),
          rows_unchanged: Type.Integer({ minimum: 0 }),
          error_count: Type.Integer({ minimum: 0 }),
        },
        { additionalProperties: true, description: 'The import job as GET /api/v1/jobs/{id} returns it.' },
      ),
    },
    { additionalProperties: false },
  ),
  'ImportFinishedEvent',
  'A test-run import job finished (succeeded or failed). Fetch the row errors from the job.',
  { job: { id: 8, status: 'succeeded', dry_run: false, rows_read: 120, rows_valid: 118, rows_created: 100, rows_updated: 18, rows_unchanged: 0, error_count: 2 } },
);

const EVENT_SCHEMAS = {
  'test_run.created': { schema: TestRunCreatedEvent, operationId: 'onTestRunCreated', summary: 'A test run was created' },
  'test_run.updated': { schema: TestRunUpdatedEvent, operationId: 'onTestRunUpdated', summary: 'A test run was updated' },
  'transfer.suspect': { schema: TransferSuspectEvent, operationId: 'onTransferSuspect', summary: 'A transfer became suspect' },
  'readiness.changed': { schema: ReadinessChangedEvent, operationId: 'onReadinessChanged', summary: "A technology's current readiness level changed" },
  'import.finished': { schema: ImportFinishedEvent, operationId: 'onImportFinished', summary: 'An import job finished' },
} as const;

const DELIVERY_DOC = [
  'Pitlane POSTs the JSON body to every active hook subscribed to the event, after the change commits.',
  'Verify `Pitlane-Signature: t=<unix seconds>,v1=<hex>`: compute HMAC-SHA256 with the hook secret over `"<t>.<raw body>"`,',
  'compare in constant time, and reject old `t` values. Answer any 2xx within 5 s; anything else (or no answer) is retried',
  'with exponential backoff (30 s, 1 min, 2 min, ...) up to 8 attempts. Delivery is at least once: dedupe on `Pitlane-Delivery`.',
].join(' ');

const headerParams: OpenAPIV3_1.ParameterObject[] = [
  { name: 'Pitlane-Event', in: 'header', required: true, description: 'The event name.', schema: { type: 'string', enum: [...WEBHOOK_EVENTS] } },
  { name: 'Pitlane-Delivery', in: 'header', required: true, description: 'The delivery id: the same on every retry of one delivery.', schema: { type: 'string', pattern: '^[0-9]+$' }, example: '91' },
  {
    name: 'Pitlane-Signature',
    in: 'header',
    required: true,
    description: '`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.',
    schema: { type: 'string' },
    example: 't=1778751900,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
  },
];

/** The OpenAPI 3.1 `webhooks` section: one entry per event, its body a named schema. */
export function webhooksDocument(): Record<string, OpenAPIV3_1.PathItemObject> {
  return Object.fromEntries(
    Object.entries(EVENT_SCHEMAS).map(([event, e]) => [
      event,
      {
        post: {
          operationId: e.operationId,
          tags: ['Webhooks'],
          summary: e.summary,
          description: `${e.schema.description} ${DELIVERY_DOC}`,
          security: [],
          parameters: headerParams,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { $ref: `#/components/schemas/${e.schema.$id}` },
                examples: { [e.operationId]: { summary: e.summary, value: e.schema.examples[0] } },
              },
            },
          },
          responses: {
            '200': { description: 'Any 2xx acknowledges the delivery.' },
            '400': { description: 'Any other status (or no answer within 5 s) is retried.' },
          },
        },
      },
    ]),
  );
}
