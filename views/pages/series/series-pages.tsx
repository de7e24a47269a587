import type { Series } from '../../../src/domain/series.js';
import { PageHead, TimeCell, RecordStamps } from '../../components/common.js';
import { CsrfField, ErrorSummary, Field, FormActions, StaleNotice, TextArea, type FieldErrors, type StaleChange } from '../../components/forms.js';
import { FilterForm, ListResults, ListRows, type Column, type Query } from '../../components/list.js';

export const seriesColumns: Column<Series>[] = [
  { header: 'Name', sort: 'name', render: (s) => <a href={`/series/${s.id}`} safe>{s.name}</a> },
  { header: 'Description', render: (s) => <span safe>{s.description}</span> },
  { header: 'Updated', sort: 'updated_at', render: (s) => <TimeCell iso={s.updated_at} /> },
];

export interface SeriesListProps {
  query: Query;
  rows: Series[];
  nextCursor: string | null;
}

export function SeriesResults(props: SeriesListProps) {
  return (
    <ListResults
      basePath="/series"
      query={props.query}
      columns={seriesColumns}
      rows={props.rows}
      nextCursor={props.nextCursor}
      caption="Series"
      empty={
        props.query.q ? (
          <p safe>{`No series match “${props.query.q}”. Clear the search to see all.`}</p>
        ) : (
          <p>
            No series yet. <a href="/series/new">Add the first racing discipline</a>, such as Formula E or Super GT.
          </p>
        )
      }
    />
  );
}

export function SeriesRowsFragment(props: SeriesListProps) {
  return <ListRows basePath="/series" query={props.query} columns={seriesColumns} rows={props.rows} nextCursor={props.nextCursor} />;
}

export function SeriesListPage(props: SeriesListProps) {
  return (
    <>
      <PageHead title="Series" subtitle="Racing disciplines Nissan competes in">
        <a href="/series/new" role="button">
          New series
        </a>
      </PageHead>
      <FilterForm basePath="/series" query={props.query} label="Filter series">
        <Field name="q" label="Search" type="search" value={props.query.q} placeholder="Name or description" />
      </FilterForm>
      <SeriesResults {...props} />
    </>
  );
}

export function SeriesDetailPage({ series, programCount }: { series: Series; programCount: number }) {
  return (
    <>
      <PageHead title={series.name} subtitle="Series">
        <a href={`/series/${series.id}/edit`} role="button">
          Edit
        </a>
        <a href={`/series/${series.id}/delete`} role="button" class="secondary outline">
          Delete
        </a>
      </PageHead>
      <dl class="facts">
        <dt>Description</dt>
        <dd safe>{series.description || '—'}</dd>
        <dt>Programs</dt>
        <dd>
          <a href={`/programs?series_id=${series.id}`}>{programCount} {programCount === 1 ? 'program' : 'programs'}</a>
        </dd>
        <RecordStamps entity="series" record={series} />
      </dl>
    </>
  );
}

export interface SeriesFormProps {
  action: string;
  csrfToken: string;
  values: { name?: string | undefined; description?: string | undefined; version?: number | undefined };
  errors: FieldErrors;
  general?: string | undefined;
  stale?: StaleChange[] | undefined;
  submitLabel: string;
  cancelHref: string;
}

export function SeriesForm(props: SeriesFormProps) {
  return (
    <form method="post" action={props.action} hx-post={props.action} hx-target="this" hx-swap="outerHTML" novalidate>
      {props.stale ? <StaleNotice changes={props.stale} /> : <ErrorSummary errors={props.errors} general={props.general} />}
      <CsrfField token={props.csrfToken} />
      {props.values.version !== undefined ? <input type="hidden" name="version" value={String(props.values.version)} /> : ''}
      <Field name="name" label="Name" value={props.values.name} errors={props.errors} required maxlength={100} autofocus />
      <TextArea name="description" label="Description" value={props.values.description} errors={props.errors} maxlength={10000} />
      <FormActions submitLabel={props.submitLabel} cancelHref={props.cancelHref} />
    </form>
  );
}
