import { POWERTRAINS, ROAD_MODEL_STATUSES } from '../../../db/schema.js';
import type { Market } from '../../../src/domain/markets.js';
import type { Prototype } from '../../../src/domain/prototypes.js';
import type { RoadModel } from '../../../src/domain/road-models.js';
import type { Transfer } from '../../../src/domain/transfers.js';
import { Badge, formatNumber, humanize, PageHead, TimeCell, RecordStamps } from '../../components/common.js';
import { attrValue, CsrfField, ErrorSummary, Field, FormActions, Select, StaleNotice, TextArea, type FieldErrors, type Option, type StaleChange } from '../../components/forms.js';
import { FilterForm, ListResults, ListRows, type Column, type Query } from '../../components/list.js';

export const powertrainOptions: Option[] = POWERTRAINS.map((p) => ({ value: p, label: humanize(p) }));
export const roadModelStatusOptions: Option[] = ROAD_MODEL_STATUSES.map((s) => ({ value: s, label: humanize(s) }));

export function marketLabel(m: Pick<Market, 'code' | 'name'>): string {
  return `${m.code} — ${m.name}`;
}

/** All planned units of a road model, or a dash when it plans none. */
function totalUnits(m: RoadModel): string {
  return m.markets.length ? formatNumber(m.markets.reduce((sum, e) => sum + e.planned_units, 0)) : '—';
}

const roadModelColumns: Column<RoadModel>[] = [
  { header: 'Name', sort: 'name', render: (m) => <a href={`/road-models/${m.id}`} safe>{m.name}</a> },
  { header: 'Base model', render: (m) => <span safe>{m.base_model || '—'}</span> },
  { header: 'Powertrain', render: (m) => <span safe>{humanize(m.powertrain)}</span> },
  { header: 'Status', render: (m) => <Badge value={m.status} /> },
  { header: 'Launch', render: (m) => <span safe>{m.launch_date ?? '—'}</span> },
  { header: 'Partner', render: (m) => <span safe>{m.partner ?? '—'}</span> },
  {
    header: 'Planned units',
    numeric: true,
    render: (m) => <span safe>{totalUnits(m)}</span>,
  },
  { header: 'Updated', sort: 'updated_at', render: (m) => <TimeCell iso={m.updated_at} /> },
];

export interface RoadModelListProps {
  query: Query;
  rows: RoadModel[];
  nextCursor: string | null;
}

const FILTERS = ['status', 'powertrain', 'q'] as const;

export function RoadModelResults(props: RoadModelListProps) {
  const filtered = FILTERS.some((f) => props.query[f]);
  return (
    <ListResults
      basePath="/road-models"
      query={props.query}
      columns={roadModelColumns}
      rows={props.rows}
      nextCursor={props.nextCursor}
      caption="Road models"
      empty={
        filtered ? (
          <p>
            No road models match these filters. <a href="/road-models">Clear the filters</a> to see all road models.
          </p>
        ) : (
          <p>
            No road models yet. <a href="/road-models/new">Add the first Nismo road car</a>, such as the Ariya NISMO, with its markets plan.
          </p>
        )
      }
    />
  );
}

export function RoadModelRowsFragment(props: RoadModelListProps) {
  return <ListRows basePath="/road-models" query={props.query} columns={roadModelColumns} rows={props.rows} nextCursor={props.nextCursor} />;
}

export function RoadModelListPage(props: RoadModelListProps) {
  return (
    <>
      <PageHead title="Road models" subtitle="Nismo road cars and the race technologies that feed them">
        <a href="/road-models/new" role="button">
          New road model
        </a>
      </PageHead>
      <FilterForm basePath="/road-models" query={props.query} label="Filter road models">
        <Select name="status" label="Status" value={props.query.status} options={roadModelStatusOptions} blank="Any status" />
        <Select name="powertrain" label="Powertrain" value={props.query.powertrain} options={powertrainOptions} blank="Any powertrain" />
        <Field name="q" label="Search" type="search" value={props.query.q} placeholder="Name, base model, partner or description" maxlength={200} />
      </FilterForm>
      <RoadModelResults {...props} />
    </>
  );
}

