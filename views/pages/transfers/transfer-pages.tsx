import { TRANSFER_STAGES } from '../../../db/schema.js';
import type { Transfer } from '../../../src/domain/transfers.js';
import { Badge, humanize, PageHead, TimeCell, RecordStamps } from '../../components/common.js';
import { CsrfField, ErrorSummary, Field, FormActions, Select, StaleNotice, TextArea, type FieldErrors, type Option, type StaleChange } from '../../components/forms.js';
import { FilterForm, ListResults, ListRows, type Column, type Query } from '../../components/list.js';
import { SuspectReasons, SuspectTable, type SuspectGroup } from '../reports/report-views.js';

export const stageOptions: Option[] = TRANSFER_STAGES.map((s) => ({ value: s, label: humanize(s) }));

/** Names of the technologies, road models and reviewers a page shows, looked up once per page. */
export interface TransferLookups {
  technologyNames: Map<number, string>;
  roadModelNames: Map<number, string>;
  reviewerNames: Map<number, string>;
}

export function technologyName(lookups: Pick<TransferLookups, 'technologyNames'>, id: number): string {
  return lookups.technologyNames.get(id) ?? `Technology ${id}`;
}

export function roadModelName(lookups: Pick<TransferLookups, 'roadModelNames'>, id: number): string {
  return lookups.roadModelNames.get(id) ?? `Road model ${id}`;
}

/** `SiC inverter → Ariya NISMO` */
export function transferLabel(lookups: Pick<TransferLookups, 'technologyNames' | 'roadModelNames'>, t: Pick<Transfer, 'technology_id' | 'road_model_id'>): string {
  return `${technologyName(lookups, t.technology_id)} → ${roadModelName(lookups, t.road_model_id)}`;
}

function reviewerName(lookups: Pick<TransferLookups, 'reviewerNames'>, id: number | null): string {
  if (id === null) return 'the system';
  return lookups.reviewerNames.get(id) ?? `user ${id}`;
}

function reviewedBy(lookups: Pick<TransferLookups, 'reviewerNames'>, t: Pick<Transfer, 'reviewed_at' | 'reviewed_by'>): string {
  return t.reviewed_at ? reviewerName(lookups, t.reviewed_by) : '—';
}

function optionsOf(names: Map<number, string>): Option[] {
  return [...names].map(([id, label]) => ({ value: String(id), label })).sort((a, b) => a.label.localeCompare(b.label));
}

