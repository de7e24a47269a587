import { TECHNOLOGY_DOMAINS } from '../../../db/schema.js';
import type { Technology } from '../../../src/domain/technologies.js';
import type { TestRun } from '../../../src/domain/test-runs.js';
import type { Transfer } from '../../../src/domain/transfers.js';
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

/** Names and labels a technology page shows for the ids it holds. */
export interface TechnologyLookups {
  categoryNames: Map<number, string>;
  programLabels: ReadonlyMap<number, string>;
}

export const domainOptions: Option[] = TECHNOLOGY_DOMAINS.map((d) => ({ value: d, label: humanize(d) }));

function optionsOf(names: ReadonlyMap<number, string>): Option[] {
  return [...names].map(([id, label]) => ({ value: String(id), label }));
}

function technologyColumns(lookups: TechnologyLookups): Column<Technology>[] {
  return [
    { header: 'Name', sort: 'name', render: (t) => <a href={`/technologies/${t.id}`} safe>{t.name}</a> },
    { header: 'Domain', render: (t) => <span safe>{humanize(t.domain)}</span> },
    {
      header: 'Category',
      render: (t) => (
        <a href={`/technologies?category_id=${t.category_id}`} safe>
          {lookups.categoryNames.get(t.category_id) ?? `Category ${t.category_id}`}
        </a>
      ),
    },
    {
      header: 'Origin program',
      render: (t) =>
        t.origin_program_id === null ? (
          <span>—</span>
        ) : (
          <a href={`/programs/${t.origin_program_id}`} safe>
            {lookups.programLabels.get(t.origin_program_id) ?? `Program ${t.origin_program_id}`}
          </a>
        ),
    },
    { header: 'Owner', render: (t) => <span safe>{t.owner || '—'}</span> },
    { header: 'Updated', sort: 'updated_at', render: (t) => <TimeCell iso={t.updated_at} /> },
  ];
}

export interface TechnologyListProps {
  query: Query;
  rows: Technology[];
  nextCursor: string | null;
  lookups: TechnologyLookups;
}

const FILTERS = ['domain', 'category_id', 'origin_program_id', 'derived_from', 'q'] as const;

export function TechnologyResults(props: TechnologyListProps) {
  const filtered = FILTERS.some((f) => props.query[f]);
  return (
    <ListResults
      basePath="/technologies"
      query={props.query}
      columns={technologyColumns(props.lookups)}
      rows={props.rows}
      nextCursor={props.nextCursor}
      caption="Technologies"
      empty={
        filtered ? (
          <p>
            {props.query.q ? <span safe>{`No technologies match “${props.query.q}” with these filters. `}</span> : 'No technologies match these filters. '}
            <a href="/technologies">Clear the filters</a> to see all technologies.
          </p>
        ) : props.lookups.categoryNames.size === 0 ? (
          <p>
            No technologies yet, and no technology category to file them under. <a href="/admin">Add a category first</a> (aero,
            inverter, battery…), then the technologies.
          </p>
        ) : (
          <p>
            No technologies yet. <a href="/technologies/new">Add the first technology</a>, such as an inverter or a torque-vectoring
            control developed in a race program.
          </p>
        )
      }
    />
  );
}

export function TechnologyRowsFragment(props: TechnologyListProps) {
  return (
    <ListRows basePath="/technologies" query={props.query} columns={technologyColumns(props.lookups)} rows={props.rows} nextCursor={props.nextCursor} />
  );
}

export function TechnologyListPage(props: TechnologyListProps) {
  return (
    <>
      <PageHead title="Technologies" subtitle="Hardware and software capabilities, from race to road">
        <a href="/technologies/new" role="button">
          New technology
        </a>
      </PageHead>
      <FilterForm basePath="/technologies" query={props.query} label="Filter technologies">
        {props.query.derived_from ? <input type="hidden" name="derived_from" value={props.query.derived_from} /> : ''}
        <Field name="q" label="Search" type="search" value={props.query.q} placeholder="Name, description or owner" maxlength={200} />
        <Select name="domain" label="Domain" value={props.query.domain} options={domainOptions} blank="Any domain" />
        <Select name="category_id" label="Category" value={props.query.category_id} options={optionsOf(props.lookups.categoryNames)} blank="Any category" />
        <Select
          name="origin_program_id"
          label="Origin program"
          value={props.query.origin_program_id}
          options={optionsOf(props.lookups.programLabels)}
          blank="Any program"
        />
      </FilterForm>
      <TechnologyResults {...props} />
    </>
  );
}

