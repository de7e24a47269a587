import { PROGRAM_STATUSES } from '../../../db/schema.js';
import { programLabel, type Program } from '../../../src/domain/programs.js';
import type { Prototype } from '../../../src/domain/prototypes.js';
import type { Series } from '../../../src/domain/series.js';
import type { Technology } from '../../../src/domain/technologies.js';
import type { TestRun } from '../../../src/domain/test-runs.js';
import { Badge, humanize, PageHead, TimeCell, RecordStamps } from '../../components/common.js';
import { CsrfField, ErrorSummary, Field, FormActions, Select, StaleNotice, type FieldErrors, type Option, type StaleChange } from '../../components/forms.js';
import { FilterForm, ListResults, ListRows, type Column, type Query } from '../../components/list.js';

export function years(p: Pick<Program, 'start_year' | 'end_year'>): string {
  return p.start_year === p.end_year ? String(p.start_year) : `${p.start_year}–${p.end_year}`;
}

export const statusOptions: Option[] = PROGRAM_STATUSES.map((s) => ({ value: s, label: humanize(s) }));

function programColumns(seriesNames: Map<number, string>): Column<Program>[] {
  return [
    {
      header: 'Series',
      render: (p) => <a href={`/series/${p.series_id}`} safe>{seriesNames.get(p.series_id) ?? `Series ${p.series_id}`}</a>,
    },
    { header: 'Season', sort: 'season', render: (p) => <a href={`/programs/${p.id}`} safe>{p.season}</a> },
    { header: 'Class', render: (p) => <span safe>{p.class ?? '—'}</span> },
    { header: 'Entry', render: (p) => <a href={`/programs/${p.id}`} safe>{p.entry}</a> },
    { header: 'Car', render: (p) => <span safe>{p.car}</span> },
    { header: 'Years', sort: 'start_year', render: (p) => <span safe>{years(p)}</span> },
    { header: 'Status', render: (p) => <Badge value={p.status} /> },
    { header: 'Updated', sort: 'updated_at', render: (p) => <TimeCell iso={p.updated_at} /> },
  ];
}

export interface ProgramListProps {
  query: Query;
  rows: Program[];
  nextCursor: string | null;
  seriesNames: Map<number, string>;
}

const FILTERS = ['series_id', 'status', 'season', 'q'] as const;

export function ProgramResults(props: ProgramListProps) {
  const filtered = FILTERS.some((f) => props.query[f]);
  return (
    <ListResults
      basePath="/programs"
      query={props.query}
      columns={programColumns(props.seriesNames)}
      rows={props.rows}
      nextCursor={props.nextCursor}
      caption="Programs"
      empty={
        filtered ? (
          <p>
            No programs match these filters. <a href="/programs">Clear the filters</a> to see all programs.
          </p>
        ) : props.seriesNames.size === 0 ? (
          <p>
            No programs yet, and no series to put them in. <a href="/series/new">Add a series first</a> (Formula E, Super GT), then its
            programs.
          </p>
        ) : (
          <p>
            No programs yet. <a href="/programs/new">Add the first program</a>: one entry in a series for a season, such as Formula E
            2024-25.
          </p>
        )
      }
    />
  );
}

export function ProgramRowsFragment(props: ProgramListProps) {
  return (
    <ListRows basePath="/programs" query={props.query} columns={programColumns(props.seriesNames)} rows={props.rows} nextCursor={props.nextCursor} />
  );
}

export function seriesOptions(series: Series[]): Option[] {
  return series.map((s) => ({ value: String(s.id), label: s.name }));
}

export function ProgramListPage(props: ProgramListProps & { series: Series[] }) {
  return (
    <>
      <PageHead title="Programs" subtitle="Entries in a series for a season">
        <a href="/programs/new" role="button">
          New program
        </a>
      </PageHead>
      <FilterForm basePath="/programs" query={props.query} label="Filter programs">
        <Select name="series_id" label="Series" value={props.query.series_id} options={seriesOptions(props.series)} blank="All series" />
        <Select name="status" label="Status" value={props.query.status} options={statusOptions} blank="Any status" />
        <Field name="season" label="Season" value={props.query.season} placeholder="2024-25" maxlength={20} />
        <Field name="q" label="Search" type="search" value={props.query.q} placeholder="Season, entry, car or class" maxlength={200} />
      </FilterForm>
      <ProgramResults {...props} />
    </>
  );
}

