// Test run pages: the list (filters, sort, load more), a run's page, and the logging form — the
// most used screen: short (required fields first, the rest under "More details"), keyboard-first,
// measurement and evidence rows added and removed in place (a <template> with JavaScript, `_add` /
// `_remove` submit buttons without), and a hidden `_idem` key so a double submit logs one run.
import { EVIDENCE_OUTCOMES, RUN_STATUSES, VENUE_TYPES } from '../../../db/schema.js';
import type { TestRun, TestRunSummary } from '../../../src/domain/test-runs.js';
import { Badge, humanize, PageHead, TimeCell, RecordStamps } from '../../components/common.js';
import { attrValue, CsrfField, Field, FieldMessages, FormActions, Select, StaleNotice, SuggestionOptions, TextArea, type FieldErrors, type Option, type StaleChange } from '../../components/forms.js';
import { FilterForm, ListResults, ListRows, type Column, type Query } from '../../components/list.js';

export const venueOptions: Option[] = VENUE_TYPES.map((v) => ({ value: v, label: humanize(v) }));
export const runStatusOptions: Option[] = RUN_STATUSES.map((s) => ({ value: s, label: humanize(s) }));
export const outcomeOptions: Option[] = EVIDENCE_OUTCOMES.map((o) => ({ value: o, label: humanize(o) }));

/** Names of the records a run refers to, looked up once per page. */
export interface RunLookups {
  prototypes: ReadonlyMap<number, { code: string; name: string }>;
  programLabels: ReadonlyMap<number, string>;
  technologyNames: Map<number, string>;
}

function DemoBadge({ demo }: { demo: boolean }) {
  return demo ? (
    <>
      {' '}
      <Badge value="demo" label="demo data" />
    </>
  ) : (
    ''
  );
}

/** `2 pass · 1 fail` as outcome badges. */
export function EvidenceSummary({ run }: { run: Pick<TestRun, 'evidence'> }) {
  const counts = EVIDENCE_OUTCOMES.map((o) => ({ outcome: o, n: run.evidence.filter((e) => e.outcome === o).length })).filter((c) => c.n > 0);
  if (counts.length === 0) return <span>—</span>;
  return (
    <span class="evidence-summary">
      {counts.map((c) => (
        <Badge value={c.outcome} label={`${c.n} ${c.outcome}`} />
      ))}
    </span>
  );
}

function PrototypeLink({ id, lookups }: { id: number; lookups: RunLookups }) {
  const p = lookups.prototypes.get(id);
  return (
    <a href={`/prototypes/${id}`} safe>
      {p?.code ?? `Prototype ${id}`}
    </a>
  );
}

function runColumns(lookups: RunLookups): Column<TestRunSummary>[] {
  return [
    {
      header: 'Code',
      sort: 'code',
      render: (r) => (
        <>
          <a href={`/test-runs/${r.id}`} safe>
            {r.code}
          </a>
          <DemoBadge demo={r.demo} />
        </>
      ),
    },
    { header: 'Title', render: (r) => <span safe>{r.title}</span> },
    { header: 'Prototype', render: (r) => <PrototypeLink id={r.prototype_id} lookups={lookups} /> },
    { header: 'Venue', render: (r) => <span safe>{humanize(r.venue_type)}</span> },
    { header: 'Start', sort: 'start_time', render: (r) => <TimeCell iso={r.start_time} /> },
    { header: 'Status', render: (r) => <Badge value={r.status} /> },
    { header: 'Evidence', render: (r) => <EvidenceSummary run={r} /> },
    { header: 'Updated', sort: 'updated_at', render: (r) => <TimeCell iso={r.updated_at} /> },
  ];
}

export interface RunListProps {
  query: Query;
  rows: TestRunSummary[];
  nextCursor: string | null;
  lookups: RunLookups;
  /** Typed filters that name nothing (`prototype`, `program`, `technology`): the list is empty and says why. */
  filterErrors?: FieldErrors | undefined;
}

/** What the filter form's typed fields show: as typed, or the name of the id a link gave. */
export interface TypedFilterValues {
  prototype: string;
  technology: string;
  program: string;
}

