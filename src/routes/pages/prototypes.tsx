// Prototype pages: list, detail (with its latest runs), new, edit, delete, through the same domain
// functions and schemas as the API.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csvFormatFromSchema, sendCsvList } from '../csv-export.js';
import type { Static } from 'typebox';
import type { Db } from '../../db.js';
import { changesSince } from '../../domain/audit.js';
import { ConflictError, StaleVersionError } from '../../domain/errors.js';
import { createPrototype, deletePrototype, getPrototype, listPrototypes, updatePrototype, type Prototype } from '../../domain/prototypes.js';
import { programLabelsById } from '../../domain/programs.js';
import { listRoadModels } from '../../domain/road-models.js';
import { listTestRuns } from '../../domain/test-runs.js';
import { IdParams } from '../../schemas/common.js';
import { PrototypeCreate, PrototypeListQuery, PrototypePatch, Prototype as PrototypeSchema } from '../../schemas/prototypes.js';
import { DeleteConfirm } from '../../../views/components/common.js';
import { DeleteBlocked } from '../../../views/pages/programs/program-pages.js';
import {
  PrototypeDetailPage,
  PrototypeForm,
  PrototypeListPage,
  PrototypeResults,
  PrototypeRowsFragment,
  type PrototypeFormProps,
  type PrototypeFormValues,
  type PrototypeLookups,
} from '../../../views/pages/prototypes/prototype-pages.js';
import { domainErrorToForm, formToInput, validateInput, type FormBody } from './forms.js';
import { allOf, dropEmptyQuery, formVersion } from './programs.js';
import { pageContext, renderPage, seeOther } from './render.js';

const LIST_CRUMB = { label: 'Prototypes', href: '/prototypes' };

function lookups(db: Db): PrototypeLookups {
  return {
    programLabels: programLabelsById(db),
    roadModelNames: new Map(allOf((q) => listRoadModels(db, q)).map((m) => [m.id, m.name])),
  };
}

/** The form's values as typed, so a refused form shows them again. */
function typedValues(body: FormBody): PrototypeFormValues {
  const text = (name: string) => {
    const v = body[name];
    return Array.isArray(v) ? v[v.length - 1] : v;
  };
  const programs = body.program_ids;
  return {
    code: text('code'),
    name: text('name'),
    kind: text('kind'),
    hardware_revision: text('hardware_revision'),
    road_model_id: text('road_model_id'),
    program_ids: (Array.isArray(programs) ? programs : programs === undefined ? [] : [programs]).filter((v) => v !== ''),
    notes: text('notes'),
  };
}

function title(p: Pick<Prototype, 'code'>): string {
  return `Edit prototype ${p.code}`;
}

