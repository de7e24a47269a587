// Program pages: list, detail (with its prototypes, technologies and runs), new, edit, delete,
// through the same domain functions and schemas as the API.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csvFormatFromSchema, sendCsvList } from '../csv-export.js';
import type { Static } from 'typebox';
import { changesSince } from '../../domain/audit.js';
import { ConflictError, StaleVersionError } from '../../domain/errors.js';
import type { Page } from '../../domain/paging.js';
import { createProgram, deleteProgram, getProgram, listPrograms, programChoices, programLabel, updateProgram, type Program } from '../../domain/programs.js';
import { listPrototypes } from '../../domain/prototypes.js';
import { getSeries, listSeries, type Series } from '../../domain/series.js';
import { listTechnologies } from '../../domain/technologies.js';
import { listTestRuns } from '../../domain/test-runs.js';
import { IdParams } from '../../schemas/common.js';
import { ProgramCreate, ProgramListQuery, ProgramPatch, Program as ProgramSchema } from '../../schemas/programs.js';
import { DeleteConfirm } from '../../../views/components/common.js';
import type { Option } from '../../../views/components/forms.js';
import {
  DeleteBlocked,
  ProgramDetailPage,
  ProgramForm,
  ProgramListPage,
  ProgramResults,
  ProgramRowsFragment,
  type ProgramFormProps,
  type ProgramFormValues,
} from '../../../views/pages/programs/program-pages.js';
import { domainErrorToForm, formToInput, validateInput, type FormBody } from './forms.js';
import { pageContext, renderPage, seeOther } from './render.js';
import { cachedUntilChange, type Db } from '../../db.js';

const LIST_CRUMB = { label: 'Programs', href: '/programs' };

export function formVersion(body: FormBody): number | undefined {
  const v = Number(body.version);
  return Number.isInteger(v) && v > 0 ? v : undefined;
}

/**
 * Filter forms send every field, blank ones too (`series_id=`); blank means "no filter", so it is
 * dropped before the API's list query schema sees it (which would refuse '' as an id).
 */
export async function dropEmptyQuery(request: FastifyRequest): Promise<void> {
  const query = request.query as Record<string, unknown> | undefined;
  if (!query || typeof query !== 'object') return;
  for (const [k, v] of Object.entries(query)) if (v === '') delete query[k];
}

