// The reports of DESIGN §3 as tables: coverage gaps, suspect transfers, lead times and the line-up
// plan. The /reports pages, the dashboard and the suspect review screen on /transfers share them.
import type { CoverageGap, LeadTimesReport, LineupPlanRow, SuspectTransferRow } from '../../../src/domain/reports.js';
import { Badge, PageHead, TimeCell, counted } from '../../components/common.js';
import { Select, type Option } from '../../components/forms.js';
import { FilterForm, urlWith, type Query } from '../../components/list.js';

export const REPORTS = [
  { name: 'coverage-gaps', title: 'Coverage gaps', subtitle: 'Road-bound technologies and road models without the evidence the rules ask for (GAP-1, GAP-2, GAP-3)' },
  { name: 'suspect-transfers', title: 'Suspect transfers', subtitle: 'Approved or in-production transfers with a later fail or a changed definition (SUS-1, SUS-2)' },
  { name: 'lead-times', title: 'Lead times', subtitle: 'Race-to-road: from the first pass to the road model’s launch (LT-1)' },
  { name: 'lineup-plan', title: 'Line-up plan', subtitle: 'Road models and planned units against the plan targets (PLAN-1)' },
] as const;

export type ReportSlug = (typeof REPORTS)[number]['name'];

export function reportInfo(name: ReportSlug) {
  return REPORTS.find((r) => r.name === name)!;
}

/** `/reports/<name>?…&format=csv`: the download of what the section shows. */
export function csvHref(name: string, query: Query = {}): string {
  return urlWith(`/reports/${name}`, { ...query, cursor: undefined }, { format: 'csv' });
}

export function DownloadCsv({ href, label }: { href: string; label?: string }) {
  return (
    <a href={href} download="" class="download-csv" role="button" data-download-csv>
      <span safe>{label ?? 'Download CSV'}</span>
    </a>
  );
}

const GAP_RULE_TEXT: Record<string, string> = {
  'GAP-1': 'No pass on a completed run for the technology or its ancestors',
  'GAP-2': 'Approved or later with race TRL below 6',
  'GAP-3': 'Road model in development or production with no transfer',
};

export function RuleBadge({ rule }: { rule: string }) {
  return (
    <span class="badge rule" title={GAP_RULE_TEXT[rule]} safe>
      {rule}
    </span>
  );
}

// ---------------------------------------------------------------------------------------------
// Coverage gaps

