// Pitlane's database schema. Kept import-free apart from drizzle itself: drizzle-kit cannot
// follow local `.js` imports from schema files.
//
// Conventions (DESIGN §2):
// - snake_case plural tables, snake_case columns, and the same names in the TypeScript objects so
//   that a row is already the API's JSON shape;
// - timestamps are ISO-8601 UTC text (`2026-11-27T02:00:00.000Z`), dates are `YYYY-MM-DD`: both
//   sort as text;
// - every editable row has `version`, `created_at`, `updated_at`;
// - foreign keys everywhere and no ON DELETE CASCADE: the domain deletes owned rows itself, since
//   drizzle-kit's table rebuilds would silently wipe cascaded children (STACK-NOTES);
// - closed sets are CHECK constraints; open sets are lookup tables.
import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

const editable = {
  version: integer('version').notNull().default(1),
  created_at: text('created_at').notNull().default(now),
  updated_at: text('updated_at').notNull().default(now),
};

/** `col IN ('a', 'b')` for a CHECK constraint; values are constants written here, never input. */
function oneOf(column: string, values: readonly string[]) {
  return sql.raw(`"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`);
}

export const PROGRAM_STATUSES = ['planned', 'active', 'completed'] as const;
export const PROTOTYPE_KINDS = [
  'race_car',
  'mule',
  'road_prototype',
  'dyno_rig',
  'bench_rig',
  'hil_rig',
  'simulator',
] as const;
export const TECHNOLOGY_DOMAINS = ['hardware', 'software'] as const;
export const VENUE_TYPES = [
  'track',
  'race_event',
  'dyno',
  'bench',
  'hil',
  'sil',
  'simulator',
  'wind_tunnel',
] as const;
export const RUN_STATUSES = ['planned', 'running', 'completed', 'aborted'] as const;
export const EVIDENCE_OUTCOMES = ['pass', 'fail', 'inconclusive'] as const;
export const POWERTRAINS = ['ice', 'e_power', 'ev'] as const;
export const ROAD_MODEL_STATUSES = [
  'concept',
  'planned',
  'development',
  'production',
  'discontinued',
] as const;
export const TRANSFER_STAGES = [
  'candidate',
  'evaluation',
  'approved',
  'in_production',
  'rejected',
] as const;
export const READINESS_TARGETS = ['race', 'road'] as const;
export const USER_ROLES = ['viewer', 'engineer', 'product', 'admin'] as const;
export const AUDIT_ACTIONS = ['create', 'update', 'delete'] as const;

// ---------------------------------------------------------------------------------------------
// People

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    display_name: text('display_name').notNull(),
    role: text('role').notNull(),
    password_hash: text('password_hash').notNull(),
    disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
    ...editable,
  },
  (t) => [
    uniqueIndex('users_username_unique').on(t.username),
    check('users_role_check', oneOf('role', USER_ROLES)),
  ],
);

export const sessions = sqliteTable(
  'sessions',
  {
    // sha256 of the cookie value: a stolen database does not yield live sessions.
    id_hash: text('id_hash').primaryKey(),
    user_id: integer('user_id')
      .notNull()
      .references(() => users.id),
    csrf_secret: text('csrf_secret').notNull(),
    created_at: text('created_at').notNull().default(now),
    last_seen_at: text('last_seen_at').notNull().default(now),
    expires_at: text('expires_at').notNull(),
  },
  (t) => [index('sessions_user_id_idx').on(t.user_id), index('sessions_expires_at_idx').on(t.expires_at)],
);

export const api_tokens = sqliteTable(
  'api_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    user_id: integer('user_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    // sha256 of the secret; the secret itself is shown once.
    token_hash: text('token_hash').notNull(),
    prefix: text('prefix').notNull(),
    scopes: text('scopes').notNull(),
    expires_at: text('expires_at'),
    last_used_at: text('last_used_at'),
    revoked_at: text('revoked_at'),
    created_at: text('created_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('api_tokens_token_hash_unique').on(t.token_hash),
    index('api_tokens_user_id_idx').on(t.user_id),
    check('api_tokens_scopes_check', oneOf('scopes', ['read', 'read,write'])),
  ],
);

