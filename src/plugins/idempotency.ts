// Applies Idempotency-Key to every API POST (DESIGN §4).
import fp from 'fastify-plugin';
import { claimKey, completeKey, releaseKey, requestHash } from '../domain/idempotency.js';
import { problem, sendProblem } from './problems.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey?: string;
  }
}

const REPLAYED_HEADERS = ['content-type', 'location', 'etag', 'link'];

export const idempotencyPlugin = fp(
  async (app) => {
    app.addHook('preHandler', async (request, reply) => {
      if (request.method !== 'POST' || !request.url.startsWith('/api/v1/')) return;
      const key = request.headers['idempotency-key'];
      if (typeof key !== 'string' || key === '') return;
      if (key.length > 200) {
        return sendProblem(reply, problem('validation', 'Idempotency-Key is longer than 200 characters', { errors: [{ path: '/idempotency-key', message: 'must be at most 200 characters' }] }));
      }
      const path = request.url;
      const claim = claimKey(app.db, request.principal, key, request.method, path, requestHash(request.method, path, request.body));
      switch (claim.kind) {
        case 'claimed':
          request.idempotencyKey = key;
          return;
        case 'mismatch':
          return sendProblem(reply, problem('idempotency-key-reused', `Idempotency-Key "${key}" was used with another request body`));
        case 'in-flight':
          return sendProblem(reply, problem('idempotency-key-in-flight', `a request with Idempotency-Key "${key}" is still being processed`));
        case 'replay':
          reply.code(claim.response.status).headers(claim.response.headers).header('idempotent-replayed', 'true');
          return reply.send(claim.response.body);
      }
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const key = request.idempotencyKey;
      if (!key) return payload;
      request.idempotencyKey = undefined;
      if (reply.statusCode >= 500 || (payload !== null && typeof payload !== 'string')) {
        releaseKey(app.db, request.principal, key);
        return payload;
      }
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) {
        const value = reply.getHeader(name);
        if (value !== undefined) headers[name] = String(value);
      }
      completeKey(app.db, request.principal, key, { status: reply.statusCode, headers, body: payload ?? '' });
      return payload;
    });

    // A request that never reached onSend (client gone) must not hold its key forever.
    app.addHook('onResponse', async (request) => {
      if (request.idempotencyKey) releaseKey(app.db, request.principal, request.idempotencyKey);
    });
  },
  { name: 'idempotency', dependencies: ['database', 'problems'] },
);