function transferColumns(lookups: TransferLookups, suspectIds: Set<number> = new Set()): Column<Transfer>[] {
  return [
    { header: 'Transfer', sort: 'id', render: (t) => <a href={`/transfers/${t.id}`}>#{t.id}</a> },
    {
      header: 'Technology',
      render: (t) => (
        <a href={`/technologies/${t.technology_id}`} safe>
          {technologyName(lookups, t.technology_id)}
        </a>
      ),
    },
    {
      header: 'Road model',
      render: (t) => (
        <a href={`/road-models/${t.road_model_id}`} safe>
          {roadModelName(lookups, t.road_model_id)}
        </a>
      ),
    },
    {
      header: 'Stage',
      sort: 'stage',
      render: (t) => (
        <>
          <Badge value={t.stage} />
          {suspectIds.has(t.id) ? (
            <>
              {' '}
              <a href={`/transfers/${t.id}#review`} class="badge suspect" title="A later fail or a changed definition: open to review">
                Suspect
              </a>
            </>
          ) : (
            ''
          )}
        </>
      ),
    },
    { header: 'Decided on', render: (t) => <span safe>{t.decided_on ?? '—'}</span> },
    {
      header: 'Last review',
      render: (t) => (
        <>
          <TimeCell iso={t.reviewed_at} />
          {t.reviewed_at ? <small safe>{` by ${reviewerName(lookups, t.reviewed_by)}`}</small> : ''}
        </>
      ),
    },
    { header: 'Updated', sort: 'updated_at', render: (t) => <TimeCell iso={t.updated_at} /> },
  ];
}

export interface TransferListProps {
  query: Query;
  rows: Transfer[];
  nextCursor: string | null;
  lookups: TransferLookups;
  /** Transfers on this page that are suspect (SUS-1/2): marked with a badge. */
  suspectIds?: Set<number> | undefined;
  /** `suspect=true`: the review screen lists these instead of the page of rows. */
  suspectGroups?: SuspectGroup[] | undefined;
}

const FILTERS = ['stage', 'technology_id', 'road_model_id'] as const;

function SuspectResults(props: { groups: SuspectGroup[]; filtered: boolean }) {
  return (
    <div id="results" aria-live="polite">
      {props.groups.length === 0 ? (
        <div class="empty-state">
          <p>
            No suspect transfers{props.filtered ? ' match these filters' : ''}: nothing failed or changed since the last reviews.{' '}
            <a href="/transfers">See all transfers</a>.
          </p>
        </div>
      ) : (
        <>
          <p>
            {props.groups.length} suspect {props.groups.length === 1 ? 'transfer' : 'transfers'}. Open one and use “Mark reviewed” to clear it
            (SUS-3).
          </p>
          <SuspectTable groups={props.groups} />
        </>
      )}
    </div>
  );
}

export function TransferResults(props: TransferListProps) {
  const filtered = FILTERS.some((f) => props.query[f]);
  if (props.suspectGroups) return <SuspectResults groups={props.suspectGroups} filtered={filtered} />;
  return (
    <ListResults
      basePath="/transfers"
      query={props.query}
      columns={transferColumns(props.lookups, props.suspectIds)}
      rows={props.rows}
      nextCursor={props.nextCursor}
      caption="Transfers"
      empty={
        filtered ? (
          <p>
            No transfers match these filters. <a href="/transfers">Clear the filters</a> to see all transfers.
          </p>
        ) : (
          <p>
            No transfers yet. <a href="/transfers/new">Record the first technology feeding a road model</a>, such as Formula E tyre work
            carried over to the Ariya NISMO.
          </p>
        )
      }
    />
  );
}

export function TransferRowsFragment(props: TransferListProps) {
  return <ListRows basePath="/transfers" query={props.query} columns={transferColumns(props.lookups, props.suspectIds)} rows={props.rows} nextCursor={props.nextCursor} />;
}

export function TransferListPage(props: TransferListProps) {
  return (
    <>
      <PageHead title={props.suspectGroups ? 'Suspect transfers' : 'Transfers'} subtitle="Race technologies feeding road models">
        <a href="/transfers/new" role="button">
          New transfer
        </a>
      </PageHead>
      <FilterForm basePath="/transfers" query={props.query} label="Filter transfers">
        <Select name="stage" label="Stage" value={props.query.stage} options={stageOptions} blank="Any stage" />
        <Select name="technology_id" label="Technology" value={props.query.technology_id} options={optionsOf(props.lookups.technologyNames)} blank="Any technology" />
        <Select name="road_model_id" label="Road model" value={props.query.road_model_id} options={optionsOf(props.lookups.roadModelNames)} blank="Any road model" />
        <label for="f-suspect" class="filter-check">
          <input id="f-suspect" type="checkbox" name="suspect" value="true" checked={props.query.suspect === 'true'} />
          Only suspect transfers
        </label>
      </FilterForm>
      <TransferResults {...props} />
    </>
  );
}

export interface ReviewSectionProps {
  transfer: Transfer;
  lookups: TransferLookups;
  csrfToken: string;
  /** The note as typed, kept when the review is refused. */
  note?: string | undefined;
  errors?: FieldErrors | undefined;
  stale?: StaleChange[] | undefined;
  /** Shown after a review was recorded in place (htmx). */
  done?: boolean | undefined;
  /** Why the transfer is suspect (SUS-1/2); empty or absent when it is not. */
  suspectReasons?: { rule: string; detail: string; run_id?: number | undefined }[] | undefined;
}

/** The last review and the "Mark reviewed" form: htmx swaps this section in place. */
export function ReviewSection(props: ReviewSectionProps) {
  const t = props.transfer;
  const action = `/transfers/${t.id}/review`;
  const errors = props.errors ?? {};
  return (
    <section id="review" aria-labelledby="review-heading">
      <h2 id="review-heading">Last review</h2>
      {props.done ? (
        <p class="flash" role="status">
          Marked reviewed.
        </p>
      ) : (
        ''
      )}
      {props.suspectReasons && props.suspectReasons.length > 0 ? (
        <div class="suspect-notice" role="note">
          <p>
            <Badge value="suspect" label="Suspect" /> Since the last review:
          </p>
          <SuspectReasons reasons={props.suspectReasons.map((r) => ({ rule: r.rule, detail: r.detail, run_id: r.run_id ?? null, run_code: null }))} />
          <p>
            <small>Check the reasons, then mark the transfer reviewed to clear it (SUS-3).</small>
          </p>
        </div>
      ) : (
        ''
      )}
      <dl class="facts">
        <dt>Reviewed by</dt>
        <dd safe>{reviewedBy(props.lookups, t)}</dd>
        <dt>Reviewed at</dt>
        <dd>
          <TimeCell iso={t.reviewed_at} />
        </dd>
        <dt>Note</dt>
        <dd safe>{t.review_note || '—'}</dd>
      </dl>
      <form method="post" action={action} hx-post={action} hx-target="#review" hx-swap="outerHTML" novalidate>
        {props.stale ? <StaleNotice changes={props.stale} /> : <ErrorSummary errors={errors} />}
        <CsrfField token={props.csrfToken} />
        <input type="hidden" name="version" value={String(t.version)} />
        <TextArea
          name="note"
          label="Review note"
          value={props.note}
          errors={errors}
          maxlength={2000}
          rows={2}
          hint="Optional. Reviewing records you and now as the last review, and clears a suspect flag."
        />
        <button type="submit" data-submit>
          Mark reviewed
        </button>
      </form>
    </section>
  );
}

export interface TransferDetailProps {
  transfer: Transfer;
  lookups: TransferLookups;
  review: Omit<ReviewSectionProps, 'transfer' | 'lookups'>;
}

export function TransferDetailPage(props: TransferDetailProps) {
  const t = props.transfer;
  return (
    <>
      <PageHead title={transferLabel(props.lookups, t)} subtitle="Transfer">
        <a href={`/transfers/${t.id}/edit`} role="button">
          Edit
        </a>
        <a href={`/transfers/${t.id}/delete`} role="button" class="secondary outline">
          Delete
        </a>
      </PageHead>
      <dl class="facts">
        <dt>Technology</dt>
        <dd>
          <a href={`/technologies/${t.technology_id}`} safe>
            {technologyName(props.lookups, t.technology_id)}
          </a>
        </dd>
        <dt>Road model</dt>
        <dd>
          <a href={`/road-models/${t.road_model_id}`} safe>
            {roadModelName(props.lookups, t.road_model_id)}
          </a>
        </dd>
        <dt>Stage</dt>
        <dd>
          <Badge value={t.stage} />
        </dd>
        <dt>Rationale</dt>
        <dd safe>{t.rationale || '—'}</dd>
        <dt>Decided on</dt>
        <dd safe>{t.decided_on ?? '—'}</dd>
        <RecordStamps entity="transfer" record={t} />
      </dl>
      <ReviewSection transfer={t} lookups={props.lookups} {...props.review} />
    </>
  );
}

export interface TransferFormValues {
  technology_id?: string | number | undefined;
  road_model_id?: string | number | undefined;
  stage?: string | undefined;
  rationale?: string | undefined;
  decided_on?: string | null | undefined;
  review_note?: string | undefined;
  version?: number | undefined;
}

export interface TransferFormProps {
  action: string;
  csrfToken: string;
  values: TransferFormValues;
  lookups: Pick<TransferLookups, 'technologyNames' | 'roadModelNames'>;
  /** Editing: the link's two ends are fixed; shown, not editable. */
  editing: boolean;
  errors: FieldErrors;
  general?: string | undefined;
  stale?: StaleChange[] | undefined;
  submitLabel: string;
  cancelHref: string;
}

export function TransferForm(props: TransferFormProps) {
  const v = props.values;
  return (
    <form method="post" action={props.action} hx-post={props.action} hx-target="this" hx-swap="outerHTML" novalidate>
      {props.stale ? <StaleNotice changes={props.stale} /> : <ErrorSummary errors={props.errors} general={props.general} />}
      <CsrfField token={props.csrfToken} />
      {v.version !== undefined ? <input type="hidden" name="version" value={String(v.version)} /> : ''}
      {props.editing ? (
        <dl class="facts">
          <dt>Technology</dt>
          <dd safe>{technologyName(props.lookups, Number(v.technology_id))}</dd>
          <dt>Road model</dt>
          <dd safe>{roadModelName(props.lookups, Number(v.road_model_id))}</dd>
        </dl>
      ) : (
        <div class="grid-2">
          <Select
            name="technology_id"
            label="Technology"
            value={v.technology_id}
            options={optionsOf(props.lookups.technologyNames)}
            blank="Choose a technology"
            errors={props.errors}
            required
            autofocus
          />
          <Select
            name="road_model_id"
            label="Road model"
            value={v.road_model_id}
            options={optionsOf(props.lookups.roadModelNames)}
            blank="Choose a road model"
            errors={props.errors}
            required
          />
        </div>
      )}
      <div class="grid-2">
        <Select name="stage" label="Stage" value={v.stage ?? 'candidate'} options={stageOptions} errors={props.errors} required autofocus={props.editing} />
        <Field name="decided_on" label="Decided on" type="date" value={v.decided_on} errors={props.errors} hint="When the stage was decided." />
      </div>
      <TextArea name="rationale" label="Rationale" value={v.rationale} errors={props.errors} maxlength={10000} hint="Why this race technology belongs in the road car." />
      {props.editing ? (
        <TextArea
          name="review_note"
          label="Review note"
          value={v.review_note}
          errors={props.errors}
          maxlength={2000}
          rows={2}
          hint="Optional; recorded with a change of stage. To review without a change, use “Mark reviewed” on the transfer's page."
        />
      ) : (
        ''
      )}
      <FormActions submitLabel={props.submitLabel} cancelHref={props.cancelHref} />
    </form>
  );
}