/** The markets plan as market × year, with the yearly totals. */
export function MarketsPlanTable({ model, markets }: { model: RoadModel; markets: Market[] }) {
  if (model.markets.length === 0) {
    return (
      <p class="empty-state">
        No markets planned yet. <a href={`/road-models/${model.id}/edit`}>Edit the road model</a> to add planned units per market and year.
      </p>
    );
  }
  const byId = new Map(markets.map((m) => [m.id, m]));
  const years = [...new Set(model.markets.map((e) => e.year))].sort((a, b) => a - b);
  const marketIds = [...new Set(model.markets.map((e) => e.market_id))].sort((a, b) =>
    (byId.get(a)?.code ?? '').localeCompare(byId.get(b)?.code ?? ''),
  );
  const units = new Map(model.markets.map((e) => [`${e.market_id}:${e.year}`, e.planned_units]));
  const yearTotal = (year: number) => model.markets.filter((e) => e.year === year).reduce((sum, e) => sum + e.planned_units, 0);
  return (
    <div class="table-scroll">
      <table class="striped">
        <caption class="visually-hidden">Planned units per market and year</caption>
        <thead>
          <tr>
            <th scope="col">Market</th>
            {years.map((y) => (
              <th scope="col" class="numeric">
                {y}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {marketIds.map((id) => {
            const m = byId.get(id);
            return (
              <tr>
                <th scope="row" safe>
                  {m ? marketLabel(m) : `Market ${id}`}
                </th>
                {years.map((y) => {
                  const n = units.get(`${id}:${y}`);
                  return (
                    <td class="numeric" safe>
                      {n === undefined ? '—' : formatNumber(n)}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            {years.map((y) => (
              <td class="numeric">
                <strong safe>{formatNumber(yearTotal(y))}</strong>
              </td>
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

export interface RoadModelDetailProps {
  model: RoadModel;
  markets: Market[];
  transfers: Transfer[];
  moreTransfers: boolean;
  technologyNames: Map<number, string>;
  reviewerNames: Map<number, string>;
  prototypes: Prototype[];
  morePrototypes: boolean;
}

function TransfersTable({ transfers, technologyNames, reviewerNames }: Pick<RoadModelDetailProps, 'transfers' | 'technologyNames' | 'reviewerNames'>) {
  return (
    <div class="table-scroll">
      <table class="striped">
        <caption class="visually-hidden">Technologies transferred to this road model</caption>
        <thead>
          <tr>
            <th scope="col">Technology</th>
            <th scope="col">Stage</th>
            <th scope="col">Rationale</th>
            <th scope="col">Last review</th>
            <th scope="col">Transfer</th>
          </tr>
        </thead>
        <tbody>
          {transfers.map((t) => (
            <tr>
              <td>
                <a href={`/technologies/${t.technology_id}`} safe>
                  {technologyNames.get(t.technology_id) ?? `Technology ${t.technology_id}`}
                </a>
              </td>
              <td>
                <Badge value={t.stage} />
              </td>
              <td safe>{t.rationale || '—'}</td>
              <td>
                <TimeCell iso={t.reviewed_at} />
                {t.reviewed_by !== null ? <small safe>{` by ${reviewerNames.get(t.reviewed_by) ?? `user ${t.reviewed_by}`}`}</small> : ''}
              </td>
              <td>
                <a href={`/transfers/${t.id}`}>Open</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RoadModelDetailPage(props: RoadModelDetailProps) {
  const m = props.model;
  return (
    <>
      <PageHead title={m.name} subtitle="Road model">
        <a href={`/road-models/${m.id}/edit`} role="button">
          Edit
        </a>
        <a href={`/road-models/${m.id}/delete`} role="button" class="secondary outline">
          Delete
        </a>
      </PageHead>
      <dl class="facts">
        <dt>Base model</dt>
        <dd safe>{m.base_model || '—'}</dd>
        <dt>Powertrain</dt>
        <dd safe>{humanize(m.powertrain)}</dd>
        <dt>Status</dt>
        <dd>
          <Badge value={m.status} />
        </dd>
        <dt>Launch date</dt>
        <dd safe>{m.launch_date ?? '—'}</dd>
        <dt>End date</dt>
        <dd safe>{m.end_date ?? '—'}</dd>
        <dt>Partner</dt>
        <dd safe>{m.partner ?? '—'}</dd>
        <dt>Description</dt>
        <dd safe>{m.description || '—'}</dd>
        <RecordStamps entity="road_model" record={m} />
      </dl>

      <section aria-labelledby="markets-heading">
        <h2 id="markets-heading">Markets and planned units</h2>
        <MarketsPlanTable model={m} markets={props.markets} />
      </section>

      <section aria-labelledby="transfers-heading">
        <h2 id="transfers-heading">Technologies feeding it</h2>
        {props.transfers.length === 0 ? (
          <p class="empty-state">
            No race technology feeds this road model yet. <a href={`/transfers/new?road_model_id=${m.id}`}>Add a transfer</a> to record its
            motorsport DNA.
          </p>
        ) : (
          <>
            <TransfersTable transfers={props.transfers} technologyNames={props.technologyNames} reviewerNames={props.reviewerNames} />
            <p>
              <a href={`/transfers/new?road_model_id=${m.id}`}>Add a transfer</a>
              {props.moreTransfers ? (
                <>
                  {' · '}
                  <a href={`/transfers?road_model_id=${m.id}`}>All transfers to this road model</a>
                </>
              ) : (
                ''
              )}
            </p>
          </>
        )}
      </section>

      <section aria-labelledby="prototypes-heading">
        <h2 id="prototypes-heading">Road prototypes</h2>
        {props.prototypes.length === 0 ? (
          <p class="empty-state">
            No road prototype belongs to this road model yet. <a href="/prototypes/new">Add a prototype</a> of kind road prototype and choose
            this road model.
          </p>
        ) : (
          <ul>
            {props.prototypes.map((p) => (
              <li>
                <a href={`/prototypes/${p.id}`} safe>
                  {p.code}
                </a>
                {p.name ? <span safe>{` — ${p.name}`}</span> : ''}
                {p.hardware_revision ? <small safe>{` (${p.hardware_revision})`}</small> : ''}
              </li>
            ))}
          </ul>
        )}
        {props.morePrototypes ? (
          <p>
            <a href={`/prototypes?road_model_id=${m.id}`}>All prototypes of this road model</a>
          </p>
        ) : (
          ''
        )}
      </section>
      <section class="lineage-panel" aria-label="Lineage" hx-get={`/lineage/panel?node=road-model:${m.id}`} hx-trigger="load"><h2>Lineage</h2><p><a href={`/lineage?node=road-model:${m.id}&direction=upstream`}>Open the lineage explorer</a></p></section>
    </>
  );
}

/** One markets-plan row as typed (strings, so a refused form shows exactly what was entered). */
export interface MarketRowValues {
  market_id: string;
  year: string;
  units: string;
}

export interface RowError {
  message: string;
  /** The control the message is about, if one: `market_id`, `year` or `planned_units`. */
  field?: string | undefined;
}

export interface RoadModelFormValues {
  name?: string | undefined;
  base_model?: string | undefined;
  powertrain?: string | undefined;
  status?: string | undefined;
  launch_date?: string | null | undefined;
  end_date?: string | null | undefined;
  partner?: string | null | undefined;
  description?: string | undefined;
  version?: number | undefined;
}

export interface RoadModelFormProps {
  action: string;
  csrfToken: string;
  values: RoadModelFormValues;
  rows: MarketRowValues[];
  rowErrors: Record<number, RowError>;
  markets: Market[];
  errors: FieldErrors;
  general?: string | undefined;
  stale?: StaleChange[] | undefined;
  submitLabel: string;
  cancelHref: string;
}

const ROWS_ID = 'market-rows';
const TEMPLATE_ID = 'market-row-template';

/**
 * One row of the markets plan. Rows post as parallel fields (`market_id`, `market_year`,
 * `market_units`); `index` is absent for the <template> row that app.js clones (no ids to clash).
 */
function MarketRow({ row, index, markets, error }: { row: MarketRowValues; index?: number; markets: Market[]; error?: RowError | undefined }) {
  const n = index === undefined ? undefined : index + 1;
  const id = (part: string) => (n === undefined ? undefined : `f-market_${part}_${n}`);
  const errorId = n === undefined ? undefined : `f-market_row_${n}-error`;
  const invalid = (field: string) => (error && (error.field === field || error.field === undefined) ? 'true' : undefined);
  const described = (field: string) => (invalid(field) ? errorId : undefined);
  return (
    <div class="row-item" data-row>
      <label>
        <span>Market</span>
        <select
          name="market_id"
          id={n === undefined ? undefined : `f-market_row_${n}`}
          aria-invalid={invalid('market_id')}
          aria-describedby={described('market_id')}
        >
          <option value="">Choose a market</option>
          {markets.map((m) => (
            <option value={String(m.id)} selected={row.market_id === String(m.id)} safe>
              {marketLabel(m)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Year</span>
        <input
          name="market_year"
          id={id('year')}
          type="number"
          inputmode="numeric"
          min="2000"
          max="2100"
          step="1"
          value={attrValue(row.year)}
          aria-invalid={invalid('year')}
          aria-describedby={described('year')}
        />
      </label>
      <label>
        <span>Planned units</span>
        <input
          name="market_units"
          id={id('units')}
          type="number"
          inputmode="numeric"
          min="0"
          step="1"
          value={attrValue(row.units)}
          aria-invalid={invalid('planned_units')}
          aria-describedby={described('planned_units')}
        />
      </label>
      <button
        type="submit"
        name="_remove"
        value={index === undefined ? '' : String(index)}
        class="secondary outline"
        data-remove-row
        formnovalidate
        aria-label={n === undefined ? 'Remove this market row' : `Remove market row ${n}`}
      >
        Remove
      </button>
      {error ? (
        <small id={errorId} class="field-error" safe>
          {error.message}
        </small>
      ) : (
        ''
      )}
    </div>
  );
}

export function RoadModelForm(props: RoadModelFormProps) {
  const v = props.values;
  const plansError = props.errors.markets;
  return (
    <form method="post" action={props.action} hx-post={props.action} hx-target="this" hx-swap="outerHTML" novalidate>
      {/* Enter in a field submits with the first submit button: make that the real one, not "Add" or "Remove". */}
      <button type="submit" class="visually-hidden" tabindex="-1" aria-hidden="true">
        Save
      </button>
      {props.stale ? <StaleNotice changes={props.stale} /> : <ErrorSummary errors={props.errors} general={props.general} />}
      <CsrfField token={props.csrfToken} />
      {v.version !== undefined ? <input type="hidden" name="version" value={String(v.version)} /> : ''}
      <Field name="name" label="Name" value={v.name} errors={props.errors} required maxlength={100} autofocus placeholder="Ariya NISMO" />
      <div class="grid-2">
        <Field name="base_model" label="Base model" value={v.base_model} errors={props.errors} maxlength={100} placeholder="Ariya" />
        <Field name="partner" label="Partner" value={v.partner} errors={props.errors} maxlength={100} placeholder="Renault/Alpine" hint="Optional: an external partner." />
        <Select name="powertrain" label="Powertrain" value={v.powertrain} options={powertrainOptions} blank="Choose a powertrain" errors={props.errors} required />
        <Select name="status" label="Status" value={v.status ?? 'concept'} options={roadModelStatusOptions} errors={props.errors} required />
        <Field name="launch_date" label="Launch date" type="date" value={v.launch_date} errors={props.errors} hint="First sale." />
        <Field name="end_date" label="End date" type="date" value={v.end_date} errors={props.errors} hint="End of production; not before the launch date." />
      </div>
      <TextArea name="description" label="Description" value={v.description} errors={props.errors} maxlength={10000} />
      <fieldset>
        <legend>Markets plan</legend>
        <small id="markets-hint">Planned units per market and year; one row per market and year. Empty rows are ignored.</small>
        {plansError ? (
          <small id="f-markets-error" class="field-error" safe>
            {plansError}
          </small>
        ) : (
          ''
        )}
        <div id={ROWS_ID} class="rows">
          {props.rows.map((row, i) => (
            <MarketRow row={row} index={i} markets={props.markets} error={props.rowErrors[i]} />
          ))}
        </div>
        <template id={TEMPLATE_ID}>
          <MarketRow row={{ market_id: '', year: '', units: '' }} markets={props.markets} />
        </template>
        <button type="submit" name="_add" value="market" class="secondary outline" data-add-row={ROWS_ID} data-template={TEMPLATE_ID} formnovalidate>
          Add market
        </button>
        {props.markets.length === 0 ? (
          <p>
            <small>There is no market yet: an admin adds markets (JP, US, EU…) first.</small>
          </p>
        ) : (
          ''
        )}
      </fieldset>
      <FormActions submitLabel={props.submitLabel} cancelHref={props.cancelHref} />
    </form>
  );
}
