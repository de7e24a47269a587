// The traceability matrix: cells at the crossing of technology and road model, the filters
// (series of the origin program, category, stage), and the suspect marks (SUS-1 / SUS-2 / SUS-3).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db.js';
import { cellIndex, matrixCsv, transferMatrix } from '../../src/domain/matrix.js';
import { transferFingerprint } from '../../src/domain/suspect.js';
import { openTempDatabase } from '../support/app.js';

let db: Db;
let closeDb: () => void;

beforeEach(() => {
  ({ db, close: closeDb } = openTempDatabase());
});
afterEach(() => {
  closeDb();
});

const insert = (sqlText: string, ...params: unknown[]) => Number(db.sqlite.prepare(sqlText).run(...params).lastInsertRowid);
const REVIEWED = '2025-01-01T00:00:00.000Z';

function fixture() {
  const fe = insert(`INSERT INTO series (name) VALUES ('Formula E')`);
  const gt = insert(`INSERT INTO series (name) VALUES ('Super GT')`);
  const program = (series: number, season: string) =>
    insert(`INSERT INTO programs (series_id, season, start_year, end_year, entry, car, status) VALUES (?, ?, 2023, 2024, 'NISMO', 'Car', 'completed')`, series, season);
  const feProgram = program(fe, '2023-24');
  const gtProgram = program(gt, '2024');
  const inverter = insert(`INSERT INTO technology_categories (name) VALUES ('Inverter')`);
  const aero = insert(`INSERT INTO technology_categories (name) VALUES ('Aero')`);
  const tech = (name: string, category: number, origin: number | null, parents: number[] = []) => {
    const id = insert(`INSERT INTO technologies (name, domain, category_id, origin_program_id) VALUES (?, 'hardware', ?, ?)`, name, category, origin);
    for (const p of parents) insert(`INSERT INTO technology_derivations (parent_id, child_id) VALUES (?, ?)`, p, id);
    return id;
  };
  const raceInverter = tech('FE inverter', inverter, feProgram);
  const roadInverter = tech('Road inverter', inverter, null, [raceInverter]);
  const wing = tech('Rear wing', aero, gtProgram);
  tech('Lonely tech', aero, gtProgram);
  const model = (name: string) => insert(`INSERT INTO road_models (name, powertrain, status) VALUES (?, 'ev', 'production')`, name);
  const ariya = model('Ariya NISMO');
  const z = model('Z NISMO');
  model('Leaf NISMO');
  const transfer = (technology: number, roadModel: number, stage: string) =>
    insert(
      `INSERT INTO transfers (technology_id, road_model_id, stage, reviewed_at, review_fingerprint, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
      technology,
      roadModel,
      stage,
      REVIEWED,
      transferFingerprint(db, technology),
      REVIEWED,
    );
  const t = {
    roadAriya: transfer(roadInverter, ariya, 'in_production'),
    wingZ: transfer(wing, z, 'approved'),
    wingAriya: transfer(wing, ariya, 'candidate'),
  };
  const proto = insert(`INSERT INTO prototypes (code, kind) VALUES ('RIG-1', 'dyno_rig')`);
  const failRun = (technology: number, end: string) => {
    const run = insert(
      `INSERT INTO test_runs (code, prototype_id, title, venue_type, start_time, end_time, status, created_at, updated_at) VALUES (?, ?, 'Run', 'dyno', ?, ?, 'completed', ?, ?)`,
      `TR-${end}`,
      proto,
      `${end}T08:00:00.000Z`,
      `${end}T12:00:00.000Z`,
      `${end}T12:00:00.000Z`,
      `${end}T12:00:00.000Z`,
    );
    insert(`INSERT INTO evidence (test_run_id, technology_id, outcome) VALUES (?, ?, 'fail')`, run, technology);
    return run;
  };
  return { fe, gt, inverter, aero, raceInverter, roadInverter, wing, ariya, z, t, failRun };
}

describe('transferMatrix', () => {
  it('lists technologies and road models with a transfer, and each transfer in its cell', () => {
    const f = fixture();
    const m = transferMatrix(db);
    expect(m.technologies.map((x) => x.name)).toEqual(['Rear wing', 'Road inverter']);
    expect(m.road_models.map((x) => x.name)).toEqual(['Ariya NISMO', 'Z NISMO']);
    expect(m.cells).toEqual([
      { technology_id: f.wing, road_model_id: f.ariya, transfer_id: f.t.wingAriya, stage: 'candidate', suspect: false, suspect_reasons: [] },
      { technology_id: f.wing, road_model_id: f.z, transfer_id: f.t.wingZ, stage: 'approved', suspect: false, suspect_reasons: [] },
      { technology_id: f.roadInverter, road_model_id: f.ariya, transfer_id: f.t.roadAriya, stage: 'in_production', suspect: false, suspect_reasons: [] },
    ]);
    const cell = cellIndex(m);
    expect(cell(f.roadInverter, f.z)).toBeUndefined();
    expect(cell(f.wing, f.z)?.stage).toBe('approved');
    // The road inverter has no origin program: no series.
    expect(m.technologies[1]).toMatchObject({ category: 'Inverter', series_id: null, series: null });
    expect(m.technologies[0]).toMatchObject({ category: 'Aero', series: 'Super GT' });
  });

  it('filters by series of the origin program, category and stage; rows and columns follow', () => {
    const f = fixture();
    const gt = transferMatrix(db, { series_id: f.gt });
    expect(gt.technologies.map((x) => x.id)).toEqual([f.wing]);
    expect(gt.cells).toHaveLength(2);
    const inverter = transferMatrix(db, { category_id: f.inverter });
    expect(inverter.technologies.map((x) => x.id)).toEqual([f.roadInverter]);
    expect(inverter.road_models.map((x) => x.id)).toEqual([f.ariya]);
    const approved = transferMatrix(db, { stage: 'approved' });
    expect(approved.cells.map((c) => c.transfer_id)).toEqual([f.t.wingZ]);
    expect(approved.road_models.map((x) => x.id)).toEqual([f.z]);
    expect(transferMatrix(db, { series_id: f.fe })).toEqual({ technologies: [], road_models: [], cells: [] });
    expect(transferMatrix(db, { series_id: f.gt, stage: 'in_production' }).cells).toEqual([]);
  });

  it('marks a cell suspect when an ancestor fails after the review (SUS-1), with the reason', () => {
    const f = fixture();
    f.failRun(f.raceInverter, '2025-03-01');
    const cell = cellIndex(transferMatrix(db))(f.roadInverter, f.ariya)!;
    expect(cell.suspect).toBe(true);
    expect(cell.suspect_reasons).toHaveLength(1);
    expect(cell.suspect_reasons[0]!.rule).toBe('SUS-1');
    expect(cell.suspect_reasons[0]!.detail).toContain('FE inverter (an ancestor)');
    // A fail before the review does not count.
    expect(cellIndex(transferMatrix(db))(f.wing, f.z)!.suspect).toBe(false);
  });

  it('marks SUS-2 when a defining field changed, never a candidate, and a review clears it (SUS-3)', () => {
    const f = fixture();
    db.sqlite.prepare(`UPDATE technologies SET description = 'New profile' WHERE id = ?`).run(f.wing);
    f.failRun(f.wing, '2025-04-01');
    const m = transferMatrix(db);
    const cell = cellIndex(m);
    expect(cell(f.wing, f.z)!.suspect_reasons.map((r) => r.rule)).toEqual(['SUS-1', 'SUS-2']);
    expect(cell(f.wing, f.ariya)!.suspect).toBe(false);
    db.sqlite
      .prepare(`UPDATE transfers SET reviewed_at = '2025-05-01T00:00:00.000Z', review_fingerprint = ? WHERE id = ?`)
      .run(transferFingerprint(db, f.wing), f.t.wingZ);
    expect(cellIndex(transferMatrix(db))(f.wing, f.z)!.suspect).toBe(false);
  });

  it('writes a CSV pivot with the stage per cell and (suspect) marks', () => {
    const f = fixture();
    f.failRun(f.raceInverter, '2025-03-01');
    expect(matrixCsv(transferMatrix(db))).toBe(
      ['technology,category,series,Ariya NISMO,Z NISMO', 'Rear wing,Aero,Super GT,candidate,approved', 'Road inverter,Inverter,,in_production (suspect),', ''].join('\r\n'),
    );
    expect(matrixCsv(transferMatrix(db, { stage: 'rejected' }))).toBe('technology,category,series\r\n');
  });
});
