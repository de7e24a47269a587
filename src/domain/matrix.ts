// The traceability matrix: technologies × road models with the transfer stage in each cell and
// suspect cells marked (SUS-1/2 from src/domain/suspect.ts). One query reads the transfers that
// pass the filters with everything the rows and columns need; the suspect marks come from the
// set-based suspect computation. Only technologies and road models with at least one transfer
// (after filters) appear.
import type { TRANSFER_STAGES } from '../../db/schema.js';
import { prepared, type Db } from '../db.js';
import { toCsv, type CsvColumn, type CsvOptions } from './csv.js';
import { canBeSuspect, suspectTransfers, type SuspectRule } from './suspect.js';

export type TransferStage = (typeof TRANSFER_STAGES)[number];

export interface MatrixQuery {
  /** The series of the technology's origin program. */
  series_id?: number | undefined;
  category_id?: number | undefined;
  stage?: TransferStage | undefined;
}

export interface MatrixTechnology {
  id: number;
  name: string;
  category_id: number;
  category: string;
  series_id: number | null;
  series: string | null;
}

export interface MatrixRoadModel {
  id: number;
  name: string;
  status: string;
  launch_date: string | null;
}

export interface MatrixCell {
  technology_id: number;
  road_model_id: number;
  transfer_id: number;
  stage: TransferStage;
  suspect: boolean;
  suspect_reasons: { rule: SuspectRule; detail: string }[];
}

export interface Matrix {
  technologies: MatrixTechnology[];
  road_models: MatrixRoadModel[];
  /** Only the cells that hold a transfer, by technology row then road model column. */
  cells: MatrixCell[];
}

interface CellRow {
  transfer_id: number;
  stage: TransferStage;
  technology_id: number;
  technology: string;
  category_id: number;
  category: string;
  series_id: number | null;
  series: string | null;
  road_model_id: number;
  road_model: string;
  road_model_status: string;
  launch_date: string | null;
}

const MATRIX_SQL = `
  SELECT tr.id AS transfer_id, tr.stage,
         t.id AS technology_id, t.name AS technology, c.id AS category_id, c.name AS category,
         se.id AS series_id, se.name AS series,
         rm.id AS road_model_id, rm.name AS road_model, rm.status AS road_model_status, rm.launch_date
    FROM transfers tr
    JOIN technologies t ON t.id = tr.technology_id
    JOIN technology_categories c ON c.id = t.category_id
    JOIN road_models rm ON rm.id = tr.road_model_id
    LEFT JOIN programs pg ON pg.id = t.origin_program_id
    LEFT JOIN series se ON se.id = pg.series_id
   WHERE (:series_id IS NULL OR pg.series_id = :series_id)
     AND (:category_id IS NULL OR t.category_id = :category_id)
     AND (:stage IS NULL OR tr.stage = :stage)
   ORDER BY tr.id`;

function byName<T extends { name: string; id: number }>(a: T, b: T): number {
  return a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.id - b.id;
}

function matrixRows(db: Db, query: MatrixQuery): CellRow[] {
  return prepared(db, MATRIX_SQL).all({
    series_id: query.series_id ?? null,
    category_id: query.category_id ?? null,
    stage: query.stage ?? null,
  }) as CellRow[];
}

function technologyOf(r: CellRow): MatrixTechnology {
  return { id: r.technology_id, name: r.technology, category_id: r.category_id, category: r.category, series_id: r.series_id, series: r.series };
}

