// The query plans of the hot queries, pinned: the SQL the app really runs (captured as the domain
// prepares it) through EXPLAIN QUERY PLAN, on a migrated database as the app keeps it (no ANALYZE).
// A list, search or lookup that would read a whole table (`SCAN test_runs` without an index,
// `SCAN evidence`, `SCAN measurements`) fails here, and each path names the index it must use.
// The lineage walk's plans are pinned by test/domain/lineage-large.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type Db } from '../../src/db.js';
import { SeenCodes } from '../../src/domain/imports.js';
import { createSession, findSession } from '../../src/domain/sessions.js';
import { suspectTransfers } from '../../src/domain/suspect.js';
import { listTechnologies } from '../../src/domain/technologies.js';
import { findTestRun, listTestRuns, type TestRunListQuery } from '../../src/domain/test-runs.js';
import { verifyToken } from '../../src/domain/tokens.js';
import { encodeCursor } from '../../src/domain/paging.js';
import { ensureAdmin, findUserByUsername } from '../../src/domain/users.js';
import { ADMIN_PASSWORD, tempDir, tokenFor } from '../support/app.js';

let dir: string;
let file: string;
let token: string;
let cookie: string;

beforeAll(() => {
  dir = tempDir();
  file = path.join(dir, 'pitlane.db');
  const db = openDatabase(file);
  migrateDatabase(db);
  ensureAdmin(db, ADMIN_PASSWORD);
  // A few rows so that every statement also runs (plans do not depend on them without ANALYZE).
  const s = db.sqlite;
  const category = s.prepare(`INSERT INTO technology_categories (name) VALUES ('Inverters')`).run().lastInsertRowid;
  const tech = s.prepare(`INSERT INTO technologies (name, domain, category_id) VALUES ('Inverter', 'hardware', ?)`).run(category).lastInsertRowid;
  const prototype = s.prepare(`INSERT INTO prototypes (code, kind) VALUES ('RIG-1', 'dyno_rig')`).run().lastInsertRowid;
  const insertRun = s.prepare(
    `INSERT INTO test_runs (code, prototype_id, title, venue_type, start_time, status) VALUES (?, ?, 'Inverter soak', 'dyno', ?, 'completed')`,
  );
  for (let i = 0; i < 5; i++) {
    const run = insertRun.run(`TR-2026-000${i}`, prototype, `2026-01-0${i + 1}T10:00:00.000Z`).lastInsertRowid;
    s.prepare(`INSERT INTO evidence (test_run_id, technology_id, outcome) VALUES (?, ?, 'pass')`).run(run, tech);
    s.prepare(`INSERT INTO measurements (test_run_id, position, name, value) VALUES (?, 0, 'Peak power', 350)`).run(run);
  }
  token = tokenFor(db, 'admin', 'read');
  cookie = createSession(db, findUserByUsername(db, 'admin')!.id).cookieValue;
  db.sqlite.close();
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Captured {
  sql: string;
  plan: string[];
}

/**
 * Runs `work` on a fresh connection (the domain prepares its statements per connection) and
 * returns every statement it prepared with its query plan.
 */
function capture(work: (db: Db) => void): Captured[] {
  const db = openDatabase(file);
  const prepare = db.sqlite.prepare.bind(db.sqlite);
  const seen: string[] = [];
  (db.sqlite as { prepare: unknown }).prepare = (sql: string) => {
    seen.push(sql);
    return prepare(sql);
  };
  try {
    work(db);
    return seen.filter((sql) => /^\s*(select|with)\b/i.test(sql)).map((sql) => ({ sql, plan: planOf(db, prepare, sql) }));
  } finally {
    db.sqlite.close();
  }
}

/** EXPLAIN QUERY PLAN with every parameter bound to NULL (the plan does not depend on values). */
function planOf(_db: Db, prepare: Db['sqlite']['prepare'], sql: string): string[] {
  const explain = prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const named = [...sql.matchAll(/[:@]([a-z_][a-z0-9_]*)/gi)].map((m) => m[1]!);
  if (named.length) return (explain.all(Object.fromEntries(named.map((name) => [name, null]))) as { detail: string }[]).map((r) => r.detail);
  for (let n = 0; n <= 100; n++) {
    try {
      return (explain.all(...Array<null>(n).fill(null)) as { detail: string }[]).map((r) => r.detail);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
    }
  }
  throw new Error(`could not bind the parameters of ${sql}`);
}

/** The page query of listTestRuns: the select from test_runs with a LIMIT. */
function listPlan(query: TestRunListQuery): Captured {
  const list = capture((db) => listTestRuns(db, { limit: 50, ...query })).filter((c) => /from "test_runs"/.test(c.sql) && /limit \?/i.test(c.sql));
  expect(list, 'one list statement prepared').toHaveLength(1);
  return list[0]!;
}

const FULL_SCAN = /^SCAN (test_runs|evidence|measurements)(?!\w)(?! USING)/;

function expectNoFullScan(c: Captured) {
  expect(c.plan.filter((line) => FULL_SCAN.test(line)), `full scan in\n${c.sql}\n${c.plan.join('\n')}`).toEqual([]);
}

function expectUses(c: Captured, line: RegExp) {
  expect(c.plan.some((l) => line.test(l)), `${line} not in the plan of\n${c.sql}\n${c.plan.join('\n')}`).toBe(true);
}

describe('query plans of the test-run list', () => {
  it('unfiltered, newest first: walks the start_time index in order (no sort, no full scan)', () => {
    const c = listPlan({});
    expectNoFullScan(c);
    expectUses(c, /^SCAN test_runs USING INDEX test_runs_start_time_idx$/);
    expect(c.plan.some((l) => /TEMP B-TREE/.test(l))).toBe(false);
  });

  it('a deep page by cursor: the index walk starts at the cursor (a range search, not a walk past every earlier row)', () => {
    const c = listPlan({ cursor: encodeCursor('-start_time', '2026-01-03T10:00:00.000Z', 3) });
    expectNoFullScan(c);
    expectUses(c, /^SEARCH test_runs USING INDEX test_runs_start_time_idx \(start_time<\?\)$/);
    expect(c.plan.some((l) => /TEMP B-TREE/.test(l))).toBe(false);
  });

  it('a deep page of a filtered list: also a range search from the cursor', () => {
    const c = listPlan({ prototype_id: 1, cursor: encodeCursor('-start_time', '2026-01-03T10:00:00.000Z', 3) });
    expectNoFullScan(c);
    expectUses(c, /^SEARCH test_runs USING INDEX test_runs_prototype_id_idx \(prototype_id=\? AND start_time<\?\)$/);
  });

  it('by prototype: searches test_runs_prototype_id_idx, already in start_time order', () => {
    const c = listPlan({ prototype_id: 1 });
    expectNoFullScan(c);
    expectUses(c, /^SEARCH test_runs USING INDEX test_runs_prototype_id_idx \(prototype_id=\?\)$/);
    expect(c.plan.some((l) => /TEMP B-TREE/.test(l))).toBe(false);
  });

  it('by program: searches test_runs_program_id_idx', () => {
    const c = listPlan({ program_id: 1 });
    expectNoFullScan(c);
    expectUses(c, /^SEARCH test_runs USING INDEX test_runs_program_id_idx \(program_id=\?\)$/);
  });

  it('by technology and outcome: drives from the evidence index, then fetches runs by id', () => {
    const c = listPlan({ technology_id: 1, outcome: 'pass' });
    expectNoFullScan(c);
    expectUses(c, /^SEARCH evidence USING COVERING INDEX evidence_technology_id_idx \(technology_id=\? AND outcome=\?\)$/);
    expectUses(c, /^SEARCH test_runs USING INTEGER PRIMARY KEY \(rowid=\?\)$/);
  });

  it('by technology alone: the same evidence index', () => {
    const c = listPlan({ technology_id: 1 });
    expectNoFullScan(c);
    expectUses(c, /^SEARCH evidence USING COVERING INDEX evidence_technology_id_idx \(technology_id=\?\)$/);
  });

  it('by status: searches test_runs_status_idx', () => {
    const c = listPlan({ status: 'aborted' });
    expectNoFullScan(c);
    expectUses(c, /^SEARCH test_runs USING INDEX test_runs_status_idx \(status=\?\)$/);
  });

  it('by venue type: searches test_runs_venue_type_idx', () => {
    const c = listPlan({ venue_type: 'wind_tunnel' });
    expectNoFullScan(c);
    expectUses(c, /^SEARCH test_runs USING INDEX test_runs_venue_type_idx \(venue_type=\?\)$/);
  });

  it('by a started range: a range search on the start_time index', () => {
    const c = listPlan({ started_after: '2026-01-01T00:00:00Z', started_before: '2026-02-01T00:00:00Z' });
    expectNoFullScan(c);
    expectUses(c, /^SEARCH test_runs USING INDEX test_runs_start_time_idx \(start_time>\? AND start_time<\?\)$/);
  });

  it('sorted by code or by update: walks those indexes', () => {
    expectUses(listPlan({ sort: 'code' }), /^SCAN test_runs USING INDEX test_runs_code_unique$/);
    expectUses(listPlan({ sort: '-updated_at' }), /^SCAN test_runs USING INDEX test_runs_updated_at_idx$/);
  });
});

describe('query plans of the other lists (keyset paging shared by every list)', () => {
  it('a deep page of technologies by name: a range search from the cursor on the name index', () => {
    const [c] = capture((db) => listTechnologies(db, { limit: 50, cursor: encodeCursor('name', 'Inverter', 1) })).filter(
      (x) => /from "technologies"/.test(x.sql) && /limit \?/i.test(x.sql),
    );
    expectUses(c!, /^SEARCH technologies USING (COVERING )?INDEX technologies_name_unique \(name>\?\)$/);
    expect(c!.plan.some((l) => /^SCAN technologies/.test(l))).toBe(false);
  });
});

describe('query plans of search', () => {
  it('q: the FTS index finds the rows, fetched by id (no scan of test_runs)', () => {
    const c = listPlan({ q: 'inverter' });
    expectNoFullScan(c);
    expectUses(c, /^SCAN test_runs_fts VIRTUAL TABLE INDEX 0:M/);
    expectUses(c, /^SEARCH test_runs USING INTEGER PRIMARY KEY \(rowid=\?\)$/);
    expect(c.plan.some((l) => /^SCAN test_runs( |$)/.test(l))).toBe(false);
  });

  it('q with a short word too: the FTS index still drives, the short word filters what it found', () => {
    const c = listPlan({ q: 'inverter ab' });
    expectNoFullScan(c);
    expectUses(c, /^SCAN test_runs_fts VIRTUAL TABLE INDEX 0:M/);
    expect(c.plan.some((l) => /^SCAN test_runs( |$)/.test(l))).toBe(false);
  });
});

describe('query plans of a run and its children', () => {
  it('get by id: the primary key', () => {
    const c = capture((db) => findTestRun(db, 1)).find((x) => /from "test_runs" where "test_runs"\."id" = \?/.test(x.sql));
    expect(c).toBeDefined();
    expect(c!.plan).toEqual(['SEARCH test_runs USING INTEGER PRIMARY KEY (rowid=?)']);
  });

  it("a page's measurements and evidence: one indexed search per child table", () => {
    const children = capture((db) => listTestRuns(db, { limit: 50 })).filter((c) => /json_each/.test(c.sql) && /from "(measurements|evidence)"/.test(c.sql));
    const measurements = children.find((c) => /from "measurements"/.test(c.sql))!;
    const evidence = children.find((c) => /from "evidence"/.test(c.sql))!;
    expectNoFullScan(measurements);
    expectNoFullScan(evidence);
    expectUses(measurements, /^SEARCH measurements USING INDEX measurements_test_run_id_idx \(test_run_id=\?\)$/);
    expectUses(evidence, /^SEARCH evidence USING INDEX sqlite_autoindex_evidence_1 \(test_run_id=\?\)$/);
  });
});

describe('query plans of the suspect rules', () => {
  it("a lineage graph's few transfers: found by id, never by reading every transfer (each cold graph asks)", () => {
    // An approved transfer, so that every rule's query runs (SUS-1, SUS-2's scope and its audit).
    const setup = openDatabase(file);
    const model = setup.sqlite.prepare(`INSERT INTO road_models (name, powertrain, status) VALUES ('Ariya NISMO', 'ev', 'production')`).run().lastInsertRowid;
    const transfer = setup.sqlite.prepare(`INSERT INTO transfers (technology_id, road_model_id, stage) VALUES (1, ?, 'approved')`).run(model).lastInsertRowid;
    setup.sqlite.close();
    const statements = capture((db) => suspectTransfers(db, { transferIds: [Number(transfer), 2] })).filter((c) => /FROM transfers/.test(c.sql));
    expect(statements.length).toBe(3);
    for (const c of statements) {
      expect(c.plan.filter((line) => /^SCAN transfers\b/.test(line)), `${c.sql}\n${c.plan.join('\n')}`).toEqual([]);
      expectUses(c, /^SEARCH transfers USING (COVERING )?INDEX transfers_stage_idx \(stage=\? AND id=\?\)$|^SEARCH transfers USING INTEGER PRIMARY KEY/);
    }
  });
});

describe('query plans of authentication (every request)', () => {
  it('an API token: found by its hash through the unique index', () => {
    const [c] = capture((db) => expect(verifyToken(db, token).ok).toBe(true)).filter((x) => /from "api_tokens"/.test(x.sql));
    expectUses(c!, /^SEARCH api_tokens USING INDEX api_tokens_token_hash_unique \(token_hash=\?\)$/);
    expect(c!.plan.some((l) => /^SCAN /.test(l))).toBe(false);
  });

  it('a page session: found by its id hash (the primary key)', () => {
    const [c] = capture((db) => expect(findSession(db, cookie)).toBeDefined()).filter((x) => /from "sessions"/.test(x.sql));
    expectUses(c!, /^SEARCH sessions USING INDEX sqlite_autoindex_sessions_1 \(id_hash=\?\)$/);
    expect(c!.plan.some((l) => /^SCAN /.test(l))).toBe(false);
  });
});

describe('query plans of a CSV import (every row)', () => {
  it("a row's code among the codes read before: the temporary table's primary key", () => {
    // The table is dropped when the check ends; the plans are read before that here.
    const captured = capture((db) => {
      const codes = new SeenCodes(db);
      expect(codes.firstRow('TR-2026-0100', 2)).toBeUndefined();
      expect(codes.firstRow('TR-2026-0100', 3)).toBe(2);
    }).filter((x) => /import_codes/.test(x.sql));
    expect(captured).toHaveLength(1);
    expectUses(captured[0]!, /^SEARCH temp\.import_codes USING PRIMARY KEY \(code=\?\)$/);
    expect(captured[0]!.plan.some((l) => /^SCAN /.test(l))).toBe(false);
  });
});