export const idempotency_keys = sqliteTable(
  'idempotency_keys',
  {
    // Who sent the key (a token id, a user, or `anonymous` before accounts exist): keys are per token.
    principal: text('principal').notNull(),
    key: text('key').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    request_hash: text('request_hash').notNull(),
    state: text('state').notNull(),
    response_status: integer('response_status'),
    response_headers: text('response_headers'),
    response_body: text('response_body'),
    created_at: text('created_at').notNull().default(now),
    expires_at: text('expires_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.principal, t.key] }),
    index('idempotency_keys_expires_at_idx').on(t.expires_at),
    check('idempotency_keys_state_check', oneOf('state', ['in_flight', 'done'])),
  ],
);

/** Named counters, e.g. the yearly sequence behind generated run codes `TR-2026-0042`. */
export const sequences = sqliteTable('sequences', {
  name: text('name').primaryKey(),
  value: integer('value').notNull(),
});

/**
 * One row: a counter that triggers (migration 0004) move on every write to a lineage edge, so the
 * in-memory lineage index (src/domain/lineage-index.ts) knows it is current without rereading.
 */
export const lineage_version = sqliteTable(
  'lineage_version',
  {
    id: integer('id').primaryKey(),
    version: integer('version').notNull(),
  },
  (t) => [check('lineage_version_single_row', sql`${t.id} = 1`)],
);

// ---------------------------------------------------------------------------------------------
// Racing

export const series = sqliteTable(
  'series',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    ...editable,
  },
  (t) => [
    uniqueIndex('series_name_unique').on(t.name),
    index('series_updated_at_idx').on(t.updated_at, t.id),
  ],
);

export const programs = sqliteTable(
  'programs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    series_id: integer('series_id')
      .notNull()
      .references(() => series.id),
    season: text('season').notNull(),
    start_year: integer('start_year').notNull(),
    end_year: integer('end_year').notNull(),
    // '' when the series has no classes (Formula E); the API shows it as null. NOT NULL so that the
    // program key below is unique for class-less entries too (NULLs never collide in SQLite).
    class: text('class').notNull().default(''),
    entry: text('entry').notNull(),
    car: text('car').notNull(),
    status: text('status').notNull(),
    ...editable,
  },
  (t) => [
    uniqueIndex('programs_key_unique').on(t.series_id, t.season, t.class, t.entry),
    index('programs_series_id_idx').on(t.series_id),
    index('programs_start_year_idx').on(t.start_year, t.id),
    index('programs_updated_at_idx').on(t.updated_at, t.id),
    check('programs_status_check', oneOf('status', PROGRAM_STATUSES)),
    check('programs_years_check', sql`${t.end_year} >= ${t.start_year}`),
  ],
);

// ---------------------------------------------------------------------------------------------
// Technologies

export const technology_categories = sqliteTable(
  'technology_categories',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    ...editable,
  },
  (t) => [
    uniqueIndex('technology_categories_name_unique').on(t.name),
    index('technology_categories_updated_at_idx').on(t.updated_at, t.id),
  ],
);

/** The venue types that count as a relevant environment for a category (TRL-6). Owned by the category. */
export const category_venue_types = sqliteTable(
  'category_venue_types',
  {
    category_id: integer('category_id')
      .notNull()
      .references(() => technology_categories.id),
    venue_type: text('venue_type').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.category_id, t.venue_type] }),
    check('category_venue_types_venue_type_check', oneOf('venue_type', VENUE_TYPES)),
  ],
);

export const technologies = sqliteTable(
  'technologies',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    domain: text('domain').notNull(),
    category_id: integer('category_id')
      .notNull()
      .references(() => technology_categories.id),
    description: text('description').notNull().default(''),
    origin_program_id: integer('origin_program_id').references(() => programs.id),
    owner: text('owner').notNull().default(''),
    ...editable,
  },
  (t) => [
    uniqueIndex('technologies_name_unique').on(t.name),
    index('technologies_category_id_idx').on(t.category_id),
    index('technologies_origin_program_id_idx').on(t.origin_program_id),
    index('technologies_updated_at_idx').on(t.updated_at, t.id),
    check('technologies_domain_check', oneOf('domain', TECHNOLOGY_DOMAINS)),
  ],
);

