// Road model pages: list, detail (markets plan, transfers feeding it, its road prototypes), new,
// edit with the markets plan rows, delete — through the same domain functions and schemas as the API.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csvFormatFromSchema, sendCsvList } from '../csv-export.js';
import type { Static } from 'typebox';
import { changesSince } from '../../domain/audit.js';
import { ConflictError, StaleVersionError } from '../../domain/errors.js';
import { listMarkets } from '../../domain/markets.js';
import { listPrototypes } from '../../domain/prototypes.js';
import { createRoadModel, deleteRoadModel, getRoadModel, listRoadModels, updateRoadModel, type RoadModel } from '../../domain/road-models.js';
import { listTechnologies } from '../../domain/technologies.js';
import { listTransfers } from '../../domain/transfers.js';
import { IdParams } from '../../schemas/common.js';
import { RoadModelCreate, RoadModelListQuery, RoadModelPatch, RoadModel as RoadModelSchema } from '../../schemas/road-models.js';
import { DeleteConfirm } from '../../../views/components/common.js';
import { DeleteBlocked } from '../../../views/pages/programs/program-pages.js';
import {
  RoadModelDetailPage,
  RoadModelForm,
  RoadModelListPage,
  RoadModelResults,
  RoadModelRowsFragment,
  type MarketRowValues,
  type RoadModelFormProps,
  type RoadModelFormValues,
  type RowError,
} from '../../../views/pages/road-models/road-model-pages.js';
import { domainErrorToForm, formToInput, validateInput, type FieldErrors, type FormBody } from './forms.js';
import { allOf, formVersion } from './programs.js';
import { pageContext, renderPage, seeOther } from './render.js';
import { dateMessages, userNames } from './transfers.js';

