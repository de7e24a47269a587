// The audit pages: who changed what, by record, person and time. Every detail page links its
// own history here (`/audit?entity=<entity>&entity_id=<id>`).
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { listHistory, type AuditEvent } from '../../domain/audit.js';
import { listUsers } from '../../domain/users.js';
import { AuditQuery } from '../../schemas/audit.js';
import { historyQuery } from '../api/v1/audit.js';
import { humanize } from '../../../views/components/common.js';
import { recordLabel } from '../../../views/pages/audit/audit-diff.js';
import { AuditListPage, AuditResults, AuditRowsFragment, type RecordHref } from '../../../views/pages/audit/audit-pages.js';
import { pageContext, renderPage } from './render.js';

/** Where each kind of record has its page; `:id` is the record's id, `:technology_id` a field of it. */
const RECORD_PAGES: Record<string, string> = {
  series: '/series/:id',
  program: '/programs/:id',
  prototype: '/prototypes/:id',
  technology: '/technologies/:id',
  test_run: '/test-runs/:id',
  attachment: '/test-runs/:test_run_id',
  road_model: '/road-models/:id',
  transfer: '/transfers/:id',
  readiness_assessment: '/technologies/:technology_id',
  technology_category: '/admin/categories/:id',
  market: '/admin/markets/:id',
  plan_target: '/admin/plan-targets/:id',
  user: '/admin/users/:id',
  webhook: '/admin/webhooks/:id',
};

function fieldOf(snapshot: unknown, field: string): unknown {
  return snapshot && typeof snapshot === 'object' ? (snapshot as Record<string, unknown>)[field] : undefined;
}

export async function auditPages(app: FastifyInstance) {
  // Only link pages that exist in this build (admin pages may not be there).
  let pages: Map<string, string> | undefined;
  const pageOf = (event: AuditEvent): string | undefined => {
    pages ??= new Map(Object.entries(RECORD_PAGES).filter(([, pattern]) => app.hasRoute({ method: 'GET', url: pattern })));
    const pattern = pages.get(event.entity);
    if (!pattern) return undefined;
    let missing = false;
    const href = pattern.replace(/:(\w+)/g, (_m, name: string) => {
      const value = name === 'id' ? event.entity_id : (fieldOf(event.after, name) ?? fieldOf(event.before, name));
      if (typeof value !== 'string' && typeof value !== 'number') missing = true;
      return encodeURIComponent(String(value));
    });
    return missing ? undefined : href;
  };

  app.get('/audit', { schema: { querystring: AuditQuery, hide: true } }, async (request, reply) => {
    const query = request.query as Static<typeof AuditQuery>;
    // Administration pages are for admins: others see the record's name without a dead link.
    const isAdmin = request.auth.user?.role === 'admin';
    const recordHref: RecordHref = (event) => {
      const href = pageOf(event);
      return href?.startsWith('/admin/') && !isAdmin ? undefined : href;
    };
    const page = listHistory(app.db, historyQuery(app.db, query));
    const ctx = pageContext(request, reply);
    const props = {
      query: ctx.query,
      rows: page.items,
      nextCursor: page.next_cursor,
      recordHref,
      actors: listUsers(app.db).map((u) => u.username),
    };
    let title = 'Audit';
    let subtitle = 'Who changed what, newest first';
    let backHref: string | undefined;
    if (query.entity && query.entity_id) {
      const first = page.items[0];
      const label = (first && recordLabel(first.before, first.after)) ?? `#${query.entity_id}`;
      title = `History of ${humanize(query.entity)} ${label}`;
      const latest = first ?? { entity: query.entity, entity_id: query.entity_id, action: 'update', before: null, after: null };
      backHref = latest.action === 'delete' ? undefined : recordHref(latest as AuditEvent);
    } else if (query.actor) {
      subtitle = `Changes by ${query.actor}, newest first`;
    }
    return renderPage(
      request,
      reply,
      ctx,
      { title, breadcrumbs: title === 'Audit' ? undefined : [{ label: 'Audit', href: '/audit' }, { label: title }] },
      <AuditListPage {...props} title={title} subtitle={subtitle} backHref={backHref} />,
      query.cursor ? <AuditRowsFragment {...props} /> : <AuditResults {...props} />,
    );
  });
}