/** `child` derives from `parent` (a road inverter from a race inverter). Acyclic: rule DER-1. */
export const technology_derivations = sqliteTable(
  'technology_derivations',
  {
    parent_id: integer('parent_id')
      .notNull()
      .references(() => technologies.id),
    child_id: integer('child_id')
      .notNull()
      .references(() => technologies.id),
    created_at: text('created_at').notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.parent_id, t.child_id] }),
    index('technology_derivations_child_id_idx').on(t.child_id, t.parent_id),
    check('technology_derivations_not_self', sql`${t.parent_id} <> ${t.child_id}`),
  ],
);

// ---------------------------------------------------------------------------------------------
// Road

export const road_models = sqliteTable(
  'road_models',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    base_model: text('base_model').notNull().default(''),
    powertrain: text('powertrain').notNull(),
    status: text('status').notNull(),
    launch_date: text('launch_date'),
    end_date: text('end_date'),
    partner: text('partner'),
    description: text('description').notNull().default(''),
    ...editable,
  },
  (t) => [
    uniqueIndex('road_models_name_unique').on(t.name),
    index('road_models_updated_at_idx').on(t.updated_at, t.id),
    index('road_models_launch_date_idx').on(t.launch_date, t.id),
    check('road_models_powertrain_check', oneOf('powertrain', POWERTRAINS)),
    check('road_models_status_check', oneOf('status', ROAD_MODEL_STATUSES)),
  ],
);

export const markets = sqliteTable(
  'markets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    // ISO-3166-like code (`JP`, `US`, `EU`, `GCC`): PLAN-1 treats `JP` as the home market.
    code: text('code').notNull(),
    name: text('name').notNull(),
    ...editable,
  },
  (t) => [uniqueIndex('markets_code_unique').on(t.code), index('markets_updated_at_idx').on(t.updated_at, t.id)],
);

/** Planned yearly units of a road model in a market. Owned by the road model. */
export const road_model_markets = sqliteTable(
  'road_model_markets',
  {
    road_model_id: integer('road_model_id')
      .notNull()
      .references(() => road_models.id),
    market_id: integer('market_id')
      .notNull()
      .references(() => markets.id),
    year: integer('year').notNull(),
    planned_units: integer('planned_units').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.road_model_id, t.market_id, t.year] }),
    index('road_model_markets_market_id_idx').on(t.market_id),
    index('road_model_markets_year_idx').on(t.year),
    check('road_model_markets_units_check', sql`${t.planned_units} >= 0`),
  ],
);

// ---------------------------------------------------------------------------------------------
// Prototypes and test runs

export const prototypes = sqliteTable(
  'prototypes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    code: text('code').notNull(),
    name: text('name').notNull().default(''),
    kind: text('kind').notNull(),
    hardware_revision: text('hardware_revision').notNull().default(''),
    road_model_id: integer('road_model_id').references(() => road_models.id),
    notes: text('notes').notNull().default(''),
    demo: integer('demo', { mode: 'boolean' }).notNull().default(false),
    ...editable,
  },
  (t) => [
    uniqueIndex('prototypes_code_unique').on(t.code),
    index('prototypes_road_model_id_idx').on(t.road_model_id),
    index('prototypes_updated_at_idx').on(t.updated_at, t.id),
    check('prototypes_kind_check', oneOf('kind', PROTOTYPE_KINDS)),
  ],
);

/** The programs a prototype serves: rigs outlive seasons and serve several series. Owned by the prototype. */
export const prototype_programs = sqliteTable(
  'prototype_programs',
  {
    prototype_id: integer('prototype_id')
      .notNull()
      .references(() => prototypes.id),
    program_id: integer('program_id')
      .notNull()
      .references(() => programs.id),
  },
  (t) => [
    primaryKey({ columns: [t.prototype_id, t.program_id] }),
    index('prototype_programs_program_id_idx').on(t.program_id, t.prototype_id),
  ],
);

