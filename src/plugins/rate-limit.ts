// Requests per minute per client: per API token, per signed-in user, else per address (the key is
// `request.principal`, set by the auth plugin). The limiter runs as a route-level onRequest hook,
// which Fastify runs after every app-level onRequest hook, so authentication has happened. 429
// answers a problem (API) or the HTML error page, with Retry-After. `rateLimit: 0` turns it off.
import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';

/** Matched route patterns (not raw URLs, which a client could dress up). */
const UNLIMITED_ROUTES = new Set(['/health', '/assets/:name']);

export const rateLimitPlugin = fp<{ max: number }>(
  async (app, opts) => {
    if (!opts.max || opts.max <= 0) return;
    await app.register(rateLimit, {
      global: true,
      max: opts.max,
      timeWindow: 60_000,
      hook: 'onRequest',
      keyGenerator: (request) => request.principal || `ip:${request.ip}`,
      // Health probes must not be turned away; static assets are cached files that every page
      // view fetches, and everyone behind one office address would share their budget.
      allowList: (request) => UNLIMITED_ROUTES.has(request.routeOptions.url ?? ''),
      errorResponseBuilder: (_request, context) =>
        Object.assign(new Error(`Too many requests: at most ${context.max} a minute. Retry in ${context.after}.`), {
          statusCode: context.statusCode,
        }),
    });
  },
  { name: 'rate-limit' },
);
