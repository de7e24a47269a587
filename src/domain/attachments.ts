// Attachments: files on a test run (telemetry, photos, reports). The bytes live on disk under
// <data dir>/attachments/<run id>/<random id> (never the user's file name); the row holds the
// name, the type found IN THE BYTES (an allowlist checked by magic numbers, not by the declared
// type or the extension), the size and a SHA-256. Uploads stream to disk; a file is renamed into
// place only once it checks out, and the rows of one upload are written in one transaction, so a
// refused or failed upload leaves no file and no row. Attachments are immutable; the run owns
// them (deleted with it, files removed after the commit).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { and, eq, inArray, type SQL } from 'drizzle-orm';
import { attachments, test_runs, users } from '../../db/schema.js';
import type { Db } from '../db.js';
import type { Actor } from './actor.js';
import { recordAudit } from './audit.js';
import { DomainError, NotFoundError, type FieldProblem } from './errors.js';
import { keyset, type KeysetSpec, type Page, type PageQuery } from './paging.js';
import { inTransaction } from './records.js';
import { nowIso } from './time.js';
import { UploadGarbage } from '../upload-garbage.js';

export const ATTACHMENT_LIMITS = {
  /** Bytes per file. */
  fileSize: 25 * 1024 * 1024,
  filesPerRequest: 10,
  filename: 255,
} as const;