/** A technology named and linked; `names` holds every name the page needs. */
function TechLinks({ ids, names }: { ids: number[]; names: ReadonlyMap<number, string> }) {
  return (
    <ul>
      {ids.map((id) => (
        <li>
          <a href={`/technologies/${id}`} safe>
            {names.get(id) ?? `Technology ${id}`}
          </a>
        </li>
      ))}
    </ul>
  );
}

export interface OutcomeCounts {
  pass: number;
  fail: number;
  inconclusive: number;
}

export interface TechnologyDetailProps {
  technology: Technology;
  lookups: TechnologyLookups;
  /** Names of the parents and children shown. */
  names: Map<number, string>;
  children: number[];
  moreChildren: boolean;
  ancestorCount: number;
  descendantCount: number;
  runs: TestRun[];
  moreRuns: boolean;
  counts: OutcomeCounts;
  transfers: Transfer[];
  moreTransfers: boolean;
  roadModelNames: Map<number, string>;
}

export function TechnologyDetailPage(props: TechnologyDetailProps) {
  const t = props.technology;
  const category = props.lookups.categoryNames.get(t.category_id) ?? `Category ${t.category_id}`;
  const further = {
    up: Math.max(0, props.ancestorCount - t.derived_from.length),
    down: Math.max(0, props.descendantCount - props.children.length),
  };
  return (
    <>
      <PageHead title={t.name} subtitle="Technology">
        <a href={`/technologies/${t.id}/edit`} role="button">
          Edit
        </a>
        <a href={`/technologies/${t.id}/delete`} role="button" class="secondary outline">
          Delete
        </a>
      </PageHead>
      <dl class="facts">
        <dt>Domain</dt>
        <dd>
          <a href={`/technologies?domain=${t.domain}`} safe>
            {humanize(t.domain)}
          </a>
        </dd>
        <dt>Category</dt>
        <dd>
          <a href={`/technologies?category_id=${t.category_id}`} safe>
            {category}
          </a>
        </dd>
        <dt>Origin program</dt>
        <dd>
          {t.origin_program_id === null ? (
            <span>—</span>
          ) : (
            <a href={`/programs/${t.origin_program_id}`} safe>
              {props.lookups.programLabels.get(t.origin_program_id) ?? `Program ${t.origin_program_id}`}
            </a>
          )}
        </dd>
        <dt>Owner</dt>
        <dd safe>{t.owner || '—'}</dd>
        <dt>Description</dt>
        <dd safe>{t.description || '—'}</dd>
        <RecordStamps entity="technology" record={t} />
      </dl>

      <section aria-labelledby="derivations-heading">
        <h2 id="derivations-heading">Derivations</h2>
        <div class="grid-2">
          <div>
            <h3>Derives from</h3>
            {t.derived_from.length === 0 ? (
              <p>Nothing: it is an original technology. <a href={`/technologies/${t.id}/edit`}>Edit it</a> to name what it derives from.</p>
            ) : (
              <TechLinks ids={t.derived_from} names={props.names} />
            )}
            {further.up > 0 ? (
              <p>
                <small>
                  And {further.up} further {further.up === 1 ? 'ancestor' : 'ancestors'} up the chain.
                </small>
              </p>
            ) : (
              ''
            )}
          </div>
          <div>
            <h3>Feeds</h3>
            {props.children.length === 0 ? <p>No technology derives from it yet.</p> : <TechLinks ids={props.children} names={props.names} />}
            {props.moreChildren ? (
              <p>
                <a href={`/technologies?derived_from=${t.id}`}>All technologies deriving from it</a>
              </p>
            ) : (
              ''
            )}
            {further.down > 0 ? (
              <p>
                <small>
                  And {further.down} further {further.down === 1 ? 'descendant' : 'descendants'} down the chain.
                </small>
              </p>
            ) : (
              ''
            )}
          </div>
        </div>
      </section>

      <section aria-labelledby="evidence-heading">
        <h2 id="evidence-heading">Evidence runs</h2>
        <p>
          On completed runs:{' '}
          <a href={`/test-runs?technology_id=${t.id}&outcome=pass&status=completed`}>
            <Badge value="pass" label={`${props.counts.pass} pass`} />
          </a>{' '}
          <a href={`/test-runs?technology_id=${t.id}&outcome=fail&status=completed`}>
            <Badge value="fail" label={`${props.counts.fail} fail`} />
          </a>{' '}
          <a href={`/test-runs?technology_id=${t.id}&outcome=inconclusive&status=completed`}>
            <Badge value="inconclusive" label={`${props.counts.inconclusive} inconclusive`} />
          </a>
        </p>
        {props.runs.length === 0 ? (
          <p class="empty-state">
            No test run has exercised this technology yet. <a href="/test-runs/new">Log a test run</a> and add it with its outcome.
          </p>
        ) : (
          <EvidenceRunsTable runs={props.runs} technologyId={t.id} />
        )}
        {props.moreRuns ? (
          <p>
            <a href={`/test-runs?technology_id=${t.id}`}>All test runs that exercised it</a>
          </p>
        ) : (
          ''
        )}
      </section>
      <div id="readiness" hx-get={`/technologies/${t.id}/readiness`} hx-trigger="load" hx-swap="outerHTML"><p><a href={`/technologies/${t.id}/readiness`}>Readiness (TRL)</a> · <a href={`/technologies/${t.id}/trend`}>Measurement trends</a></p></div>

      <section aria-labelledby="transfers-heading">
        <h2 id="transfers-heading">Road models it feeds</h2>
        {props.transfers.length === 0 ? (
          <p class="empty-state">
            It feeds no road model yet. <a href={`/transfers/new?technology_id=${t.id}`}>Propose a transfer</a> to a road model.
          </p>
        ) : (
          <TransfersTable transfers={props.transfers} roadModelNames={props.roadModelNames} />
        )}
        {props.moreTransfers ? (
          <p>
            <a href={`/transfers?technology_id=${t.id}`}>All transfers of this technology</a>
          </p>
        ) : (
          ''
        )}
      </section>
      <section class="lineage-panel" aria-label="Lineage" hx-get={`/lineage/panel?node=technology:${t.id}`} hx-trigger="load"><h2>Lineage</h2><p><a href={`/lineage?node=technology:${t.id}&direction=upstream`}>Open the lineage explorer</a></p></section>
    </>
  );
}

