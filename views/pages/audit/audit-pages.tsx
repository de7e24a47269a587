import type { AuditEvent } from '../../../src/domain/audit.js';
import { AUDIT_ENTITIES } from '../../../src/schemas/audit.js';
import { Badge, humanize, PageHead, TimeCell } from '../../components/common.js';
import { attrValue, Field, Select } from '../../components/forms.js';
import { FilterForm, ListResults, ListRows, urlWith, type Column, type Query } from '../../components/list.js';
import { auditDiff, recordLabel, type DiffLine } from './audit-diff.js';

/** The page of the record an event is about, if there is one to open. */
export type RecordHref = (event: AuditEvent) => string | undefined;

export interface AuditListProps {
  query: Query;
  rows: AuditEvent[];
  nextCursor: string | null;
  recordHref: RecordHref;
  actors: string[];
}

const ACTION_LABELS: Record<AuditEvent['action'], string> = { create: 'Created', update: 'Updated', delete: 'Deleted' };

function historyHref(entity: string, entityId: string): string {
  return urlWith('/audit', { entity, entity_id: entityId });
}

function DiffItem({ line }: { line: DiffLine }) {
  return (
    <li>
      <strong safe>{line.label}</strong>
      {': '}
      {line.from !== undefined ? <del safe>{line.from}</del> : ''}
      {line.from !== undefined && line.to !== undefined ? (
        <>
          <span aria-hidden="true"> → </span>
          <span class="visually-hidden"> changed to </span>
        </>
      ) : (
        ''
      )}
      {line.to !== undefined ? <ins safe>{line.to}</ins> : ''}
    </li>
  );
}

/** Changed fields; long lists (a create or delete) fold away behind a summary. */
export function AuditChanges({ event }: { event: AuditEvent }) {
  const lines = auditDiff(event.action, event.before, event.after);
  if (lines.length === 0) return <span>No field changed.</span>;
  const list = (
    <ul class="audit-diff">
      {lines.map((l) => (
        <DiffItem line={l} />
      ))}
    </ul>
  );
  if (lines.length <= 4) return list;
  const what = event.action === 'create' ? 'values set' : event.action === 'delete' ? 'values removed' : 'fields changed';
  return (
    <details>
      <summary>
        {lines.length} {what}
      </summary>
      {list}
    </details>
  );
}

function RecordCell({ event, recordHref }: { event: AuditEvent; recordHref: RecordHref }) {
  const name = `${humanize(event.entity)} ${recordLabel(event.before, event.after) ?? `#${event.entity_id}`}`;
  const href = event.action === 'delete' ? undefined : recordHref(event);
  return (
    <>
      {href ? <a href={href} safe>{name}</a> : <span safe>{name}</span>}
      <br />
      <small>
        <a href={historyHref(event.entity, event.entity_id)}>history</a>
      </small>
    </>
  );
}

function auditColumns(recordHref: RecordHref): Column<AuditEvent>[] {
  return [
    { header: 'When', render: (e) => <TimeCell iso={e.at} /> },
    { header: 'Who', render: (e) => <a href={urlWith('/audit', { actor: e.actor })} safe>{e.actor}</a> },
    { header: 'Action', render: (e) => <Badge value={e.action} label={ACTION_LABELS[e.action]} /> },
    { header: 'Record', render: (e) => <RecordCell event={e} recordHref={recordHref} /> },
    { header: 'Changes', render: (e) => <AuditChanges event={e} /> },
  ];
}

function isFiltered(query: Query): boolean {
  return ['entity', 'entity_id', 'actor', 'from', 'to'].some((k) => query[k]);
}

export function AuditResults(props: AuditListProps) {
  return (
    <ListResults
      basePath="/audit"
      query={props.query}
      columns={auditColumns(props.recordHref)}
      rows={props.rows}
      nextCursor={props.nextCursor}
      caption="Audit events, newest first"
      empty={
        isFiltered(props.query) ? (
          <p>
            No changes match these filters. <a href="/audit">Show all changes</a>.
          </p>
        ) : (
          <p>Nothing has been changed yet. Every create, update and delete will be listed here.</p>
        )
      }
    />
  );
}

export function AuditRowsFragment(props: AuditListProps) {
  return <ListRows basePath="/audit" query={props.query} columns={auditColumns(props.recordHref)} rows={props.rows} nextCursor={props.nextCursor} />;
}

export interface AuditPageProps extends AuditListProps {
  title: string;
  subtitle: string;
  /** The record the history is filtered to, when it has a page. */
  backHref?: string | undefined;
}

export function AuditListPage(props: AuditPageProps) {
  const q = props.query;
  return (
    <>
      <PageHead title={props.title} subtitle={props.subtitle}>
        {props.backHref ? (
          <a href={props.backHref} role="button" class="secondary outline">
            Open the record
          </a>
        ) : (
          ''
        )}
      </PageHead>
      <FilterForm basePath="/audit" query={q} label="Filter the audit">
        <Select
          name="entity"
          label="Record type"
          value={q.entity}
          blank="Any"
          options={AUDIT_ENTITIES.map((e) => ({ value: e, label: humanize(e) }))}
        />
        <Field name="entity_id" label="Record id" value={q.entity_id} inputmode="numeric" maxlength={50} />
        <Field name="actor" label="Person" value={q.actor} list="audit-actors" placeholder="Username" maxlength={100} />
        <Field name="from" label="From" type="date" value={q.from} />
        <Field name="to" label="To" type="date" value={q.to} />
      </FilterForm>
      <datalist id="audit-actors">
        {props.actors.map((a) => (
          <option value={attrValue(a)} />
        ))}
      </datalist>
      <AuditResults {...props} />
    </>
  );
}
