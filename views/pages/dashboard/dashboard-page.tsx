import type { DashboardData } from '../../../src/domain/dashboard.js';
import { Badge, humanize, TimeCell } from '../../components/common.js';

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
