// The CSV import of test runs: the upload page (the column mapping, the form, recent jobs) and the
// job page, whose status section polls itself every second while the job runs and stops once it
// has finished (the finished section has no hx-trigger).
import type { ImportJob } from '../../../src/domain/imports.js';
import { TEST_RUN_CSV_MAPPING, TEST_RUN_CSV_RULES } from '../../../src/domain/test-run-csv.js';
import { Badge, formatNumber, PageHead, TimeCell } from '../../components/common.js';
import { CsrfField, ErrorSummary, FormActions, Select, type FieldErrors } from '../../components/forms.js';

export type RecentImport = ImportJob & { created_by_name: string | null };

export function jobTitle(job: { id: number; dry_run: boolean }): string {
  return `${job.dry_run ? 'Dry run' : 'Import'} #${job.id}`;
}

export function MappingTable() {
  return (
    <section aria-labelledby="mapping-title">
      <h2 id="mapping-title">The file</h2>
      <p>One row per test run, the same columns as the test-run CSV export, so an export can be edited and imported back.</p>
      <div class="table-scroll">
        <table class="striped">
          <caption class="visually-hidden">Columns of the test-run CSV</caption>
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Required</th>
              <th scope="col">Meaning</th>
              <th scope="col">Example</th>
            </tr>
          </thead>
          <tbody>
            {TEST_RUN_CSV_MAPPING.map((m) => (
              <tr>
                <th scope="row">
                  <code>{m.column}</code>
                </th>
                <td>{m.required ? 'Yes' : ''}</td>
                <td safe>{m.meaning}</td>
                <td>
                  <code safe>{m.example}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul>
        {TEST_RUN_CSV_RULES.map((rule) => (
          <li safe>{rule}</li>
        ))}
      </ul>
    </section>
  );
}

export interface ImportFormProps {
  csrfToken: string;
  values: { dry_run?: boolean; mode?: string };
  errors: FieldErrors;
  general?: string | undefined;
}

export function ImportForm(props: ImportFormProps) {
  const fileError = props.errors.file;
  return (
    <form method="post" action="/test-runs/import" enctype="multipart/form-data" class="import-form" novalidate>
      <ErrorSummary errors={props.errors} general={props.general} />
      <CsrfField token={props.csrfToken} />
      <label for="f-file">
        <span>CSV file</span>
        <span class="required" aria-hidden="true">
          {' '}
          *
        </span>
        <input
          id="f-file"
          name="file"
          type="file"
          accept=".csv,text/csv"
          required
          aria-invalid={fileError ? 'true' : undefined}
          aria-describedby={fileError ? 'f-file-hint f-file-error' : 'f-file-hint'}
        />
        <small id="f-file-hint">UTF-8, up to 50 MB and 200,000 rows.</small>
        {fileError ? (
          <small id="f-file-error" class="field-error" safe>
            {fileError}
          </small>
        ) : (
          ''
        )}
      </label>
      <Select
        name="mode"
        label="When some rows are wrong"
        value={props.values.mode ?? 'all_or_nothing'}
        errors={props.errors}
        options={[
          { value: 'all_or_nothing', label: 'Import nothing (all or nothing)' },
          { value: 'valid_rows', label: 'Import the valid rows and report the others' },
        ]}
      />
      <fieldset>
        <label for="f-dry_run">
          <input id="f-dry_run" name="dry_run" type="checkbox" value="true" checked={props.values.dry_run ?? false} aria-describedby="f-dry_run-hint" />
          Dry run
        </label>
        <small id="f-dry_run-hint">Check every row and count what would be created, updated or left unchanged; write nothing.</small>
      </fieldset>
      <FormActions submitLabel="Upload and import" cancelHref="/test-runs" />
    </form>
  );
}

function RecentImports({ jobs }: { jobs: RecentImport[] }) {
  if (jobs.length === 0) return <p class="empty-state">No imports yet.</p>;
  return (
    <div class="table-scroll">
      <table class="striped">
        <caption class="visually-hidden">Recent imports</caption>
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">File</th>
            <th scope="col">By</th>
            <th scope="col">Started</th>
            <th scope="col">Status</th>
            <th scope="col" class="numeric">
              Rows
            </th>
            <th scope="col" class="numeric">
              Created
            </th>
            <th scope="col" class="numeric">
              Updated
            </th>
            <th scope="col" class="numeric">
              Errors
            </th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr>
              <td>
                <a href={`/imports/${job.id}`} safe>
                  {jobTitle(job)}
                </a>
              </td>
              <td safe>{job.filename || '(request body)'}</td>
              <td safe>{job.created_by_name ?? '—'}</td>
              <td>
                <TimeCell iso={job.created_at} />
              </td>
              <td>
                <Badge value={job.status} />
              </td>
              <td class="numeric" safe>{formatNumber(job.rows_read)}</td>
              <td class="numeric" safe>{formatNumber(job.rows_created)}</td>
              <td class="numeric" safe>{formatNumber(job.rows_updated)}</td>
              <td class="numeric" safe>{formatNumber(job.error_count)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ImportPage(props: { form: JSX.Element | undefined; jobs: RecentImport[] }) {
  const form = props.form;
  return (
    <>
      <PageHead title="Import test runs" subtitle="From a CSV file, checked row by row with the same rules as the logging form" />
      {form === undefined ? <p class="empty-state">Importing needs the engineer or admin role; you can follow the imports below.</p> : form}
      <h2>Recent imports</h2>
      <RecentImports jobs={props.jobs} />
      <MappingTable />
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// The job page

function running(job: ImportJob): boolean {
  return job.status === 'queued' || job.status === 'running';
}

function ProgressBar({ job }: { job: ImportJob }) {
  const p = job.progress;
  if (!p || p.phase === 'queued' || p.bytes_total === 0) {
    return (
      <p>
        <label for="import-progress">{job.status === 'queued' ? 'Waiting for its turn…' : 'Starting…'}</label>
        <progress id="import-progress" aria-describedby="import-progress-text"></progress>
      </p>
    );
  }
  const writing = p.phase === 'writing';
  const value = writing ? p.rows_written : p.bytes_read;
  const max = writing ? Math.max(job.rows_valid, 1) : p.bytes_total;
  return (
    <p>
      <label for="import-progress">{writing ? 'Writing the runs' : 'Checking the rows'}</label>
      <progress id="import-progress" value={String(value)} max={String(max)} aria-describedby="import-progress-text" safe>
        {`${Math.floor((value / max) * 100)}%`}
      </progress>
    </p>
  );
}

function Counts({ job }: { job: ImportJob }) {
  const would = job.dry_run ? 'Would be ' : '';
  return (
    <div class="stat-grid">
      <div class="stat">
        <strong safe>{formatNumber(job.rows_read)}</strong> Rows read
      </div>
      <div class="stat">
        <strong safe>{formatNumber(job.rows_valid)}</strong> Valid
      </div>
      <div class="stat">
        <strong safe>{formatNumber(job.rows_created)}</strong>
        <span safe>{`${would}${would ? 'created' : 'Created'}`}</span>
      </div>
      <div class="stat">
        <strong safe>{formatNumber(job.rows_updated)}</strong>
        <span safe>{`${would}${would ? 'updated' : 'Updated'}`}</span>
      </div>
      <div class="stat">
        <strong safe>{formatNumber(job.rows_unchanged)}</strong>
        <span safe>{`${would}${would ? 'left unchanged' : 'Unchanged'}`}</span>
      </div>
      <div class="stat">
        <strong safe>{formatNumber(job.error_count)}</strong> Errors
      </div>
    </div>
  );
}

function ErrorsTable({ job }: { job: ImportJob }) {
  if (job.errors.length === 0) return '';
  return (
    <section aria-labelledby="import-errors-title">
      <h2 id="import-errors-title">Errors</h2>
      {job.error_count > job.errors.length ? <p safe>{`The first ${formatNumber(job.errors.length)} of ${formatNumber(job.error_count)} errors.`}</p> : ''}
      <div class="table-scroll">
        <table class="striped">
          <caption class="visually-hidden">Errors by row</caption>
          <thead>
            <tr>
              <th scope="col" class="numeric">
                Row
              </th>
              <th scope="col">Column</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {job.errors.map((e) => (
              <tr>
                <td class="numeric">{e.row}</td>
                <td>{e.column ? <code safe>{e.column}</code> : '—'}</td>
                <td safe>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Where the imported runs are: the runs created or updated since the job started. */
export function importedRunsHref(job: ImportJob): string | undefined {
  if (job.dry_run || job.status !== 'succeeded' || job.rows_created + job.rows_updated === 0 || !job.started_at) return undefined;
  return `/test-runs?updated_since=${encodeURIComponent(job.started_at)}&sort=-updated_at`;
}

/** The status section: polls itself every second while the job runs. */
export function JobStatus({ job }: { job: ImportJob }) {
  if (running(job)) {
    const errorsSoFar = job.error_count ? `, ${formatNumber(job.error_count)} errors so far` : '';
    return (
      <section id="import-job" class="import-job" aria-busy="true" hx-get={`/imports/${job.id}`} hx-trigger="every 1s" hx-swap="outerHTML">
        <p>
          <Badge value={job.status} />
        </p>
        <ProgressBar job={job} />
        <p id="import-progress-text" safe>
          {`${formatNumber(job.rows_read)} rows read, ${formatNumber(job.rows_valid)} valid${errorsSoFar}.`}
        </p>
        <p>
          <small>
            You can leave this page: the import goes on, and this address shows it. <a href={`/imports/${job.id}`}>Refresh</a>
          </small>
        </p>
      </section>
    );
  }
  const runsHref = importedRunsHref(job);
  return (
    <section id="import-job" class="import-job">
      <p>
        <Badge value={job.status} />{' '}
        <span safe>{job.message}</span>
      </p>
      <Counts job={job} />
      {runsHref ? (
        <p>
          <a href={runsHref} role="button">
            See the imported runs
          </a>
        </p>
      ) : (
        ''
      )}
      <ErrorsTable job={job} />
      <p>
        <a href="/test-runs/import">Import another file</a>
      </p>
    </section>
  );
}

export function JobPage({ job, by }: { job: ImportJob; by: string | null }) {
  const facts = [job.filename || '(request body)', job.mode === 'valid_rows' ? 'valid rows only' : 'all or nothing'];
  if (by) facts.push(`by ${by}`);
  return (
    <>
      <PageHead title={jobTitle(job)} subtitle={facts.join(' · ')} />
      <JobStatus job={job} />
    </>
  );
}