/** Every row of a small lookup list (series, programs, road models) for selects and labels. */
export function allOf<T>(list: (query: { limit: number; cursor?: string }) => Page<T>): T[] {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = list(cursor === undefined ? { limit: 200 } : { limit: 200, cursor });
    out.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

export function allSeries(db: Db): Series[] {
  return allOf((q) => listSeries(db, q));
}

/** The same as <select> options, frozen: Select renders a shared list's options once. */
export const programOptions: (db: Db) => readonly Option[] = cachedUntilChange((db) =>
  Object.freeze(programChoices(db).map(({ id, label }) => ({ value: String(id), label }))),
);

/** The form's values as typed, so a refused form shows them again. */
function typedValues(body: FormBody): ProgramFormValues {
  const text = (name: string) => {
    const v = body[name];
    return Array.isArray(v) ? v[v.length - 1] : v;
  };
  return {
    series_id: text('series_id'),
    season: text('season'),
    start_year: text('start_year'),
    end_year: text('end_year'),
    class: text('class'),
    entry: text('entry'),
    car: text('car'),
    status: text('status'),
  };
}

export async function programsPages(app: FastifyInstance) {
  app.addHook('preValidation', dropEmptyQuery);

  app.get('/programs', { schema: { querystring: ProgramListQuery, hide: true } }, async (request, reply) => {
    const query = request.query as Static<typeof ProgramListQuery>;
    if (query.format === 'csv') return sendCsvList(reply, 'programs', query, (q) => listPrograms(app.db, q), csvFormatFromSchema(ProgramSchema));
    const page = listPrograms(app.db, query);
    const series = allSeries(app.db);
    const ctx = pageContext(request, reply);
    const props = { query: ctx.query, rows: page.items, nextCursor: page.next_cursor, seriesNames: new Map(series.map((s) => [s.id, s.name])) };
    const fragment = query.cursor ? <ProgramRowsFragment {...props} /> : <ProgramResults {...props} />;
    return renderPage(request, reply, ctx, { title: 'Programs' }, <ProgramListPage {...props} series={series} />, fragment);
  });

  function renderForm(
    request: FastifyRequest,
    reply: FastifyReply,
    props: Omit<ProgramFormProps, 'csrfToken' | 'series'>,
    title: string,
    status?: number,
    crumbs: { label: string; href?: string }[] = [],
  ) {
    const ctx = pageContext(request, reply);
    const form = <ProgramForm {...props} series={allSeries(app.db)} csrfToken={ctx.csrfToken} />;
    return renderPage(request, reply, ctx, { title, status, breadcrumbs: [LIST_CRUMB, ...crumbs, { label: title }] }, (
      <>
        <h1 safe>{title}</h1>
        {form}
      </>
    ), form);
  }

  app.get('/programs/new', async (request, reply) => {
    const preset = (request.query as Record<string, string | undefined>).series_id;
    return renderForm(
      request,
      reply,
      { action: '/programs', values: { series_id: preset }, errors: {}, submitLabel: 'Create program', cancelHref: '/programs' },
      'New program',
    );
  });

  app.post('/programs', async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const input = formToInput(ProgramCreate, body);
    const values = typedValues(body);
    const errors = validateInput(ProgramCreate, input);
    const base = { action: '/programs', values, submitLabel: 'Create program', cancelHref: '/programs' };
    if (Object.keys(errors).length) return renderForm(request, reply, { ...base, errors }, 'New program', 422);
    try {
      const created = createProgram(app.db, request.actor, input as Static<typeof ProgramCreate>);
      return seeOther(request, reply, `/programs/${created.id}`, `Program “${created.season} ${created.entry}” created.`);
    } catch (error) {
      const refused = domainErrorToForm(error);
      return renderForm(request, reply, { ...base, errors: refused.errors, general: refused.general }, 'New program', refused.status === 409 ? 409 : 422);
    }
  });

  app.get('/programs/:id', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const program = getProgram(app.db, id);
    const series = getSeries(app.db, program.series_id);
    const prototypes = listPrototypes(app.db, { program_id: id, limit: 50 });
    const technologies = listTechnologies(app.db, { origin_program_id: id, limit: 50 });
    const runs = listTestRuns(app.db, { program_id: id, limit: 20 });
    const title = programLabel(program, series.name);
    const ctx = pageContext(request, reply);
    return renderPage(
      request,
      reply,
      ctx,
      { title, breadcrumbs: [LIST_CRUMB, { label: title }] },
      <ProgramDetailPage
        program={program}
        series={series}
        prototypes={prototypes.items}
        morePrototypes={prototypes.next_cursor !== null}
        technologies={technologies.items}
        moreTechnologies={technologies.next_cursor !== null}
        runs={runs.items}
        moreRuns={runs.next_cursor !== null}
      />,
    );
  });

  function editCrumbs(program: Program) {
    return [{ label: `${program.season} ${program.entry}`, href: `/programs/${program.id}` }];
  }

  app.get('/programs/:id/edit', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const p = getProgram(app.db, id);
    return renderForm(
      request,
      reply,
      { action: `/programs/${id}`, values: { ...p }, errors: {}, submitLabel: 'Save changes', cancelHref: `/programs/${id}` },
      `Edit program ${p.season} ${p.entry}`,
      undefined,
      editCrumbs(p),
    );
  });

  app.post('/programs/:id', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const current = getProgram(app.db, id);
    const body = (request.body ?? {}) as FormBody;
    const version = formVersion(body);
    const input = formToInput(ProgramPatch, body);
    const values = { ...typedValues(body), version };
    const base = { action: `/programs/${id}`, submitLabel: 'Save changes', cancelHref: `/programs/${id}` };
    const title = `Edit program ${current.season} ${current.entry}`;
    const crumbs = editCrumbs(current);
    const errors = validateInput(ProgramPatch, input);
    if (Object.keys(errors).length) return renderForm(request, reply, { ...base, values, errors }, title, 422, crumbs);
    try {
      const updated = updateProgram(app.db, request.actor, id, version, input as Static<typeof ProgramPatch>);
      return seeOther(request, reply, `/programs/${id}`, `Program “${updated.season} ${updated.entry}” saved.`);
    } catch (error) {
      if (error instanceof StaleVersionError) {
        const stale = changesSince(app.db, 'program', id, version ?? 0);
        return renderForm(request, reply, { ...base, values: { ...values, version: current.version }, errors: {}, stale }, title, 409, crumbs);
      }
      const refused = domainErrorToForm(error);
      return renderForm(request, reply, { ...base, values, errors: refused.errors, general: refused.general }, title, refused.status === 409 ? 409 : 422, crumbs);
    }
  });

  app.get('/programs/:id/delete', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const p = getProgram(app.db, id);
    const ctx = pageContext(request, reply);
    const label = `${p.season} ${p.entry}`;
    return renderPage(
      request,
      reply,
      ctx,
      { title: `Delete ${label}`, breadcrumbs: [LIST_CRUMB, { label, href: `/programs/${id}` }, { label: 'Delete' }] },
      <DeleteConfirm what={`the program “${label}”`} action={`/programs/${id}/delete`} cancelHref={`/programs/${id}`} csrfToken={ctx.csrfToken} version={p.version} />,
    );
  });

  app.post('/programs/:id/delete', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const p = getProgram(app.db, id);
    const label = `${p.season} ${p.entry}`;
    try {
      deleteProgram(app.db, request.actor, id, formVersion((request.body ?? {}) as FormBody));
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const ctx = pageContext(request, reply);
      const blocked = (
        <DeleteBlocked
          what={`the program “${label}”`}
          detail={error.message}
          backHref={`/programs/${id}`}
          links={[
            { href: `/prototypes?program_id=${id}`, label: 'Prototypes serving it' },
            { href: `/test-runs?program_id=${id}`, label: 'Its test runs' },
            { href: `/technologies?origin_program_id=${id}`, label: 'Technologies originating in it' },
          ]}
        />
      );
      return renderPage(
        request,
        reply,
        ctx,
        { title: `Cannot delete ${label}`, status: 409, breadcrumbs: [LIST_CRUMB, { label, href: `/programs/${id}` }, { label: 'Delete' }] },
        blocked,
        blocked,
      );
    }
    return seeOther(request, reply, '/programs', `Program “${label}” deleted.`);
  });
}
