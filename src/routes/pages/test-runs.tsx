// Test run pages: list, detail, the logging form (new/create), edit/update, delete — through the
// same domain functions and schemas as the API. The form finds the prototype by its code and each
// technology by its name (resolved here to ids), posts measurement and evidence rows as parallel
// repeated fields, and carries an `_idem` key so that a double submit logs one run.
import { randomUUID } from 'node:crypto';
import { sendCsvList, testRunCsvFormat } from '../csv-export.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Db } from '../../db.js';
import { changesSince } from '../../domain/audit.js';
import { ConflictError, InvalidInputError, StaleVersionError } from '../../domain/errors.js';
import { claimKey, completeKey, releaseKey, requestHash, type Claim } from '../../domain/idempotency.js';
import { programLabelsById, resolveProgramLabel } from '../../domain/programs.js';
import { findPrototype, prototypeLabel, prototypeLabelsById, resolvePrototypeCode } from '../../domain/prototypes.js';
import { resolveTechnologyName, technologyName } from '../../domain/technologies.js';
import { createTestRun, deleteTestRun, getTestRun, listTestRuns, updateTestRun, type TestRun, type TestRunSummary } from '../../domain/test-runs.js';
import { IdParams } from '../../schemas/common.js';
import { TestRunCreate, TestRunListQuery, TestRunPatch } from '../../schemas/test-runs.js';
import { DeleteConfirm } from '../../../views/components/common.js';
import { DeleteBlocked } from '../../../views/pages/programs/program-pages.js';
import {
  RunDetailPage,
  RunListPage,
  RunResults,
  RunRowsFragment,
  TestRunForm,
  type EvidenceRowValues,
  type MeasurementRowValues,
  type RunLookups,
  type TestRunFormProps,
  type TestRunFormValues,
  type TypedFilterValues,
} from '../../../views/pages/test-runs/test-run-pages.js';
import { domainErrorToForm, formToInput, toIsoTime, validateInput, withoutEmpty, type FieldErrors, type FormBody } from './forms.js';
import { formVersion, programOptions } from './programs.js';
import { pageContext, renderPage, seeOther } from './render.js';

const LIST_CRUMB = { label: 'Test runs', href: '/test-runs' };
/** Rows a fresh form shows without JavaScript: one technology, two measurements. */
const NEW_EVIDENCE_ROWS = 1;
const NEW_MEASUREMENT_ROWS = 2;
const MAX_ROWS = 100;

// ---------------------------------------------------------------------------------------------
// Lookups

// The names pages show, by id: one prepared statement each, never whole records page by page
// (loading every technology with its derivations made the list page 30 times slower).
function prepareNameStatements(db: Db) {
  return {
    technologiesIn: db.sqlite.prepare<[string], { id: number; name: string }>('SELECT id, name FROM technologies WHERE id IN (SELECT value FROM json_each(?))'),
  };
}

const nameStatements = new WeakMap<Db, ReturnType<typeof prepareNameStatements>>();

function names(db: Db) {
  let s = nameStatements.get(db);
  if (!s) nameStatements.set(db, (s = prepareNameStatements(db)));
  return s;
}

/** Only the names that `runs` refer to (a run's page, a page of rows). */
function lookupsFor(db: Db, runs: TestRunSummary[], parts: { programs: boolean; technologies: boolean }): RunLookups {
  const s = names(db);
  // Every program's label is kept until the database changes: no query per program.
  const programLabels = parts.programs ? programLabelsById(db) : new Map<number, string>();
  const technologyIds = parts.technologies ? [...new Set(runs.flatMap((r) => r.evidence.map((e) => e.technology_id)))] : [];
  return {
    prototypes: prototypeLabelsById(db),
    programLabels,
    technologyNames: new Map(technologyIds.length ? s.technologiesIn.all(JSON.stringify(technologyIds)).map((t) => [t.id, t.name]) : []),
  };
}

// ---------------------------------------------------------------------------------------------
// Form values: as typed, from a run, and into the API's input

