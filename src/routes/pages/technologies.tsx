// Technology pages: list, detail (derivations both ways, evidence runs, transfers), new, edit,
// delete, through the same domain functions and schemas as the API.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csvFormatFromSchema, sendCsvList } from '../csv-export.js';
import { and, count, eq, inArray } from 'drizzle-orm';
import type { Static } from 'typebox';
import { evidence, technologies, test_runs } from '../../../db/schema.js';
import type { Db } from '../../db.js';
import { changesSince } from '../../domain/audit.js';
import { ConflictError, RuleViolationError, StaleVersionError } from '../../domain/errors.js';
import { programLabelsById } from '../../domain/programs.js';
import { listRoadModels } from '../../domain/road-models.js';
import {
  ancestorIds,
  createTechnology,
  deleteTechnology,
  descendantIds,
  getTechnology,
  listTechnologies,
  updateTechnology,
  type Technology,
} from '../../domain/technologies.js';
import { listTechnologyCategories } from '../../domain/technology-categories.js';
import { listTestRuns } from '../../domain/test-runs.js';
import { listTransfers } from '../../domain/transfers.js';
import { IdParams } from '../../schemas/common.js';
import { TechnologyCreate, TechnologyListQuery, TechnologyPatch, Technology as TechnologySchema } from '../../schemas/technologies.js';
import { DeleteConfirm } from '../../../views/components/common.js';
import { DeleteBlocked } from '../../../views/pages/programs/program-pages.js';
import {
  TechnologyDetailPage,
  TechnologyForm,
  TechnologyListPage,
  TechnologyResults,
  TechnologyRowsFragment,
  type OutcomeCounts,
  type ParentChoice,
  type TechnologyFormProps,
  type TechnologyFormValues,
  type TechnologyLookups,
} from '../../../views/pages/technologies/technology-pages.js';
import { domainErrorToForm, formToInput, validateInput, type FieldErrors, type FormBody } from './forms.js';
import { allOf, dropEmptyQuery, formVersion } from './programs.js';
import { pageContext, renderPage, seeOther } from './render.js';

const LIST_CRUMB = { label: 'Technologies', href: '/technologies' };

function lookups(db: Db): TechnologyLookups {
  return {
    categoryNames: new Map(allOf((q) => listTechnologyCategories(db, q)).map((c) => [c.id, c.name])),
    programLabels: programLabelsById(db),
  };
}

/** Every other technology, for the derives-from list; the edited one's descendants are marked. */
function parentChoices(db: Db, categoryNames: Map<number, string>, self?: number): ParentChoice[] {
  const below = new Set(self === undefined ? [] : descendantIds(db, self));
  return allOf((q) => listTechnologies(db, q))
    .filter((t) => t.id !== self)
    .map((t) => ({ id: t.id, name: t.name, category: categoryNames.get(t.category_id) ?? `Category ${t.category_id}`, descendant: below.has(t.id) }))
    .sort((a, b) => a.category.localeCompare(b.category) || a.name.localeCompare(b.name));
}

/** The form's values as typed, so a refused form shows them again. */
function typedValues(body: FormBody): TechnologyFormValues {
  const text = (name: string) => {
    const v = body[name];
    return Array.isArray(v) ? v[v.length - 1] : v;
  };
  const parents = body.derived_from;
  return {
    name: text('name'),
    domain: text('domain'),
    category_id: text('category_id'),
    origin_program_id: text('origin_program_id'),
    owner: text('owner'),
    description: text('description'),
    derived_from: (Array.isArray(parents) ? parents : parents === undefined ? [] : [parents]).filter((v) => v !== ''),
  };
}

/**
 * A refusal as the form shows it: every message about one of the parents (`derived_from.3`) goes
 * next to the derives-from list as one message, with the rule id when a rule (DER-1) refused it.
 */
function refusalToForm(error: unknown): { errors: FieldErrors; general?: string | undefined; status: number } {
  const refused = domainErrorToForm(error);
  const errors: FieldErrors = {};
  const parentMessages: string[] = [];
  for (const [field, message] of Object.entries(refused.errors)) {
    if (field === 'derived_from' || field.startsWith('derived_from.')) parentMessages.push(message);
    else errors[field] = message;
  }
  const rule = error instanceof RuleViolationError ? error.rule : undefined;
  if (parentMessages.length) errors.derived_from = `${rule ? `${rule}: ` : ''}${[...new Set(parentMessages)].join('; ')}`;
  // The rule's message already stands next to its field; repeat it on top only when it does not.
  const general = rule && parentMessages.length ? undefined : refused.general;
  return { errors, general, status: refused.status === 409 ? 409 : 422 };
}

