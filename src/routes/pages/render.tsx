// How a page route answers: the whole page in the layout, or only a fragment when htmx asks for
// a partial; after a successful post, 303 See Other (plain forms) or HX-Location (htmx).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Layout, type Crumb } from '../../../views/layout.js';
import { csrfUserInfo } from '../../plugins/pages.js';

const FLASH_COOKIE = 'pitlane_flash';

export interface PageOptions {
  title: string;
  breadcrumbs?: Crumb[];
  status?: number;
}

export interface PageContext {
  csrfToken: string;
  path: string;
  query: Record<string, string | undefined>;
}

/** The CSRF token for forms on this page (the secret cookie is set as needed). */
export function pageContext(request: FastifyRequest, reply: FastifyReply): PageContext {
  const url = new URL(request.url, 'http://x');
  return {
    csrfToken: reply.generateCsrf({ userInfo: csrfUserInfo(request) }),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams.entries()),
  };
}

export function setFlash(reply: FastifyReply, message: string): void {
  reply.setCookie(FLASH_COOKIE, encodeURIComponent(message), { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 60 });
}

function takeFlash(request: FastifyRequest, reply: FastifyReply): string | undefined {
  const raw = request.cookies[FLASH_COOKIE];
  if (!raw) return undefined;
  reply.clearCookie(FLASH_COOKIE, { path: '/' });
  try {
    return decodeURIComponent(raw).slice(0, 500);
  } catch {
    return undefined;
  }
}

/** Sends `content` inside the layout, or `fragment` alone for an htmx partial request. */
export function renderPage(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: PageContext,
  options: PageOptions,
  content: JSX.Element,
  fragment?: JSX.Element,
): FastifyReply {
  if (options.status) reply.code(options.status);
  if (request.isPartial && fragment !== undefined) {
    void reply.html(fragment);
    return reply;
  }
  void reply.html(
    <Layout
      title={options.title}
      csrfToken={ctx.csrfToken}
      currentPath={ctx.path}
      breadcrumbs={options.breadcrumbs}
      flash={takeFlash(request, reply)}
      user={request.auth?.user ? { name: request.auth.user.display_name, role: request.auth.user.role } : undefined}
    >
      {content}
    </Layout>,
  );
  return reply;
}

/** After a successful post: 303 to `location` for plain forms, HX-Location for htmx. */
export function seeOther(request: FastifyRequest, reply: FastifyReply, location: string, flash?: string): FastifyReply {
  if (flash) setFlash(reply, flash);
  if (request.headers['hx-request'] === 'true') {
    void reply.code(200).header('hx-location', location).send('');
    return reply;
  }
  void reply.code(303).header('location', location).send('');
  return reply;
}
