// A run's attachments: the list (name, type, size, checksum, who and when, download) and the
// upload form. The section loads into the run page with htmx and is also a page of its own
// (no JavaScript). The upload form puts the CSRF field first: the server reads it before the files.
import type { AttachmentItem } from '../../../src/domain/attachments.js';
import { ATTACHMENT_LIMITS } from '../../../src/domain/attachments.js';
import { PageHead, TimeCell } from '../../components/common.js';
import { attrValue, CsrfField } from '../../components/forms.js';

/** `18.0 MB`, `912 KB`, `40 B`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

const ACCEPT = '.png,.jpg,.jpeg,.pdf,.csv,.txt,.json,.zip,.xlsx,.parquet,.mf4,.mdf';

export interface AttachmentsSectionProps {
  runId: number;
  items: AttachmentItem[];
  csrfToken: string;
  canWrite: boolean;
  message?: string | undefined;
  error?: string | undefined;
}

export function AttachmentsSection(props: AttachmentsSectionProps) {
  const { runId, items } = props;
  const sectionUrl = `/test-runs/${runId}/attachments`;
  return (
    <section id="attachments" aria-labelledby="attachments-heading">
      <h2 id="attachments-heading">Attachments</h2>
      {props.message ? (
        <p class="flash" role="status" safe>
          {props.message}
        </p>
      ) : (
        ''
      )}
      {props.error ? (
        <div class="error-summary" role="alert" tabindex="-1" id="error-summary">
          <strong>The upload was refused.</strong>
          <p safe>{props.error}</p>
        </div>
      ) : (
        ''
      )}
      {items.length === 0 ? (
        <p class="empty-state">No files attached yet.</p>
      ) : (
        <div class="table-scroll">
          <table class="striped">
            <caption class="visually-hidden">Files attached to this run</caption>
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Type</th>
                <th scope="col" class="numeric">
                  Size
                </th>
                <th scope="col">SHA-256</th>
                <th scope="col">Uploaded by</th>
                <th scope="col">Uploaded</th>
                {props.canWrite ? <th scope="col">Actions</th> : ''}
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr>
                  <td>
                    <a href={`/attachments/${a.id}/content`} download="" safe>
                      {a.filename}
                    </a>
                  </td>
                  <td safe>{a.content_type}</td>
                  <td class="numeric" safe>
                    {formatBytes(a.size)}
                  </td>
                  <td>
                    <code title={a.sha256} safe>
                      {`${a.sha256.slice(0, 12)}…`}
                    </code>
                  </td>
                  <td safe>{a.uploaded_by_name ?? '—'}</td>
                  <td>
                    <TimeCell iso={a.created_at} />
                  </td>
                  {props.canWrite ? (
                    <td>
                      <a
                        href={`/attachments/${a.id}/delete`}
                        hx-post={`/attachments/${a.id}/delete`}
                        hx-confirm={attrValue(`Delete ${a.filename}? This cannot be undone.`)}
                        hx-target="#attachments"
                        hx-swap="outerHTML"
                        class="secondary"
                        aria-label={attrValue(`Delete ${a.filename}`)}
                      >
                        Delete
                      </a>
                    </td>
                  ) : (
                    ''
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {props.canWrite ? (
        <form
          method="post"
          action={sectionUrl}
          enctype="multipart/form-data"
          hx-post={sectionUrl}
          hx-target="#attachments"
          hx-swap="outerHTML"
          class="upload-form"
        >
          <CsrfField token={props.csrfToken} />
          <label for={`attachment-files-${runId}`}>
            <span>Add files</span>
            <input id={`attachment-files-${runId}`} type="file" name="files" multiple required accept={ACCEPT} aria-describedby={`attachment-files-${runId}-hint`} />
            <small id={`attachment-files-${runId}-hint`} safe>
              {`Up to ${ATTACHMENT_LIMITS.filesPerRequest} files of at most ${ATTACHMENT_LIMITS.fileSize / 1024 / 1024} MB each: PNG, JPEG, PDF, CSV or text, JSON, ZIP or XLSX, Parquet, MDF4.`}
            </small>
          </label>
          <button type="submit">Upload</button>
        </form>
      ) : (
        ''
      )}
    </section>
  );
}

export function AttachmentsPage(props: AttachmentsSectionProps & { runCode: string; runTitle: string }) {
  return (
    <>
      <PageHead title={`${props.runCode} — attachments`} subtitle={props.runTitle}>
        <a href={`/test-runs/${props.runId}`} role="button" class="secondary outline">
          Back to the run
        </a>
      </PageHead>
      <AttachmentsSection {...props} />
    </>
  );
}

export function DeleteAttachmentConfirm(props: { item: AttachmentItem; csrfToken: string }) {
  const a = props.item;
  return (
    <article>
      <header>
        <strong safe>{`Delete ${a.filename}?`}</strong>
      </header>
      <p>The file is removed for good; the audit keeps its name, size and checksum.</p>
      <form method="post" action={`/attachments/${a.id}/delete`}>
        <CsrfField token={props.csrfToken} />
        <div class="form-actions">
          <button type="submit" class="danger">
            Delete
          </button>
          <a href={`/test-runs/${a.test_run_id}/attachments`} role="button" class="secondary outline">
            Cancel
          </a>
        </div>
      </form>
    </article>
  );
}
