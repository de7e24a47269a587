import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import type { Db } from '../../../db.js';
import { listHistory, type HistoryQuery } from '../../../domain/audit.js';
import { findUserByUsername } from '../../../domain/users.js';
import { AuditEvent, AuditQuery } from '../../../schemas/audit.js';
import { PageOf, ref } from '../../../schemas/common.js';
import { errorResponses, jsonResponse, sendPage } from './http.js';

/** A date means the whole day; instants are normalised to UTC so that they compare as stored. */
function bound(value: string | undefined, end: boolean): string | undefined {
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value}T${end ? '23:59:59.999' : '00:00:00.000'}Z`;
  return new Date(value).toISOString();
}

/** The domain query for the API's (and the /audit page's) parameters. `actor` is a username or an id. */
export function historyQuery(db: Db, q: Static<typeof AuditQuery>): HistoryQuery {
  const query: HistoryQuery = {
    entity: q.entity,
    entityId: q.entity_id,
    from: bound(q.from, false),
    to: bound(q.to, true),
    before: q.cursor !== undefined ? Number(q.cursor) : undefined,
    limit: q.limit ?? 50,
  };
  const actor = q.actor?.trim();
  if (actor) {
    const user = findUserByUsername(db, actor.toLowerCase());
    if (user) query.actorId = user.id;
    else if (/^\d+$/.test(actor)) query.actorId = Number(actor);
    // Actors that are not users (`system`) are matched by the recorded name.
    else query.actorName = actor.toLowerCase();
  }
  return query;
}

export async function auditRoutes(app: FastifyInstance) {
  app.get('/api/v1/audit', {
    schema: {
      operationId: 'listAuditEvents',
      tags: ['Audit'],
      summary: 'List audit events, newest first',
      description:
        'Who changed what: every create, update and delete with the whole record before and after. Filter by record (`entity` + `entity_id`), by person (`actor`: username or id) and by time (`from`, `to`). For incremental sync use the change feed instead.',
      querystring: AuditQuery,
      response: { 200: jsonResponse(PageOf(ref(AuditEvent)), 'A page of audit events, newest first', ['link']), ...errorResponses.read },
    },
    handler: async (request, reply) => {
      const q = request.query as Static<typeof AuditQuery>;
      return sendPage(request, reply, listHistory(app.db, historyQuery(app.db, q)));
    },
  });
}