export const test_runs = sqliteTable(
  'test_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    code: text('code').notNull(),
    prototype_id: integer('prototype_id')
      .notNull()
      .references(() => prototypes.id),
    program_id: integer('program_id').references(() => programs.id),
    title: text('title').notNull(),
    objective: text('objective').notNull().default(''),
    venue_type: text('venue_type').notNull(),
    location: text('location').notNull().default(''),
    start_time: text('start_time').notNull(),
    end_time: text('end_time'),
    status: text('status').notNull(),
    software_version: text('software_version').notNull().default(''),
    hardware_revision: text('hardware_revision').notNull().default(''),
    engineer: text('engineer').notNull().default(''),
    result_summary: text('result_summary').notNull().default(''),
    demo: integer('demo', { mode: 'boolean' }).notNull().default(false),
    ...editable,
  },
  (t) => [
    uniqueIndex('test_runs_code_unique').on(t.code),
    index('test_runs_prototype_id_idx').on(t.prototype_id, t.start_time),
    index('test_runs_program_id_idx').on(t.program_id, t.start_time),
    index('test_runs_start_time_idx').on(t.start_time, t.id),
    index('test_runs_end_time_idx').on(t.end_time),
    index('test_runs_updated_at_idx').on(t.updated_at, t.id),
    index('test_runs_status_idx').on(t.status, t.start_time),
    index('test_runs_venue_type_idx').on(t.venue_type, t.start_time),
    check('test_runs_venue_type_check', oneOf('venue_type', VENUE_TYPES)),
    check('test_runs_status_check', oneOf('status', RUN_STATUSES)),
    check('test_runs_times_check', sql`${t.end_time} IS NULL OR ${t.end_time} >= ${t.start_time}`),
  ],
);

/** Several per run, also several of one name. Owned by the run. */
export const measurements = sqliteTable(
  'measurements',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    test_run_id: integer('test_run_id')
      .notNull()
      .references(() => test_runs.id),
    position: integer('position').notNull(),
    name: text('name').notNull(),
    value: real('value').notNull(),
    unit: text('unit').notNull().default(''),
  },
  (t) => [
    index('measurements_test_run_id_idx').on(t.test_run_id, t.position),
    index('measurements_name_idx').on(t.name, t.test_run_id),
  ],
);

/** The technologies a run exercised, each with its own outcome. Owned by the run. */
export const evidence = sqliteTable(
  'evidence',
  {
    test_run_id: integer('test_run_id')
      .notNull()
      .references(() => test_runs.id),
    technology_id: integer('technology_id')
      .notNull()
      .references(() => technologies.id),
    outcome: text('outcome').notNull(),
    notes: text('notes').notNull().default(''),
  },
  (t) => [
    primaryKey({ columns: [t.test_run_id, t.technology_id] }),
    index('evidence_technology_id_idx').on(t.technology_id, t.outcome, t.test_run_id),
    check('evidence_outcome_check', oneOf('outcome', EVIDENCE_OUTCOMES)),
  ],
);

// ---------------------------------------------------------------------------------------------
// Race to road

export const transfers = sqliteTable(
  'transfers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    technology_id: integer('technology_id')
      .notNull()
      .references(() => technologies.id),
    road_model_id: integer('road_model_id')
      .notNull()
      .references(() => road_models.id),
    stage: text('stage').notNull(),
    rationale: text('rationale').notNull().default(''),
    decided_on: text('decided_on'),
    reviewed_by: integer('reviewed_by').references(() => users.id),
    reviewed_at: text('reviewed_at'),
    review_note: text('review_note').notNull().default(''),
    // Hash of the defining fields of the technology and its ancestors at the last review (SUS-2).
    review_fingerprint: text('review_fingerprint'),
    ...editable,
  },
  (t) => [
    uniqueIndex('transfers_technology_road_model_unique').on(t.technology_id, t.road_model_id),
    index('transfers_road_model_id_idx').on(t.road_model_id, t.technology_id),
    index('transfers_stage_idx').on(t.stage, t.id),
    index('transfers_reviewed_by_idx').on(t.reviewed_by),
    index('transfers_updated_at_idx').on(t.updated_at, t.id),
    check('transfers_stage_check', oneOf('stage', TRANSFER_STAGES)),
  ],
);

