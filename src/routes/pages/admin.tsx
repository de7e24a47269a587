// /admin (admin role only): users, technology categories, markets, plan targets, and a backup
// download. Every route here checks the role itself, reads included; the auth plugin also checks
// each write against src/domain/permissions.ts.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { count } from 'drizzle-orm';
import type { Static, TSchema } from 'typebox';
import { technologies } from '../../../db/schema.js';
import type { Db } from '../../db.js';
import type { Actor } from '../../domain/actor.js';
import { changesSince } from '../../domain/audit.js';
import { backupFileName, backupTo } from '../../domain/backup.js';
import { ConflictError, InvalidInputError, StaleVersionError } from '../../domain/errors.js';
import { createMarket, deleteMarket, getMarket, listMarkets, updateMarket, type Market } from '../../domain/markets.js';
import { createPlanTarget, deletePlanTarget, getPlanTarget, listPlanTargets, updatePlanTarget, type PlanTarget } from '../../domain/plan-targets.js';
import {
  createTechnologyCategory,
  deleteTechnologyCategory,
  getTechnologyCategory,
  listTechnologyCategories,
  updateTechnologyCategory,
  type TechnologyCategory,
} from '../../domain/technology-categories.js';
import { listTokens, tokenState } from '../../domain/tokens.js';
import { createUser, getUser, listUsers, setPassword, updateUser, type PublicUser, type Role } from '../../domain/users.js';
import { HttpProblem, problem } from '../../plugins/problems.js';
import { IdParams } from '../../schemas/common.js';
import { MarketCreate, MarketPatch } from '../../schemas/markets.js';
import { PlanTargetCreate, PlanTargetPatch } from '../../schemas/plan-targets.js';
import { TechnologyCategoryCreate, TechnologyCategoryPatch } from '../../schemas/technology-categories.js';
import { DeleteConfirm } from '../../../views/components/common.js';
import { ErrorSummary } from '../../../views/components/forms.js';
import { AdminFrame, AdminIndexPage } from '../../../views/pages/admin/admin-index.js';
import {
  CategoriesTable,
  CategoryFields,
  LookupForm,
  LookupListPage,
  MarketFields,
  MarketsTable,
  PlanTargetFields,
  PlanTargetsTable,
  type LookupFieldsProps,
  type LookupValues,
} from '../../../views/pages/admin/lookups-pages.js';
import {
  NewUserForm,
  ResetPasswordForm,
  UserDetailPage,
  UserProfileForm,
  UsersListPage,
  type NewUserValues,
  type UserDetailProps,
  type UserProfileValues,
} from '../../../views/pages/admin/users-pages.js';
import { domainErrorToForm, formToInput, problemsToFields, validateInput, type FieldErrors, type FormBody } from './forms.js';
import { allOf, formVersion } from './programs.js';
import { pageContext, renderPage, seeOther } from './render.js';

const ADMIN_CRUMB = { label: 'Administration', href: '/admin' };

function field(body: FormBody, name: string): string {
  const v = body[name];
  return (Array.isArray(v) ? v[v.length - 1] : v) ?? '';
}

function list(body: FormBody, name: string): string[] {
  const v = body[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x) => x !== '');
}

/** One admin lookup (categories, markets, plan targets): the same list/new/edit/delete pages. */
interface LookupSpec<T extends { id: number; version: number }> {
  base: string;
  /** Audit entity, for the stale-edit notice. */
  entity: string;
  title: string;
  subtitle: string;
  singular: string;
  createSchema: TSchema;
  patchSchema: TSchema;
  list(db: Db): T[];
  get(db: Db, id: number): T;
  create(db: Db, actor: Actor, input: never): T;
  update(db: Db, actor: Actor, id: number, version: number | undefined, patch: never): T;
  remove(db: Db, actor: Actor, id: number, version: number | undefined): void;
  label(item: T): string;
  /** An item's values for its edit form. */
  values(item: T): LookupValues;
  /** A form post's values as typed, and the typed input for the schema. */
  fromBody(body: FormBody, schema: TSchema): { values: LookupValues; input: Record<string, unknown> };
  fields(props: LookupFieldsProps): JSX.Element;
  table(db: Db, rows: T[]): JSX.Element;
}