/** The filter form's typed fields, in the form's order: the server suggests as you type and resolves the text. */
const TYPED_FILTER_FIELDS = [
  { name: 'prototype', label: 'Prototype', suggestUrl: '/prototypes/suggestions', placeholder: 'Any prototype' },
  { name: 'program', label: 'Program', suggestUrl: '/programs/suggestions', placeholder: 'Any program' },
  { name: 'technology', label: 'Technology', suggestUrl: '/technologies/suggestions', placeholder: 'Any technology' },
] as const satisfies readonly { name: keyof TypedFilterValues; label: string; suggestUrl: string; placeholder: string }[];

const FILTERS = ['prototype', 'technology', 'program', 'prototype_id', 'program_id', 'technology_id', 'outcome', 'status', 'venue_type', 'started_after', 'started_before', 'engineer', 'q'] as const;

export function RunResults(props: RunListProps) {
  const filtered = FILTERS.some((f) => props.query[f]);
  const unknown = props.filterErrors ? Object.values(props.filterErrors) : [];
  if (unknown.length) {
    return (
      <div id="results" aria-live="polite">
        {unknown.map((message) => (
          <p class="notice" role="status" safe>
            {message}
          </p>
        ))}
      </div>
    );
  }
  return (
    <ListResults
      basePath="/test-runs"
      query={props.query}
      columns={runColumns(props.lookups)}
      rows={props.rows}
      nextCursor={props.nextCursor}
      caption="Test runs"
      empty={
        filtered ? (
          <p>
            No test runs match these filters. <a href="/test-runs">Clear the filters</a> to see every run.
          </p>
        ) : (
          <p>
            No test runs logged yet. <a href="/test-runs/new">Log the first test run</a>: a prototype, the venue, and the technologies it
            exercised with their outcome.
          </p>
        )
      }
    />
  );
}

export function RunRowsFragment(props: RunListProps) {
  return <ListRows basePath="/test-runs" query={props.query} columns={runColumns(props.lookups)} rows={props.rows} nextCursor={props.nextCursor} />;
}

