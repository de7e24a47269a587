// Transfer pages: list, detail with the product team's "Mark reviewed" form, new, edit, delete —
// through the same domain functions and schemas as the API.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csvFormatFromSchema, sendCsvList } from '../csv-export.js';
import { Transfer as TransferSchema } from '../../schemas/transfers.js';
import { inArray } from 'drizzle-orm';
import { Type, type Static } from 'typebox';
import { users } from '../../../db/schema.js';
import type { Db } from '../../db.js';
import { changesSince } from '../../domain/audit.js';
import { StaleVersionError } from '../../domain/errors.js';
import { listRoadModels } from '../../domain/road-models.js';
import { listTechnologies } from '../../domain/technologies.js';
import { suspectTransfersReport } from '../../domain/reports.js';
import { suspectTransfers } from '../../domain/suspect.js';
import { createTransfer, deleteTransfer, getTransfer, listTransfers, reviewTransfer, updateTransfer, type Transfer } from '../../domain/transfers.js';
import { IdParams } from '../../schemas/common.js';
import { TransferCreate, TransferListQuery, TransferPatch, TransferReview } from '../../schemas/transfers.js';
import { DeleteConfirm } from '../../../views/components/common.js';
import {
  ReviewSection,
  TransferDetailPage,
  TransferForm,
  TransferListPage,
  TransferResults,
  TransferRowsFragment,
  transferLabel,
  type ReviewSectionProps,
  type TransferFormProps,
  type TransferFormValues,
  type TransferLookups,
} from '../../../views/pages/transfers/transfer-pages.js';
import { groupSuspects } from '../../../views/pages/reports/report-views.js';
import { domainErrorToForm, formToInput, validateInput, type FieldErrors, type FormBody } from './forms.js';
import { allOf, formVersion } from './programs.js';
import { pageContext, renderPage, seeOther } from './render.js';

const LIST_CRUMB = { label: 'Transfers', href: '/transfers' };

/** The list's query plus `suspect=true`: the review screen of suspect transfers (SUS-1/2). */
const TransferPageQuery = Type.Object({
  ...TransferListQuery.properties,
  suspect: Type.Optional(Type.Boolean({ description: 'Only suspect transfers, with their reasons.' })),
});

/** Display names of the given users (reviewers), in one query. */
export function userNames(db: Db, ids: (number | null)[]): Map<number, string> {
  const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
  if (wanted.length === 0) return new Map();
  const rows = db.orm.select({ id: users.id, username: users.username, display_name: users.display_name }).from(users).where(inArray(users.id, wanted)).all();
  return new Map(rows.map((u) => [u.id, u.display_name || u.username]));
}

/**
 * A nullable date (`null | date`) refused by the schema reports the `null` branch first ("must
 * be null"); the user typed a date, so say that.
 */
export function dateMessages(errors: FieldErrors, dateFields: string[]): FieldErrors {
  const out = { ...errors };
  for (const field of dateFields) if (out[field] === 'must be null') out[field] = 'must be a date';
  return out;
}

function names(db: Db): Pick<TransferLookups, 'technologyNames' | 'roadModelNames'> {
  return {
    technologyNames: new Map(allOf((q) => listTechnologies(db, q)).map((t) => [t.id, t.name])),
    roadModelNames: new Map(allOf((q) => listRoadModels(db, q)).map((m) => [m.id, m.name])),
  };
}

function lookups(db: Db, shown: Transfer[]): TransferLookups {
  return { ...names(db), reviewerNames: userNames(db, shown.map((t) => t.reviewed_by)) };
}

