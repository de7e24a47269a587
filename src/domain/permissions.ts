// Who may write what (issue: accounts). Everyone signed in reads everything; each write needs a
// role that owns the resource. Tokens add a scope on top: a `read` token never writes.
import type { Role } from './users.js';

/** Resources as the audit and routes name them. */
export type Resource =
  | 'series'
  | 'program'
  | 'prototype'
  | 'technology_category'
  | 'technology'
  | 'test_run'
  | 'readiness'
  | 'attachment'
  | 'import'
  | 'market'
  | 'road_model'
  | 'transfer'
  | 'plan_target'
  | 'user'
  | 'webhook'
  | 'backup'
  | 'account';

const WRITERS: Record<Resource, readonly Role[]> = {
  // Engineers log and assess.
  prototype: ['engineer', 'admin'],
  technology: ['engineer', 'admin'],
  test_run: ['engineer', 'admin'],
  readiness: ['engineer', 'admin'],
  attachment: ['engineer', 'admin'],
  import: ['engineer', 'admin'],
  // Product teams plan the road line-up and review transfers.
  road_model: ['product', 'admin'],
  transfer: ['product', 'admin'],
  plan_target: ['product', 'admin'],
  // Admins keep the reference data and the people.
  series: ['admin'],
  program: ['admin'],
  technology_category: ['admin'],
  market: ['admin'],
  user: ['admin'],
  webhook: ['admin'],
  backup: ['admin'],
  // Anyone signed in manages their own tokens.
  account: ['viewer', 'engineer', 'product', 'admin'],
};

export function canWrite(role: Role, resource: Resource): boolean {
  return WRITERS[resource].includes(role);
}

export function writersOf(resource: Resource): readonly Role[] {
  return WRITERS[resource];
}

/** The token scopes a role may create: a viewer writes nothing, so its tokens only read. */
export function tokenScopesFor(role: Role): ('read' | 'read,write')[] {
  return role === 'viewer' ? ['read'] : ['read', 'read,write'];
}

/**
 * The resource a route writes, from its URL pattern (API `/api/v1/<segment>/…` or page
 * `/<segment>/…`). One table for both faces, so the API and the pages cannot disagree.
 */
const SEGMENTS: Record<string, Resource> = {
  series: 'series',
  programs: 'program',
  prototypes: 'prototype',
  'technology-categories': 'technology_category',
  technologies: 'technology',
  'test-runs': 'test_run',
  'readiness-assessments': 'readiness',
  markets: 'market',
  'road-models': 'road_model',
  transfers: 'transfer',
  'plan-targets': 'plan_target',
  users: 'user',
  webhooks: 'webhook',
  admin: 'user',
  backups: 'backup',
  account: 'account',
  tokens: 'account',
};

/** Sub-paths that belong to another resource than their parent segment. */
const NESTED: { pattern: RegExp; resource: Resource }[] = [
  { pattern: /\/readiness(\/|$)/, resource: 'readiness' },
  { pattern: /\/attachments(\/|$)/, resource: 'attachment' },
  { pattern: /\/import(\/|$)/, resource: 'import' },
  { pattern: /^\/(api\/v1\/)?admin\/(categories|technology-categories)/, resource: 'technology_category' },
  { pattern: /^\/(api\/v1\/)?admin\/markets/, resource: 'market' },
  { pattern: /^\/(api\/v1\/)?admin\/plan/, resource: 'plan_target' },
  { pattern: /^\/(api\/v1\/)?admin\/webhooks/, resource: 'webhook' },
  { pattern: /^\/(api\/v1\/)?admin\/backup/, resource: 'backup' },
];

/**
 * Areas only admins open at all, reads included (DESIGN §5 `/admin`: users, reference data,
 * backup, webhooks), and the webhooks in the API: their URLs and secrets are an admin's business.
 */
const ADMIN_ONLY_AREAS = [/^\/admin(\/|$)/, /^\/api\/v1\/webhooks(\/|$)/];

export function isAdminOnlyPath(path: string): boolean {
  return ADMIN_ONLY_AREAS.some((re) => re.test(path));
}

export function resourceOfRoute(routePattern: string): Resource | undefined {
  for (const n of NESTED) if (n.pattern.test(routePattern)) return n.resource;
  const segment = routePattern.replace(/^\/api\/v1/, '').split('/')[1] ?? '';
  return SEGMENTS[segment];
}
