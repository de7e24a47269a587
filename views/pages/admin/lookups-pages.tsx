// Reference data an admin keeps: technology categories (with their relevant venue types), markets
// and the line-up plan targets. One list + one form shape for all three.
import type { PropsWithChildren } from '@kitajs/html';
import { VENUE_TYPES } from '../../../db/schema.js';
import type { Market } from '../../../src/domain/markets.js';
import type { PlanTarget } from '../../../src/domain/plan-targets.js';
import type { TechnologyCategory } from '../../../src/domain/technology-categories.js';
import { formatNumber, humanize, TimeCell } from '../../components/common.js';
import { CsrfField, ErrorSummary, Field, FieldMessages, FormActions, StaleNotice, TextArea, type FieldErrors, type StaleChange } from '../../components/forms.js';
import { AdminFrame } from './admin-index.js';

export type LookupValues = Record<string, string | string[] | number | undefined>;

export interface LookupFieldsProps {
  values: LookupValues;
  errors: FieldErrors;
}

function one(values: LookupValues, name: string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v[v.length - 1] : String(v);
}

export function LookupListPage(props: PropsWithChildren<{ title: string; subtitle: string; base: string; newLabel: string }>) {
  return (
    <AdminFrame title={props.title} subtitle={props.subtitle} current={props.base}>
      <p>
        <a href={`${props.base}/new`} role="button" safe>
          {props.newLabel}
        </a>
      </p>
      <div class="table-scroll">{props.children}</div>
    </AdminFrame>
  );
}

export interface LookupFormProps {
  action: string;
  csrfToken: string;
  version?: number | undefined;
  errors: FieldErrors;
  general?: string | undefined;
  stale?: StaleChange[] | undefined;
  submitLabel: string;
  cancelHref: string;
  deleteHref?: string | undefined;
}

export function LookupForm(props: PropsWithChildren<LookupFormProps>) {
  return (
    <form method="post" action={props.action} hx-post={props.action} hx-target="this" hx-swap="outerHTML" novalidate>
      {props.stale ? <StaleNotice changes={props.stale} /> : <ErrorSummary errors={props.errors} general={props.general} />}
      <CsrfField token={props.csrfToken} />
      {props.version !== undefined ? <input type="hidden" name="version" value={String(props.version)} /> : ''}
      {props.children}
      <FormActions submitLabel={props.submitLabel} cancelHref={props.cancelHref}>
        {props.deleteHref ? (
          <a href={props.deleteHref} role="button" class="secondary outline">
            Delete…
          </a>
        ) : (
          ''
        )}
      </FormActions>
    </form>
  );
}

function RowActions({ base, id }: { base: string; id: number }) {
  return (
    <td>
      <a href={`${base}/${id}/edit`}>Edit</a> · <a href={`${base}/${id}/delete`}>Delete</a> ·{' '}
      <a href={`/audit?entity=${base === '/admin/categories' ? 'technology_category' : base === '/admin/markets' ? 'market' : 'plan_target'}&entity_id=${id}`}>History</a>
    </td>
  );
}

// --- technology categories ---------------------------------------------------------------------

