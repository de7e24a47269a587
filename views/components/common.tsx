// Small pieces shared by pages: headings with actions, badges, dates, empty states, the delete
// confirmation.
import type { PropsWithChildren } from '@kitajs/html';
import { CsrfField } from './forms.js';
import { minuteOf } from '../../src/domain/time.js';

export function PageHead(props: PropsWithChildren<{ title: string; subtitle?: string | undefined }>) {
  return (
    <div class="page-head">
      <hgroup>
        <h1 safe>{props.title}</h1>
        {props.subtitle ? <p safe>{props.subtitle}</p> : ''}
      </hgroup>
      <div class="page-actions">{props.children}</div>
    </div>
  );
}

/** A status/stage/outcome word as a coloured badge; the class is the raw enum value. */
export function Badge({ value, label }: { value: string; label?: string }) {
  return (
    <span class={`badge ${value.replace(/[^a-z_]/g, '')}`} safe>
      {label ?? humanize(value)}
    </span>
  );
}

const WORDS: Readonly<Record<string, string>> = { ice: 'ICE', e_power: 'e-POWER', ev: 'EV', hil: 'HIL', sil: 'SIL', hil_rig: 'HIL rig' };

export function humanize(value: string): string {
  const word = WORDS[value];
  if (word) return word;
  const s = value.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** 12,345: the app's one way to print a count. */
export function formatNumber(n: number): string {
  return n.toLocaleString('en-US');
}

/** `1 technology`, `3,495 technologies`. */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

/** `2026-05-14T09:30:00.000Z` → `2026-05-14 09:30` (UTC, as stored). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return minuteOf(iso);
}

export function TimeCell({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span>—</span>;
  return (
    <time datetime={iso} safe>
      {formatTime(iso)}
    </time>
  );
}

export function DeleteConfirm(props: { what: string; action: string; cancelHref: string; csrfToken: string; version: number; blockers?: string[] }) {
  return (
    <article>
      <header>
        <strong safe>{`Delete ${props.what}?`}</strong>
      </header>
      <p>This cannot be undone. Rows that belong to it go with it; the audit keeps its history.</p>
      <form method="post" action={props.action}>
        <CsrfField token={props.csrfToken} />
        <input type="hidden" name="version" value={String(props.version)} />
        <div class="form-actions">
          <button type="submit" class="danger">
            Delete
          </button>
          <a href={props.cancelHref} role="button" class="secondary outline">
            Cancel
          </a>
        </div>
      </form>
    </article>
  );
}

/** The last rows of every record's facts list: its version, last change and a link to its history. */
export function RecordStamps({ entity, record }: { entity: string; record: { id: number; version: number; updated_at: string } }) {
  return (
    <>
      <dt>Version</dt>
      <dd>
        <Badge value="version" label={`v${record.version}`} />
      </dd>
      <dt>Updated</dt>
      <dd>
        <TimeCell iso={record.updated_at} />
      </dd>
      <dt>History</dt>
      <dd>
        <a href={`/audit?entity=${entity}&entity_id=${record.id}`}>Who changed what</a>
      </dd>
    </>
  );
}