const categorySpec: LookupSpec<TechnologyCategory> = {
  base: '/admin/categories',
  entity: 'technology_category',
  title: 'Technology categories',
  subtitle: 'Groups of technologies, each with the venue types that count as a relevant environment (TRL-6)',
  singular: 'technology category',
  createSchema: TechnologyCategoryCreate,
  patchSchema: TechnologyCategoryPatch,
  list: (db) => allOf((q) => listTechnologyCategories(db, q)),
  get: getTechnologyCategory,
  create: createTechnologyCategory as LookupSpec<TechnologyCategory>['create'],
  update: updateTechnologyCategory as LookupSpec<TechnologyCategory>['update'],
  remove: deleteTechnologyCategory,
  label: (c) => c.name,
  values: (c) => ({ name: c.name, description: c.description, venue_types: c.venue_types }),
  fromBody: (body, schema) => {
    const venue_types = list(body, 'venue_types');
    // An unticked set sends nothing at all: the form always means "exactly these".
    const input = { ...formToInput(schema, body), venue_types };
    return { values: { name: field(body, 'name'), description: field(body, 'description'), venue_types }, input };
  },
  fields: (p) => <CategoryFields {...p} />,
  table: (db, rows) => {
    const usage = new Map(
      db.orm
        .select({ id: technologies.category_id, n: count() })
        .from(technologies)
        .groupBy(technologies.category_id)
        .all()
        .map((r) => [r.id, r.n]),
    );
    return <CategoriesTable rows={rows} usage={usage} />;
  },
};

const marketSpec: LookupSpec<Market> = {
  base: '/admin/markets',
  entity: 'market',
  title: 'Markets',
  subtitle: 'Sales markets road models plan units in',
  singular: 'market',
  createSchema: MarketCreate,
  patchSchema: MarketPatch,
  list: (db) => allOf((q) => listMarkets(db, q)),
  get: getMarket,
  create: createMarket as LookupSpec<Market>['create'],
  update: updateMarket as LookupSpec<Market>['update'],
  remove: deleteMarket,
  label: (m) => m.code,
  values: (m) => ({ code: m.code, name: m.name }),
  fromBody: (body, schema) => {
    const code = field(body, 'code').trim().toUpperCase();
    const input = formToInput(schema, { ...body, code });
    return { values: { code, name: field(body, 'name') }, input };
  },
  fields: (p) => <MarketFields {...p} />,
  table: (_db, rows) => <MarketsTable rows={rows} />,
};

const PLAN_FIELDS = ['year', 'model_count_target', 'units_target', 'outside_japan_share_min', 'outside_japan_share_max', 'notes'] as const;

const planTargetSpec: LookupSpec<PlanTarget> = {
  base: '/admin/plan-targets',
  entity: 'plan_target',
  title: 'Plan targets',
  subtitle: 'The Nismo line-up plan: models, units and growth outside Japan per year (PLAN-1)',
  singular: 'plan target',
  createSchema: PlanTargetCreate,
  patchSchema: PlanTargetPatch,
  list: (db) => allOf((q) => listPlanTargets(db, q)),
  get: getPlanTarget,
  create: createPlanTarget as LookupSpec<PlanTarget>['create'],
  update: updatePlanTarget as LookupSpec<PlanTarget>['update'],
  remove: deletePlanTarget,
  label: (p) => String(p.year),
  values: (p) => ({
    year: p.year,
    model_count_target: p.model_count_target,
    units_target: p.units_target,
    outside_japan_share_min: p.outside_japan_share_min ?? undefined,
    outside_japan_share_max: p.outside_japan_share_max ?? undefined,
    notes: p.notes,
  }),
  fromBody: (body, schema) => ({
    values: Object.fromEntries(PLAN_FIELDS.map((f) => [f, field(body, f)])),
    input: formToInput(schema, body),
  }),
  fields: (p) => <PlanTargetFields {...p} />,
  table: (_db, rows) => <PlanTargetsTable rows={rows} />,
};