const LIST_CRUMB = { label: 'Road models', href: '/road-models' };
/** Rows a fresh form offers without JavaScript (more come from "Add market"). */
const MIN_ROWS = 2;
const DATE_FIELDS = ['launch_date', 'end_date'];

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function text(body: FormBody, name: string): string | undefined {
  const v = body[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** The posted markets plan rows, zipped from the parallel fields, as typed. */
function postedRows(body: FormBody): MarketRowValues[] {
  const ids = list(body.market_id);
  const years = list(body.market_year);
  const units = list(body.market_units);
  const n = Math.max(ids.length, years.length, units.length);
  return Array.from({ length: n }, (_, i) => ({ market_id: ids[i] ?? '', year: years[i] ?? '', units: units[i] ?? '' }));
}

function isBlank(row: MarketRowValues): boolean {
  return row.market_id.trim() === '' && row.year.trim() === '' && row.units.trim() === '';
}

function padded(rows: MarketRowValues[]): MarketRowValues[] {
  const out = [...rows];
  while (out.length < MIN_ROWS) out.push({ market_id: '', year: '', units: '' });
  return out;
}

function storedRows(model: RoadModel): MarketRowValues[] {
  return padded(model.markets.map((e) => ({ market_id: String(e.market_id), year: String(e.year), units: String(e.planned_units) })));
}

/** An integer as typed becomes a number; anything else stays a string for the schema to refuse. */
function numberOrText(value: string): number | string | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  return /^-?\d+$/.test(v) ? Number(v) : v;
}

/**
 * The API's `markets` array from the non-blank rows; `posted[i]` is the posted row behind
 * `markets[i]`, so refusals (`/markets/1/year`) land next to the row the user sees.
 */
function marketsInput(rows: MarketRowValues[]): { entries: Record<string, unknown>[]; posted: number[] } {
  const entries: Record<string, unknown>[] = [];
  const posted: number[] = [];
  rows.forEach((row, i) => {
    if (isBlank(row)) return;
    const entry: Record<string, unknown> = {};
    const market = numberOrText(row.market_id);
    const year = numberOrText(row.year);
    const units = numberOrText(row.units);
    if (market !== undefined) entry.market_id = market;
    if (year !== undefined) entry.year = year;
    if (units !== undefined) entry.planned_units = units;
    entries.push(entry);
    posted.push(i);
  });
  return { entries, posted };
}

const ROW_FIELD_LABELS: Record<string, string> = { market_id: 'market', year: 'year', planned_units: 'planned units' };

/** Moves `markets.<i>[.<field>]` messages to the posted row they are about (and the summary). */
function splitRowErrors(errors: FieldErrors, posted: number[]): { errors: FieldErrors; rowErrors: Record<number, RowError> } {
  const out: FieldErrors = {};
  const rowErrors: Record<number, RowError> = {};
  for (const [key, message] of Object.entries(errors)) {
    const match = /^markets\.(\d+)(?:\.(\w+))?$/.exec(key);
    const row = match ? posted[Number(match[1])] : undefined;
    if (!match || row === undefined) {
      out[key] = message;
      continue;
    }
    const field = match[2];
    const text = field ? `${ROW_FIELD_LABELS[field] ?? field.replace(/_/g, ' ')} ${message}` : message;
    if (rowErrors[row]) continue;
    rowErrors[row] = { message: text, field };
    out[`market_row_${row + 1}`] = text;
  }
  return { errors: out, rowErrors };
}

/** The form's values as typed, so a refused form shows them again. */
function typedValues(body: FormBody): RoadModelFormValues {
  return {
    name: text(body, 'name'),
    base_model: text(body, 'base_model'),
    powertrain: text(body, 'powertrain'),
    status: text(body, 'status'),
    launch_date: text(body, 'launch_date'),
    end_date: text(body, 'end_date'),
    partner: text(body, 'partner'),
    description: text(body, 'description'),
  };
}

/** A "without JavaScript" row action: add a row, or remove one. Returns the rows to show, or undefined. */
function rowAction(body: FormBody, rows: MarketRowValues[]): MarketRowValues[] | undefined {
  if (text(body, '_add') === 'market') return [...rows, { market_id: '', year: '', units: '' }];
  const remove = text(body, '_remove');
  if (remove !== undefined && /^\d+$/.test(remove)) return padded(rows.filter((_, i) => i !== Number(remove)));
  return undefined;
}

/** Schema input from the form: the plain fields plus the markets plan from the rows. */
function formInput(schema: typeof RoadModelCreate | typeof RoadModelPatch, body: FormBody, rows: MarketRowValues[]) {
  const input = formToInput(schema, body);
  const { entries, posted } = marketsInput(rows);
  input.markets = entries;
  return { input, posted };
}

export async function roadModelsPages(app: FastifyInstance) {
  const allMarkets = () => allOf((q) => listMarkets(app.db, q));

  app.get('/road-models', { schema: { querystring: RoadModelListQuery, hide: true } }, async (request, reply) => {
    const query = request.query as Static<typeof RoadModelListQuery>;
    if (query.format === 'csv') return sendCsvList(reply, 'road-models', query, (q) => listRoadModels(app.db, q), csvFormatFromSchema(RoadModelSchema));
    const page = listRoadModels(app.db, query);
    const ctx = pageContext(request, reply);
    const props = { query: ctx.query, rows: page.items, nextCursor: page.next_cursor };
    const fragment = query.cursor ? <RoadModelRowsFragment {...props} /> : <RoadModelResults {...props} />;
    return renderPage(request, reply, ctx, { title: 'Road models' }, <RoadModelListPage {...props} />, fragment);
  });

  function renderForm(
    request: FastifyRequest,
    reply: FastifyReply,
    props: Omit<RoadModelFormProps, 'csrfToken' | 'markets' | 'rowErrors'> & { rowErrors?: Record<number, RowError> },
    title: string,
    status?: number,
    crumbs: { label: string; href?: string }[] = [],
  ) {
    const ctx = pageContext(request, reply);
    const form = <RoadModelForm {...props} rowErrors={props.rowErrors ?? {}} markets={allMarkets()} csrfToken={ctx.csrfToken} />;
    return renderPage(request, reply, ctx, { title, status, breadcrumbs: [LIST_CRUMB, ...crumbs, { label: title }] }, (
      <>
        <h1 safe>{title}</h1>
        {form}
      </>
    ), form);
  }

  app.get('/road-models/new', async (request, reply) =>
    renderForm(
      request,
      reply,
      { action: '/road-models', values: {}, rows: padded([]), errors: {}, submitLabel: 'Create road model', cancelHref: '/road-models' },
      'New road model',
    ),
  );

  app.post('/road-models', async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const values = typedValues(body);
    const rows = postedRows(body);
    const base = { action: '/road-models', values, submitLabel: 'Create road model', cancelHref: '/road-models' };
    const changed = rowAction(body, rows);
    if (changed) return renderForm(request, reply, { ...base, rows: changed, errors: {} }, 'New road model');
    const { input, posted } = formInput(RoadModelCreate, body, rows);
    const invalid = dateMessages(validateInput(RoadModelCreate, input), DATE_FIELDS);
    if (Object.keys(invalid).length) {
      return renderForm(request, reply, { ...base, rows: padded(rows), ...splitRowErrors(invalid, posted) }, 'New road model', 422);
    }
    try {
      const created = createRoadModel(app.db, request.actor, input as Static<typeof RoadModelCreate>);
      return seeOther(request, reply, `/road-models/${created.id}`, `Road model “${created.name}” created.`);
    } catch (error) {
      const refused = domainErrorToForm(error);
      return renderForm(
        request,
        reply,
        { ...base, rows: padded(rows), ...splitRowErrors(refused.errors, posted), general: refused.general },
        'New road model',
        refused.status === 409 ? 409 : 422,
      );
    }
  });

  app.get('/road-models/:id', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const model = getRoadModel(app.db, id);
    const transfers = listTransfers(app.db, { road_model_id: id, limit: 100 });
    const prototypes = listPrototypes(app.db, { road_model_id: id, kind: 'road_prototype', limit: 50 });
    const technologyNames = new Map(allOf((q) => listTechnologies(app.db, q)).map((t) => [t.id, t.name]));
    const reviewerNames = userNames(app.db, transfers.items.map((t) => t.reviewed_by));
    const ctx = pageContext(request, reply);
    return renderPage(
      request,
      reply,
      ctx,
      { title: model.name, breadcrumbs: [LIST_CRUMB, { label: model.name }] },
      <RoadModelDetailPage
        model={model}
        markets={allMarkets()}
        transfers={transfers.items}
        moreTransfers={transfers.next_cursor !== null}
        technologyNames={technologyNames}
        reviewerNames={reviewerNames}
        prototypes={prototypes.items}
        morePrototypes={prototypes.next_cursor !== null}
      />,
    );
  });

  const editTitle = (m: Pick<RoadModel, 'name'>) => `Edit ${m.name}`;
  const editCrumbs = (m: Pick<RoadModel, 'id' | 'name'>) => [{ label: m.name, href: `/road-models/${m.id}` }];

  app.get('/road-models/:id/edit', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const m = getRoadModel(app.db, id);
    return renderForm(
      request,
      reply,
      { action: `/road-models/${id}`, values: { ...m }, rows: storedRows(m), errors: {}, submitLabel: 'Save changes', cancelHref: `/road-models/${id}` },
      editTitle(m),
      undefined,
      editCrumbs(m),
    );
  });

  app.post('/road-models/:id', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const current = getRoadModel(app.db, id);
    const body = (request.body ?? {}) as FormBody;
    const version = formVersion(body);
    const values = { ...typedValues(body), version };
    const rows = postedRows(body);
    const base = { action: `/road-models/${id}`, submitLabel: 'Save changes', cancelHref: `/road-models/${id}` };
    const title = editTitle(current);
    const crumbs = editCrumbs(current);
    const changed = rowAction(body, rows);
    if (changed) return renderForm(request, reply, { ...base, values, rows: changed, errors: {} }, title, undefined, crumbs);
    const { input, posted } = formInput(RoadModelPatch, body, rows);
    const invalid = dateMessages(validateInput(RoadModelPatch, input), DATE_FIELDS);
    if (Object.keys(invalid).length) {
      return renderForm(request, reply, { ...base, values, rows: padded(rows), ...splitRowErrors(invalid, posted) }, title, 422, crumbs);
    }
    try {
      const updated = updateRoadModel(app.db, request.actor, id, version, input as Static<typeof RoadModelPatch>);
      return seeOther(request, reply, `/road-models/${id}`, `Road model “${updated.name}” saved.`);
    } catch (error) {
      if (error instanceof StaleVersionError) {
        const stale = changesSince(app.db, 'road_model', id, version ?? 0);
        return renderForm(request, reply, { ...base, values: { ...values, version: current.version }, rows: padded(rows), errors: {}, stale }, title, 409, crumbs);
      }
      const refused = domainErrorToForm(error);
      return renderForm(
        request,
        reply,
        { ...base, values, rows: padded(rows), ...splitRowErrors(refused.errors, posted), general: refused.general },
        title,
        refused.status === 409 ? 409 : 422,
        crumbs,
      );
    }
  });

  app.get('/road-models/:id/delete', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const m = getRoadModel(app.db, id);
    const ctx = pageContext(request, reply);
    return renderPage(
      request,
      reply,
      ctx,
      { title: `Delete ${m.name}`, breadcrumbs: [LIST_CRUMB, { label: m.name, href: `/road-models/${id}` }, { label: 'Delete' }] },
      <DeleteConfirm what={`the road model “${m.name}”`} action={`/road-models/${id}/delete`} cancelHref={`/road-models/${id}`} csrfToken={ctx.csrfToken} version={m.version} />,
    );
  });

  app.post('/road-models/:id/delete', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const m = getRoadModel(app.db, id);
    try {
      deleteRoadModel(app.db, request.actor, id, formVersion((request.body ?? {}) as FormBody));
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const ctx = pageContext(request, reply);
      const blocked = (
        <DeleteBlocked
          what={`the road model “${m.name}”`}
          detail={error.message}
          backHref={`/road-models/${id}`}
          links={[
            { href: `/transfers?road_model_id=${id}`, label: 'Transfers to it' },
            { href: `/prototypes?road_model_id=${id}`, label: 'Its road prototypes' },
          ]}
        />
      );
      return renderPage(
        request,
        reply,
        ctx,
        { title: `Cannot delete ${m.name}`, status: 409, breadcrumbs: [LIST_CRUMB, { label: m.name, href: `/road-models/${id}` }, { label: 'Delete' }] },
        blocked,
        blocked,
      );
    }
    return seeOther(request, reply, '/road-models', `Road model “${m.name}” deleted.`);
  });
}