function EvidenceRunsTable({ runs, technologyId }: { runs: TestRun[]; technologyId: number }) {
  return (
    <div class="table-scroll">
      <table class="striped">
        <caption class="visually-hidden">Latest test runs that exercised this technology</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Title</th>
            <th scope="col">Venue</th>
            <th scope="col">Start</th>
            <th scope="col">Run status</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => {
            const outcome = r.evidence.find((e) => e.technology_id === technologyId)?.outcome;
            return (
              <tr>
                <td>
                  <a href={`/test-runs/${r.id}`} safe>
                    {r.code}
                  </a>
                  {r.demo ? <> <Badge value="demo" label="demo data" /></> : ''}
                </td>
                <td safe>{r.title}</td>
                <td safe>{humanize(r.venue_type)}</td>
                <td>
                  <TimeCell iso={r.start_time} />
                </td>
                <td>
                  <Badge value={r.status} />
                </td>
                <td>{outcome ? <Badge value={outcome} /> : <span>—</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function TransfersTable({ transfers, roadModelNames }: { transfers: Transfer[]; roadModelNames: Map<number, string> }) {
  return (
    <div class="table-scroll">
      <table class="striped">
        <caption class="visually-hidden">Transfers of this technology to road models</caption>
        <thead>
          <tr>
            <th scope="col">Road model</th>
            <th scope="col">Stage</th>
            <th scope="col">Decided</th>
            <th scope="col">Last review</th>
            <th scope="col">Transfer</th>
          </tr>
        </thead>
        <tbody>
          {transfers.map((tr) => (
            <tr>
              <td>
                <a href={`/road-models/${tr.road_model_id}`} safe>
                  {roadModelNames.get(tr.road_model_id) ?? `Road model ${tr.road_model_id}`}
                </a>
              </td>
              <td>
                <Badge value={tr.stage} />
              </td>
              <td safe>{tr.decided_on ?? '—'}</td>
              <td>
                <TimeCell iso={tr.reviewed_at} />
              </td>
              <td>
                <a href={`/transfers/${tr.id}`}>Transfer #{tr.id}</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export interface TechnologyFormValues {
  name?: string | undefined;
  domain?: string | undefined;
  category_id?: string | number | undefined;
  origin_program_id?: string | number | null | undefined;
  owner?: string | undefined;
  description?: string | undefined;
  derived_from?: (string | number)[] | undefined;
  version?: number | undefined;
}

/** A technology the derives-from list offers. */
export interface ParentChoice {
  id: number;
  name: string;
  category: string;
  /** It already derives (transitively) from the technology being edited: choosing it makes a cycle. */
  descendant: boolean;
}

export interface TechnologyFormProps {
  action: string;
  csrfToken: string;
  values: TechnologyFormValues;
  lookups: TechnologyLookups;
  parents: ParentChoice[];
  errors: FieldErrors;
  general?: string | undefined;
  stale?: StaleChange[] | undefined;
  submitLabel: string;
  cancelHref: string;
}

/**
 * Checkboxes of the other technologies, grouped by category so ~50 stay scannable; ticked ones
 * are listed first. Errors of any item (`derived_from.2`) show under the list.
 */
function ParentCheckboxes({ parents, selected, errors }: { parents: ParentChoice[]; selected: Set<string>; errors: FieldErrors }) {
  const error = errors.derived_from ?? Object.entries(errors).find(([k]) => k.startsWith('derived_from.'))?.[1];
  const hint =
    parents.length === 0
      ? 'There is no other technology yet: it can derive from one once that exists.'
      : 'Tick every technology this one derives from (a road inverter from a race inverter). Derivations never form a cycle (DER-1).';
  const ticked = parents.filter((p) => selected.has(String(p.id)));
  const groups = new Map<string, ParentChoice[]>();
  for (const p of parents) {
    if (selected.has(String(p.id))) continue;
    const list = groups.get(p.category) ?? [];
    list.push(p);
    groups.set(p.category, list);
  }
  const box = (p: ParentChoice) => (
    <label for={`f-derived_from-${p.id}`}>
      <input type="checkbox" id={`f-derived_from-${p.id}`} name="derived_from" value={String(p.id)} checked={selected.has(String(p.id))} />
      <span safe>{p.name}</span>
      {p.descendant ? <small> (derives from this one)</small> : ''}
    </label>
  );
  return (
    <fieldset
      id="f-derived_from"
      aria-invalid={error ? 'true' : undefined}
      aria-describedby={error ? 'f-derived_from-hint f-derived_from-error' : 'f-derived_from-hint'}
    >
      <legend>Derives from</legend>
      {/* Always sent, so unticking every box clears the set (formToInput drops the empty value). */}
      <input type="hidden" name="derived_from" value="" />
      <FieldMessages id="f-derived_from" hint={hint} error={error} />
      {ticked.length ? (
        <div>
          <strong>Chosen</strong>
          <div class="grid-2">{ticked.map(box)}</div>
        </div>
      ) : (
        ''
      )}
      {[...groups].map(([category, list]) => (
        <details open={ticked.length === 0 && parents.length <= 12}>
          <summary safe>{`${category} (${list.length})`}</summary>
          <div class="grid-2">{list.map(box)}</div>
        </details>
      ))}
    </fieldset>
  );
}

export function TechnologyForm(props: TechnologyFormProps) {
  const v = props.values;
  const categories = optionsOf(props.lookups.categoryNames);
  return (
    <form method="post" action={props.action} hx-post={props.action} hx-target="this" hx-swap="outerHTML" novalidate>
      {props.stale ? <StaleNotice changes={props.stale} /> : <ErrorSummary errors={props.errors} general={props.general} />}
      <CsrfField token={props.csrfToken} />
      {v.version !== undefined ? <input type="hidden" name="version" value={String(v.version)} /> : ''}
      <Field name="name" label="Name" value={v.name} errors={props.errors} required maxlength={200} placeholder="e-4ORCE torque vectoring" autofocus />
      <div class="grid-2">
        <Select name="domain" label="Domain" value={v.domain} options={domainOptions} blank="Choose a domain" errors={props.errors} required />
        <Select
          name="category_id"
          label="Category"
          value={v.category_id}
          options={categories}
          blank="Choose a category"
          errors={props.errors}
          required
          hint={categories.length === 0 ? 'There is no category yet: an admin adds them under Admin.' : undefined}
        />
        <Select
          name="origin_program_id"
          label="Origin program"
          value={v.origin_program_id}
          options={optionsOf(props.lookups.programLabels)}
          blank="None"
          errors={props.errors}
          hint="Optional: the race program it came from."
        />
        <Field name="owner" label="Owner" value={v.owner} errors={props.errors} maxlength={200} placeholder="NISMO powertrain" />
      </div>
      <TextArea name="description" label="Description" value={v.description} errors={props.errors} maxlength={10000} rows={4} />
      <ParentCheckboxes parents={props.parents} selected={new Set((v.derived_from ?? []).map(String))} errors={props.errors} />
      <FormActions submitLabel={props.submitLabel} cancelHref={props.cancelHref} />
    </form>
  );
}
