import { PROTOTYPE_KINDS } from '../../../db/schema.js';
import type { Prototype } from '../../../src/domain/prototypes.js';
import type { TestRun } from '../../../src/domain/test-runs.js';
import { Badge, humanize, PageHead, TimeCell, RecordStamps } from '../../components/common.js';
import {
  CsrfField,
  ErrorSummary,
  Field,
  FieldMessages,
  FormActions,
  Select,
  StaleNotice,
  TextArea,
  type FieldErrors,
  type Option,
  type StaleChange,
} from '../../components/forms.js';
import { FilterForm, ListResults, ListRows, type Column, type Query } from '../../components/list.js';
import { RunsTable } from '../programs/program-pages.js';

export const kindOptions: Option[] = PROTOTYPE_KINDS.map((k) => ({ value: k, label: humanize(k) }));

/** Labels of the programs and road models a page shows, looked up once per page. */
export interface PrototypeLookups {
  programLabels: ReadonlyMap<number, string>;
  roadModelNames: Map<number, string>;
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

function ProgramLinks({ ids, labels }: { ids: number[]; labels: ReadonlyMap<number, string> }) {
  if (ids.length === 0) return <span>—</span>;
  return (
    <>
      {ids.map((id, i) => (
        <>
          {i > 0 ? ', ' : ''}
          <a href={`/programs/${id}`} safe>
            {labels.get(id) ?? `Program ${id}`}
          </a>
        </>
      ))}
    </>
  );
}

function RoadModelLink({ id, names }: { id: number | null; names: ReadonlyMap<number, string> }) {
  if (id === null) return <span>—</span>;
  return (
    <a href={`/road-models/${id}`} safe>
      {names.get(id) ?? `Road model ${id}`}
    </a>
  );
}

function prototypeColumns(lookups: PrototypeLookups): Column<Prototype>[] {
  return [
    {
      header: 'Code',
      sort: 'code',
      render: (p) => (
        <>
          <a href={`/prototypes/${p.id}`} safe>
            {p.code}
          </a>
          <DemoBadge demo={p.demo} />
        </>
      ),
    },
    { header: 'Name', render: (p) => <span safe>{p.name || '—'}</span> },
    { header: 'Kind', render: (p) => <span safe>{humanize(p.kind)}</span> },
    { header: 'Hardware revision', render: (p) => <span safe>{p.hardware_revision || '—'}</span> },
    { header: 'Road model', render: (p) => <RoadModelLink id={p.road_model_id} names={lookups.roadModelNames} /> },
    { header: 'Programs', render: (p) => <ProgramLinks ids={p.program_ids} labels={lookups.programLabels} /> },
    { header: 'Updated', sort: 'updated_at', render: (p) => <TimeCell iso={p.updated_at} /> },
  ];
}

export interface PrototypeListProps {
  query: Query;
  rows: Prototype[];
  nextCursor: string | null;
  lookups: PrototypeLookups;
}

const FILTERS = ['kind', 'program_id', 'road_model_id', 'q'] as const;

export function PrototypeResults(props: PrototypeListProps) {
  const filtered = FILTERS.some((f) => props.query[f]);
  return (
    <ListResults
      basePath="/prototypes"
      query={props.query}
      columns={prototypeColumns(props.lookups)}
      rows={props.rows}
      nextCursor={props.nextCursor}
      caption="Prototypes"
      empty={
        filtered ? (
          <p>
            No prototypes match these filters. <a href="/prototypes">Clear the filters</a> to see all prototypes.
          </p>
        ) : (
          <p>
            No prototypes yet. <a href="/prototypes/new">Add the first test vehicle or rig</a>, such as a Formula E powertrain mule or an
            inverter dyno rig.
          </p>
        )
      }
    />
  );
}

export function PrototypeRowsFragment(props: PrototypeListProps) {
  return (
    <ListRows basePath="/prototypes" query={props.query} columns={prototypeColumns(props.lookups)} rows={props.rows} nextCursor={props.nextCursor} />
  );
}

function optionsOf(labels: ReadonlyMap<number, string>): Option[] {
  return [...labels].map(([id, label]) => ({ value: String(id), label }));
}

export function PrototypeListPage(props: PrototypeListProps) {
  return (
    <>
      <PageHead title="Prototypes" subtitle="Test vehicles and rigs">
        <a href="/prototypes/new" role="button">
          New prototype
        </a>
      </PageHead>
      <FilterForm basePath="/prototypes" query={props.query} label="Filter prototypes">
        <Select name="kind" label="Kind" value={props.query.kind} options={kindOptions} blank="Any kind" />
        <Select name="program_id" label="Program" value={props.query.program_id} options={optionsOf(props.lookups.programLabels)} blank="Any program" />
        <Select name="road_model_id" label="Road model" value={props.query.road_model_id} options={optionsOf(props.lookups.roadModelNames)} blank="Any road model" />
        <Field name="q" label="Search" type="search" value={props.query.q} placeholder="Code, name, revision or notes" maxlength={200} />
      </FilterForm>
      <PrototypeResults {...props} />
    </>
  );
}

export interface PrototypeDetailProps {
  prototype: Prototype;
  lookups: PrototypeLookups;
  runs: TestRun[];
  moreRuns: boolean;
}

export function PrototypeDetailPage({ prototype: p, lookups, runs, moreRuns }: PrototypeDetailProps) {
  return (
    <>
      <PageHead title={p.name ? `${p.code} — ${p.name}` : p.code} subtitle="Prototype">
        <a href={`/prototypes/${p.id}/edit`} role="button">
          Edit
        </a>
        <a href={`/prototypes/${p.id}/delete`} role="button" class="secondary outline">
          Delete
        </a>
      </PageHead>
      {p.demo ? (
        <p>
          <Badge value="demo" label="demo data" /> Invented for the demo; not a real vehicle.
        </p>
      ) : (
        ''
      )}
      <dl class="facts">
        <dt>Code</dt>
        <dd safe>{p.code}</dd>
        <dt>Name</dt>
        <dd safe>{p.name || '—'}</dd>
        <dt>Kind</dt>
        <dd safe>{humanize(p.kind)}</dd>
        <dt>Hardware revision</dt>
        <dd safe>{p.hardware_revision || '—'}</dd>
        <dt>Road model</dt>
        <dd>
          {p.road_model_id === null ? (
            p.kind === 'road_prototype' ? (
              <span>None set yet: edit to choose the road model it belongs to.</span>
            ) : (
              <span>— (only road prototypes belong to a road model)</span>
            )
          ) : (
            <RoadModelLink id={p.road_model_id} names={lookups.roadModelNames} />
          )}
        </dd>
        <dt>Programs served</dt>
        <dd>
          {p.program_ids.length === 0 ? (
            <span>None yet: edit to tick the programs it serves.</span>
          ) : (
            <ul>
              {p.program_ids.map((id) => (
                <li>
                  <a href={`/programs/${id}`} safe>
                    {lookups.programLabels.get(id) ?? `Program ${id}`}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>Notes</dt>
        <dd safe>{p.notes || '—'}</dd>
        <RecordStamps entity="prototype" record={p} />
      </dl>

      <section aria-labelledby="runs-heading">
        <h2 id="runs-heading">Latest test runs</h2>
        {runs.length === 0 ? (
          <p class="empty-state">
            No test run is logged with this prototype yet. <a href="/test-runs/new">Log a test run</a> and choose it as the prototype.
          </p>
        ) : (
          <RunsTable runs={runs} caption="Latest test runs with this prototype" />
        )}
        {moreRuns ? <p><a href={`/test-runs?prototype_id=${p.id}`}>All test runs with this prototype</a></p> : ''}
      </section>
      <div id="trend" hx-get={`/prototypes/${p.id}/trend`} hx-trigger="load" hx-swap="outerHTML"><p><a href={`/prototypes/${p.id}/trend`}>Measurement trends</a></p></div>
      <section class="lineage-panel" aria-label="Lineage" hx-get={`/lineage/panel?node=prototype:${p.id}`} hx-trigger="load"><h2>Lineage</h2><p><a href={`/lineage?node=prototype:${p.id}&direction=downstream`}>Open the lineage explorer</a></p></section>
    </>
  );
}

export interface PrototypeFormValues {
  code?: string | undefined;
  name?: string | undefined;
  kind?: string | undefined;
  hardware_revision?: string | undefined;
  road_model_id?: string | number | null | undefined;
  program_ids?: (string | number)[] | undefined;
  notes?: string | undefined;
  version?: number | undefined;
}

export interface PrototypeFormProps {
  action: string;
  csrfToken: string;
  values: PrototypeFormValues;
  lookups: PrototypeLookups;
  errors: FieldErrors;
  general?: string | undefined;
  stale?: StaleChange[] | undefined;
  submitLabel: string;
  cancelHref: string;
}

/** Checkboxes for the programs served; errors of any item (`program_ids.2`) show under the list. */
function ProgramCheckboxes({ labels, selected, errors }: { labels: ReadonlyMap<number, string>; selected: Set<string>; errors: FieldErrors }) {
  const error = Object.entries(errors).find(([k]) => k === 'program_ids' || k.startsWith('program_ids.'))?.[1];
  const hint = labels.size === 0 ? 'There are no programs yet: add one under Programs first.' : 'Tick every program it serves; rigs can serve several series.';
  return (
    <fieldset id="f-program_ids" aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'f-program_ids-hint f-program_ids-error' : 'f-program_ids-hint'}>
      <legend>Programs served</legend>
      {/* Always sent, so unticking every box clears the set (formToInput drops the empty value). */}
      <input type="hidden" name="program_ids" value="" />
      {[...labels].map(([id, label]) => (
        <label for={`f-program_ids-${id}`}>
          <input type="checkbox" id={`f-program_ids-${id}`} name="program_ids" value={String(id)} checked={selected.has(String(id))} />
          <span safe>{label}</span>
        </label>
      ))}
      <FieldMessages id="f-program_ids" hint={hint} error={error} />
    </fieldset>
  );
}

export function PrototypeForm(props: PrototypeFormProps) {
  const v = props.values;
  const roadModelOptions = [...props.lookups.roadModelNames].map(([id, name]) => ({ value: String(id), label: name }));
  return (
    <form method="post" action={props.action} hx-post={props.action} hx-target="this" hx-swap="outerHTML" novalidate>
      {props.stale ? <StaleNotice changes={props.stale} /> : <ErrorSummary errors={props.errors} general={props.general} />}
      <CsrfField token={props.csrfToken} />
      {v.version !== undefined ? <input type="hidden" name="version" value={String(v.version)} /> : ''}
      <div class="grid-2">
        <Field
          name="code"
          label="Code"
          value={v.code}
          errors={props.errors}
          required
          maxlength={40}
          pattern="[A-Za-z0-9_\-]+"
          placeholder="FE-MULE-07"
          hint="Unique: letters, digits, - and _."
          autofocus
        />
        <Field name="name" label="Name" value={v.name} errors={props.errors} maxlength={200} placeholder="Formula E powertrain mule" />
        <Select name="kind" label="Kind" value={v.kind} options={kindOptions} blank="Choose a kind" errors={props.errors} required />
        <Field name="hardware_revision" label="Hardware revision" value={v.hardware_revision} errors={props.errors} maxlength={100} placeholder="HW-C3" />
      </div>
      <Select
        name="road_model_id"
        label="Road model"
        value={v.road_model_id}
        options={roadModelOptions}
        blank="None"
        errors={props.errors}
        hint="Only for a road prototype: the road model it belongs to. Leave it at None for every other kind."
      />
      <ProgramCheckboxes labels={props.lookups.programLabels} selected={new Set((v.program_ids ?? []).map(String))} errors={props.errors} />
      <TextArea name="notes" label="Notes" value={v.notes} errors={props.errors} maxlength={10000} />
      <FormActions submitLabel={props.submitLabel} cancelHref={props.cancelHref} />
    </form>
  );
}
