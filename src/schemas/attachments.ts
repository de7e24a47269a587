import { Type } from 'typebox';
import { ALLOWED_TYPES_TEXT, ATTACHMENT_LIMITS } from '../domain/attachments.js';
import { Id, PageQuery, SortParam, Timestamp } from './common.js';

const example = {
  id: 12,
  test_run_id: 42,
  filename: 'inverter-soak-lap07.mf4',
  content_type: 'application/x-mdf',
  size: 18_874_368,
  sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  uploaded_by: 3,
  uploaded_by_name: 'k.tanaka',
  created_at: '2026-05-14T11:20:00.000Z',
  content_url: '/api/v1/attachments/12/content',
};

export const Attachment = Type.Object(
  {
    id: Id,
    test_run_id: Id,
    filename: Type.String({ maxLength: ATTACHMENT_LIMITS.filename, description: 'The name the file was uploaded with (metadata only).' }),
    content_type: Type.String({ maxLength: 100, description: `The type found in the bytes: ${ALLOWED_TYPES_TEXT}.`, examples: ['image/png'] }),
    size: Type.Integer({ minimum: 0, description: 'Bytes.' }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$', maxLength: 64, description: 'SHA-256 of the bytes, lower-case hex.' }),
    uploaded_by: Type.Union([Type.Null(), Id], { description: 'The user who uploaded it.' }),
    uploaded_by_name: Type.Union([Type.Null(), Type.String({ maxLength: 100 })], { description: "The uploader's username." }),
    created_at: Timestamp,
    content_url: Type.String({ maxLength: 200, description: 'Where to download the bytes.' }),
  },
  { $id: 'Attachment', additionalProperties: false, examples: [example] },
);

export const AttachmentListQuery = Type.Object({
  limit: PageQuery.limit,
  cursor: PageQuery.cursor,
  sort: SortParam(['created_at', 'id', 'filename', 'size'], 'created_at'),
});

/** The multipart request body, for OpenAPI only (multipart is read as a stream, not validated by a schema). */
export const AttachmentUploadBody = {
  type: 'object',
  required: ['files'],
  properties: {
    files: {
      type: 'array',
      maxItems: ATTACHMENT_LIMITS.filesPerRequest,
      items: { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream' },
      description: `One part per file (any field name), at most ${ATTACHMENT_LIMITS.filesPerRequest} files of at most ${ATTACHMENT_LIMITS.fileSize / 1024 / 1024} MB each. Allowed: ${ALLOWED_TYPES_TEXT}, recognised from the bytes.`,
    },
  },
} as const;
