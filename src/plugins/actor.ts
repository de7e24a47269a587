// Who is acting on each request. Until accounts and tokens exist (issue 5), every request acts as
// the `admin` user; the domain already records whatever actor this plugin supplies.
import fp from 'fastify-plugin';
import type { Actor } from '../domain/actor.js';
import { findUserByUsername } from '../domain/users.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
    /** Scope of idempotency keys and rate limits: a token id once tokens exist. */
    principal: string;
  }
}

export const actorPlugin = fp(
  async (app) => {
    const admin = findUserByUsername(app.db, 'admin');
    const actor: Actor = admin ? { id: admin.id, name: admin.username } : { id: null, name: 'system' };
    app.decorateRequest('actor', null as unknown as Actor);
    app.decorateRequest('principal', '');
    app.addHook('onRequest', async (request) => {
      request.actor = actor;
      request.principal = `user:${actor.id ?? 0}`;
    });
  },
  { name: 'actor', dependencies: ['database'] },
);