export async function prototypesPages(app: FastifyInstance) {
  app.addHook('preValidation', dropEmptyQuery);

  app.get('/prototypes', { schema: { querystring: PrototypeListQuery, hide: true } }, async (request, reply) => {
    const query = request.query as Static<typeof PrototypeListQuery>;
    if (query.format === 'csv') return sendCsvList(reply, 'prototypes', query, (q) => listPrototypes(app.db, q), csvFormatFromSchema(PrototypeSchema));
    const page = listPrototypes(app.db, query);
    const ctx = pageContext(request, reply);
    const props = { query: ctx.query, rows: page.items, nextCursor: page.next_cursor, lookups: lookups(app.db) };
    const fragment = query.cursor ? <PrototypeRowsFragment {...props} /> : <PrototypeResults {...props} />;
    return renderPage(request, reply, ctx, { title: 'Prototypes' }, <PrototypeListPage {...props} />, fragment);
  });

  function renderForm(
    request: FastifyRequest,
    reply: FastifyReply,
    props: Omit<PrototypeFormProps, 'csrfToken' | 'lookups'>,
    heading: string,
    status?: number,
    crumbs: { label: string; href?: string }[] = [],
  ) {
    const ctx = pageContext(request, reply);
    const form = <PrototypeForm {...props} lookups={lookups(app.db)} csrfToken={ctx.csrfToken} />;
    return renderPage(request, reply, ctx, { title: heading, status, breadcrumbs: [LIST_CRUMB, ...crumbs, { label: heading }] }, (
      <>
        <h1 safe>{heading}</h1>
        {form}
      </>
    ), form);
  }

  app.get('/prototypes/new', async (request, reply) => {
    const preset = (request.query as Record<string, string | undefined>).program_id;
    return renderForm(
      request,
      reply,
      { action: '/prototypes', values: { program_ids: preset ? [preset] : [] }, errors: {}, submitLabel: 'Create prototype', cancelHref: '/prototypes' },
      'New prototype',
    );
  });

  app.post('/prototypes', async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const input = formToInput(PrototypeCreate, body);
    const values = typedValues(body);
    const errors = validateInput(PrototypeCreate, input);
    const base = { action: '/prototypes', values, submitLabel: 'Create prototype', cancelHref: '/prototypes' };
    if (Object.keys(errors).length) return renderForm(request, reply, { ...base, errors }, 'New prototype', 422);
    try {
      const created = createPrototype(app.db, request.actor, input as Static<typeof PrototypeCreate>);
      return seeOther(request, reply, `/prototypes/${created.id}`, `Prototype “${created.code}” created.`);
    } catch (error) {
      const refused = domainErrorToForm(error);
      return renderForm(request, reply, { ...base, errors: refused.errors, general: refused.general }, 'New prototype', refused.status === 409 ? 409 : 422);
    }
  });

  app.get('/prototypes/:id', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const prototype = getPrototype(app.db, id);
    const runs = listTestRuns(app.db, { prototype_id: id, limit: 20 });
    const ctx = pageContext(request, reply);
    return renderPage(
      request,
      reply,
      ctx,
      { title: prototype.code, breadcrumbs: [LIST_CRUMB, { label: prototype.code }] },
      <PrototypeDetailPage prototype={prototype} lookups={lookups(app.db)} runs={runs.items} moreRuns={runs.next_cursor !== null} />,
    );
  });

  app.get('/prototypes/:id/edit', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const p = getPrototype(app.db, id);
    return renderForm(
      request,
      reply,
      { action: `/prototypes/${id}`, values: { ...p }, errors: {}, submitLabel: 'Save changes', cancelHref: `/prototypes/${id}` },
      title(p),
      undefined,
      [{ label: p.code, href: `/prototypes/${id}` }],
    );
  });

  app.post('/prototypes/:id', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const current = getPrototype(app.db, id);
    const body = (request.body ?? {}) as FormBody;
    const version = formVersion(body);
    const input = formToInput(PrototypePatch, body);
    const values = { ...typedValues(body), version };
    const base = { action: `/prototypes/${id}`, submitLabel: 'Save changes', cancelHref: `/prototypes/${id}` };
    const crumbs = [{ label: current.code, href: `/prototypes/${id}` }];
    const errors = validateInput(PrototypePatch, input);
    if (Object.keys(errors).length) return renderForm(request, reply, { ...base, values, errors }, title(current), 422, crumbs);
    try {
      const updated = updatePrototype(app.db, request.actor, id, version, input as Static<typeof PrototypePatch>);
      return seeOther(request, reply, `/prototypes/${id}`, `Prototype “${updated.code}” saved.`);
    } catch (error) {
      if (error instanceof StaleVersionError) {
        const stale = changesSince(app.db, 'prototype', id, version ?? 0);
        return renderForm(request, reply, { ...base, values: { ...values, version: current.version }, errors: {}, stale }, title(current), 409, crumbs);
      }
      const refused = domainErrorToForm(error);
      return renderForm(request, reply, { ...base, values, errors: refused.errors, general: refused.general }, title(current), refused.status === 409 ? 409 : 422, crumbs);
    }
  });

  app.get('/prototypes/:id/delete', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const p = getPrototype(app.db, id);
    const ctx = pageContext(request, reply);
    return renderPage(
      request,
      reply,
      ctx,
      { title: `Delete ${p.code}`, breadcrumbs: [LIST_CRUMB, { label: p.code, href: `/prototypes/${id}` }, { label: 'Delete' }] },
      <DeleteConfirm what={`the prototype “${p.code}”`} action={`/prototypes/${id}/delete`} cancelHref={`/prototypes/${id}`} csrfToken={ctx.csrfToken} version={p.version} />,
    );
  });

  app.post('/prototypes/:id/delete', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const p = getPrototype(app.db, id);
    try {
      deletePrototype(app.db, request.actor, id, formVersion((request.body ?? {}) as FormBody));
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const ctx = pageContext(request, reply);
      const blocked = (
        <DeleteBlocked
          what={`the prototype “${p.code}”`}
          detail={error.message}
          backHref={`/prototypes/${id}`}
          links={[{ href: `/test-runs?prototype_id=${id}`, label: 'Its test runs' }]}
        />
      );
      return renderPage(
        request,
        reply,
        ctx,
        { title: `Cannot delete ${p.code}`, status: 409, breadcrumbs: [LIST_CRUMB, { label: p.code, href: `/prototypes/${id}` }, { label: 'Delete' }] },
        blocked,
        blocked,
      );
    }
    return seeOther(request, reply, '/prototypes', `Prototype “${p.code}” deleted.`);
  });
}