/** What an upload may be, as found in its bytes. */
export const ATTACHMENT_KINDS = {
  png: { label: 'PNG image', type: 'image/png', declared: ['image/png', 'image/x-png'] },
  jpeg: { label: 'JPEG image', type: 'image/jpeg', declared: ['image/jpeg', 'image/jpg', 'image/pjpeg'] },
  pdf: { label: 'PDF document', type: 'application/pdf', declared: ['application/pdf', 'application/x-pdf'] },
  zip: {
    label: 'ZIP archive (also .xlsx, .docx)',
    type: 'application/zip',
    declared: [
      'application/zip',
      'application/x-zip-compressed',
      'application/x-zip',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
  },
  parquet: { label: 'Parquet file', type: 'application/vnd.apache.parquet', declared: ['application/vnd.apache.parquet', 'application/x-parquet', 'application/parquet'] },
  mdf: { label: 'MDF4 measurement file', type: 'application/x-mdf', declared: ['application/x-mdf', 'application/x-asam-mdf', 'application/vnd.asam.mdf', 'application/mf4'] },
  json: { label: 'JSON', type: 'application/json', declared: ['application/json', 'text/json'] },
  csv: { label: 'CSV', type: 'text/csv', declared: ['text/csv', 'application/csv', 'text/comma-separated-values', 'application/vnd.ms-excel'] },
  text: { label: 'plain text', type: 'text/plain', declared: ['text/plain', 'text/markdown', 'text/x-log'] },
} as const;

export type AttachmentKind = keyof typeof ATTACHMENT_KINDS;

/** Declared types that say nothing: the bytes decide alone. */
const GENERIC_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/unknown']);
const TEXT_KINDS = new Set<AttachmentKind>(['json', 'csv', 'text']);

export const ALLOWED_TYPES_TEXT = 'PNG, JPEG, PDF, ZIP (also .xlsx), Parquet, MDF4, JSON, CSV or plain UTF-8 text';

/** The stored content types, for documentation. */
export const ATTACHMENT_CONTENT_TYPES = [
  ...new Set([
    ...Object.values(ATTACHMENT_KINDS).map((k) => k.type),
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  ]),
];

/** An upload refused for what it is: 413 too large, 415 a type outside the allowlist, 422 bytes that contradict the declared type. */
export class AttachmentRefusedError extends DomainError {
  constructor(
    readonly statusCode: 413 | 415 | 422,
    message: string,
    readonly errors: FieldProblem[] = [],
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Where files live

const dataDirs = new WeakMap<Db, string>();

/** The data folder whose `attachments/` holds the files (set when the app is built). */
export function configureAttachments(db: Db, dataDir: string): void {
  dataDirs.set(db, path.resolve(dataDir));
}

/** The configured data folder, else the database file's folder (the default layout). */
export function dataDirOf(db: Db): string {
  return dataDirs.get(db) ?? path.dirname(path.resolve(db.sqlite.name));
}

/** Absolute path of a stored file; refuses a stored path that would leave the attachments folder. */
export function attachmentFile(db: Db, storagePath: string): string {
  const root = path.join(dataDirOf(db), 'attachments');
  const abs = path.resolve(dataDirOf(db), storagePath);
  if (!abs.startsWith(root + path.sep)) throw new Error(`attachment path ${storagePath} is outside the attachments folder`);
  return abs;
}

/** Removes stored files (after the transaction that deleted their rows committed); missing files are fine. */
export function removeAttachmentFiles(db: Db, storagePaths: string[]): void {
  const folders = new Set<string>();
  for (const p of storagePaths) {
    try {
      const abs = attachmentFile(db, p);
      fs.rmSync(abs, { force: true });
      folders.add(path.dirname(abs));
    } catch {
      // A file that cannot be removed is left behind; the row is gone either way.
    }
  }
  for (const folder of folders) {
    try {
      fs.rmdirSync(folder); // only when empty
    } catch {
      // not empty, or already gone
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reads

export interface AttachmentItem {
  id: number;
  test_run_id: number;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  uploaded_by: number | null;
  /** The uploader's username (null when the user is gone or the system uploaded). */
  uploaded_by_name: string | null;
  created_at: string;
  /** Where the API serves the bytes. */
  content_url: string;
}

export interface AttachmentListQuery extends PageQuery {}

const SORT: KeysetSpec = {
  fields: { created_at: attachments.created_at, id: attachments.id, filename: attachments.filename, size: attachments.size },
  id: attachments.id,
  defaultSort: 'created_at',
};

const columns = {
  id: attachments.id,
  test_run_id: attachments.test_run_id,
  filename: attachments.filename,
  content_type: attachments.content_type,
  size: attachments.size,
  sha256: attachments.sha256,
  storage_path: attachments.storage_path,
  uploaded_by: attachments.uploaded_by,
  uploaded_by_name: users.username,
  created_at: attachments.created_at,
};

type JoinedRow = { [K in keyof typeof columns]: (typeof columns)[K]['_']['data'] } & { uploaded_by_name: string | null };

function toItem(row: JoinedRow): AttachmentItem {
  return {
    id: row.id,
    test_run_id: row.test_run_id,
    filename: row.filename,
    content_type: row.content_type,
    size: row.size,
    sha256: row.sha256,
    uploaded_by: row.uploaded_by,
    uploaded_by_name: row.uploaded_by_name ?? null,
    created_at: row.created_at,
    content_url: `/api/v1/attachments/${row.id}/content`,
  };
}

function selectJoined(db: Db, where: SQL | undefined) {
  return db.orm.select(columns).from(attachments).leftJoin(users, eq(users.id, attachments.uploaded_by)).where(where);
}

/** The run files are attached to (404 when it does not exist). */
export function requireRun(db: Db, runId: number): { id: number; code: string } {
  const run = db.orm.select({ id: test_runs.id, code: test_runs.code }).from(test_runs).where(eq(test_runs.id, runId)).get();
  if (!run) throw new NotFoundError('test_run', runId);
  return run;
}

export function listAttachments(db: Db, runId: number, query: AttachmentListQuery = {}): Page<AttachmentItem> {
  requireRun(db, runId);
  const ks = keyset(SORT, query);
  const rows = selectJoined(db, and(eq(attachments.test_run_id, runId), ks.where))
    .orderBy(...ks.orderBy)
    .limit(ks.limit + 1)
    .all() as JoinedRow[];
  const page = ks.page(rows);
  return { items: page.items.map(toItem), next_cursor: page.next_cursor };
}

function findRow(db: Db, id: number): JoinedRow | undefined {
  return selectJoined(db, eq(attachments.id, id)).get() as JoinedRow | undefined;
}

export function getAttachment(db: Db, id: number): AttachmentItem {
  const row = findRow(db, id);
  if (!row) throw new NotFoundError('attachment', id);
  return toItem(row);
}

/** The attachment with the absolute path of its bytes (404 when the row or the file is missing). */
export function attachmentContent(db: Db, id: number): { item: AttachmentItem; file: string } {
  const row = findRow(db, id);
  if (!row) throw new NotFoundError('attachment', id);
  const file = attachmentFile(db, row.storage_path);
  if (!fs.existsSync(file)) throw new NotFoundError('attachment file', id);
  return { item: toItem(row), file };
}

/** `attachment; filename="ascii fallback"; filename*=UTF-8''<percent-encoded>` (RFC 6266 / 8187). */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

// ---------------------------------------------------------------------------------------------
// Recognising the bytes

interface Sniffed {
  head: Buffer;
  tail: Buffer;
  size: number;
  /** Valid UTF-8 throughout, without NUL bytes. */
  text: boolean;
}

function startsWith(buf: Buffer, bytes: number[] | string): boolean {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
  return buf.length >= b.length && buf.subarray(0, b.length).equals(b);
}

/** The allowlisted kind of `bytes`, or undefined. Text is told apart by the declared type and name. */
export function sniffKind(s: Sniffed, declared: string, filename: string): AttachmentKind | undefined {
  const { head } = s;
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, '%PDF-')) return 'pdf';
  if (startsWith(head, 'PK\x03\x04') || startsWith(head, 'PK\x05\x06')) return 'zip';
  if (startsWith(head, 'PAR1') && s.size >= 8 && s.tail.equals(Buffer.from('PAR1'))) return 'parquet';
  if (startsWith(head, 'MDF     ')) return 'mdf';
  if (!s.text) return undefined;
  const firstChar = head.toString('utf8').replace(/^\uFEFF/, '').trimStart()[0];
  const ext = path.extname(filename).toLowerCase();
  const claimsJson = (ATTACHMENT_KINDS.json.declared as readonly string[]).includes(declared) || ext === '.json';
  if (claimsJson) return firstChar === '{' || firstChar === '[' ? 'json' : 'text';
  if ((ATTACHMENT_KINDS.csv.declared as readonly string[]).includes(declared) || ext === '.csv') return 'csv';
  return 'text';
}

function kindOfDeclared(declared: string): AttachmentKind | undefined {
  for (const [kind, info] of Object.entries(ATTACHMENT_KINDS)) {
    if ((info.declared as readonly string[]).includes(declared)) return kind as AttachmentKind;
  }
  return undefined;
}

/** Stream stage that hashes, counts, keeps the first and last bytes and checks for UTF-8 text. */
class Inspector extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  head = Buffer.alloc(0);
  tail = Buffer.alloc(0);
  text = true;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly garbage = new UploadGarbage();

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    this.garbage.passed(chunk.length);
    if (this.head.length < 4096) this.head = Buffer.concat([this.head, chunk.subarray(0, 4096 - this.head.length)]);
    this.tail = chunk.length >= 4 ? Buffer.from(chunk.subarray(-4)) : Buffer.concat([this.tail, chunk]).subarray(-4);
    if (this.text) {
      if (chunk.includes(0)) this.text = false;
      else {
        try {
          this.decoder.decode(chunk, { stream: true });
        } catch {
          this.text = false;
        }
      }
    }
    done(null, chunk);
  }

  override _flush(done: (error?: Error | null) => void): void {
    if (this.text) {
      try {
        this.decoder.decode();
      } catch {
        this.text = false;
      }
    }
    this.garbage.finished();
    done();
  }
}

// ---------------------------------------------------------------------------------------------
// Uploads: stage each file on disk, then write the rows of the whole request at once

/** A file written and checked, not yet recorded. */
export interface StagedFile {
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  storage_path: string;
}

export interface IncomingFile {
  /** As the client named it; kept as metadata only. */
  filename: string;
  /** The part's declared Content-Type. */
  mimetype: string;
  stream: Readable & { truncated?: boolean };
}

/** A user's file name made safe to store and to show: no folders, no control characters. */
export function cleanFilename(raw: string | undefined): string {
  // A multipart part may carry no filename at all.
  raw = raw ?? '';
  const base = raw.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return (cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned).slice(0, ATTACHMENT_LIMITS.filename);
}

function label(kind: AttachmentKind): string {
  return ATTACHMENT_KINDS[kind].label;
}

/**
 * Streams one uploaded file to `<data dir>/attachments/<run id>/<random id>` while hashing it and
 * checks what the bytes are. `index` names the file in errors (`/files/<index>`). On refusal the
 * file is gone before the error is thrown.
 */
export async function stageAttachment(db: Db, runId: number, file: IncomingFile, index: number): Promise<StagedFile> {
  const filename = cleanFilename(file.filename);
  const declared = file.mimetype.split(';')[0]!.trim().toLowerCase();
  const folder = path.join(dataDirOf(db), 'attachments', String(runId));
  fs.mkdirSync(folder, { recursive: true });
  const id = randomBytes(16).toString('hex');
  const storagePath = `attachments/${runId}/${id}`;
  const final = path.join(folder, id);
  const partial = `${final}.partial`;
  const inspector = new Inspector();
  const where = `/files/${index}`;
  try {
    await pipeline(file.stream, inspector, fs.createWriteStream(partial, { flags: 'wx' }));
    if (file.stream.truncated) {
      throw new AttachmentRefusedError(413, `file "${filename}" is larger than ${ATTACHMENT_LIMITS.fileSize / 1024 / 1024} MB`, [
        { path: where, message: `is larger than ${ATTACHMENT_LIMITS.fileSize / 1024 / 1024} MB` },
      ]);
    }
    if (inspector.size === 0) {
      throw new AttachmentRefusedError(422, `file "${filename}" is empty`, [{ path: where, message: 'is empty' }]);
    }
    const kind = sniffKind({ head: inspector.head, tail: inspector.tail, size: inspector.size, text: inspector.text }, declared, filename);
    if (!kind) {
      const message = `file "${filename}" is not an allowed type: attach ${ALLOWED_TYPES_TEXT}`;
      throw new AttachmentRefusedError(415, message, [{ path: where, message: `is not an allowed type (${ALLOWED_TYPES_TEXT})` }]);
    }
    const claimed = kindOfDeclared(declared);
    const compatible =
      GENERIC_TYPES.has(declared) ||
      claimed === kind ||
      // Text is one family: a CSV declared text/plain (or JSON as text) is still what it says.
      (claimed !== undefined && TEXT_KINDS.has(claimed) && TEXT_KINDS.has(kind) && !(claimed === 'json' && kind !== 'json'));
    if (!compatible) {
      const said = claimed ? `${declared} (${label(claimed)})` : declared;
      const message = `file "${filename}" is declared as ${said} but its bytes are a ${label(kind)}`;
      throw new AttachmentRefusedError(422, message, [{ path: where, message: `is declared as ${said} but its bytes are a ${label(kind)}` }]);
    }
    // ZIP containers keep the declared OOXML type (a .xlsx stays a spreadsheet for the browser).
    const contentType = kind === 'zip' && claimed === 'zip' && declared !== 'application/x-zip-compressed' && declared !== 'application/x-zip' ? declared : ATTACHMENT_KINDS[kind].type;
    fs.renameSync(partial, final);
    return { filename, content_type: contentType, size: inspector.size, sha256: inspector.hash.digest('hex'), storage_path: storagePath };
  } catch (error) {
    fs.rmSync(partial, { force: true });
    fs.rmSync(final, { force: true });
    // Drain what is left of the part so that the rest of the request can be read or discarded.
    file.stream.resume();
    throw error;
  }
}

/** Removes staged files of an upload that will not be recorded. */
export function discardStaged(db: Db, staged: StagedFile[]): void {
  removeAttachmentFiles(
    db,
    staged.map((s) => s.storage_path),
  );
}

/** Records the staged files of one upload: one transaction, one audit event per attachment. */
export function createAttachments(db: Db, actor: Actor, runId: number, staged: StagedFile[]): AttachmentItem[] {
  return inTransaction(db, () => {
    requireRun(db, runId);
    const at = nowIso();
    const ids: number[] = [];
    for (const s of staged) {
      const row = db.orm
        .insert(attachments)
        .values({ test_run_id: runId, ...s, uploaded_by: actor.id, created_at: at })
        .returning({ id: attachments.id })
        .get();
      ids.push(row.id);
    }
    const items = ids.map((id) => getAttachment(db, id));
    for (const item of items) recordAudit(db, actor, { entity: 'attachment', entityId: item.id, action: 'create', after: item }, at);
    return items;
  });
}

/** Stages then records several files (all or nothing). For callers that have the streams in hand. */
export async function uploadAttachments(db: Db, actor: Actor, runId: number, files: AsyncIterable<IncomingFile> | IncomingFile[]): Promise<AttachmentItem[]> {
  requireRun(db, runId);
  const staged: StagedFile[] = [];
  try {
    let index = 0;
    for await (const file of files) staged.push(await stageAttachment(db, runId, file, index++));
    return createAttachments(db, actor, runId, staged);
  } catch (error) {
    discardStaged(db, staged);
    throw error;
  }
}

/** Attachments are immutable: they are only deleted (audited), the file after the commit. */
export function deleteAttachment(db: Db, actor: Actor, id: number): AttachmentItem {
  const { item, storagePath } = inTransaction(db, () => {
    const row = findRow(db, id);
    if (!row) throw new NotFoundError('attachment', id);
    const before = toItem(row);
    db.orm.delete(attachments).where(eq(attachments.id, id)).run();
    recordAudit(db, actor, { entity: 'attachment', entityId: id, action: 'delete', before });
    return { item: before, storagePath: row.storage_path };
  });
  removeAttachmentFiles(db, [storagePath]);
  return item;
}

/**
 * Deletes a run's attachment rows (with their audit events) inside the run's delete transaction
 * and returns their storage paths: remove the files with removeAttachmentFiles after the commit.
 */
export function deleteRunAttachments(db: Db, actor: Actor, runId: number): string[] {
  const rows = selectJoined(db, eq(attachments.test_run_id, runId)).all() as JoinedRow[];
  if (rows.length === 0) return [];
  const at = nowIso();
  db.orm
    .delete(attachments)
    .where(inArray(attachments.id, rows.map((r) => r.id)))
    .run();
  for (const row of rows) recordAudit(db, actor, { entity: 'attachment', entityId: row.id, action: 'delete', before: toItem(row) }, at);
  return rows.map((r) => r.storage_path);
}
