// Fuzzes every operation of the OpenAPI document with requests drawn from its own schemas (valid
// samples plus mutations: wrong types, missing required fields, unknown and `__proto__` keys,
// huge strings, odd unicode, numbers at and past the bounds, null, arrays for objects, broken
// JSON, other content types). Property: never a 5xx, and every answer matches the schema the
// document gives for that status and content type. PITLANE_FUZZ_RUNS sets the runs per operation
// (200 by default; `npm run test:fuzz:long` runs 5000), PITLANE_FUZZ_SEED replays a failure.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app.js';
import { arbRequest, fetchOpenApi, injectSender, listOperations, MAX_PATH_PARAM, responseChecker, seedThroughApi, toInject, type SampleRequest } from '../support/openapi-walk.js';

const RUNS = Number(process.env.PITLANE_FUZZ_RUNS ?? 200);
const SEED = process.env.PITLANE_FUZZ_SEED ? Number(process.env.PITLANE_FUZZ_SEED) : undefined;

// Built at collection time so that each operation is its own test.
// Webhook URLs point at a closed loopback port (see openapi-walk.ts), which only this allows.
const t = await createTestApp({ webhookAllowPrivate: true });
const doc = await fetchOpenApi(t.app);
// Rows in every collection (a second round where uniqueness rules allow), so that ids exist and
// references can point somewhere.
const seeded = await seedThroughApi(injectSender(t.app, t.adminToken), doc, { salt: 'a' });
const more = await seedThroughApi(injectSender(t.app, t.adminToken), doc, { salt: 'b' });
for (const [segment, list] of Object.entries(more.ids)) seeded.ids[segment] = [...(seeded.ids[segment] ?? []), ...list];
const check = responseChecker(doc);
// A valid import file to mutate: the export of the seeded runs (the export is the import layout).
const exported = await t.app.inject({ method: 'GET', url: '/api/v1/test-runs?format=csv', headers: { authorization: `Bearer ${t.adminToken}` } });
const samples = { 'text/csv': exported.statusCode === 200 ? [exported.body] : [] };
const ORDER = { GET: 0, POST: 1, PUT: 2, PATCH: 3, DELETE: 4 } as const;
// Reads first and deletes last, so that the seeded rows live as long as possible.
const operations = listOperations(doc).sort((a, b) => ORDER[a.method] - ORDER[b.method]);

afterAll(async () => t.close());

function describeRequest(req: SampleRequest): string {
  const text = req.payload === undefined ? undefined : typeof req.payload === 'string' ? req.payload : req.payload.toString('latin1');
  const body = text === undefined ? '' : ` ${text.length > 400 ? `${text.slice(0, 400)}… (${text.length} chars)` : text}`;
  return `${req.method} ${req.url} ${JSON.stringify(req.headers)}${body}`;
}

/** No deviations are tolerated any more; kept as a hook for reporting a future known bug. */
function knownDeviation(_req: SampleRequest, _outcome: { error?: unknown; status?: number }): string | undefined {
  return undefined;
}
const deviations = new Map<string, number>();


describe(`fuzz: ${operations.length} operations × ${RUNS} runs`, () => {
  it('has ids to aim at', () => {
    expect(seeded.failed).toEqual([]);
    expect(Object.keys(seeded.ids).length).toBeGreaterThan(5);
  });

  const statuses = new Map<string, Map<number, number>>();
  afterAll(() => {
    const lines = [...statuses].map(([id, m]) => `${id.padEnd(32)} ${[...m].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}`);
    console.info(`statuses per operation:\n${lines.join('\n')}`);
    if (deviations.size) console.info(`known deviations met: ${[...deviations].map(([k, n]) => `${k}×${n}`).join(', ')}`);
  });

  // Found by this fuzz: Fastify answered an overlong path parameter with its own 414 in plain JSON.
  it('answers an overlong path parameter with a documented problem+json', async () => {
    const op = operations.find((o) => o.operationId === 'getSeries')!;
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/series/${'9'.repeat(MAX_PATH_PARAM + 1)}`, headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(check(op, res)).toBeNull();
  });

  // Found by this fuzz: the cursor was decoded inside the CSV stream, after the 200 went out.
  it('answers a CSV list with a cursor that does not decode with a 400, not a cut-off 200', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/series?format=csv&cursor=%20', headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(res.statusCode).toBe(400);
  });

  // Found by this fuzz: a file part without a filename made the upload throw (500).
  it('answers a multipart file part without a filename without a 500', async () => {
    const payload = Buffer.from('--B\r\ncontent-disposition: form-data; name="files"\r\ncontent-type: application/octet-stream\r\n\r\nhello\r\n--B--\r\n');
    const runId = seeded.ids['test-runs']![0];
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/test-runs/${runId}/attachments`, headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'multipart/form-data; boundary=B' }, payload });
    expect(res.statusCode).toBeLessThan(500);
  });

  for (const op of operations) {
    it(`${op.operationId} (${op.method} ${op.path})`, async () => {
      const seen = new Map<number, number>();
      statuses.set(op.operationId, seen);
      await fc.assert(
        fc.asyncProperty(arbRequest(doc, op, seeded.ids, { samples, otherBodyWeight: op.bodyTypes.includes('text/csv') ? 1 : 3 }), async (req) => {
          let res;
          try {
            res = await t.app.inject(toInject(req, t.adminToken));
          } catch (error) {
            const known = knownDeviation(req, { error });
            if (!known) throw error;
            deviations.set(known, (deviations.get(known) ?? 0) + 1);
            return;
          }
          const known = knownDeviation(req, { status: res.statusCode });
          if (known) {
            deviations.set(known, (deviations.get(known) ?? 0) + 1);
            return;
          }
          seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
          if (res.statusCode >= 500) throw new Error(`answered ${res.statusCode} to ${describeRequest(req)}\n${res.body.slice(0, 500)}`);
          const problem = check(op, res);
          if (problem) throw new Error(`${problem}\nrequest: ${describeRequest(req)}`);
        }),
        { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
      );
    }, 120_000 + RUNS * 200);
  }
});