export function RunListPage(props: RunListProps & { typed: TypedFilterValues }) {
  const typed = props.typed;
  return (
    <>
      <PageHead title="Test runs" subtitle="Every logged test of a prototype, with its evidence and measurements">
        <a href="/test-runs/new" role="button">
          Log a test run
        </a>
        <a href="/test-runs/import" role="button" class="secondary outline">
          Import CSV
        </a>
      </PageHead>
      <FilterForm basePath="/test-runs" query={props.query} label="Filter test runs">
        <Field name="q" label="Search" type="search" value={props.query.q} placeholder="TR-2026-0042, e-4ORCE, 耐久…" maxlength={200} />
        {TYPED_FILTER_FIELDS.map((f) => (
          <Field
            name={f.name}
            label={f.label}
            value={typed[f.name]}
            errors={props.filterErrors}
            maxlength={200}
            suggestUrl={f.suggestUrl}
            placeholder={f.placeholder}
            suggestions={typed[f.name] ? [{ value: typed[f.name] }] : []}
          />
        ))}
        <Select name="outcome" label="Evidence outcome" value={props.query.outcome} options={outcomeOptions} blank="Any outcome" />
        <Select name="status" label="Status" value={props.query.status} options={runStatusOptions} blank="Any status" />
        <Select name="venue_type" label="Venue type" value={props.query.venue_type} options={venueOptions} blank="Any venue" />
        <Field name="started_after" label="Started on or after" type="date" value={props.query.started_after?.slice(0, 10)} />
        <Field name="started_before" label="Started before" type="date" value={props.query.started_before?.slice(0, 10)} />
      </FilterForm>
      <RunResults {...props} />
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// A run's page

export interface RunDetailProps {
  run: TestRun;
  lookups: RunLookups;
}

export function RunDetailPage({ run: r, lookups }: RunDetailProps) {
  const prototype = lookups.prototypes.get(r.prototype_id);
  return (
    <>
      <PageHead title={`${r.code} — ${r.title}`} subtitle="Test run">
        <a href={`/test-runs/${r.id}/edit`} role="button">
          Edit
        </a>
        <a href={`/test-runs/${r.id}/delete`} role="button" class="secondary outline">
          Delete
        </a>
        <a href={`/test-runs/new?prototype_id=${r.prototype_id}`} role="button" class="secondary outline">
          Log another run
        </a>
      </PageHead>
      {r.demo ? (
        <p>
          <Badge value="demo" label="demo data" /> Invented for the demo; not a real test.
        </p>
      ) : (
        ''
      )}
      <div class="run-facts">
        <dl class="facts">
          <dt>Code</dt>
          <dd safe>{r.code}</dd>
          <dt>Status</dt>
          <dd>
            <Badge value={r.status} />
          </dd>
          <dt>Prototype</dt>
          <dd>
            <PrototypeLink id={r.prototype_id} lookups={lookups} />
            {prototype?.name ? <span safe>{` — ${prototype.name}`}</span> : ''}
          </dd>
          <dt>Program</dt>
          <dd>
            {r.program_id === null ? (
              <span>— (no race context)</span>
            ) : (
              <a href={`/programs/${r.program_id}`} safe>
                {lookups.programLabels.get(r.program_id) ?? `Program ${r.program_id}`}
              </a>
            )}
          </dd>
          <dt>Venue</dt>
          <dd safe>{r.location ? `${humanize(r.venue_type)} · ${r.location}` : humanize(r.venue_type)}</dd>
          <dt>Start</dt>
          <dd>
            <TimeCell iso={r.start_time} /> <small>UTC</small>
          </dd>
          <dt>End</dt>
          <dd>
            <TimeCell iso={r.end_time} />
          </dd>
        </dl>
        <dl class="facts">
          <dt>Engineer</dt>
          <dd safe>{r.engineer || '—'}</dd>
          <dt>Software version</dt>
          <dd safe>{r.software_version || '—'}</dd>
          <dt>Hardware revision</dt>
          <dd safe>{r.hardware_revision || '—'}</dd>
          <RecordStamps entity="test_run" record={r} />
        </dl>
      </div>
      <dl class="facts run-prose">
        <dt>Objective</dt>
        <dd class="prose" safe>
          {r.objective || '—'}
        </dd>
        <dt>Result summary</dt>
        <dd class="prose" safe>
          {r.result_summary || '—'}
        </dd>
      </dl>

      <section aria-labelledby="evidence-heading">
        <h2 id="evidence-heading">Evidence</h2>
        {r.evidence.length === 0 ? (
          <p class="empty-state">No technology recorded. Edit the run to add the technologies it exercised.</p>
        ) : (
          <ul class="evidence-list">
            {r.evidence.map((e) => (
              <li>
                <Badge value={e.outcome} />{' '}
                <a href={`/technologies/${e.technology_id}`} safe>
                  {lookups.technologyNames.get(e.technology_id) ?? `Technology ${e.technology_id}`}
                </a>
                {e.notes ? <p class="evidence-notes" safe>{e.notes}</p> : ''}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="measurements-heading">
        <h2 id="measurements-heading">Measurements</h2>
        {r.measurements.length === 0 ? (
          <p class="empty-state">No measurements recorded.</p>
        ) : (
          <div class="table-scroll">
            <table class="striped">
              <caption class="visually-hidden">Measurements of this run</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" class="numeric">
                    Value
                  </th>
                  <th scope="col">Unit</th>
                </tr>
              </thead>
              <tbody>
                {r.measurements.map((m) => (
                  <tr>
                    <td safe>{m.name}</td>
                    <td class="numeric">{m.value}</td>
                    <td safe>{m.unit}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section id="attachments" hx-get={`/test-runs/${r.id}/attachments`} hx-trigger="load" hx-swap="outerHTML"><h2>Attachments</h2><p><a href={`/test-runs/${r.id}/attachments`}>Files attached to this run</a></p></section>
      <section class="lineage-panel" aria-label="Lineage" hx-get={`/lineage/panel?node=test-run:${r.id}`} hx-trigger="load"><h2>Lineage</h2><p><a href={`/lineage?node=test-run:${r.id}&direction=downstream`}>Open the lineage explorer</a></p></section>
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// The logging form

export interface MeasurementRowValues {
  name: string;
  value: string;
  unit: string;
}

export interface EvidenceRowValues {
  technology: string;
  outcome: string;
  notes: string;
}

/** Everything as typed (strings), so a refused or re-rendered form shows it again. */
export interface TestRunFormValues {
  prototype_code?: string | undefined;
  title?: string | undefined;
  venue_type?: string | undefined;
  start_time?: string | undefined;
  program_id?: string | undefined;
  objective?: string | undefined;
  location?: string | undefined;
  end_time?: string | undefined;
  status?: string | undefined;
  software_version?: string | undefined;
  hardware_revision?: string | undefined;
  engineer?: string | undefined;
  result_summary?: string | undefined;
  version?: number | undefined;
  measurements: MeasurementRowValues[];
  evidence: EvidenceRowValues[];
}

export interface TestRunFormProps {
  action: string;
  csrfToken: string;
  /** The idempotency key of this form instance. */
  idem: string;
  values: TestRunFormValues;
  errors: FieldErrors;
  general?: string | undefined;
  stale?: StaleChange[] | undefined;
  submitLabel: string;
  cancelHref: string;
  /** The technology suggestions the form starts with (the names already typed); more come as you type. */
  technologyNames: string[];
  programs: readonly Option[];
  /** After `_add` without JavaScript: focus the new row of this kind. */
  focus?: 'measurement' | 'evidence' | undefined;
  openDetails?: boolean;
}

/** Fields inside "More details": an error in one of them opens it. */
export const OPTIONAL_FIELDS = [
  'program_id',
  'objective',
  'location',
  'end_time',
  'status',
  'software_version',
  'hardware_revision',
  'engineer',
  'result_summary',
] as const;

const FIELD_LABELS: Record<string, string> = {
  prototype_code: 'Prototype',
  title: 'Title',
  venue_type: 'Venue type',
  start_time: 'Start time',
  evidence: 'Technologies',
  measurements: 'Measurements',
  program_id: 'Program',
  objective: 'Objective',
  location: 'Location',
  end_time: 'End time',
  status: 'Status',
  software_version: 'Software version',
  hardware_revision: 'Hardware revision',
  engineer: 'Engineer',
  result_summary: 'Result summary',
  code: 'Code',
};

/** The id of the control an error key belongs to, and how the summary names it. */
function errorTarget(key: string): { id: string; label: string } {
  const row = /^(measurement|evidence)\.(\d+)\.(\w+)$/.exec(key);
  if (row) {
    const [, kind, index, field] = row as unknown as [string, string, string, string];
    const n = Number(index) + 1;
    const label = kind === 'measurement' ? `Measurement ${n} ${field}` : field === 'technology' ? `Technology ${n}` : `Technology ${n} ${field}`;
    return { id: `f-${kind}-${index}-${field}`, label };
  }
  return { id: `f-${key}`, label: FIELD_LABELS[key] ?? humanize(key) };
}

const FORM_ORDER = ['prototype_code', 'title', 'venue_type', 'start_time', 'evidence', 'measurements', ...OPTIONAL_FIELDS];

/** Where an error key's control sits in the form, so the summary lists errors top to bottom. */
function formOrder(key: string): number {
  const row = /^(measurement|evidence)\.(\d+)\.(\w+)$/.exec(key);
  if (row) return FORM_ORDER.indexOf(row[1] === 'evidence' ? 'evidence' : 'measurements') + (Number(row[2]) + 1) / 1000;
  const i = FORM_ORDER.indexOf(key);
  return i === -1 ? FORM_ORDER.length : i;
}

/** All errors at the top, each linking to its control (rows included). */
function RunErrorSummary({ errors, general }: { errors: FieldErrors; general?: string | undefined }) {
  const entries = Object.entries(errors).sort(([a], [b]) => formOrder(a) - formOrder(b));
  if (entries.length === 0 && !general) return '';
  return (
    <div class="error-summary" role="alert" tabindex="-1" id="error-summary">
      <strong>Please correct the following — everything you typed is kept:</strong>
      {general ? <p safe>{general}</p> : ''}
      {entries.length ? (
        <ul>
          {entries.map(([key, message]) => {
            const target = errorTarget(key);
            return (
              <li>
                <a href={`#${target.id}`} safe>{`${target.label}: ${message}`}</a>
              </li>
            );
          })}
        </ul>
      ) : (
        ''
      )}
    </div>
  );
}

/** The visible column label, prefixed for screen readers with the row ("Measurement 2 Value"). */
function ColumnLabel({ prefix, n, label }: { prefix: string; n: string; label: string }) {
  return (
    <span class="col-label">
      <span class="visually-hidden">
        <span safe>{prefix}</span> <span data-row-number safe>{n}</span>{' '}
      </span>
      <span safe>{label}</span>
    </span>
  );
}

interface CellProps {
  /** Absent in the <template> row (cloned rows carry no ids). */
  id?: string | undefined;
  name: string;
  value: string;
  error?: string | undefined;
  maxlength: number;
  placeholder?: string;
  inputmode?: string;
  autofocus?: boolean;
  /** Suggestions from this URL into this (shared) datalist as you type: see Field's suggestUrl. */
  suggest?: { url: string; list: string };
}

function TextCell(props: CellProps & { label: JSX.Element }) {
  const label = props.label;
  return (
    <div class="row-cell">
      <label>
        {label}
        <input
          type="text"
          id={props.id}
          name={props.name}
          value={attrValue(props.value)}
          maxlength={String(props.maxlength)}
          placeholder={props.placeholder}
          inputmode={props.inputmode}
          list={props.suggest?.list}
          hx-get={props.suggest?.url}
          hx-trigger={props.suggest ? 'input changed delay:150ms, focus once' : undefined}
          hx-target={props.suggest ? `#${props.suggest.list}` : undefined}
          hx-swap={props.suggest ? 'innerHTML' : undefined}
          autocomplete="off"
          autofocus={props.autofocus}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={props.error && props.id ? `${props.id}-error` : undefined}
        />
      </label>
      {props.error && props.id ? <FieldMessages id={props.id} error={props.error} /> : ''}
    </div>
  );
}

function RemoveCell({ kind, index, n }: { kind: 'measurement' | 'evidence'; index: number | undefined; n: string }) {
  const noun = kind === 'measurement' ? 'measurement' : 'technology';
  return (
    <div class="row-cell">
      <span class="col-label" aria-hidden="true">
        {' '}
      </span>
      {/* Without JavaScript it submits `_remove` and the server re-renders the form without the row. */}
      <button
        type={index === undefined ? 'button' : 'submit'}
        name={index === undefined ? undefined : '_remove'}
        value={index === undefined ? undefined : `${kind}:${index}`}
        class="secondary outline remove-row"
        data-remove-row
        data-row-label={`Remove ${noun}`}
        aria-label={n ? `Remove ${noun} ${n}` : `Remove ${noun}`}
      >
        Remove
      </button>
    </div>
  );
}

function MeasurementRow({ index, row, errors, autofocus }: { index?: number; row?: MeasurementRowValues; errors?: FieldErrors; autofocus?: boolean }) {
  const n = index === undefined ? '' : String(index + 1);
  const id = (f: string) => (index === undefined ? undefined : `f-measurement-${index}-${f}`);
  const err = (f: string) => (index === undefined ? undefined : errors?.[`measurement.${index}.${f}`]);
  return (
    <div class="row-item measurement-row" data-row>
      <TextCell
        label={<ColumnLabel prefix="Measurement" n={n} label="Name" />}
        id={id('name')}
        name="measurement_name"
        value={attrValue(row?.name)}
        error={err('name')}
        maxlength={100}
        placeholder="peak_motor_temp"
        autofocus={autofocus}
      />
      <TextCell
        label={<ColumnLabel prefix="Measurement" n={n} label="Value" />}
        id={id('value')}
        name="measurement_value"
        value={attrValue(row?.value)}
        error={err('value')}
        maxlength={40}
        placeholder="118.4"
        inputmode="decimal"
      />
      <TextCell
        label={<ColumnLabel prefix="Measurement" n={n} label="Unit" />}
        id={id('unit')}
        name="measurement_unit"
        value={attrValue(row?.unit)}
        error={err('unit')}
        maxlength={30}
        placeholder="degC"
      />
      <RemoveCell kind="measurement" index={index} n={n} />
    </div>
  );
}

function EvidenceRow({ index, row, errors, autofocus }: { index?: number; row?: EvidenceRowValues; errors?: FieldErrors; autofocus?: boolean }) {
  const n = index === undefined ? '' : String(index + 1);
  const id = (f: string) => (index === undefined ? undefined : `f-evidence-${index}-${f}`);
  const err = (f: string) => (index === undefined ? undefined : errors?.[`evidence.${index}.${f}`]);
  const outcomeId = id('outcome');
  const outcomeError = err('outcome');
  const selected = row?.outcome ?? '';
  return (
    <div class="row-item evidence-row" data-row>
      <TextCell
        label={
          <span class="col-label">
            Technology
            <span class="visually-hidden">
              {' '}
              <span data-row-number safe>
                {n}
              </span>
            </span>
          </span>
        }
        id={id('technology')}
        name="evidence_technology"
        value={attrValue(row?.technology)}
        error={err('technology')}
        maxlength={200}
        placeholder="Type a technology name"
        suggest={{ url: '/technologies/suggestions', list: 'technology-names' }}
        autofocus={autofocus}
      />
      <div class="row-cell">
        <label>
          <ColumnLabel prefix="Technology" n={n} label="Outcome" />
          <select
            id={outcomeId}
            name="evidence_outcome"
            aria-invalid={outcomeError ? 'true' : undefined}
            aria-describedby={outcomeError && outcomeId ? `${outcomeId}-error` : undefined}
          >
            <option value="" selected={selected === ''}>
              Choose…
            </option>
            {outcomeOptions.map((o) => (
              <option value={o.value} selected={selected === o.value} safe>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        {outcomeError && outcomeId ? <FieldMessages id={outcomeId} error={outcomeError} /> : ''}
      </div>
      <TextCell
        label={<ColumnLabel prefix="Technology" n={n} label="Notes" />}
        id={id('notes')}
        name="evidence_notes"
        value={attrValue(row?.notes)}
        error={err('notes')}
        maxlength={2000}
        placeholder="Optional"
      />
      <RemoveCell kind="evidence" index={index} n={n} />
    </div>
  );
}

function RowsError({ id, error }: { id: string; error: string | undefined }) {
  return error ? (
    <small id={`${id}-error`} class="field-error" safe>
      {error}
    </small>
  ) : (
    ''
  );
}

export function TestRunForm(props: TestRunFormProps) {
  const v = props.values;
  const e = props.errors;
  const measurementRows = v.measurements;
  const evidenceRows = v.evidence;
  const lastMeasurement = measurementRows.length - 1;
  const lastEvidence = evidenceRows.length - 1;
  // Open when editing, when one of its fields is refused, or when something was typed there.
  const typedThere = (['program_id', 'objective', 'location', 'end_time', 'software_version', 'hardware_revision', 'result_summary'] as const).some((f) => v[f]?.trim());
  const openDetails = props.openDetails || typedThere || OPTIONAL_FIELDS.some((f) => e[f]);
  return (
    <form
      method="post"
      action={props.action}
      hx-post={props.action}
      hx-target="this"
      hx-swap="outerHTML"
      hx-disable="findAll button[type=submit]"
      class="run-form"
      novalidate
    >
      {/* The default button: Enter in a text field saves (never adds or removes a row). */}
      <button type="submit" class="default-submit" tabindex="-1" aria-hidden="true" safe>
        {props.submitLabel}
      </button>
      {props.stale ? <StaleNotice changes={props.stale} /> : <RunErrorSummary errors={e} general={props.general} />}
      <CsrfField token={props.csrfToken} />
      <input type="hidden" name="_idem" value={props.idem} />
      {v.version !== undefined ? <input type="hidden" name="version" value={String(v.version)} /> : ''}

      <div class="run-essentials">
        <Field
          name="prototype_code"
          label="Prototype"
          value={v.prototype_code}
          errors={e}
          required
          maxlength={200}
          suggestUrl="/prototypes/suggestions"
          placeholder="FE-MULE-07"
          hint="Type its code or name, and pick one of the suggestions."
          autofocus={props.focus === undefined}
        />
        <Field name="title" label="Title" value={v.title} errors={e} required maxlength={200} placeholder="Inverter thermal soak, qualifying map" />
        <Select name="venue_type" label="Venue type" value={v.venue_type} options={venueOptions} blank="Choose a venue type" errors={e} required />
        <Field name="start_time" label="Start time (UTC)" type="datetime-local" value={v.start_time} errors={e} required hint="Now, unless you change it." />
      </div>

      <fieldset id="f-evidence" class="repeat" aria-describedby={e.evidence ? 'f-evidence-hint f-evidence-error' : 'f-evidence-hint'}>
        <legend>
          Technologies exercised<span class="required" aria-hidden="true"> *</span>
        </legend>
        <small id="f-evidence-hint">Each technology once, with the outcome it had in this run.</small>
        <RowsError id="f-evidence" error={e.evidence} />
        <div id="evidence-rows" class="rows" data-renumber>
          {evidenceRows.map((row, i) => (
            <EvidenceRow index={i} row={row} errors={e} autofocus={props.focus === 'evidence' && i === lastEvidence} />
          ))}
        </div>
        <button type="submit" name="_add" value="evidence" class="secondary outline add-row" data-add-row="evidence-rows" data-template="evidence-row-template">
          Add technology
        </button>
      </fieldset>

      <fieldset id="f-measurements" class="repeat" aria-describedby={e.measurements ? 'f-measurements-hint f-measurements-error' : 'f-measurements-hint'}>
        <legend>Measurements</legend>
        <small id="f-measurements-hint">Optional. Name, value and unit; rows left blank are ignored.</small>
        <RowsError id="f-measurements" error={e.measurements} />
        <div id="measurement-rows" class="rows" data-renumber>
          {measurementRows.map((row, i) => (
            <MeasurementRow index={i} row={row} errors={e} autofocus={props.focus === 'measurement' && i === lastMeasurement} />
          ))}
        </div>
        <button type="submit" name="_add" value="measurement" class="secondary outline add-row" data-add-row="measurement-rows" data-template="measurement-row-template">
          Add measurement
        </button>
      </fieldset>

      <details class="more-details" open={openDetails}>
        <summary>More details</summary>
        <Select name="program_id" label="Program" value={v.program_id} options={props.programs} blank="None (no race context)" errors={e} />
        <TextArea name="objective" label="Objective" value={v.objective} errors={e} maxlength={10000} rows={2} />
        <div class="grid-2">
          <Field name="location" label="Location" value={v.location} errors={e} maxlength={200} placeholder="Atsugi dyno cell 3" />
          <Field name="end_time" label="End time (UTC)" type="datetime-local" value={v.end_time} errors={e} />
          <Select name="status" label="Status" value={v.status ?? 'completed'} options={runStatusOptions} errors={e} />
          <Field name="engineer" label="Engineer" value={v.engineer} errors={e} maxlength={100} />
          <Field name="software_version" label="Software version" value={v.software_version} errors={e} maxlength={100} placeholder="inv-fw 5.2.1" />
          <Field name="hardware_revision" label="Hardware revision" value={v.hardware_revision} errors={e} maxlength={100} placeholder="INV-05 rev C" />
        </div>
        <TextArea name="result_summary" label="Result summary" value={v.result_summary} errors={e} maxlength={10000} rows={3} />
      </details>

      <datalist id="technology-names">
        <SuggestionOptions suggestions={props.technologyNames.map((value) => ({ value }))} />
      </datalist>
      <template id="evidence-row-template">
        <EvidenceRow />
      </template>
      <template id="measurement-row-template">
        <MeasurementRow />
      </template>

      <FormActions submitLabel={props.submitLabel} cancelHref={props.cancelHref} />
    </form>
  );
}
