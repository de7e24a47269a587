// Helpers for page tests: a browser-like session with the CSRF cookie and token.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export interface PageSession {
  cookie: string;
  token: string;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** A form post as a browser sends it (urlencoded), with the CSRF token unless `csrf: false`. */
  post(url: string, fields: Record<string, string | string[]>, options?: { csrf?: boolean; htmx?: boolean; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
}

export function encodeForm(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    for (const item of Array.isArray(v) ? v : [v]) params.append(k, item);
  }
  return params.toString();
}

export async function pageSession(app: FastifyInstance): Promise<PageSession> {
  const first = await app.inject({ method: 'GET', url: '/series' });
  const setCookie = first.headers['set-cookie'];
  const cookies = (Array.isArray(setCookie) ? setCookie : [String(setCookie)]).map((c) => c.split(';')[0]!);
  const cookie = cookies.join('; ');
  const token = /<meta name="csrf-token" content="([^"]+)"/.exec(first.body)?.[1];
  if (!token) throw new Error('no CSRF token on the page');
  return {
    cookie,
    token,
    get: (url, headers = {}) => app.inject({ method: 'GET', url, headers: { cookie, ...headers } }),
    post: (url, fields, options = {}) =>
      app.inject({
        method: 'POST',
        url,
        headers: {
          cookie,
          'content-type': 'application/x-www-form-urlencoded',
          ...(options.htmx ? { 'hx-request': 'true', 'hx-request-type': 'partial' } : {}),
          ...options.headers,
        },
        payload: encodeForm(options.csrf === false ? fields : { _csrf: token, ...fields }),
      }),
  };
}