function outcomeCounts(db: Db, technologyId: number): OutcomeCounts {
  // Passed and failed only ever mean an outcome on a completed run (DESIGN §2, EVD-1).
  const rows = db.orm
    .select({ outcome: evidence.outcome, n: count() })
    .from(evidence)
    .innerJoin(test_runs, eq(test_runs.id, evidence.test_run_id))
    .where(and(eq(evidence.technology_id, technologyId), eq(test_runs.status, 'completed')))
    .groupBy(evidence.outcome)
    .all();
  const counts: OutcomeCounts = { pass: 0, fail: 0, inconclusive: 0 };
  for (const r of rows) if (r.outcome in counts) counts[r.outcome as keyof OutcomeCounts] = r.n;
  return counts;
}

function namesOf(db: Db, ids: number[]): Map<number, string> {
  if (ids.length === 0) return new Map();
  const rows = db.orm.select({ id: technologies.id, name: technologies.name }).from(technologies).where(inArray(technologies.id, ids)).all();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function technologiesPages(app: FastifyInstance) {
  app.addHook('preValidation', dropEmptyQuery);

  app.get('/technologies', { schema: { querystring: TechnologyListQuery, hide: true } }, async (request, reply) => {
    const query = request.query as Static<typeof TechnologyListQuery>;
    if (query.format === 'csv') return sendCsvList(reply, 'technologies', query, (q) => listTechnologies(app.db, q), csvFormatFromSchema(TechnologySchema));
    const page = listTechnologies(app.db, query);
    const ctx = pageContext(request, reply);
    const props = { query: ctx.query, rows: page.items, nextCursor: page.next_cursor, lookups: lookups(app.db) };
    const fragment = query.cursor ? <TechnologyRowsFragment {...props} /> : <TechnologyResults {...props} />;
    return renderPage(request, reply, ctx, { title: 'Technologies' }, <TechnologyListPage {...props} />, fragment);
  });

  function renderForm(
    request: FastifyRequest,
    reply: FastifyReply,
    props: Omit<TechnologyFormProps, 'csrfToken' | 'lookups' | 'parents'>,
    heading: string,
    options: { status?: number; self?: number; crumbs?: { label: string; href?: string }[] } = {},
  ) {
    const ctx = pageContext(request, reply);
    const found = lookups(app.db);
    const form = <TechnologyForm {...props} lookups={found} parents={parentChoices(app.db, found.categoryNames, options.self)} csrfToken={ctx.csrfToken} />;
    return renderPage(
      request,
      reply,
      ctx,
      { title: heading, status: options.status, breadcrumbs: [LIST_CRUMB, ...(options.crumbs ?? []), { label: heading }] },
      <>
        <h1 safe>{heading}</h1>
        {form}
      </>,
      form,
    );
  }

  app.get('/technologies/new', async (request, reply) => {
    const preset = request.query as Record<string, string | undefined>;
    const values: TechnologyFormValues = {
      category_id: preset.category_id,
      origin_program_id: preset.origin_program_id,
      derived_from: preset.derived_from ? [preset.derived_from] : [],
    };
    return renderForm(request, reply, { action: '/technologies', values, errors: {}, submitLabel: 'Create technology', cancelHref: '/technologies' }, 'New technology');
  });

  app.post('/technologies', async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const input = formToInput(TechnologyCreate, body);
    const values = typedValues(body);
    const base = { action: '/technologies', values, submitLabel: 'Create technology', cancelHref: '/technologies' };
    const errors = validateInput(TechnologyCreate, input);
    if (Object.keys(errors).length) return renderForm(request, reply, { ...base, errors }, 'New technology', { status: 422 });
    try {
      const created = createTechnology(app.db, request.actor, input as Static<typeof TechnologyCreate>);
      return seeOther(request, reply, `/technologies/${created.id}`, `Technology “${created.name}” created.`);
    } catch (error) {
      const refused = refusalToForm(error);
      return renderForm(request, reply, { ...base, errors: refused.errors, general: refused.general }, 'New technology', { status: refused.status });
    }
  });

  app.get('/technologies/:id', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const technology = getTechnology(app.db, id);
    const children = listTechnologies(app.db, { derived_from: id, limit: 50 });
    const runs = listTestRuns(app.db, { technology_id: id, limit: 10 });
    const feeds = listTransfers(app.db, { technology_id: id, limit: 50, sort: '-updated_at' });
    const roadModelNames = new Map(allOf((q) => listRoadModels(app.db, q)).map((m) => [m.id, m.name]));
    const childIds = children.items.map((c) => c.id);
    const ctx = pageContext(request, reply);
    return renderPage(
      request,
      reply,
      ctx,
      { title: technology.name, breadcrumbs: [LIST_CRUMB, { label: technology.name }] },
      <TechnologyDetailPage
        technology={technology}
        lookups={lookups(app.db)}
        names={namesOf(app.db, [...technology.derived_from, ...childIds])}
        children={childIds}
        moreChildren={children.next_cursor !== null}
        ancestorCount={ancestorIds(app.db, id).length}
        descendantCount={descendantIds(app.db, id).length}
        runs={runs.items}
        moreRuns={runs.next_cursor !== null}
        counts={outcomeCounts(app.db, id)}
        transfers={feeds.items}
        moreTransfers={feeds.next_cursor !== null}
        roadModelNames={roadModelNames}
      />,
    );
  });

  function editCrumbs(t: Pick<Technology, 'id' | 'name'>) {
    return [{ label: t.name, href: `/technologies/${t.id}` }];
  }

  app.get('/technologies/:id/edit', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const t = getTechnology(app.db, id);
    return renderForm(
      request,
      reply,
      { action: `/technologies/${id}`, values: { ...t }, errors: {}, submitLabel: 'Save changes', cancelHref: `/technologies/${id}` },
      `Edit ${t.name}`,
      { self: id, crumbs: editCrumbs(t) },
    );
  });

  app.post('/technologies/:id', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const current = getTechnology(app.db, id);
    const body = (request.body ?? {}) as FormBody;
    const version = formVersion(body);
    const input = formToInput(TechnologyPatch, body);
    const values = { ...typedValues(body), version };
    const base = { action: `/technologies/${id}`, submitLabel: 'Save changes', cancelHref: `/technologies/${id}` };
    const heading = `Edit ${current.name}`;
    const options = { self: id, crumbs: editCrumbs(current) };
    const errors = validateInput(TechnologyPatch, input);
    if (Object.keys(errors).length) return renderForm(request, reply, { ...base, values, errors }, heading, { ...options, status: 422 });
    try {
      const updated = updateTechnology(app.db, request.actor, id, version, input as Static<typeof TechnologyPatch>);
      return seeOther(request, reply, `/technologies/${id}`, `Technology “${updated.name}” saved.`);
    } catch (error) {
      if (error instanceof StaleVersionError) {
        const stale = changesSince(app.db, 'technology', id, version ?? 0);
        return renderForm(request, reply, { ...base, values: { ...values, version: current.version }, errors: {}, stale }, heading, { ...options, status: 409 });
      }
      const refused = refusalToForm(error);
      return renderForm(request, reply, { ...base, values, errors: refused.errors, general: refused.general }, heading, { ...options, status: refused.status });
    }
  });

  app.get('/technologies/:id/delete', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const t = getTechnology(app.db, id);
    const ctx = pageContext(request, reply);
    return renderPage(
      request,
      reply,
      ctx,
      { title: `Delete ${t.name}`, breadcrumbs: [LIST_CRUMB, ...editCrumbs(t), { label: 'Delete' }] },
      <DeleteConfirm what={`the technology “${t.name}”`} action={`/technologies/${id}/delete`} cancelHref={`/technologies/${id}`} csrfToken={ctx.csrfToken} version={t.version} />,
    );
  });

  app.post('/technologies/:id/delete', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const t = getTechnology(app.db, id);
    try {
      deleteTechnology(app.db, request.actor, id, formVersion((request.body ?? {}) as FormBody));
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const ctx = pageContext(request, reply);
      const blocked = (
        <DeleteBlocked
          what={`the technology “${t.name}”`}
          detail={error.message}
          backHref={`/technologies/${id}`}
          links={[
            { href: `/technologies?derived_from=${id}`, label: 'Technologies deriving from it' },
            { href: `/test-runs?technology_id=${id}`, label: 'Test runs holding evidence for it' },
            { href: `/transfers?technology_id=${id}`, label: 'Its transfers to road models' },
          ]}
        />
      );
      return renderPage(
        request,
        reply,
        ctx,
        { title: `Cannot delete ${t.name}`, status: 409, breadcrumbs: [LIST_CRUMB, ...editCrumbs(t), { label: 'Delete' }] },
        blocked,
        blocked,
      );
    }
    return seeOther(request, reply, '/technologies', `Technology “${t.name}” deleted.`);
  });
}