export async function adminPages(app: FastifyInstance) {
  // Admins only, reads too: the auth plugin refuses everyone else (isAdminOnlyPath).

  app.get('/admin', async (request, reply) => {
    const users = listUsers(app.db);
    const ctx = pageContext(request, reply);
    const counts = {
      users: users.length,
      disabledUsers: users.filter((u) => u.disabled).length,
      categories: categorySpec.list(app.db).length,
      markets: marketSpec.list(app.db).length,
      planTargets: planTargetSpec.list(app.db).length,
    };
    return renderPage(request, reply, ctx, { title: 'Administration', breadcrumbs: [{ label: 'Administration' }] }, <AdminIndexPage counts={counts} />);
  });

  app.get('/admin/backup', async (request, reply) => {
    const name = backupFileName();
    const dir = path.join(app.config.dataDir, 'backups');
    const result = await backupTo(app.db, app.config.dataDir, path.join(dir, `.download-${randomBytes(6).toString('hex')}.db`));
    request.log.info({ event: 'backup-download', username: request.auth.user?.username, bytes: result.bytes }, 'backup downloaded');
    const stream = fs.createReadStream(result.file);
    // The file is only the vehicle of this download: gone once sent (or the client went away).
    stream.once('close', () => fs.rm(result.file, { force: true }, () => undefined));
    return reply
      .header('content-type', 'application/vnd.sqlite3')
      .header('content-disposition', `attachment; filename="${name}"`)
      .header('content-length', String(result.bytes))
      .send(stream);
  });

  registerUsers(app);
  for (const spec of [categorySpec, marketSpec, planTargetSpec] as LookupSpec<{ id: number; version: number }>[]) registerLookup(app, spec);
}

// --- users --------------------------------------------------------------------------------------

const USERS_CRUMB = { label: 'Users', href: '/admin/users' };

function registerUsers(app: FastifyInstance) {
  const selfId = (request: FastifyRequest) => request.auth.user?.id;

  app.get('/admin/users', async (request, reply) => {
    const ctx = pageContext(request, reply);
    return renderPage(request, reply, ctx, { title: 'Users', breadcrumbs: [ADMIN_CRUMB, { label: 'Users' }] }, <UsersListPage users={listUsers(app.db)} currentUserId={selfId(request) ?? 0} />);
  });

  function renderNew(request: FastifyRequest, reply: FastifyReply, values: NewUserValues, errors: FieldErrors, general?: string, status?: number) {
    const ctx = pageContext(request, reply);
    const form = <NewUserForm csrfToken={ctx.csrfToken} values={values} errors={errors} general={general} />;
    return renderPage(request, reply, ctx, { title: 'Add user', status, breadcrumbs: [ADMIN_CRUMB, USERS_CRUMB, { label: 'Add user' }] }, (
      <AdminFrame title="Add user" current="/admin/users">
        {form}
      </AdminFrame>
    ), form);
  }

  app.get('/admin/users/new', async (request, reply) => renderNew(request, reply, {}, {}));

  app.post('/admin/users', async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const values: NewUserValues = { username: field(body, 'username').trim().toLowerCase(), display_name: field(body, 'display_name'), role: field(body, 'role') };
    try {
      const user = createUser(app.db, { username: values.username!, display_name: values.display_name, role: values.role as Role, password: field(body, 'password') }, request.actor);
      return seeOther(request, reply, `/admin/users/${user.id}`, `User ${user.username} added as ${user.role}.`);
    } catch (error) {
      const refused = domainErrorToForm(error);
      return renderNew(request, reply, values, refused.errors, refused.general, refused.status === 409 ? 409 : 422);
    }
  });

  interface DetailOptions {
    profile?: UserDetailProps['profile'];
    password?: UserDetailProps['password'];
    part?: 'profile' | 'password';
    status?: number;
  }

  function renderDetail(request: FastifyRequest, reply: FastifyReply, user: PublicUser, options: DetailOptions = {}) {
    const ctx = pageContext(request, reply);
    const props: UserDetailProps = {
      user,
      self: user.id === selfId(request),
      activeTokens: listTokens(app.db, user.id).filter((t) => tokenState(t) === 'active').length,
      csrfToken: ctx.csrfToken,
      profile: options.profile ?? { values: { display_name: user.display_name, role: user.role, version: user.version }, errors: {} },
      password: options.password ?? { errors: {} },
    };
    const fragment =
      options.part === 'profile' ? (
        <UserProfileForm user={user} self={props.self} csrfToken={ctx.csrfToken} {...props.profile} />
      ) : options.part === 'password' ? (
        <ResetPasswordForm user={user} csrfToken={ctx.csrfToken} {...props.password} />
      ) : undefined;
    return renderPage(
      request,
      reply,
      ctx,
      { title: user.username, status: options.status, breadcrumbs: [ADMIN_CRUMB, USERS_CRUMB, { label: user.username }] },
      <UserDetailPage {...props} />,
      fragment,
    );
  }

  app.get('/admin/users/:id', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    return renderDetail(request, reply, getUser(app.db, id));
  });

  app.post('/admin/users/:id', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const current = getUser(app.db, id);
    const body = (request.body ?? {}) as FormBody;
    const version = formVersion(body);
    const self = id === selfId(request);
    const values: UserProfileValues = { display_name: field(body, 'display_name'), role: self ? current.role : field(body, 'role'), version };
    const refuse = (errors: FieldErrors, general?: string, status = 422) =>
      renderDetail(request, reply, current, { profile: { values, errors, general }, part: 'profile', status });
    if (self && body.role !== undefined && field(body, 'role') !== current.role) {
      return refuse({ role: 'you cannot change your own role: ask another admin' });
    }
    try {
      const updated = updateUser(app.db, request.actor, id, version, {
        display_name: values.display_name,
        ...(self ? {} : { role: values.role as Role }),
      });
      return seeOther(request, reply, `/admin/users/${id}`, `User ${updated.username} saved (${updated.role}).`);
    } catch (error) {
      if (error instanceof StaleVersionError) {
        const stale = changesSince(app.db, 'user', id, version ?? 0);
        return renderDetail(request, reply, current, { profile: { values: { ...values, version: current.version }, errors: {}, stale }, part: 'profile', status: 409 });
      }
      const refused = domainErrorToForm(error);
      return refuse(refused.errors, refused.general, refused.status === 409 ? 409 : 422);
    }
  });

  for (const action of ['disable', 'enable'] as const) {
    app.post(`/admin/users/:id/${action}`, { schema: { params: IdParams, hide: true } }, async (request, reply) => {
      const { id } = request.params as Static<typeof IdParams>;
      const user = getUser(app.db, id);
      if (id === selfId(request)) {
        throw new HttpProblem(problem('forbidden', 'You cannot disable or enable your own account: ask another admin.'));
      }
      updateUser(app.db, request.actor, id, undefined, { disabled: action === 'disable' });
      const flash =
        action === 'disable'
          ? `User ${user.username} disabled: every session of theirs has ended and their API tokens no longer work.`
          : `User ${user.username} enabled: they can sign in again.`;
      return seeOther(request, reply, `/admin/users/${id}`, flash);
    });
  }

  app.post('/admin/users/:id/password', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const user = getUser(app.db, id);
    const body = (request.body ?? {}) as FormBody;
    const next = field(body, 'new_password');
    const refuse = (errors: FieldErrors) => renderDetail(request, reply, user, { password: { errors }, part: 'password', status: 422 });
    if (!next) return refuse({ new_password: 'is required' });
    if (field(body, 'confirm_password') !== next) return refuse({ confirm_password: 'does not match the new password' });
    try {
      setPassword(app.db, request.actor, id, next);
    } catch (error) {
      if (error instanceof InvalidInputError) return refuse(problemsToFields(error.errors.map((e) => ({ ...e, path: e.path === '/password' ? '/new_password' : e.path }))));
      throw error;
    }
    // Resetting your own password ends your own session too.
    const to = id === selfId(request) ? '/login' : `/admin/users/${id}`;
    return seeOther(request, reply, to, `Password of ${user.username} reset: every session of theirs has ended.`);
  });
}

