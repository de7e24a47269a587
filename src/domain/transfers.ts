// Transfers: a technology feeding a road model. Creating one and every change of its stage record
// a review by the writer; reviewTransfer records one without a change (SUS-3's "mark reviewed").
import { and, eq, gte, type SQL } from 'drizzle-orm';
import { road_models, technologies, transfers, TRANSFER_STAGES } from '../../db/schema.js';
import type { Db } from '../db.js';
import type { Actor } from './actor.js';
import { recordAudit } from './audit.js';
import { InvalidInputError, NotFoundError, type FieldProblem } from './errors.js';
import { keyset, type KeysetSpec, type Page, type PageQuery } from './paging.js';
import { bumped, definedFields, expectVersion, inTransaction } from './records.js';
import { transferFingerprint } from './suspect.js';
import { nowIso } from './time.js';

export type TransferStage = (typeof TRANSFER_STAGES)[number];

/** The API shape: the row without `review_fingerprint`, which is internal to SUS-2. */
export interface Transfer {
  id: number;
  technology_id: number;
  road_model_id: number;
  stage: TransferStage;
  rationale: string;
  decided_on: string | null;
  reviewed_by: number | null;
  reviewed_at: string | null;
  review_note: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface TransferInput {
  technology_id: number;
  road_model_id: number;
  stage: TransferStage;
  rationale?: string;
  decided_on?: string | null;
  /** Recorded with the review that creating the transfer or changing its stage makes. */
  review_note?: string;
}
export type TransferPatch = Partial<TransferInput>;
export interface TransferListQuery extends PageQuery {
  updated_since?: string;
  technology_id?: number;
  road_model_id?: number;
  stage?: TransferStage;
}

const ENTITY = 'transfer';

const COLUMNS = {
  id: transfers.id,
  technology_id: transfers.technology_id,
  road_model_id: transfers.road_model_id,
  stage: transfers.stage,
  rationale: transfers.rationale,
  decided_on: transfers.decided_on,
  reviewed_by: transfers.reviewed_by,
  reviewed_at: transfers.reviewed_at,
  review_note: transfers.review_note,
  version: transfers.version,
  created_at: transfers.created_at,
  updated_at: transfers.updated_at,
};

const SORT: KeysetSpec = {
  fields: { id: transfers.id, updated_at: transfers.updated_at, stage: transfers.stage },
  id: transfers.id,
  defaultSort: 'id',
};

type Selected = Omit<Transfer, 'stage'> & { stage: string };

function toTransfer(row: Selected): Transfer {
  return { ...row, stage: row.stage as TransferStage };
}

/** A review by `actor` now: also fingerprints the technology's defining fields (SUS-2, cleared per SUS-3). */
function review(db: Db, actor: Actor, at: string, note: string | undefined, technologyId: number) {
  return { reviewed_by: actor.id, reviewed_at: at, review_note: note ?? '', review_fingerprint: transferFingerprint(db, technologyId) };
}

/** Both ends of the link must exist (422 naming the field). */
function checkReferences(db: Db, technologyId: number | undefined, roadModelId: number | undefined): void {
  const errors: FieldProblem[] = [];
  if (technologyId !== undefined) {
    const found = db.orm.select({ id: technologies.id }).from(technologies).where(eq(technologies.id, technologyId)).get();
    if (!found) errors.push({ path: '/technology_id', message: 'does not exist' });
  }
  if (roadModelId !== undefined) {
    const found = db.orm.select({ id: road_models.id }).from(road_models).where(eq(road_models.id, roadModelId)).get();
    if (!found) errors.push({ path: '/road_model_id', message: 'does not exist' });
  }
  if (errors.length > 0) throw new InvalidInputError(errors);
}

export function listTransfers(db: Db, query: TransferListQuery): Page<Transfer> {
  const ks = keyset(SORT, query);
  const where: (SQL | undefined)[] = [ks.where];
  if (query.updated_since) where.push(gte(transfers.updated_at, query.updated_since));
  if (query.technology_id !== undefined) where.push(eq(transfers.technology_id, query.technology_id));
  if (query.road_model_id !== undefined) where.push(eq(transfers.road_model_id, query.road_model_id));
  if (query.stage) where.push(eq(transfers.stage, query.stage));
  const rows = db.orm.select(COLUMNS).from(transfers).where(and(...where)).orderBy(...ks.orderBy).limit(ks.limit + 1).all();
  const page = ks.page(rows);
  return { items: page.items.map(toTransfer), next_cursor: page.next_cursor };
}

export function findTransfer(db: Db, id: number): Transfer | undefined {
  const row = db.orm.select(COLUMNS).from(transfers).where(eq(transfers.id, id)).get();
  return row ? toTransfer(row) : undefined;
}

export function getTransfer(db: Db, id: number): Transfer {
  const item = findTransfer(db, id);
  if (!item) throw new NotFoundError(ENTITY, id);
  return item;
}

export function createTransfer(db: Db, actor: Actor, input: TransferInput): Transfer {
  return inTransaction(db, () => {
    checkReferences(db, input.technology_id, input.road_model_id);
    const at = nowIso();
    const row = db.orm
      .insert(transfers)
      .values({
        technology_id: input.technology_id,
        road_model_id: input.road_model_id,
        stage: input.stage,
        rationale: input.rationale ?? '',
        decided_on: input.decided_on ?? null,
        ...review(db, actor, at, input.review_note, input.technology_id),
        created_at: at,
        updated_at: at,
      })
      .returning(COLUMNS)
      .get();
    const after = toTransfer(row);
    recordAudit(db, actor, { entity: ENTITY, entityId: row.id, action: 'create', after }, at);
    return after;
  });
}

export function updateTransfer(
  db: Db,
  actor: Actor,
  id: number,
  expectedVersion: number | undefined,
  patch: TransferPatch,
): Transfer {
  return inTransaction(db, () => {
    const before = getTransfer(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    const { review_note: note, ...fields } = definedFields(patch);
    const stageChanges = fields.stage !== undefined && fields.stage !== before.stage;
    if (note !== undefined && !stageChanges) {
      // A note alone would look like a review that never happened.
      throw new InvalidInputError([
        { path: '/review_note', message: 'is recorded only with a change of stage; to review without one, POST /api/v1/transfers/{id}/review' },
      ]);
    }
    checkReferences(
      db,
      fields.technology_id !== undefined && fields.technology_id !== before.technology_id ? fields.technology_id : undefined,
      fields.road_model_id !== undefined && fields.road_model_id !== before.road_model_id ? fields.road_model_id : undefined,
    );
    const at = nowIso();
    const row = db.orm
      .update(transfers)
      .set({ ...fields, ...(stageChanges ? review(db, actor, at, note, fields.technology_id ?? before.technology_id) : {}), ...bumped(at) })
      .where(eq(transfers.id, id))
      .returning(COLUMNS)
      .get();
    const after = toTransfer(row);
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'update', before, after }, at);
    return after;
  });
}

/** Records a review by `actor` without changing the transfer otherwise; the version moves and it is audited. */
export function reviewTransfer(
  db: Db,
  actor: Actor,
  id: number,
  expectedVersion: number | undefined,
  note: string | undefined,
): Transfer {
  return inTransaction(db, () => {
    const before = getTransfer(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    const at = nowIso();
    const row = db.orm
      .update(transfers)
      .set({ ...review(db, actor, at, note, before.technology_id), ...bumped(at) })
      .where(eq(transfers.id, id))
      .returning(COLUMNS)
      .get();
    const after = toTransfer(row);
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'update', before, after }, at);
    return after;
  });
}

export function deleteTransfer(db: Db, actor: Actor, id: number, expectedVersion: number | undefined): void {
  inTransaction(db, () => {
    const before = getTransfer(db, id);
    expectVersion(ENTITY, before, expectedVersion);
    db.orm.delete(transfers).where(eq(transfers.id, id)).run();
    recordAudit(db, actor, { entity: ENTITY, entityId: id, action: 'delete', before });
  });
}