function many(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function one(body: FormBody, name: string): string | undefined {
  const v = body[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** The form as typed, every row included (blank ones too), so nothing is lost on a re-render. */
function typedValues(body: FormBody): TestRunFormValues {
  const mn = many(body.measurement_name);
  const mv = many(body.measurement_value);
  const mu = many(body.measurement_unit);
  const et = many(body.evidence_technology);
  const eo = many(body.evidence_outcome);
  const en = many(body.evidence_notes);
  const measurements: MeasurementRowValues[] = [];
  for (let i = 0; i < Math.min(Math.max(mn.length, mv.length, mu.length), 500); i++) {
    measurements.push({ name: mn[i] ?? '', value: mv[i] ?? '', unit: mu[i] ?? '' });
  }
  const evidence: EvidenceRowValues[] = [];
  for (let i = 0; i < Math.min(Math.max(et.length, eo.length, en.length), MAX_ROWS); i++) {
    evidence.push({ technology: et[i] ?? '', outcome: eo[i] ?? '', notes: en[i] ?? '' });
  }
  return {
    prototype_code: one(body, 'prototype_code'),
    title: one(body, 'title'),
    venue_type: one(body, 'venue_type'),
    start_time: one(body, 'start_time'),
    program_id: one(body, 'program_id'),
    objective: one(body, 'objective'),
    location: one(body, 'location'),
    end_time: one(body, 'end_time'),
    status: one(body, 'status'),
    software_version: one(body, 'software_version'),
    hardware_revision: one(body, 'hardware_revision'),
    engineer: one(body, 'engineer'),
    result_summary: one(body, 'result_summary'),
    measurements,
    evidence,
  };
}

/** `2026-05-14T09:30:00.000Z` → `2026-05-14T09:30` for a datetime-local input (seconds kept when set). */
function localInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const seconds = iso.slice(17, 19);
  return seconds && seconds !== '00' ? iso.slice(0, 19) : iso.slice(0, 16);
}

function nowInput(): string {
  return new Date().toISOString().slice(0, 16);
}

function valuesOfRun(db: Db, run: TestRun): TestRunFormValues {
  return {
    prototype_code: findPrototype(db, run.prototype_id)?.code ?? '',
    title: run.title,
    venue_type: run.venue_type,
    start_time: localInput(run.start_time),
    program_id: run.program_id === null ? '' : String(run.program_id),
    objective: run.objective,
    location: run.location,
    end_time: localInput(run.end_time),
    status: run.status,
    software_version: run.software_version,
    hardware_revision: run.hardware_revision,
    engineer: run.engineer,
    result_summary: run.result_summary,
    version: run.version,
    measurements: run.measurements.map((m) => ({ name: m.name, value: String(m.value), unit: m.unit })),
    evidence: run.evidence.map((e) => ({ technology: technologyName(db, e.technology_id)?.name ?? '', outcome: e.outcome, notes: e.notes })),
  };
}

const NUMBER_RE = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

interface BuiltInput {
  input: Record<string, unknown>;
  /** Messages found while resolving codes and names, keyed like the form's fields. */
  errors: FieldErrors;
  /** Form row of each measurement / evidence item sent (blank rows are skipped). */
  measurementRows: number[];
  evidenceRows: number[];
}

/**
 * The API's input from the form: top-level fields converted by the schema, the prototype found by
 * its code, technologies by their names, repeated rows gathered (rows left entirely blank ignored).
 */
function buildInput(db: Db, schema: typeof TestRunCreate | typeof TestRunPatch, body: FormBody, values: TestRunFormValues): BuiltInput {
  const errors: FieldErrors = {};
  const input = formToInput(schema, body);
  delete input.prototype_id;
  delete input.code;
  for (const f of ['title', 'venue_type', 'start_time'] as const) {
    if (!values[f]?.trim()) {
      delete input[f];
      errors[f] = 'is required';
    }
  }
  const code = values.prototype_code?.trim() ?? '';
  if (code === '') errors.prototype_code = 'is required: type the code of the prototype';
  else {
    const prototype = resolvePrototypeCode(db, code);
    if (prototype) input.prototype_id = prototype.id;
    else errors.prototype_code = `no prototype with code “${code}”`;
  }

  const measurements: Record<string, unknown>[] = [];
  const measurementRows: number[] = [];
  values.measurements.forEach((row, i) => {
    const name = row.name.trim();
    const value = row.value.trim();
    const unit = row.unit.trim();
    if (!name && !value && !unit) return;
    const m: Record<string, unknown> = { name };
    if (value !== '') m.value = NUMBER_RE.test(value) ? Number(value) : value;
    if (unit !== '') m.unit = unit;
    measurements.push(m);
    measurementRows.push(i);
  });

  const evidence: Record<string, unknown>[] = [];
  const evidenceRows: number[] = [];
  values.evidence.forEach((row, i) => {
    const name = row.technology.trim();
    const notes = row.notes.trim();
    if (!name && !row.outcome && !notes) return;
    const item: Record<string, unknown> = {};
    if (name) {
      const technology = resolveTechnologyName(db, name);
      if (technology) item.technology_id = technology.id;
      else errors[`evidence.${i}.technology`] = `no technology named “${name}”`;
    }
    if (row.outcome) item.outcome = row.outcome;
    if (notes) item.notes = notes;
    evidence.push(item);
    evidenceRows.push(i);
  });
  input.measurements = measurements;
  input.evidence = evidence;
  return { input, errors, measurementRows, evidenceRows };
}

/** Error keys of the API's input (`evidence.0.technology_id`) → the form's fields (`evidence.<row>.technology`). */
function formErrors(apiErrors: FieldErrors, built: BuiltInput): FieldErrors {
  const out: FieldErrors = {};
  for (const [key, message] of Object.entries(apiErrors)) {
    const row = /^(measurements|evidence)\.(\d+)\.(\w+)$/.exec(key);
    if (row) {
      const [, list, index, field] = row as unknown as [string, string, string, string];
      const rows = list === 'measurements' ? built.measurementRows : built.evidenceRows;
      const formRow = rows[Number(index)] ?? Number(index);
      out[list === 'measurements' ? `measurement.${formRow}.${field}` : `evidence.${formRow}.${field === 'technology_id' ? 'technology' : field}`] ??= message;
    } else if (key === 'prototype_id') {
      out.prototype_code ??= message === 'does not exist' ? 'no such prototype' : message;
    } else if (key === 'evidence' && /at least/.test(message)) {
      out.evidence ??= 'needs at least one technology with its outcome';
    } else if (/^(measurements|evidence)\.\d+$/.test(key)) {
      out[key.startsWith('m') ? 'measurements' : 'evidence'] ??= message;
    } else {
      out[key] ??= message;
    }
  }
  // What resolving codes and names found says more than "is required".
  return { ...out, ...built.errors };
}

// ---------------------------------------------------------------------------------------------
// Idempotency of form posts

const IDEM_RE = /^[A-Za-z0-9-]{16,100}$/;

function formKey(body: FormBody): string | undefined {
  const key = one(body, '_idem');
  return key && IDEM_RE.test(key) ? key : undefined;
}

/** One form instance = one write: the key is claimed per form, whatever was typed into it. */
async function claimForm(db: Db, principal: string, key: string, path: string): Promise<Claim> {
  const hash = requestHash('POST', path, { form: 'test-run' });
  let claim = claimKey(db, principal, key, 'POST', path, hash);
  // Another request of the same form is being saved right now: wait for its answer (briefly).
  for (let i = 0; i < 40 && claim.kind === 'in-flight'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    claim = claimKey(db, principal, key, 'POST', path, hash);
  }
  return claim;
}

function inputHash(input: unknown): string {
  return requestHash('FORM', '', input);
}

// ---------------------------------------------------------------------------------------------
// The list's typed filters

/** The page's query: the API's, plus a prototype, a technology and a program as typed (a code or a name). */
const RunListPageQuery = Type.Object({
  ...TestRunListQuery.properties,
  prototype: Type.Optional(Type.String({ maxLength: 200 })),
  technology: Type.Optional(Type.String({ maxLength: 200 })),
  program: Type.Optional(Type.String({ maxLength: 200 })),
});

interface TypedFilters {
  /** The API query, with the typed names resolved to ids. */
  query: Static<typeof TestRunListQuery> & { format?: string };
  /** What the typed fields show: as typed, or the names of the ids a link gave. */
  typed: TypedFilterValues;
  errors: FieldErrors | undefined;
}

/**
 * `prototype=RIG-1`, `technology=e-4ORCE` or `program=Formula E 2024-25 · …` (what the filter form
 * sends) → `prototype_id`, `technology_id` and `program_id`; links from other pages give the ids,
 * shown here by their names. Each typed filter: the id it sets, how typed text finds it, and how an
 * id is shown.
 */
const TYPED_FILTERS = [
  {
    field: 'prototype',
    idField: 'prototype_id',
    find: (db: Db, text: string) => resolvePrototypeCode(db, text)?.id,
    show: (db: Db, id: number) => prototypeLabel(db, id)?.code,
    unknown: (text: string) => `No prototype has the code or name “${text}”. Pick one of the suggestions.`,
  },
  {
    field: 'technology',
    idField: 'technology_id',
    find: (db: Db, text: string) => resolveTechnologyName(db, text)?.id,
    show: (db: Db, id: number) => technologyName(db, id)?.name,
    unknown: (text: string) => `No technology is named “${text}”. Pick one of the suggestions.`,
  },
  {
    // A field, not a <select>: a <select> of every program weighed half the page with 500 programs.
    field: 'program',
    idField: 'program_id',
    find: (db: Db, text: string) => resolveProgramLabel(db, text)?.id,
    show: (db: Db, id: number) => programLabelsById(db).get(id),
    unknown: (text: string) => `No single program is named “${text}”. Pick one of the suggestions.`,
  },
] as const;

function typedFilters(db: Db, raw: Static<typeof RunListPageQuery>): TypedFilters {
  const { prototype, technology, program, ...query } = raw;
  const given = { prototype, technology, program };
  const typed: TypedFilterValues = { prototype: '', technology: '', program: '' };
  const errors: FieldErrors = {};
  for (const f of TYPED_FILTERS) {
    const text = given[f.field];
    const id = query[f.idField];
    if (text !== undefined) {
      // The form sends the typed text; it wins over an id the link it came from had.
      typed[f.field] = text;
      delete query[f.idField];
      if (!text.trim()) continue;
      const found = f.find(db, text);
      if (found !== undefined) query[f.idField] = found;
      else errors[f.field] = f.unknown(text.trim());
    } else if (id !== undefined) {
      typed[f.field] = f.show(db, id) ?? '';
    }
  }
  return { query, typed, errors: Object.keys(errors).length ? errors : undefined };
}

// ---------------------------------------------------------------------------------------------
// Routes

/** `?started_after=2026-05-01` (a date input) or a datetime-local value → the API's date-time. */
async function dateFilters(request: FastifyRequest): Promise<void> {
  const query = request.query as Record<string, unknown> | undefined;
  if (!query || typeof query !== 'object') return;
  for (const name of ['started_after', 'started_before']) {
    const v = query[name];
    if (typeof v !== 'string') continue;
    if (/^\d{4}-\d{2}-\d{2}$/.test(v)) query[name] = `${v}T00:00:00.000Z`;
    else query[name] = toIsoTime(v);
  }
}

function runTitle(run: Pick<TestRun, 'code'>): string {
  return run.code;
}

export async function testRunsPages(app: FastifyInstance) {
  app.get('/test-runs', { schema: { querystring: RunListPageQuery, hide: true }, preValidation: dateFilters }, async (request, reply) => {
    const filters = typedFilters(app.db, request.query as Static<typeof RunListPageQuery>);
    const { query } = filters;
    if (query.format === 'csv') {
      if (filters.errors) throw new InvalidInputError(Object.entries(filters.errors).map(([name, message]) => ({ path: `/${name}`, message })));
      return sendCsvList(reply, 'test-runs', query, (q) => listTestRuns(app.db, q), testRunCsvFormat(app.db));
    }
    // A name that matches nothing lists nothing, and says so (not every run).
    const page = filters.errors ? { items: [], next_cursor: null } : listTestRuns(app.db, query, { measurements: false });
    const ctx = pageContext(request, reply);
    const base = { query: { ...ctx.query, sort: ctx.query.sort ?? '-start_time' }, rows: page.items, nextCursor: page.next_cursor, filterErrors: filters.errors };
    // JSX renders at once: build only what this request sends. The rows need their prototypes' codes.
    const lookups = lookupsFor(app.db, page.items, { programs: false, technologies: false });
    if (request.isPartial) {
      const fragment = query.cursor ? <RunRowsFragment {...base} lookups={lookups} /> : <RunResults {...base} lookups={lookups} />;
      return renderPage(request, reply, ctx, { title: 'Test runs' }, fragment, fragment);
    }
    return renderPage(request, reply, ctx, { title: 'Test runs' }, <RunListPage {...base} lookups={lookups} typed={filters.typed} />);
  });

  type FormProps = Omit<TestRunFormProps, 'csrfToken' | 'technologyNames' | 'programs'>;

  function renderForm(request: FastifyRequest, reply: FastifyReply, props: FormProps, heading: string, status?: number, crumbs: { label: string; href?: string }[] = []) {
    const ctx = pageContext(request, reply);
    const form = (
      <TestRunForm
        {...props}
        csrfToken={ctx.csrfToken}
        technologyNames={[...new Set(props.values.evidence.map((e) => e.technology.trim()).filter(Boolean))]}
        programs={programOptions(app.db)}
      />
    );
    return renderPage(request, reply, ctx, { title: heading, status, breadcrumbs: [LIST_CRUMB, ...crumbs, { label: heading }] }, (
      <>
        <h1 safe>{heading}</h1>
        {form}
      </>
    ), form);
  }

  /**
   * `_add` / `_remove` buttons (used without JavaScript): the same form again with one row more
   * or less, nothing saved. Returns undefined for a real submit.
   */
  function rowChange(body: FormBody, values: TestRunFormValues): TestRunFormValues & { focus?: 'measurement' | 'evidence' } | undefined {
    const add = one(body, '_add');
    const remove = one(body, '_remove');
    if (add === 'measurement' && values.measurements.length < 500) {
      return { ...values, measurements: [...values.measurements, { name: '', value: '', unit: '' }], focus: 'measurement' };
    }
    if (add === 'evidence' && values.evidence.length < MAX_ROWS) {
      return { ...values, evidence: [...values.evidence, { technology: '', outcome: '', notes: '' }], focus: 'evidence' };
    }
    if (add !== undefined) return values;
    const m = remove ? /^(measurement|evidence):(\d+)$/.exec(remove) : null;
    if (m) {
      const index = Number(m[2]);
      if (m[1] === 'measurement') return { ...values, measurements: values.measurements.filter((_, i) => i !== index) };
      const evidence = values.evidence.filter((_, i) => i !== index);
      return { ...values, evidence: evidence.length ? evidence : [{ technology: '', outcome: '', notes: '' }] };
    }
    return remove !== undefined ? values : undefined;
  }

  app.get('/test-runs/new', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const presetId = Number(q.prototype_id);
    const preset = Number.isSafeInteger(presetId) && presetId > 0 ? findPrototype(app.db, presetId)?.code : q.prototype_code;
    const values: TestRunFormValues = {
      prototype_code: preset,
      start_time: nowInput(),
      status: 'completed',
      engineer: request.actor.name,
      measurements: Array.from({ length: NEW_MEASUREMENT_ROWS }, () => ({ name: '', value: '', unit: '' })),
      evidence: Array.from({ length: NEW_EVIDENCE_ROWS }, () => ({ technology: '', outcome: '', notes: '' })),
    };
    return renderForm(
      request,
      reply,
      { action: '/test-runs', idem: randomUUID(), values, errors: {}, submitLabel: 'Log test run', cancelHref: '/test-runs', focus: undefined },
      'Log a test run',
    );
  });

  app.post('/test-runs', async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const values = typedValues(body);
    const idem = formKey(body);
    const base = { action: '/test-runs', idem: idem ?? randomUUID(), submitLabel: 'Log test run', cancelHref: '/test-runs' };
    const heading = 'Log a test run';
    const changed = rowChange(body, values);
    if (changed) {
      const { focus, ...rest } = changed;
      return renderForm(request, reply, { ...base, values: rest, errors: {}, focus }, heading);
    }

    const built = buildInput(app.db, TestRunCreate, body, values);
    const input = withoutEmpty(built.input);
    const errors = formErrors(validateInput(TestRunCreate, input), built);
    if (Object.keys(errors).length) return renderForm(request, reply, { ...base, values, errors }, heading, 422);

    const principal = `page:${request.actor.id ?? 0}`;
    if (idem) {
      const claim = await claimForm(app.db, principal, idem, '/test-runs');
      if (claim.kind === 'replay') return replay(request, reply, claim.response.headers, inputHash(input));
      if (claim.kind !== 'claimed') {
        return renderForm(request, reply, { ...base, values, errors: {}, general: 'This form is still being saved. Wait a moment, then open the list of test runs.' }, heading, 409);
      }
    }
    let run: TestRun;
    try {
      run = createTestRun(app.db, request.actor, input as Static<typeof TestRunCreate>);
    } catch (error) {
      if (idem) releaseKey(app.db, principal, idem);
      const refused = domainErrorToForm(error);
      return renderForm(request, reply, { ...base, values, errors: formErrors(refused.errors, built), general: refused.general }, heading, refused.status === 409 ? 409 : 422);
    }
    const location = `/test-runs/${run.id}`;
    if (idem) completeKey(app.db, principal, idem, { status: 303, headers: { location, code: run.code, input: inputHash(input) }, body: '' });
    return seeOther(request, reply, location, `Test run ${run.code} logged.`);
  });

  /** A repeated post of a form that was already saved: answer like the first time. */
  function replay(request: FastifyRequest, reply: FastifyReply, stored: Record<string, string>, hash: string) {
    const location = stored.location ?? '/test-runs';
    const code = stored.code ?? 'The test run';
    const flash =
      stored.input === hash
        ? `Test run ${code} logged.`
        : `${code} had already been saved from this form; the values you changed afterwards were not saved. Edit the run to change them.`;
    return seeOther(request, reply, location, flash);
  }

  app.get('/test-runs/:id', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const run = getTestRun(app.db, id);
    const ctx = pageContext(request, reply);
    return renderPage(
      request,
      reply,
      ctx,
      { title: `${run.code} ${run.title}`, breadcrumbs: [LIST_CRUMB, { label: runTitle(run) }] },
      <RunDetailPage run={run} lookups={lookupsFor(app.db, [run], { programs: true, technologies: true })} />,
    );
  });

  function editCrumbs(run: TestRun) {
    return [{ label: runTitle(run), href: `/test-runs/${run.id}` }];
  }

  app.get('/test-runs/:id/edit', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const run = getTestRun(app.db, id);
    const values = valuesOfRun(app.db, run);
    if (values.evidence.length === 0) values.evidence.push({ technology: '', outcome: '', notes: '' });
    return renderForm(
      request,
      reply,
      { action: `/test-runs/${id}`, idem: randomUUID(), values, errors: {}, submitLabel: 'Save changes', cancelHref: `/test-runs/${id}`, openDetails: true },
      `Edit ${run.code}`,
      undefined,
      editCrumbs(run),
    );
  });

  app.post('/test-runs/:id', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const current = getTestRun(app.db, id);
    const body = (request.body ?? {}) as FormBody;
    const version = formVersion(body);
    const values = { ...typedValues(body), version };
    const idem = formKey(body);
    const path = `/test-runs/${id}`;
    const base = { action: path, idem: idem ?? randomUUID(), submitLabel: 'Save changes', cancelHref: path, openDetails: true };
    const heading = `Edit ${current.code}`;
    const crumbs = editCrumbs(current);
    const changed = rowChange(body, values);
    if (changed) {
      const { focus, ...rest } = changed;
      return renderForm(request, reply, { ...base, values: rest, errors: {}, focus }, heading, undefined, crumbs);
    }

    const built = buildInput(app.db, TestRunPatch, body, values);
    const patch = built.input;
    // A time shown to the minute and left alone is not a change (the stored one may carry seconds).
    if (values.start_time === localInput(current.start_time)) delete patch.start_time;
    if (values.end_time === localInput(current.end_time)) delete patch.end_time;
    const errors = formErrors(validateInput(TestRunPatch, patch), built);
    if (Object.keys(errors).length) return renderForm(request, reply, { ...base, values, errors }, heading, 422, crumbs);

    const principal = `page:${request.actor.id ?? 0}`;
    if (idem) {
      const claim = await claimForm(app.db, principal, idem, path);
      if (claim.kind === 'replay') return seeOther(request, reply, claim.response.headers.location ?? path, `Test run ${current.code} saved.`);
      if (claim.kind !== 'claimed') {
        return renderForm(request, reply, { ...base, values, errors: {}, general: 'This form is still being saved. Wait a moment, then reload the run.' }, heading, 409, crumbs);
      }
    }
    try {
      const updated = updateTestRun(app.db, request.actor, id, version, patch as Static<typeof TestRunPatch>);
      if (idem) completeKey(app.db, principal, idem, { status: 303, headers: { location: path }, body: '' });
      return seeOther(request, reply, path, `Test run ${updated.code} saved.`);
    } catch (error) {
      if (idem) releaseKey(app.db, principal, idem);
      if (error instanceof StaleVersionError) {
        const stale = changesSince(app.db, 'test_run', id, version ?? 0);
        return renderForm(request, reply, { ...base, values: { ...values, version: current.version }, errors: {}, stale }, heading, 409, crumbs);
      }
      const refused = domainErrorToForm(error);
      return renderForm(request, reply, { ...base, values, errors: formErrors(refused.errors, built), general: refused.general }, heading, refused.status === 409 ? 409 : 422, crumbs);
    }
  });

  app.get('/test-runs/:id/delete', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const run = getTestRun(app.db, id);
    const ctx = pageContext(request, reply);
    return renderPage(
      request,
      reply,
      ctx,
      { title: `Delete ${run.code}`, breadcrumbs: [LIST_CRUMB, { label: run.code, href: `/test-runs/${id}` }, { label: 'Delete' }] },
      <DeleteConfirm
        what={`the test run ${run.code} “${run.title}” with its measurements and evidence`}
        action={`/test-runs/${id}/delete`}
        cancelHref={`/test-runs/${id}`}
        csrfToken={ctx.csrfToken}
        version={run.version}
      />,
    );
  });

  app.post('/test-runs/:id/delete', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const run = getTestRun(app.db, id);
    try {
      deleteTestRun(app.db, request.actor, id, formVersion((request.body ?? {}) as FormBody));
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const ctx = pageContext(request, reply);
      const blocked = (
        <DeleteBlocked
          what={`the test run ${run.code}`}
          detail={error.message}
          backHref={`/test-runs/${id}`}
          links={[{ href: `/technologies`, label: 'Technologies and their readiness assessments' }]}
        />
      );
      return renderPage(
        request,
        reply,
        ctx,
        { title: `Cannot delete ${run.code}`, status: 409, breadcrumbs: [LIST_CRUMB, { label: run.code, href: `/test-runs/${id}` }, { label: 'Delete' }] },
        blocked,
        blocked,
      );
    }
    return seeOther(request, reply, '/test-runs', `Test run ${run.code} deleted.`);
  });
}