// --- lookups ------------------------------------------------------------------------------------

function registerLookup<T extends { id: number; version: number }>(app: FastifyInstance, spec: LookupSpec<T>) {
  const listCrumb = { label: spec.title, href: spec.base };

  app.get(spec.base, async (request, reply) => {
    const ctx = pageContext(request, reply);
    const table = spec.table(app.db, spec.list(app.db));
    return renderPage(request, reply, ctx, { title: spec.title, breadcrumbs: [ADMIN_CRUMB, { label: spec.title }] }, (
      <LookupListPage title={spec.title} subtitle={spec.subtitle} base={spec.base} newLabel={`Add ${spec.singular}`}>
        {table}
      </LookupListPage>
    ));
  });

  interface FormState {
    item?: T | undefined;
    values: LookupValues;
    errors: FieldErrors;
    general?: string | undefined;
    stale?: ReturnType<typeof changesSince> | undefined;
    version?: number | undefined;
  }

  function renderForm(request: FastifyRequest, reply: FastifyReply, state: FormState, status?: number) {
    const ctx = pageContext(request, reply);
    const item = state.item;
    const title = item ? `Edit ${spec.singular} ${spec.label(item)}` : `Add ${spec.singular}`;
    const fields = spec.fields({ values: state.values, errors: state.errors });
    const form = (
      <LookupForm
        action={item ? `${spec.base}/${item.id}` : spec.base}
        csrfToken={ctx.csrfToken}
        version={item ? (state.version ?? item.version) : undefined}
        errors={state.errors}
        general={state.general}
        stale={state.stale}
        submitLabel={item ? 'Save changes' : `Add ${spec.singular}`}
        cancelHref={spec.base}
        deleteHref={item ? `${spec.base}/${item.id}/delete` : undefined}
      >
        {fields}
      </LookupForm>
    );
    return renderPage(request, reply, ctx, { title, status, breadcrumbs: [ADMIN_CRUMB, listCrumb, { label: item ? spec.label(item) : 'Add' }] }, (
      <AdminFrame title={title} current={spec.base}>
        {form}
      </AdminFrame>
    ), form);
  }

  app.get(`${spec.base}/new`, async (request, reply) => renderForm(request, reply, { values: {}, errors: {} }));

  app.post(spec.base, async (request, reply) => {
    const { values, input } = spec.fromBody((request.body ?? {}) as FormBody, spec.createSchema);
    const errors = validateInput(spec.createSchema, input);
    if (Object.keys(errors).length) return renderForm(request, reply, { values, errors }, 422);
    try {
      const created = spec.create(app.db, request.actor, input as never);
      return seeOther(request, reply, spec.base, `${capitalize(spec.singular)} ${spec.label(created)} added.`);
    } catch (error) {
      const refused = domainErrorToForm(error);
      return renderForm(request, reply, { values, errors: refused.errors, general: refused.general }, refused.status === 409 ? 409 : 422);
    }
  });

  for (const suffix of ['', '/edit']) {
    app.get(`${spec.base}/:id${suffix}`, { schema: { params: IdParams, hide: true } }, async (request, reply) => {
      const { id } = request.params as Static<typeof IdParams>;
      const item = spec.get(app.db, id);
      return renderForm(request, reply, { item, values: spec.values(item), errors: {} });
    });
  }

  app.post(`${spec.base}/:id`, { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const item = spec.get(app.db, id);
    const body = (request.body ?? {}) as FormBody;
    const version = formVersion(body);
    const { values, input } = spec.fromBody(body, spec.patchSchema);
    const errors = validateInput(spec.patchSchema, input);
    if (Object.keys(errors).length) return renderForm(request, reply, { item, values, errors, version }, 422);
    try {
      const updated = spec.update(app.db, request.actor, id, version, input as never);
      return seeOther(request, reply, spec.base, `${capitalize(spec.singular)} ${spec.label(updated)} saved.`);
    } catch (error) {
      if (error instanceof StaleVersionError) {
        const stale = changesSince(app.db, spec.entity, id, version ?? 0);
        return renderForm(request, reply, { item, values, errors: {}, stale, version: item.version }, 409);
      }
      const refused = domainErrorToForm(error);
      return renderForm(request, reply, { item, values, errors: refused.errors, general: refused.general, version }, refused.status === 409 ? 409 : 422);
    }
  });

  function renderDelete(request: FastifyRequest, reply: FastifyReply, item: T, blocked?: string) {
    const ctx = pageContext(request, reply);
    const what = `the ${spec.singular} “${spec.label(item)}”`;
    return renderPage(
      request,
      reply,
      ctx,
      { title: `Delete ${spec.label(item)}`, status: blocked ? 409 : undefined, breadcrumbs: [ADMIN_CRUMB, listCrumb, { label: spec.label(item), href: `${spec.base}/${item.id}/edit` }, { label: 'Delete' }] },
      <AdminFrame title={`Delete ${spec.singular}`} current={spec.base}>
        <ErrorSummary errors={{}} general={blocked ? `It cannot be deleted: ${blocked}` : undefined} />
        <DeleteConfirm what={what} action={`${spec.base}/${item.id}/delete`} cancelHref={spec.base} csrfToken={ctx.csrfToken} version={item.version} />
      </AdminFrame>,
    );
  }

  app.get(`${spec.base}/:id/delete`, { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    return renderDelete(request, reply, spec.get(app.db, id));
  });

  app.post(`${spec.base}/:id/delete`, { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const item = spec.get(app.db, id);
    try {
      spec.remove(app.db, request.actor, id, formVersion((request.body ?? {}) as FormBody));
    } catch (error) {
      if (error instanceof ConflictError) return renderDelete(request, reply, item, error.message);
      throw error;
    }
    return seeOther(request, reply, spec.base, `${capitalize(spec.singular)} ${spec.label(item)} deleted.`);
  });
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
