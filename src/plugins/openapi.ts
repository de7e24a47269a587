// OpenAPI 3.1 at /api/v1/openapi.json and interactive docs at /api/docs. Registered before the
// routes it documents. Named schemas (app.addSchema with $id) become components.
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { PROBLEM_TYPES } from './problems.js';
import { webhooksDocument } from '../schemas/webhooks.js';

export const API_TAGS = [
  { name: 'Series', description: 'Racing disciplines: Formula E, Super GT, ...' },
  { name: 'Programs', description: 'One entry in a series for a season.' },
  { name: 'Prototypes', description: 'Test vehicles and rigs.' },
  { name: 'Technology categories', description: 'Open set of categories and their relevant venue types.' },
  { name: 'Technologies', description: 'Hardware and software capabilities, with derivations.' },
  { name: 'Test runs', description: 'Logged tests with measurements and evidence.' },
  { name: 'Markets', description: 'Open set of sales markets.' },
  { name: 'Road models', description: 'Nismo road cars with markets and planned units.' },
  { name: 'Transfers', description: 'A technology feeding a road model.' },
  { name: 'Plan targets', description: 'The line-up plan as data.' },
  { name: 'Readiness', description: 'Technology readiness assessments (TRL) with their evidence runs.' },
  { name: 'Reports', description: 'Coverage gaps, suspect transfers, lead times and the line-up plan.' },
  { name: 'Lineage', description: 'The race-to-road lineage graph of any node.' },
  { name: 'Changes', description: 'The change feed for incremental sync.' },
  { name: 'Audit', description: 'Who changed what: the history of every record, newest first.' },
  { name: 'Attachments', description: 'Files attached to test runs (telemetry, photos, reports).' },
  { name: 'Webhooks', description: 'Signed notifications of changes to registered URLs, with their deliveries.' },
];

const problemDocs = Object.entries(PROBLEM_TYPES)
  .map(([slug, t]) => `- \`/problems/${slug}\` (${t.status}): ${t.title}. ${t.about}`)
  .join('\n');

export const openapiPlugin = fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Pitlane API',
          version: '1.0.0',
          description: [
            'Pitlane links Nissan racing programs, prototype test runs, the technologies they validate and the',
            'road Nismo models those technologies feed.',
            '',
            '**Conventions.** JSON bodies are validated strictly (no type coercion, unknown fields refused).',
            'Lists take `limit` (max 200), an opaque `cursor`, `sort` (`-` for descending) and `updated_since`,',
            'and answer `{ items, next_cursor }` with a `Link: <…>; rel="next"` header. Items carry an `ETag`;',
            'PATCH and DELETE need `If-Match` (428 without, 412 when stale). POST honours `Idempotency-Key`.',
            '',
            '**Errors** are `application/problem+json` (RFC 9457). Problem types:',
            problemDocs,
          ].join('\n'),
          license: { name: 'Proprietary', identifier: 'LicenseRef-Pitlane' },
          contact: { name: 'Pitlane team' },
        },
        servers: [{ url: '/' }],
        tags: API_TAGS,
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token created on /account or by the CLI.' },
          },
        },
        security: [{ bearerAuth: [] }],
        webhooks: webhooksDocument(),
      },
      // Page routes have no tag: only the API is documented.
      hideUntagged: true,
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
      },
    });
    await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { deepLinking: true } });
    app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi', dependencies: ['problems'] },
);
