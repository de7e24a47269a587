// What the browser side needs: HTML rendering (kita), form bodies and CSRF, static assets (htmx and Pico served from the app), HTML error pages,
// and `request.isPartial` for htmx fragment requests.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fastifyKitaHtml } from '@kitajs/fastify-html-plugin';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import { ErrorPage } from '../../views/pages/error-page.js';
import { PROJECT_ROOT } from '../paths.js';
import type { ProblemBody } from './problems.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** htmx asked for a fragment (HX-Request-Type: partial): answer without the layout. */
    isPartial: boolean;
    /** A browser page route (not the API, docs or assets). */
    isPage: boolean;
  }
}

const require = createRequire(import.meta.url);
const ASSETS_DIR = path.join(PROJECT_ROOT, 'views/assets');

/** Files under /assets: ours from views/assets, htmx and Pico from their packages (never a CDN). */
const ASSETS: Record<string, { file: string; type: string }> = {
  'htmx.js': { file: require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  'pico.css': { file: path.join(path.dirname(require.resolve('@picocss/pico/package.json')), 'css/pico.min.css'), type: 'text/css; charset=utf-8' },
};
for (const name of fs.readdirSync(ASSETS_DIR)) {
  const type = name.endsWith('.css') ? 'text/css; charset=utf-8' : name.endsWith('.js') ? 'text/javascript; charset=utf-8' : name.endsWith('.svg') ? 'image/svg+xml' : 'application/octet-stream';
  ASSETS[name] = { file: path.join(ASSETS_DIR, name), type };
}

function isPagePath(url: string): boolean {
  return !(url.startsWith('/api/') || url.startsWith('/assets/') || url === '/health' || url.startsWith('/problems/'));
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What a CSRF token is bound to: the session, or `anonymous` before sign-in (the login form). */
export function csrfUserInfo(request: FastifyRequest): string {
  return request.auth?.sessionIdHash ?? 'anonymous';
}

export const pagesPlugin = fp<{ secret: Buffer }>(
  async (app, opts) => {
    await app.register(fastifyKitaHtml);
    await app.register(formbody, { bodyLimit: 1024 * 1024 });
    await app.register(csrf, {
      cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: 'auto' },
      // Tokens are bound to the session: one lifted from another session does not verify.
      csrfOpts: { userInfo: true, hmacKey: opts.secret },
      getUserInfo: (request: FastifyRequest) => csrfUserInfo(request),
      getToken: (request: FastifyRequest) => {
        const fromBody = (request.body as Record<string, unknown> | undefined)?._csrf;
        if (typeof fromBody === 'string') return fromBody;
        const header = request.headers['x-csrf-token'];
        return typeof header === 'string' ? header : '';
      },
    });

    app.decorateRequest('isPartial', false);
    app.decorateRequest('isPage', false);
    app.addHook('onRequest', async (request, reply) => {
      request.isPage = isPagePath(request.url);
      if (!request.isPage) return;
      request.isPartial = request.headers['hx-request-type'] === 'partial';
      // The same URL answers a page or a fragment: caches must key on the htmx headers.
      reply.header('vary', 'HX-Request, HX-Request-Type');
    });
    // Filter forms send every field, blank ones too (`series_id=`): blank means "no filter", so it
    // is dropped before the API's list query schemas (which refuse '' as an id) see it.
    app.addHook('preValidation', async (request) => {
      if (!request.isPage) return;
      const query = request.query as Record<string, unknown> | undefined;
      if (!query || typeof query !== 'object') return;
      for (const [k, v] of Object.entries(query)) if (v === '') delete query[k];
    });
    // Unsafe page requests need the CSRF token (form field `_csrf` or the X-CSRF-Token header
    // htmx sends); checked after the body is parsed.
    app.addHook('preHandler', (request, reply, done) => {
      if (!request.isPage || !UNSAFE.has(request.method)) return done();
      app.csrfProtection(request, reply, done);
    });

    app.get('/assets/:name', { schema: { hide: true } }, (request, reply) => {
      const asset = ASSETS[(request.params as { name: string }).name];
      if (!asset) return reply.callNotFound();
      reply.header('cache-control', 'public, max-age=3600');
      return reply.type(asset.type).send(fs.createReadStream(asset.file));
    });

    app.decorate('renderErrorPage', (request: FastifyRequest, reply: FastifyReply, body: ProblemBody) => {
      if (!request.isPage) return undefined;
      void reply.code(body.status).html(ErrorPage({ request, reply, problem: body }));
      return reply;
    });
  },
  { name: 'pages', dependencies: ['problems', 'auth', '@fastify/cookie'] },
);
