// Series pages: list, detail, new, edit, delete, through the same domain functions as the API.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csvFormatFromSchema, sendCsvList } from '../csv-export.js';
import { count, eq } from 'drizzle-orm';
import type { Static } from 'typebox';
import { programs } from '../../../db/schema.js';
import { changesSince } from '../../domain/audit.js';
import { StaleVersionError } from '../../domain/errors.js';
import { createSeries, deleteSeries, getSeries, listSeries, updateSeries } from '../../domain/series.js';
import { IdParams } from '../../schemas/common.js';
import { SeriesCreate, SeriesListQuery, SeriesPatch, Series } from '../../schemas/series.js';
import { DeleteConfirm } from '../../../views/components/common.js';
import { SeriesDetailPage, SeriesForm, SeriesListPage, SeriesResults, SeriesRowsFragment, type SeriesFormProps } from '../../../views/pages/series/series-pages.js';
import { domainErrorToForm, formToInput, validateInput, type FormBody } from './forms.js';
import { pageContext, renderPage, seeOther } from './render.js';

const LIST_CRUMB = { label: 'Series', href: '/series' };

function formVersion(body: FormBody): number | undefined {
  const v = Number(body.version);
  return Number.isInteger(v) && v > 0 ? v : undefined;
}

export async function seriesPages(app: FastifyInstance) {
  app.get('/series', { schema: { querystring: SeriesListQuery, hide: true } }, async (request, reply) => {
    const query = request.query as Static<typeof SeriesListQuery>;
    if (query.format === 'csv') return sendCsvList(reply, 'series', query, (q) => listSeries(app.db, q), csvFormatFromSchema(Series));
    const page = listSeries(app.db, query);
    const ctx = pageContext(request, reply);
    const props = { query: ctx.query, rows: page.items, nextCursor: page.next_cursor };
    const fragment = query.cursor ? <SeriesRowsFragment {...props} /> : <SeriesResults {...props} />;
    return renderPage(request, reply, ctx, { title: 'Series' }, <SeriesListPage {...props} />, fragment);
  });

  function renderForm(request: FastifyRequest, reply: FastifyReply, props: Omit<SeriesFormProps, 'csrfToken'>, title: string, status?: number) {
    const ctx = pageContext(request, reply);
    const form = <SeriesForm {...props} csrfToken={ctx.csrfToken} />;
    return renderPage(request, reply, ctx, { title, status, breadcrumbs: [LIST_CRUMB, { label: title }] }, (
      <>
        <h1 safe>{title}</h1>
        {form}
      </>
    ), form);
  }

  app.get('/series/new', async (request, reply) =>
    renderForm(request, reply, { action: '/series', values: {}, errors: {}, submitLabel: 'Create series', cancelHref: '/series' }, 'New series'),
  );

  app.post('/series', async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const input = formToInput(SeriesCreate, body);
    const values = { name: body.name as string | undefined, description: body.description as string | undefined };
    const errors = validateInput(SeriesCreate, input);
    const base = { action: '/series', values, submitLabel: 'Create series', cancelHref: '/series' };
    if (Object.keys(errors).length) return renderForm(request, reply, { ...base, errors }, 'New series', 422);
    try {
      const created = createSeries(app.db, request.actor, input as Static<typeof SeriesCreate>);
      return seeOther(request, reply, `/series/${created.id}`, `Series “${created.name}” created.`);
    } catch (error) {
      const refused = domainErrorToForm(error);
      return renderForm(request, reply, { ...base, errors: refused.errors, general: refused.general }, 'New series', refused.status === 409 ? 409 : 422);
    }
  });

  app.get('/series/:id', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const series = getSeries(app.db, id);
    const programCount = app.db.orm.select({ n: count() }).from(programs).where(eq(programs.series_id, id)).get()!.n;
    const ctx = pageContext(request, reply);
    return renderPage(request, reply, ctx, { title: series.name, breadcrumbs: [LIST_CRUMB, { label: series.name }] }, <SeriesDetailPage series={series} programCount={programCount} />);
  });

  app.get('/series/:id/edit', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const s = getSeries(app.db, id);
    return renderForm(
      request,
      reply,
      { action: `/series/${id}`, values: { ...s }, errors: {}, submitLabel: 'Save changes', cancelHref: `/series/${id}` },
      `Edit ${s.name}`,
    );
  });

  app.post('/series/:id', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const current = getSeries(app.db, id);
    const body = (request.body ?? {}) as FormBody;
    const version = formVersion(body);
    const input = formToInput(SeriesPatch, body);
    const values = { name: body.name as string | undefined, description: body.description as string | undefined, version };
    const base = { action: `/series/${id}`, submitLabel: 'Save changes', cancelHref: `/series/${id}` };
    const title = `Edit ${current.name}`;
    const errors = validateInput(SeriesPatch, input);
    if (Object.keys(errors).length) return renderForm(request, reply, { ...base, values, errors }, title, 422);
    try {
      const updated = updateSeries(app.db, request.actor, id, version, input as Static<typeof SeriesPatch>);
      return seeOther(request, reply, `/series/${id}`, `Series “${updated.name}” saved.`);
    } catch (error) {
      if (error instanceof StaleVersionError) {
        const stale = changesSince(app.db, 'series', id, version ?? 0);
        return renderForm(request, reply, { ...base, values: { ...values, version: current.version }, errors: {}, stale }, title, 409);
      }
      const refused = domainErrorToForm(error);
      return renderForm(request, reply, { ...base, values, errors: refused.errors, general: refused.general }, title, refused.status === 409 ? 409 : 422);
    }
  });

  app.get('/series/:id/delete', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const s = getSeries(app.db, id);
    const ctx = pageContext(request, reply);
    return renderPage(
      request,
      reply,
      ctx,
      { title: `Delete ${s.name}`, breadcrumbs: [LIST_CRUMB, { label: s.name, href: `/series/${id}` }, { label: 'Delete' }] },
      <DeleteConfirm what={`the series “${s.name}”`} action={`/series/${id}/delete`} cancelHref={`/series/${id}`} csrfToken={ctx.csrfToken} version={s.version} />,
    );
  });

  app.post('/series/:id/delete', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const s = getSeries(app.db, id);
    deleteSeries(app.db, request.actor, id, formVersion((request.body ?? {}) as FormBody));
    return seeOther(request, reply, '/series', `Series “${s.name}” deleted.`);
  });
}