export function CategoriesTable({ rows, usage }: { rows: TechnologyCategory[]; usage: Map<number, number> }) {
  if (rows.length === 0) return <p class="empty-state">No technology categories yet. Add one, such as “Inverter” or “Aerodynamics”.</p>;
  return (
    <table>
      <caption class="visually-hidden">Technology categories</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Relevant environments</th>
          <th scope="col" class="numeric">
            Technologies
          </th>
          <th scope="col">Updated</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((c) => (
          <tr>
            <td>
              <a href={`/admin/categories/${c.id}/edit`} safe>
                {c.name}
              </a>
              {c.description ? (
                <>
                  <br />
                  <small safe>{c.description}</small>
                </>
              ) : (
                ''
              )}
            </td>
            <td>{c.venue_types.length ? c.venue_types.map(humanize).join(', ') : '—'}</td>
            <td class="numeric">{usage.get(c.id) ?? 0}</td>
            <td>
              <TimeCell iso={c.updated_at} />
            </td>
            <RowActions base="/admin/categories" id={c.id} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function CategoryFields({ values, errors }: LookupFieldsProps) {
  const raw = values.venue_types;
  const selected = new Set(Array.isArray(raw) ? raw : raw === undefined ? [] : [String(raw)]);
  return (
    <>
      <Field name="name" label="Name" value={one(values, 'name')} errors={errors} required maxlength={100} autofocus />
      <TextArea name="description" label="Description" value={one(values, 'description')} errors={errors} maxlength={10000} />
      <fieldset aria-describedby="f-venue_types-hint">
        <legend>Relevant environments</legend>
        {VENUE_TYPES.map((v) => (
          <label>
            <input type="checkbox" name="venue_types" value={v} checked={selected.has(v)} />
            <span safe>{humanize(v)}</span>
          </label>
        ))}
        <FieldMessages
          id="f-venue_types"
          hint="Venue types where a pass counts as evidence in a relevant environment for technologies of this category (rule TRL-6)."
          error={errors.venue_types}
        />
      </fieldset>
    </>
  );
}

// --- markets ------------------------------------------------------------------------------------

export function MarketsTable({ rows }: { rows: Market[] }) {
  if (rows.length === 0) return <p class="empty-state">No markets yet. Add one, such as JP (Japan) — the home market of the line-up plan.</p>;
  return (
    <table>
      <caption class="visually-hidden">Markets</caption>
      <thead>
        <tr>
          <th scope="col">Code</th>
          <th scope="col">Name</th>
          <th scope="col">Updated</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((m) => (
          <tr>
            <td>
              <a href={`/admin/markets/${m.id}/edit`}>
                <code safe>{m.code}</code>
              </a>
            </td>
            <td safe>{m.name}</td>
            <td>
              <TimeCell iso={m.updated_at} />
            </td>
            <RowActions base="/admin/markets" id={m.id} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function MarketFields({ values, errors }: LookupFieldsProps) {
  return (
    <div class="grid-2">
      <Field
        name="code"
        label="Code"
        value={one(values, 'code')}
        errors={errors}
        required
        maxlength={10}
        autofocus
        hint="2–10 upper-case letters or digits; JP is the home market of the line-up plan."
      />
      <Field name="name" label="Name" value={one(values, 'name')} errors={errors} required maxlength={100} />
    </div>
  );
}

// --- plan targets -------------------------------------------------------------------------------

function band(min: number | null, max: number | null): string {
  if (min === null && max === null) return '—';
  if (min !== null && max !== null) return `${min}–${max} %`;
  return min !== null ? `≥ ${min} %` : `≤ ${max} %`;
}

export function PlanTargetsTable({ rows }: { rows: PlanTarget[] }) {
  if (rows.length === 0) return <p class="empty-state">No plan targets yet. Add the line-up plan year by year (model count and units).</p>;
  return (
    <table>
      <caption class="visually-hidden">Plan targets</caption>
      <thead>
        <tr>
          <th scope="col">Year</th>
          <th scope="col" class="numeric">
            Models
          </th>
          <th scope="col" class="numeric">
            Units
          </th>
          <th scope="col">Growth outside Japan</th>
          <th scope="col">Notes</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((p) => (
          <tr>
            <td>
              <a href={`/admin/plan-targets/${p.id}/edit`}>{p.year}</a>
            </td>
            <td class="numeric">{p.model_count_target}</td>
            <td class="numeric" safe>
              {formatNumber(p.units_target)}
            </td>
            <td safe>{band(p.outside_japan_share_min, p.outside_japan_share_max)}</td>
            <td safe>{p.notes}</td>
            <RowActions base="/admin/plan-targets" id={p.id} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function PlanTargetFields({ values, errors }: LookupFieldsProps) {
  return (
    <>
      <div class="grid-2">
        <Field name="year" label="Year" type="number" min={2000} max={2100} value={one(values, 'year')} errors={errors} required autofocus />
        <Field name="model_count_target" label="Nismo models in the line-up" type="number" min={0} value={one(values, 'model_count_target')} errors={errors} required />
        <Field name="units_target" label="Units sold in the year" type="number" min={0} value={one(values, 'units_target')} errors={errors} required />
      </div>
      <div class="grid-2">
        <Field
          name="outside_japan_share_min"
          label="Growth outside Japan: from (%)"
          type="number"
          step="any"
          min={0}
          max={100}
          value={one(values, 'outside_japan_share_min')}
          errors={errors}
          hint="Optional; the band's lower bound in percent."
        />
        <Field
          name="outside_japan_share_max"
          label="Growth outside Japan: to (%)"
          type="number"
          step="any"
          min={0}
          max={100}
          value={one(values, 'outside_japan_share_max')}
          errors={errors}
          hint="Optional; at least the lower bound."
        />
      </div>
      <TextArea name="notes" label="Notes" value={one(values, 'notes')} errors={errors} maxlength={10000} />
    </>
  );
}