function text(body: FormBody, name: string): string | undefined {
  const v = body[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** The form's values as typed, so a refused form shows them again. */
function typedValues(body: FormBody): TransferFormValues {
  return {
    technology_id: text(body, 'technology_id'),
    road_model_id: text(body, 'road_model_id'),
    stage: text(body, 'stage'),
    rationale: text(body, 'rationale'),
    decided_on: text(body, 'decided_on'),
    review_note: text(body, 'review_note'),
  };
}

export async function transfersPages(app: FastifyInstance) {
  app.get('/transfers', { schema: { querystring: TransferPageQuery, hide: true } }, async (request, reply) => {
    const { suspect, ...query } = request.query as Static<typeof TransferPageQuery>;
    const ctx = pageContext(request, reply);
    if (suspect) {
      // The review screen: every suspect transfer matching the filters, with its reasons (no paging: few by nature).
      const rows = suspectTransfersReport(app.db, { road_model_id: query.road_model_id, technology_id: query.technology_id }).filter(
        (r) => !query.stage || r.stage === query.stage,
      );
      const props = { query: ctx.query, rows: [], nextCursor: null, lookups: lookups(app.db, []), suspectGroups: groupSuspects(rows) };
      return renderPage(request, reply, ctx, { title: 'Suspect transfers' }, <TransferListPage {...props} />, <TransferResults {...props} />);
    }
    if (query.format === 'csv') return sendCsvList(reply, 'transfers', query, (q) => listTransfers(app.db, q), csvFormatFromSchema(TransferSchema));
    const page = listTransfers(app.db, query);
    const suspectIds = new Set(suspectTransfers(app.db).map((s) => s.transfer_id));
    const props = { query: ctx.query, rows: page.items, nextCursor: page.next_cursor, lookups: lookups(app.db, page.items), suspectIds };
    const fragment = query.cursor ? <TransferRowsFragment {...props} /> : <TransferResults {...props} />;
    return renderPage(request, reply, ctx, { title: 'Transfers' }, <TransferListPage {...props} />, fragment);
  });

  function renderForm(
    request: FastifyRequest,
    reply: FastifyReply,
    props: Omit<TransferFormProps, 'csrfToken' | 'lookups'>,
    title: string,
    status?: number,
    crumbs: { label: string; href?: string }[] = [],
  ) {
    const ctx = pageContext(request, reply);
    const form = <TransferForm {...props} lookups={names(app.db)} csrfToken={ctx.csrfToken} />;
    return renderPage(request, reply, ctx, { title, status, breadcrumbs: [LIST_CRUMB, ...crumbs, { label: title }] }, (
      <>
        <h1 safe>{title}</h1>
        {form}
      </>
    ), form);
  }

  app.get('/transfers/new', async (request, reply) => {
    const preset = request.query as Record<string, string | undefined>;
    return renderForm(
      request,
      reply,
      {
        action: '/transfers',
        values: { technology_id: preset.technology_id, road_model_id: preset.road_model_id },
        editing: false,
        errors: {},
        submitLabel: 'Create transfer',
        cancelHref: '/transfers',
      },
      'New transfer',
    );
  });

  app.post('/transfers', async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const input = formToInput(TransferCreate, body);
    delete input.review_note;
    const values = typedValues(body);
    const errors = dateMessages(validateInput(TransferCreate, input), ['decided_on']);
    const base = { action: '/transfers', values, editing: false, submitLabel: 'Create transfer', cancelHref: '/transfers' };
    if (Object.keys(errors).length) return renderForm(request, reply, { ...base, errors }, 'New transfer', 422);
    try {
      const created = createTransfer(app.db, request.actor, input as Static<typeof TransferCreate>);
      return seeOther(request, reply, `/transfers/${created.id}`, `Transfer “${transferLabel(names(app.db), created)}” created.`);
    } catch (error) {
      const refused = domainErrorToForm(error);
      const taken = refused.status === 409 && refused.errors.technology_id !== undefined && refused.errors.road_model_id !== undefined;
      const general = taken ? 'This technology already feeds this road model: edit that transfer instead.' : refused.general;
      return renderForm(request, reply, { ...base, errors: refused.errors, general }, 'New transfer', refused.status === 409 ? 409 : 422);
    }
  });

  function renderDetail(
    request: FastifyRequest,
    reply: FastifyReply,
    transfer: Transfer,
    review: Omit<ReviewSectionProps, 'transfer' | 'lookups' | 'csrfToken'> = {},
    status?: number,
  ) {
    const look = lookups(app.db, [transfer]);
    const title = transferLabel(look, transfer);
    const ctx = pageContext(request, reply);
    review = { ...review, suspectReasons: suspectTransfers(app.db, { transferId: transfer.id })[0]?.reasons ?? [] };
    const section = <ReviewSection transfer={transfer} lookups={look} csrfToken={ctx.csrfToken} {...review} />;
    return renderPage(
      request,
      reply,
      ctx,
      { title, status, breadcrumbs: [LIST_CRUMB, { label: title }] },
      <TransferDetailPage transfer={transfer} lookups={look} review={{ ...review, csrfToken: ctx.csrfToken }} />,
      section,
    );
  }

  app.get('/transfers/:id', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    return renderDetail(request, reply, getTransfer(app.db, id));
  });

  // "Mark reviewed" (SUS-3): htmx swaps the review section in place; a plain form goes back to the page.
  app.post('/transfers/:id/review', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const current = getTransfer(app.db, id);
    const body = (request.body ?? {}) as FormBody;
    const version = formVersion(body);
    const note = text(body, 'note');
    const input = formToInput(TransferReview, body);
    const errors = validateInput(TransferReview, input);
    if (Object.keys(errors).length) return renderDetail(request, reply, current, { note, errors }, 422);
    try {
      const reviewed = reviewTransfer(app.db, request.actor, id, version, (input.note as string | undefined) || undefined);
      if (request.isPartial) return renderDetail(request, reply, reviewed, { done: true });
      return seeOther(request, reply, `/transfers/${id}`, 'Transfer marked reviewed.');
    } catch (error) {
      if (!(error instanceof StaleVersionError)) throw error;
      const stale = changesSince(app.db, 'transfer', id, version ?? 0);
      return renderDetail(request, reply, current, { note, stale }, 409);
    }
  });

  const editTitle = (t: Transfer) => `Edit transfer ${transferLabel(names(app.db), t)}`;
  const editCrumbs = (t: Transfer) => [{ label: `Transfer #${t.id}`, href: `/transfers/${t.id}` }];

  app.get('/transfers/:id/edit', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const t = getTransfer(app.db, id);
    return renderForm(
      request,
      reply,
      { action: `/transfers/${id}`, values: { ...t, review_note: '' }, editing: true, errors: {}, submitLabel: 'Save changes', cancelHref: `/transfers/${id}` },
      editTitle(t),
      undefined,
      editCrumbs(t),
    );
  });

  app.post('/transfers/:id', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const current = getTransfer(app.db, id);
    const body = (request.body ?? {}) as FormBody;
    const version = formVersion(body);
    // The two ends of a transfer are fixed on this form; only these fields are read.
    const input = formToInput(TransferPatch, { stage: body.stage, rationale: body.rationale, decided_on: body.decided_on, review_note: body.review_note });
    if (input.review_note === '') delete input.review_note;
    const values = { ...typedValues(body), technology_id: current.technology_id, road_model_id: current.road_model_id, version };
    const base = { action: `/transfers/${id}`, editing: true, submitLabel: 'Save changes', cancelHref: `/transfers/${id}` };
    const title = editTitle(current);
    const crumbs = editCrumbs(current);
    const errors = dateMessages(validateInput(TransferPatch, input), ['decided_on']);
    if (Object.keys(errors).length) return renderForm(request, reply, { ...base, values, errors }, title, 422, crumbs);
    try {
      updateTransfer(app.db, request.actor, id, version, input as Static<typeof TransferPatch>);
      return seeOther(request, reply, `/transfers/${id}`, 'Transfer saved.');
    } catch (error) {
      if (error instanceof StaleVersionError) {
        const stale = changesSince(app.db, 'transfer', id, version ?? 0);
        return renderForm(request, reply, { ...base, values: { ...values, version: current.version }, errors: {}, stale }, title, 409, crumbs);
      }
      const refused = domainErrorToForm(error);
      return renderForm(request, reply, { ...base, values, errors: refused.errors, general: refused.general }, title, refused.status === 409 ? 409 : 422, crumbs);
    }
  });

  app.get('/transfers/:id/delete', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const t = getTransfer(app.db, id);
    const label = transferLabel(names(app.db), t);
    const ctx = pageContext(request, reply);
    return renderPage(
      request,
      reply,
      ctx,
      { title: `Delete transfer #${id}`, breadcrumbs: [LIST_CRUMB, { label: `Transfer #${id}`, href: `/transfers/${id}` }, { label: 'Delete' }] },
      <DeleteConfirm what={`the transfer “${label}”`} action={`/transfers/${id}/delete`} cancelHref={`/transfers/${id}`} csrfToken={ctx.csrfToken} version={t.version} />,
    );
  });

  app.post('/transfers/:id/delete', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const t = getTransfer(app.db, id);
    const label = transferLabel(names(app.db), t);
    deleteTransfer(app.db, request.actor, id, formVersion((request.body ?? {}) as FormBody));
    return seeOther(request, reply, '/transfers', `Transfer “${label}” deleted.`);
  });
}
