// Helpers for page tests: a signed-in browser-like session with its cookies and CSRF token.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { ADMIN_PASSWORD } from './app.js';

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

function cookiesOf(res: LightMyRequestResponse): Record<string, string> {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
  const out: Record<string, string> = {};
  for (const c of list) {
    const [pair] = c.split(';');
    const i = pair!.indexOf('=');
    out[pair!.slice(0, i)] = pair!.slice(i + 1);
  }
  return out;
}

function cookieHeader(jar: Record<string, string>): string {
  return Object.entries(jar)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
}

export function csrfTokenOf(html: string): string {
  const token = /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF token on the page');
  return token;
}

/** Signs in through the login form (admin by default) and returns a session for page requests. */
export async function pageSession(app: FastifyInstance, credentials: { username: string; password: string } = { username: 'admin', password: ADMIN_PASSWORD }): Promise<PageSession> {
  const jar: Record<string, string> = {};
  const loginPage = await app.inject({ method: 'GET', url: '/login' });
  Object.assign(jar, cookiesOf(loginPage));
  const login = await app.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
    payload: encodeForm({ _csrf: csrfTokenOf(loginPage.body), username: credentials.username, password: credentials.password }),
  });
  if (login.statusCode !== 303) throw new Error(`login as ${credentials.username} answered ${login.statusCode}`);
  Object.assign(jar, cookiesOf(login));
  const first = await app.inject({ method: 'GET', url: '/', headers: { cookie: cookieHeader(jar) } });
  Object.assign(jar, cookiesOf(first));
  const cookie = cookieHeader(jar);
  const token = csrfTokenOf(first.body);
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