/** Rows, columns and cells of the given transfer rows; suspects asked for these cells only. */
function matrixOf(db: Db, rows: CellRow[]): Matrix {
  if (rows.length === 0) return { technologies: [], road_models: [], cells: [] };

  // Only approved / in_production transfers can be suspect: ask about the shown ones only.
  const live = rows.filter((r) => canBeSuspect(r.stage)).map((r) => r.transfer_id);
  const suspects = live.length ? suspectTransfers(db, { transferIds: live }) : [];
  const reasons = new Map(suspects.map((s) => [s.transfer_id, s.reasons.map((r) => ({ rule: r.rule, detail: r.detail }))]));

  const technologies = new Map<number, MatrixTechnology>();
  const roadModels = new Map<number, MatrixRoadModel>();
  const cells: MatrixCell[] = [];
  for (const r of rows) {
    if (!technologies.has(r.technology_id)) technologies.set(r.technology_id, technologyOf(r));
    if (!roadModels.has(r.road_model_id)) {
      roadModels.set(r.road_model_id, { id: r.road_model_id, name: r.road_model, status: r.road_model_status, launch_date: r.launch_date });
    }
    const why = reasons.get(r.transfer_id) ?? [];
    cells.push({
      technology_id: r.technology_id,
      road_model_id: r.road_model_id,
      transfer_id: r.transfer_id,
      stage: r.stage,
      suspect: why.length > 0,
      suspect_reasons: why,
    });
  }
  const techList = [...technologies.values()].sort(byName);
  const modelList = [...roadModels.values()].sort(byName);
  const techAt = new Map(techList.map((t, i) => [t.id, i]));
  const modelAt = new Map(modelList.map((m, i) => [m.id, i]));
  cells.sort((a, b) => techAt.get(a.technology_id)! - techAt.get(b.technology_id)! || modelAt.get(a.road_model_id)! - modelAt.get(b.road_model_id)!);
  return { technologies: techList, road_models: modelList, cells };
}

/** The whole matrix (the API and the CSV pivot). */
export function transferMatrix(db: Db, query: MatrixQuery = {}): Matrix {
  return matrixOf(db, matrixRows(db, query));
}

export interface MatrixSlice {
  /** The technologies of this page (by name), and the road models and cells they have. */
  matrix: Matrix;
  /** Technologies with a transfer (after filters), on every page. */
  technologyTotal: number;
  /** Road models with a transfer (after filters), on every page. */
  roadModelTotal: number;
  transferTotal: number;
  page: number;
  pages: number;
  perPage: number;
}

export const MATRIX_TECHNOLOGIES_PER_PAGE = 50;

/**
 * One page of the matrix for people: `perPage` technology rows, by name, with the road model
 * columns those rows have a transfer in. A whole matrix of a large line-up (thousands of
 * technologies × a thousand road models) is millions of cells: no page a browser can show, and
 * more than a server should build per request. A page past the last shows the last.
 */
export function transferMatrixPage(db: Db, query: MatrixQuery, page: number, perPage = MATRIX_TECHNOLOGIES_PER_PAGE): MatrixSlice {
  const rows = matrixRows(db, query);
  const technologies = new Map<number, MatrixTechnology>();
  const roadModels = new Set<number>();
  for (const r of rows) {
    if (!technologies.has(r.technology_id)) technologies.set(r.technology_id, technologyOf(r));
    roadModels.add(r.road_model_id);
  }
  const pages = Math.max(1, Math.ceil(technologies.size / perPage));
  const current = Math.min(Math.max(1, page), pages);
  const shown = new Set(
    [...technologies.values()]
      .sort(byName)
      .slice((current - 1) * perPage, current * perPage)
      .map((t) => t.id),
  );
  return {
    matrix: matrixOf(
      db,
      rows.filter((r) => shown.has(r.technology_id)),
    ),
    technologyTotal: technologies.size,
    roadModelTotal: roadModels.size,
    transferTotal: rows.length,
    page: current,
    pages,
    perPage,
  };
}

/** The cell of a technology and a road model, if they have a transfer. */
export function cellIndex(matrix: Matrix): (technologyId: number, roadModelId: number) => MatrixCell | undefined {
  const index = new Map(matrix.cells.map((c) => [`${c.technology_id}:${c.road_model_id}`, c]));
  return (technologyId, roadModelId) => index.get(`${technologyId}:${roadModelId}`);
}

/** A cell as CSV text: the stage, `approved (suspect)` when suspect, empty without a transfer. */
export function cellText(cell: MatrixCell | undefined): string {
  if (!cell) return '';
  return cell.suspect ? `${cell.stage} (suspect)` : cell.stage;
}

/** The matrix as a CSV pivot: technology, category, series, then one column per road model. */
export function matrixCsv(matrix: Matrix, options: CsvOptions = {}): string {
  const cell = cellIndex(matrix);
  const columns: CsvColumn<MatrixTechnology>[] = [
    { header: 'technology', value: (t) => t.name },
    { header: 'category', value: (t) => t.category },
    { header: 'series', value: (t) => t.series },
    ...matrix.road_models.map((m) => ({ header: m.name, value: (t: MatrixTechnology) => cellText(cell(t.id, m.id)) })),
  ];
  return toCsv(columns, matrix.technologies, options);
}