/** A run's one-line summary; shared by the program and prototype detail pages. */
export function RunsTable({ runs, caption }: { runs: TestRun[]; caption: string }) {
  return (
    <div class="table-scroll">
      <table class="striped">
        <caption class="visually-hidden" safe>
          {caption}
        </caption>
        <thead>
          <tr>
            <th scope="col">Code</th>
            <th scope="col">Title</th>
            <th scope="col">Venue</th>
            <th scope="col">Start</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
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
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export interface ProgramDetailProps {
  program: Program;
  series: Series;
  prototypes: Prototype[];
  morePrototypes: boolean;
  technologies: Technology[];
  moreTechnologies: boolean;
  runs: TestRun[];
  moreRuns: boolean;
}

export function ProgramDetailPage(props: ProgramDetailProps) {
  const p = props.program;
  const title = programLabel(p, props.series.name);
  return (
    <>
      <PageHead title={title} subtitle="Program">
        <a href={`/programs/${p.id}/edit`} role="button">
          Edit
        </a>
        <a href={`/programs/${p.id}/delete`} role="button" class="secondary outline">
          Delete
        </a>
      </PageHead>
      <dl class="facts">
        <dt>Series</dt>
        <dd>
          <a href={`/series/${props.series.id}`} safe>
            {props.series.name}
          </a>
        </dd>
        <dt>Season</dt>
        <dd safe>{p.season}</dd>
        <dt>Years</dt>
        <dd safe>{years(p)}</dd>
        <dt>Class</dt>
        <dd safe>{p.class ?? '—'}</dd>
        <dt>Entry</dt>
        <dd safe>{p.entry}</dd>
        <dt>Car</dt>
        <dd safe>{p.car}</dd>
        <dt>Status</dt>
        <dd>
          <Badge value={p.status} />
        </dd>
        <RecordStamps entity="program" record={p} />
      </dl>

      <section aria-labelledby="prototypes-heading">
        <h2 id="prototypes-heading">Prototypes serving it</h2>
        {props.prototypes.length === 0 ? (
          <p class="empty-state">
            No prototype serves this program yet. <a href="/prototypes/new">Add a prototype</a> or edit one and tick this program.
          </p>
        ) : (
          <ul>
            {props.prototypes.map((pr) => (
              <li>
                <a href={`/prototypes/${pr.id}`} safe>
                  {pr.code}
                </a>
                {pr.name ? <span safe>{` — ${pr.name}`}</span> : ''} <small safe>{`(${humanize(pr.kind)})`}</small>
                {pr.demo ? <> <Badge value="demo" label="demo data" /></> : ''}
              </li>
            ))}
          </ul>
        )}
        {props.morePrototypes ? <p><a href={`/prototypes?program_id=${p.id}`}>All prototypes serving it</a></p> : ''}
      </section>

      <section aria-labelledby="technologies-heading">
        <h2 id="technologies-heading">Technologies originating in it</h2>
        {props.technologies.length === 0 ? (
          <p class="empty-state">
            No technology names this program as its origin. Set the origin program on a <a href="/technologies">technology</a>.
          </p>
        ) : (
          <ul>
            {props.technologies.map((t) => (
              <li>
                <a href={`/technologies/${t.id}`} safe>
                  {t.name}
                </a>{' '}
                <small safe>{`(${humanize(t.domain)})`}</small>
              </li>
            ))}
          </ul>
        )}
        {props.moreTechnologies ? <p><a href={`/technologies?origin_program_id=${p.id}`}>All technologies originating in it</a></p> : ''}
      </section>

      <section aria-labelledby="runs-heading">
        <h2 id="runs-heading">Latest test runs</h2>
        {props.runs.length === 0 ? (
          <p class="empty-state">
            No test run is logged for this program yet. <a href="/test-runs/new">Log a test run</a> and choose this program as its race context.
          </p>
        ) : (
          <RunsTable runs={props.runs} caption="Latest test runs of this program" />
        )}
        {props.moreRuns ? <p><a href={`/test-runs?program_id=${p.id}`}>All test runs of this program</a></p> : ''}
      </section>
      <section class="lineage-panel" aria-label="Lineage" hx-get={`/lineage/panel?node=program:${p.id}`} hx-trigger="load"><h2>Lineage</h2><p><a href={`/lineage?node=program:${p.id}&direction=downstream`}>Open the lineage explorer</a></p></section>
    </>
  );
}

export interface ProgramFormValues {
  series_id?: string | number | undefined;
  season?: string | undefined;
  start_year?: string | number | undefined;
  end_year?: string | number | undefined;
  class?: string | null | undefined;
  entry?: string | undefined;
  car?: string | undefined;
  status?: string | undefined;
  version?: number | undefined;
}

export interface ProgramFormProps {
  action: string;
  csrfToken: string;
  values: ProgramFormValues;
  series: Series[];
  errors: FieldErrors;
  general?: string | undefined;
  stale?: StaleChange[] | undefined;
  submitLabel: string;
  cancelHref: string;
}

export function ProgramForm(props: ProgramFormProps) {
  const v = props.values;
  return (
    <form method="post" action={props.action} hx-post={props.action} hx-target="this" hx-swap="outerHTML" novalidate>
      {props.stale ? <StaleNotice changes={props.stale} /> : <ErrorSummary errors={props.errors} general={props.general} />}
      <CsrfField token={props.csrfToken} />
      {v.version !== undefined ? <input type="hidden" name="version" value={String(v.version)} /> : ''}
      <Select
        name="series_id"
        label="Series"
        value={v.series_id}
        options={seriesOptions(props.series)}
        blank="Choose a series"
        errors={props.errors}
        required
        autofocus
        hint={props.series.length === 0 ? 'There is no series yet: add one under Series first.' : undefined}
      />
      <div class="grid-2">
        <Field name="season" label="Season" value={v.season} errors={props.errors} required maxlength={20} placeholder="2024-25" hint="As the series names it: 2024-25, 2025." />
        <Select name="status" label="Status" value={v.status ?? 'planned'} options={statusOptions} errors={props.errors} />
        <Field name="start_year" label="Start year" type="number" value={v.start_year} errors={props.errors} required min={1900} max={2200} step="1" inputmode="numeric" />
        <Field name="end_year" label="End year" type="number" value={v.end_year} errors={props.errors} required min={1900} max={2200} step="1" inputmode="numeric" hint="Same as the start year for a one-year season." />
      </div>
      <Field name="class" label="Class" value={v.class} errors={props.errors} maxlength={40} placeholder="GT500" hint="Optional: GT500, GT300. Leave empty when the series has no classes (Formula E)." />
      <Field name="entry" label="Entry" value={v.entry} errors={props.errors} required maxlength={100} placeholder="#23 NISMO" hint="Team and car number." />
      <Field name="car" label="Car" value={v.car} errors={props.errors} required maxlength={200} placeholder="Nissan Z NISMO GT500" hint="Car or platform." />
      <FormActions submitLabel={props.submitLabel} cancelHref={props.cancelHref} />
    </form>
  );
}

/** Shown instead of deleting when other records still refer to the program (409). */
export function DeleteBlocked({ what, detail, backHref, links }: { what: string; detail: string; backHref: string; links: { href: string; label: string }[] }) {
  return (
    <article class="error-message" role="alert">
      <header>
        <strong safe>{`Cannot delete ${what} yet`}</strong>
      </header>
      <p safe>{detail}</p>
      {links.length ? (
        <ul>
          {links.map((l) => (
            <li>
              <a href={l.href} safe>
                {l.label}
              </a>
            </li>
          ))}
        </ul>
      ) : (
        ''
      )}
      <p>
        Nothing was deleted. <a href={backHref}>Back</a>
      </p>
    </article>
  );
}