export function GapsTable({ rows }: { rows: CoverageGap[] }) {
  return (
    <div class="table-scroll">
      <table class="striped">
        <caption class="visually-hidden">Coverage gaps</caption>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Road model</th>
            <th scope="col">Technology</th>
            <th scope="col">Transfer</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((g) => (
            <tr>
              <td>
                <RuleBadge rule={g.rule} />
              </td>
              <td>
                <a href={`/road-models/${g.road_model_id}`} safe>
                  {g.road_model}
                </a>
              </td>
              <td>
                {g.technology_id !== null ? (
                  <a href={`/technologies/${g.technology_id}`} safe>
                    {g.technology ?? ''}
                  </a>
                ) : (
                  <span>—</span>
                )}
              </td>
              <td>
                {g.transfer_id !== null ? (
                  <>
                    <a href={`/transfers/${g.transfer_id}`}>#{g.transfer_id}</a> {g.stage ? <Badge value={g.stage} /> : ''}
                  </>
                ) : (
                  <a href={`/transfers/new?road_model_id=${g.road_model_id}`}>Add a transfer</a>
                )}
              </td>
              <td safe>{g.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Suspect transfers

export interface SuspectGroup {
  transfer_id: number;
  stage: string;
  technology_id: number;
  technology: string;
  road_model_id: number;
  road_model: string;
  reviewed_at: string | null;
  reasons: { rule: string; detail: string; run_id: number | null; run_code: string | null }[];
}

/** The report's rows (one per reason) grouped per transfer, in the report's order. */
export function groupSuspects(rows: SuspectTransferRow[]): SuspectGroup[] {
  const groups = new Map<number, SuspectGroup>();
  for (const r of rows) {
    let g = groups.get(r.transfer_id);
    if (!g) {
      g = {
        transfer_id: r.transfer_id,
        stage: r.stage,
        technology_id: r.technology_id,
        technology: r.technology,
        road_model_id: r.road_model_id,
        road_model: r.road_model,
        reviewed_at: r.reviewed_at,
        reasons: [],
      };
      groups.set(r.transfer_id, g);
    }
    g.reasons.push({ rule: r.rule, detail: r.detail, run_id: r.run_id, run_code: r.run_code });
  }
  return [...groups.values()];
}

export function SuspectReasons({ reasons }: { reasons: SuspectGroup['reasons'] }) {
  return (
    <ul class="reasons">
      {reasons.map((r) => (
        <li>
          <span class="badge suspect" safe>
            {r.rule}
          </span>{' '}
          <span safe>{r.detail}</span>
          {r.run_id !== null ? (
            <>
              {' '}
              <a href={`/test-runs/${r.run_id}`} safe>
                {`(open ${r.run_code ?? `run ${r.run_id}`})`}
              </a>
            </>
          ) : (
            ''
          )}
        </li>
      ))}
    </ul>
  );
}

/**
 * Reasons a table row shows: a transfer of a much-tested technology gathers a reason per later
 * fail (hundreds, years on), and the transfer's own page lists them all.
 */
export const REASONS_SHOWN = 5;

export function SuspectTable({ groups }: { groups: SuspectGroup[] }) {
  return (
    <div class="table-scroll">
      <table class="striped">
        <caption class="visually-hidden">Suspect transfers</caption>
        <thead>
          <tr>
            <th scope="col">Transfer</th>
            <th scope="col">Technology → road model</th>
            <th scope="col">Why suspect</th>
            <th scope="col">Last review</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr>
              <td>
                <a href={`/transfers/${g.transfer_id}`}>#{g.transfer_id}</a> <Badge value={g.stage} />{' '}
                <Badge value="suspect" label="Suspect" />
              </td>
              <td>
                <a href={`/technologies/${g.technology_id}`} safe>
                  {g.technology}
                </a>{' '}
                →{' '}
                <a href={`/road-models/${g.road_model_id}`} safe>
                  {g.road_model}
                </a>
              </td>
              <td>
                <SuspectReasons reasons={g.reasons.slice(0, REASONS_SHOWN)} />
                {g.reasons.length > REASONS_SHOWN ? (
                  <p class="more-reasons">
                    <a href={`/transfers/${g.transfer_id}#review`} safe>
                      {`and ${counted(g.reasons.length - REASONS_SHOWN, 'more reason')}, on the transfer's page`}
                    </a>
                  </p>
                ) : (
                  ''
                )}
              </td>
              <td>
                <TimeCell iso={g.reviewed_at} />
              </td>
              <td>
                <a href={`/transfers/${g.transfer_id}#review`} role="button" class="secondary outline review-link">
                  Review
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Lead times

function days(n: number | null): string {
  if (n === null) return '—';
  const years = Math.round((n / 365.25) * 10) / 10;
  return `${n} d (${years} y)`;
}

export function LeadTimesTables({ report }: { report: LeadTimesReport }) {
  return (
    <>
      <h3>Per series of the origin program</h3>
      {report.per_series.length === 0 ? (
        <p class="empty-state">No transfer in production has both a first pass and a launch date yet.</p>
      ) : (
        <div class="table-scroll">
          <table class="striped">
            <caption class="visually-hidden">Lead times per series</caption>
            <thead>
              <tr>
                <th scope="col">Series</th>
                <th scope="col" class="numeric">
                  Transfers
                </th>
                <th scope="col" class="numeric">
                  Shortest
                </th>
                <th scope="col" class="numeric">
                  Median
                </th>
                <th scope="col" class="numeric">
                  Longest
                </th>
              </tr>
            </thead>
            <tbody>
              {report.per_series.map((s) => (
                <tr>
                  <td safe>{s.series ?? 'No origin series'}</td>
                  <td class="numeric">{s.count}</td>
                  <td class="numeric" safe>
                    {days(s.min_days)}
                  </td>
                  <td class="numeric" safe>
                    {days(s.median_days)}
                  </td>
                  <td class="numeric" safe>
                    {days(s.max_days)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Per transfer in production</h3>
      {report.transfers.length === 0 ? (
        <p class="empty-state">No transfer is in production yet.</p>
      ) : (
        <div class="table-scroll">
          <table class="striped">
            <caption class="visually-hidden">Lead times per transfer</caption>
            <thead>
              <tr>
                <th scope="col">Transfer</th>
                <th scope="col">Technology → road model</th>
                <th scope="col">First pass</th>
                <th scope="col">Launch</th>
                <th scope="col" class="numeric">
                  Lead time
                </th>
                <th scope="col">Series</th>
              </tr>
            </thead>
            <tbody>
              {report.transfers.map((r) => (
                <tr>
                  <td>
                    <a href={`/transfers/${r.transfer_id}`}>#{r.transfer_id}</a>
                  </td>
                  <td>
                    <a href={`/technologies/${r.technology_id}`} safe>
                      {r.technology}
                    </a>{' '}
                    →{' '}
                    <a href={`/road-models/${r.road_model_id}`} safe>
                      {r.road_model}
                    </a>
                  </td>
                  <td>
                    {r.first_pass_run_id !== null ? (
                      <>
                        <span safe>{r.first_pass_on ?? ''}</span>{' '}
                        <a href={`/test-runs/${r.first_pass_run_id}`} safe>
                          {r.first_pass_run_code ?? ''}
                        </a>
                        {r.first_pass_technology_id !== null && r.first_pass_technology_id !== r.technology_id ? (
                          <small safe>{` (${r.first_pass_technology ?? ''})`}</small>
                        ) : (
                          ''
                        )}
                      </>
                    ) : (
                      <span>No pass yet</span>
                    )}
                  </td>
                  <td safe>{r.launch_date ?? '—'}</td>
                  <td class="numeric" safe>
                    {days(r.lead_time_days)}
                  </td>
                  <td safe>{r.series ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Line-up plan

function band(row: LineupPlanRow): string {
  if (row.band_min === null && row.band_max === null) return 'no band';
  return `band ${row.band_min ?? '0'}–${row.band_max ?? '100'} %`;
}

const numberFormat = new Intl.NumberFormat('en');

export function OnTrack({ onTrack }: { onTrack: boolean }) {
  return onTrack ? <Badge value="on_track" label="On track" /> : <Badge value="off_track" label="Behind" />;
}

export function LineupTable({ rows }: { rows: LineupPlanRow[] }) {
  return (
    <div class="table-scroll">
      <table class="striped lineup">
        <caption class="visually-hidden">Line-up plan against targets</caption>
        <thead>
          <tr>
            <th scope="col">Year</th>
            <th scope="col" class="numeric">
              Models / target
            </th>
            <th scope="col" class="numeric">
              Units / target
            </th>
            <th scope="col" class="numeric">
              Outside Japan
            </th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <th scope="row">{r.year}</th>
              <td class="numeric">
                {r.models} / {r.model_target}
              </td>
              <td class="numeric" safe>
                {`${numberFormat.format(r.units)} / ${numberFormat.format(r.units_target)}`}
              </td>
              <td class="numeric">
                <span safe>{r.outside_japan_share === null ? '—' : `${r.outside_japan_share} %`}</span>
                <br />
                <small safe>{band(r)}</small>
              </td>
              <td>
                <OnTrack onTrack={r.on_track} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Pages

export interface ReportsData {
  gaps: CoverageGap[];
  suspects: SuspectTransferRow[];
  leadTimes: LeadTimesReport;
  lineup: LineupPlanRow[];
}

/** `own`: on the report's own page, whose heading already names it and says what it shows. */
function SectionHead({ name, count, query, own }: { name: ReportSlug; count?: number | undefined; query?: Query; own?: boolean | undefined }) {
  const info = reportInfo(name);
  return (
    <header class="report-head">
      <hgroup>
        <h2 id={`${name}-h`}>
          {own ? info.title : <a href={`/reports/${name}`}>{info.title}</a>}
          {count !== undefined ? <span class="count"> ({count})</span> : ''}
        </h2>
        {own ? '' : <p>{info.subtitle}</p>}
      </hgroup>
      <DownloadCsv href={csvHref(name, query)} />
    </header>
  );
}

export function GapsSection({ rows, query, own }: { rows: CoverageGap[]; query?: Query; own?: boolean }) {
  return (
    <section aria-labelledby="coverage-gaps-h" id="coverage-gaps" class="report-section">
      <SectionHead name="coverage-gaps" count={rows.length} query={query} own={own} />
      {rows.length === 0 ? <p class="empty-state">No coverage gaps: every road-bound technology has the evidence the rules ask for.</p> : <GapsTable rows={rows} />}
    </section>
  );
}

export function SuspectSection({ rows, query, own }: { rows: SuspectTransferRow[]; query?: Query; own?: boolean }) {
  const groups = groupSuspects(rows);
  return (
    <section aria-labelledby="suspect-transfers-h" id="suspect-transfers" class="report-section">
      <SectionHead name="suspect-transfers" count={groups.length} query={query} own={own} />
      {groups.length === 0 ? (
        <p class="empty-state">No suspect transfers: nothing failed or changed since the last reviews.</p>
      ) : (
        <>
          <p>
            Open a transfer and use “Mark reviewed” to clear it (SUS-3). The same list with filters: <a href="/transfers?suspect=true">suspect transfers</a>.
          </p>
          <SuspectTable groups={groups} />
        </>
      )}
    </section>
  );
}

export function LeadTimesSection({ report, own }: { report: LeadTimesReport; own?: boolean }) {
  return (
    <section aria-labelledby="lead-times-h" id="lead-times" class="report-section">
      <SectionHead name="lead-times" count={report.transfers.length} own={own} />
      <p>
        <DownloadCsv href={csvHref('lead-times', { table: 'per_series' })} label="Download the per-series summary as CSV" />
      </p>
      <LeadTimesTables report={report} />
    </section>
  );
}

export function LineupSection({ rows, own }: { rows: LineupPlanRow[]; own?: boolean }) {
  return (
    <section aria-labelledby="lineup-plan-h" id="lineup-plan" class="report-section">
      <SectionHead name="lineup-plan" own={own} />
      {rows.length === 0 ? (
        <p class="empty-state">
          No plan targets yet. An admin adds them under <a href="/admin">Admin</a>.
        </p>
      ) : (
        <LineupTable rows={rows} />
      )}
    </section>
  );
}

export function ReportsPage({ data }: { data: ReportsData }) {
  return (
    <>
      <PageHead title="Reports" subtitle="Gaps, suspect links, lead times and the line-up plan; each as CSV too" />
      <nav aria-label="Reports" class="section-nav">
        <ul>
          {REPORTS.map((r) => (
            <li>
              <a href={`#${r.name}`}>
                {r.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <GapsSection rows={data.gaps} />
      <SuspectSection rows={data.suspects} />
      <LeadTimesSection report={data.leadTimes} />
      <LineupSection rows={data.lineup} />
    </>
  );
}

// One report on its own page, with the filters its API takes.

export const GAP_RULES = ['GAP-1', 'GAP-2', 'GAP-3'] as const;

export function GapsPage({ rows, query, roadModels }: { rows: CoverageGap[]; query: Query; roadModels: Option[] }) {
  return (
    <>
      <PageHead title="Coverage gaps" subtitle={reportInfo('coverage-gaps').subtitle} />
      <FilterForm basePath="/reports/coverage-gaps" query={query} label="Filter coverage gaps">
        <Select name="rule" label="Rule" value={query.rule} options={GAP_RULES.map((r) => ({ value: r, label: `${r}: ${GAP_RULE_TEXT[r]}` }))} blank="Any rule" />
        <Select name="road_model_id" label="Road model" value={query.road_model_id} options={roadModels} blank="Any road model" />
      </FilterForm>
      <GapsResults rows={rows} query={query} />
    </>
  );
}

export function GapsResults({ rows, query }: { rows: CoverageGap[]; query: Query }) {
  return (
    <div id="results" aria-live="polite">
      <GapsSection rows={rows} query={{ rule: query.rule, road_model_id: query.road_model_id }} own />
    </div>
  );
}

export function SuspectPage({ rows, query, roadModels, technologies }: { rows: SuspectTransferRow[]; query: Query; roadModels: Option[]; technologies: Option[] }) {
  return (
    <>
      <PageHead title="Suspect transfers" subtitle={reportInfo('suspect-transfers').subtitle} />
      <FilterForm basePath="/reports/suspect-transfers" query={query} label="Filter suspect transfers">
        <Select name="road_model_id" label="Road model" value={query.road_model_id} options={roadModels} blank="Any road model" />
        <Select name="technology_id" label="Technology" value={query.technology_id} options={technologies} blank="Any technology" />
      </FilterForm>
      <SuspectResults rows={rows} query={query} />
    </>
  );
}

export function SuspectResults({ rows, query }: { rows: SuspectTransferRow[]; query: Query }) {
  return (
    <div id="results" aria-live="polite">
      <SuspectSection rows={rows} query={{ road_model_id: query.road_model_id, technology_id: query.technology_id }} own />
    </div>
  );
}

export function LeadTimesPage({ report }: { report: LeadTimesReport }) {
  return (
    <>
      <PageHead title="Lead times" subtitle={reportInfo('lead-times').subtitle} />
      <LeadTimesSection report={report} own />
    </>
  );
}

export function LineupPage({ rows }: { rows: LineupPlanRow[] }) {
  return (
    <>
      <PageHead title="Line-up plan" subtitle={reportInfo('lineup-plan').subtitle} />
      <LineupSection rows={rows} own />
    </>
  );
}
