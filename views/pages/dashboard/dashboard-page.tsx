import type { DashboardData } from '../../../src/domain/dashboard.js';
import { Badge, humanize, TimeCell } from '../../components/common.js';
import { LineupTable, RuleBadge } from '../reports/report-views.js';

const COUNT_LINKS: { key: keyof DashboardData['counts']; label: string; href: string }[] = [
  { key: 'test_runs', label: 'Test runs', href: '/test-runs' },
  { key: 'technologies', label: 'Technologies', href: '/technologies' },
  { key: 'road_models', label: 'Road models', href: '/road-models' },
  { key: 'transfers', label: 'Transfers', href: '/transfers' },
  { key: 'programs', label: 'Programs', href: '/programs' },
  { key: 'prototypes', label: 'Prototypes', href: '/prototypes' },
];

export function DashboardPage({ data }: { data: DashboardData }) {
  return (
    <>
      <div class="page-head">
        <hgroup>
          <h1>Dashboard</h1>
          <p>From the race programs to the road Nismo line-up</p>
        </hgroup>
        <div class="page-actions">
          <a href="/test-runs/new" role="button">
            Log a test run
          </a>
        </div>
      </div>
      <section aria-labelledby="counts-h">
        <h2 id="counts-h" class="visually-hidden">
          Counts
        </h2>
        <div class="stat-grid">
          {COUNT_LINKS.map((c) => (
            <a class="stat" href={c.href}>
              <strong>{data.counts[c.key]}</strong>
              <span safe>{c.label}</span>
            </a>
          ))}
        </div>
      </section>
      <div class="grid-2">
        <section aria-labelledby="latest-h">
          <h2 id="latest-h">Latest test runs</h2>
          {data.latestRuns.length === 0 ? (
            <p class="empty-state">
              No runs logged yet. <a href="/test-runs/new">Log the first test run</a>.
            </p>
          ) : (
            <div class="table-scroll">
              <table class="striped">
                <thead>
                  <tr>
                    <th scope="col">Run</th>
                    <th scope="col">Prototype</th>
                    <th scope="col">Started</th>
                    <th scope="col">Evidence</th>
                  </tr>
                </thead>
                <tbody>
                  {data.latestRuns.map((r) => (
                    <tr>
                      <td>
                        <a href={`/test-runs/${r.id}`} safe>
                          {r.code}
                        </a>
                        <br />
                        <small safe>{r.title}</small>
                      </td>
                      <td safe>{r.prototype_code}</td>
                      <td>
                        <TimeCell iso={r.start_time} />
                      </td>
                      <td>
                        {r.passes} pass · {r.fails} fail
                        {r.status !== 'completed' ? (
                          <>
                            {' '}
                            <Badge value={r.status} />
                          </>
                        ) : (
                          ''
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section aria-labelledby="fail-h">
          <h2 id="fail-h">Failed evidence, last 30 days</h2>
          {data.recentFailures.length === 0 ? (
            <p class="empty-state">No failed evidence in the last 30 days.</p>
          ) : (
            <ul>
              {data.recentFailures.map((f) => (
                <li>
                  <a href={`/technologies/${f.technology_id}`} safe>
                    {f.technology}
                  </a>{' '}
                  failed in{' '}
                  <a href={`/test-runs/${f.test_run_id}`} safe>
                    {f.code}
                  </a>{' '}
                  <small>
                    <TimeCell iso={f.at} />
                  </small>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <div class="grid-2">
        <SuspectsSection suspects={data.suspects} />
        <GapsSection gaps={data.gaps} />
      </div>
      <div class="grid-2">
        <ReadinessSection spread={data.readinessSpread} />
        <section aria-labelledby="plan-h">
          <h2 id="plan-h">Line-up plan against targets</h2>
          {data.lineup.length === 0 ? (
            <p class="empty-state">No plan targets yet.</p>
          ) : (
            <>
              <LineupTable rows={data.lineup} />
              <p>
                <a href="/reports#lineup-plan">The line-up plan report</a> (PLAN-1)
              </p>
            </>
          )}
        </section>
      </div>
      <section aria-labelledby="rm-h">
        <h2 id="rm-h">Road models by status</h2>
        {data.roadModelsByStatus.length === 0 ? (
          <p class="empty-state">
            No road models yet. <a href="/road-models/new">Add a Nismo road model</a>.
          </p>
        ) : (
          <div class="stat-grid">
            {data.roadModelsByStatus.map((s) => (
              <a class="stat" href={`/road-models?status=${encodeURIComponent(s.status)}`}>
                <strong>{s.n}</strong>
                <span safe>{humanize(s.status)}</span>
              </a>
            ))}
          </div>
        )}
      </section>
    </>
  );
}

function SuspectsSection({ suspects }: { suspects: DashboardData['suspects'] }) {
  return (
    <section aria-labelledby="suspect-h">
      <h2 id="suspect-h">
        Suspect transfers <span class="count">({suspects.count})</span>
      </h2>
      {suspects.count === 0 ? (
        <p class="empty-state">No suspect transfers: nothing failed or changed since the last reviews.</p>
      ) : (
        <>
          <ul class="dashboard-list">
            {suspects.top.map((s) => (
              <li>
                <a href={`/transfers/${s.transfer_id}`} safe>
                  {`${s.technology} → ${s.road_model}`}
                </a>{' '}
                <Badge value="suspect" label="Suspect" />
                <br />
                <small safe>{s.reasons > 1 ? `${s.first_reason} (and ${s.reasons - 1} more)` : s.first_reason}</small>
              </li>
            ))}
          </ul>
          <p>
            <a href="/transfers?suspect=true">Review all {suspects.count} suspect {suspects.count === 1 ? 'transfer' : 'transfers'}</a>
          </p>
        </>
      )}
    </section>
  );
}

function GapsSection({ gaps }: { gaps: DashboardData['gaps'] }) {
  return (
    <section aria-labelledby="gaps-h">
      <h2 id="gaps-h">
        Coverage gaps <span class="count">({gaps.count})</span>
      </h2>
      {gaps.count === 0 ? (
        <p class="empty-state">No coverage gaps.</p>
      ) : (
        <>
          <ul class="dashboard-list">
            {gaps.top.map((g) => (
              <li>
                <RuleBadge rule={g.rule} />{' '}
                {g.transfer_id !== null ? (
                  <a href={`/transfers/${g.transfer_id}`} safe>
                    {`${g.technology ?? ''} → ${g.road_model}`}
                  </a>
                ) : (
                  <a href={`/road-models/${g.road_model_id}`} safe>
                    {g.road_model}
                  </a>
                )}
                <br />
                <small safe>{g.detail}</small>
              </li>
            ))}
          </ul>
          <p>
            <a href="/reports/coverage-gaps">All {gaps.count} coverage {gaps.count === 1 ? 'gap' : 'gaps'}</a>
          </p>
        </>
      )}
    </section>
  );
}

const BAR_WIDTH = 160;

function ReadinessSection({ spread }: { spread: DashboardData['readinessSpread'] }) {
  const max = Math.max(1, ...spread.map((s) => s.n));
  return (
    <section aria-labelledby="trl-h">
      <h2 id="trl-h">Readiness spread</h2>
      <div class="table-scroll">
        <table class="readiness-spread">
          <caption class="visually-hidden">Technologies per current race TRL</caption>
          <thead>
            <tr>
              <th scope="col">Race TRL</th>
              <th scope="col" class="numeric">
                Technologies
              </th>
              <th scope="col">
                <span class="visually-hidden">Share</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {spread.map((s) => (
              <tr>
                <th scope="row" safe>
                  {s.level === null ? 'Unassessed' : `TRL ${s.level}`}
                </th>
                <td class="numeric">{s.n}</td>
                <td>
                  <svg class="readiness-bar" width={String(BAR_WIDTH)} height="12" viewBox={`0 0 ${BAR_WIDTH} 12`} preserveAspectRatio="none" aria-hidden="true" focusable="false">
                    <rect class="track" x="0" y="1" width={String(BAR_WIDTH)} height="10" rx="2" />
                    <rect class="bar" x="0" y="1" width={String(Math.round((s.n / max) * BAR_WIDTH))} height="10" rx="2" />
                  </svg>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        <small>The current level is the latest race assessment of each technology.</small>
      </p>
    </section>
  );
}
