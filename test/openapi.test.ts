// Walks the OpenAPI document: every operation is named, tagged, summarised and documents every
// status its handler answers; the document lints clean with Redocly's recommended rules.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app.js';

type Operation = {
  operationId?: string;
  tags?: string[];
  summary?: string;
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
  responses: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
};

let t: TestApp;
let doc: any;
const METHODS = ['get', 'post', 'patch', 'delete', 'put'] as const;

function operations(): { method: string; path: string; op: Operation }[] {
  return Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([p, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ method: m, path: p, op: item[m]! })),
  );
}

beforeAll(async () => {
  t = await createTestApp();
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => t.close());

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 with servers, security and a license', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: '/' }]);
    expect(doc.info.license.name).toBeTruthy();
    expect(doc.components.securitySchemes.bearerAuth).toBeTruthy();
  });

  it('names, tags and summarises every operation with a unique camelCase operationId', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(10);
    const declaredTags = new Set((doc.tags as { name: string }[]).map((x) => x.name));
    const ids = new Set<string>();
    for (const { method, path: p, op } of ops) {
      const where = `${method.toUpperCase()} ${p}`;
      expect(op.operationId, where).toMatch(/^[a-z][A-Za-z0-9]+$/);
      expect(ids.has(op.operationId!), `${where} duplicates ${op.operationId}`).toBe(false);
      ids.add(op.operationId!);
      expect(op.tags?.length, where).toBeGreaterThan(0);
      for (const tag of op.tags!) expect(declaredTags.has(tag), `${where} tag ${tag}`).toBe(true);
      expect(op.summary, where).toBeTruthy();
    }
  });

  it('documents a schema for every response and problem+json for every error', () => {
    for (const { method, path: p, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        const where = `${method.toUpperCase()} ${p} ${status}`;
        expect(response.description, where).toBeTruthy();
        if (status === '204') continue;
        const types = Object.keys(response.content ?? {});
        expect(types.length, where).toBeGreaterThan(0);
        for (const type of types) expect(response.content![type]!.schema, where).toBeTruthy();
        if (Number(status) >= 400) expect(types, where).toContain('application/problem+json');
      }
      expect(op.responses['400'], `${method} ${p} documents 400`).toBeTruthy();
      expect(op.responses['401'], `${method} ${p} documents 401`).toBeTruthy();
      if (method !== 'get') expect(op.responses['403'], `${method} ${p} documents 403`).toBeTruthy();
      expect(op.responses['500'], `${method} ${p} documents 500`).toBeTruthy();
    }
  });

  it('gives every named schema an example', () => {
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, { examples?: unknown[] }>)) {
      expect(schema.examples?.length, `${name} has examples`).toBeGreaterThan(0);
    }
  });

  it('documents every status that hostile or mistaken requests get, and none is a 5xx', async () => {
    const probes: { body?: string; headers?: Record<string, string> }[] = [
      {},
      { body: '{}' },
      { body: '{"unknown_field": 1}' },
      { body: '{"name": ' },
      { body: '[]' },
      { body: '{}', headers: { 'if-match': '"1"' } },
      { body: '{}', headers: { 'if-match': '"999"' } },
      { headers: { 'if-match': '*' } },
    ];
    for (const { method, path: p, op } of operations()) {
      for (const id of ['1', '999999', 'abc']) {
        const url = p.replace(/\{[^}]+\}/g, id);
        for (const probe of probes) {
          const hasBody = method !== 'get' && method !== 'delete' && probe.body !== undefined;
          const res = await t.app.inject({
            method: method.toUpperCase() as 'GET',
            url,
            headers: { authorization: `Bearer ${t.adminToken}`, ...(hasBody ? { 'content-type': 'application/json' } : {}), ...probe.headers },
            payload: hasBody ? probe.body : undefined,
          });
          const where = `${method.toUpperCase()} ${url} ${JSON.stringify(probe)} → ${res.statusCode} ${res.body.slice(0, 200)}`;
          expect(res.statusCode, where).toBeLessThan(500);
          expect(Object.keys(op.responses), where).toContain(String(res.statusCode));
        }
      }
    }
  });

  it('lints clean with @redocly/cli (recommended rules)', async () => {
    const file = path.join(t.dir, 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    const bin = path.resolve('node_modules/.bin/redocly');
    const run = promisify(execFile);
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
    const result = await run(bin, ['lint', '--format', 'json', file], { env, maxBuffer: 20 * 1024 * 1024 }).catch(
      (error: { stdout?: string; stderr?: string; code?: number }) => error,
    );
    const out = JSON.parse((result as { stdout: string }).stdout) as { totals: { errors: number; warnings: number }; problems: unknown[] };
    expect(out.totals.errors, JSON.stringify(out.problems.slice(0, 5), null, 1)).toBe(0);
  }, 60_000);
});