export const readiness_assessments = sqliteTable(
  'readiness_assessments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    technology_id: integer('technology_id')
      .notNull()
      .references(() => technologies.id),
    target: text('target').notNull(),
    level: integer('level').notNull(),
    assessed_on: text('assessed_on').notNull(),
    assessor: text('assessor').notNull(),
    rationale: text('rationale').notNull().default(''),
    ...editable,
  },
  (t) => [
    index('readiness_assessments_technology_idx').on(t.technology_id, t.target, t.assessed_on, t.id),
    index('readiness_assessments_updated_at_idx').on(t.updated_at, t.id),
    check('readiness_assessments_target_check', oneOf('target', READINESS_TARGETS)),
    check('readiness_assessments_level_check', sql`${t.level} BETWEEN 1 AND 9`),
  ],
);

/** The runs an assessment rests on. Owned by the assessment. */
export const readiness_evidence_runs = sqliteTable(
  'readiness_evidence_runs',
  {
    assessment_id: integer('assessment_id')
      .notNull()
      .references(() => readiness_assessments.id),
    test_run_id: integer('test_run_id')
      .notNull()
      .references(() => test_runs.id),
  },
  (t) => [
    primaryKey({ columns: [t.assessment_id, t.test_run_id] }),
    index('readiness_evidence_runs_test_run_id_idx').on(t.test_run_id),
  ],
);

export const plan_targets = sqliteTable(
  'plan_targets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    year: integer('year').notNull(),
    model_count_target: integer('model_count_target').notNull(),
    units_target: integer('units_target').notNull(),
    // Band for the share of growth outside Japan, in percent (40–60 for 2028).
    outside_japan_share_min: real('outside_japan_share_min'),
    outside_japan_share_max: real('outside_japan_share_max'),
    notes: text('notes').notNull().default(''),
    ...editable,
  },
  (t) => [
    uniqueIndex('plan_targets_year_unique').on(t.year),
    index('plan_targets_updated_at_idx').on(t.updated_at, t.id),
    check('plan_targets_counts_check', sql`${t.model_count_target} >= 0 AND ${t.units_target} >= 0`),
    check(
      'plan_targets_share_check',
      sql`(${t.outside_japan_share_min} IS NULL OR ${t.outside_japan_share_min} BETWEEN 0 AND 100) AND (${t.outside_japan_share_max} IS NULL OR ${t.outside_japan_share_max} BETWEEN 0 AND 100)`,
    ),
  ],
);

// ---------------------------------------------------------------------------------------------
// Audit: every write; its `seq` doubles as the integrators' change feed.

export const audit_events = sqliteTable(
  'audit_events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    entity: text('entity').notNull(),
    entity_id: text('entity_id').notNull(),
    action: text('action').notNull(),
    actor_id: integer('actor_id').references(() => users.id),
    actor: text('actor').notNull(),
    at: text('at').notNull().default(now),
    before: text('before'),
    after: text('after'),
  },
  (t) => [
    index('audit_events_entity_idx').on(t.entity, t.entity_id, t.seq),
    index('audit_events_actor_id_idx').on(t.actor_id, t.seq),
    index('audit_events_at_idx').on(t.at),
    check('audit_events_action_check', oneOf('action', AUDIT_ACTIONS)),
  ],
);

// ---------------------------------------------------------------------------------------------
// Data exchange: attachments, import jobs, webhooks and their outbox.

/** A file attached to a test run (telemetry, photo, report). Owned by the run; bytes on disk. */
export const attachments = sqliteTable(
  'attachments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    test_run_id: integer('test_run_id')
      .notNull()
      .references(() => test_runs.id),
    filename: text('filename').notNull(),
    content_type: text('content_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    // Relative to the data folder; never derived from the user's file name.
    storage_path: text('storage_path').notNull(),
    uploaded_by: integer('uploaded_by').references(() => users.id),
    created_at: text('created_at').notNull().default(now),
  },
  (t) => [
    index('attachments_test_run_id_idx').on(t.test_run_id, t.id),
    index('attachments_uploaded_by_idx').on(t.uploaded_by),
    uniqueIndex('attachments_storage_path_unique').on(t.storage_path),
    check('attachments_size_check', sql`${t.size} >= 0`),
  ],
);

export const IMPORT_JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export const IMPORT_MODES = ['all_or_nothing', 'valid_rows'] as const;

export const import_jobs = sqliteTable(
  'import_jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind').notNull().default('test_runs'),
    status: text('status').notNull(),
    dry_run: integer('dry_run', { mode: 'boolean' }).notNull().default(false),
    mode: text('mode').notNull().default('all_or_nothing'),
    filename: text('filename').notNull().default(''),
    // Relative to the data folder: the uploaded file while the job needs it.
    source_path: text('source_path'),
    rows_read: integer('rows_read').notNull().default(0),
    rows_valid: integer('rows_valid').notNull().default(0),
    rows_created: integer('rows_created').notNull().default(0),
    rows_updated: integer('rows_updated').notNull().default(0),
    rows_unchanged: integer('rows_unchanged').notNull().default(0),
    error_count: integer('error_count').notNull().default(0),
    message: text('message').notNull().default(''),
    created_by: integer('created_by').references(() => users.id),
    created_at: text('created_at').notNull().default(now),
    started_at: text('started_at'),
    finished_at: text('finished_at'),
  },
  (t) => [
    index('import_jobs_status_idx').on(t.status, t.id),
    index('import_jobs_created_by_idx').on(t.created_by, t.id),
    check('import_jobs_status_check', oneOf('status', IMPORT_JOB_STATUSES)),
    check('import_jobs_mode_check', oneOf('mode', IMPORT_MODES)),
  ],
);

/** Row errors of an import job (row, column, message). Owned by the job. */
export const import_job_errors = sqliteTable(
  'import_job_errors',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    job_id: integer('job_id')
      .notNull()
      .references(() => import_jobs.id),
    row: integer('row').notNull(),
    column: text('column').notNull().default(''),
    message: text('message').notNull(),
  },
  (t) => [index('import_job_errors_job_id_idx').on(t.job_id, t.row, t.id)],
);

export const WEBHOOK_EVENTS = ['test_run.created', 'test_run.updated', 'transfer.suspect', 'readiness.changed', 'import.finished'] as const;
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

export const webhooks = sqliteTable(
  'webhooks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    url: text('url').notNull(),
    // Comma-separated subset of WEBHOOK_EVENTS.
    events: text('events').notNull(),
    // Per-hook HMAC-SHA256 key; needed in clear to sign, shown once at creation.
    secret: text('secret').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    description: text('description').notNull().default(''),
    ...editable,
  },
  (t) => [index('webhooks_updated_at_idx').on(t.updated_at, t.id)],
);

/** The outbox: one row per event and hook, written in the transaction of the change. */
export const webhook_deliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    webhook_id: integer('webhook_id')
      .notNull()
      .references(() => webhooks.id),
    event: text('event').notNull(),
    payload: text('payload').notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    next_attempt_at: text('next_attempt_at').notNull().default(now),
    last_status: integer('last_status'),
    last_error: text('last_error').notNull().default(''),
    created_at: text('created_at').notNull().default(now),
    delivered_at: text('delivered_at'),
  },
  (t) => [
    index('webhook_deliveries_due_idx').on(t.status, t.next_attempt_at, t.id),
    index('webhook_deliveries_webhook_id_idx').on(t.webhook_id, t.id),
    check('webhook_deliveries_status_check', oneOf('status', DELIVERY_STATUSES)),
    check('webhook_deliveries_event_check', oneOf('event', WEBHOOK_EVENTS)),
  ],
);
