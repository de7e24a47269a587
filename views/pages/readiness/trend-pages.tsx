// A measurement's trend across the runs of a technology or a prototype: a GET form to choose the
// measurement (htmx swaps the section and pushes the URL; without JavaScript it is a plain page),
// the chart, and the same values as a table.
import type { MeasurementName, MeasurementTrend, TrendPoint } from '../../../src/domain/measurement-trend.js';
import { TrendChart, type LegendItem, type TrendChartPoint } from '../../components/charts.js';
import { Badge, humanize, PageHead, TimeCell } from '../../components/common.js';
import { attrValue, Select, type Option } from '../../components/forms.js';

export interface TrendSectionProps {
  /** `/technologies/1/trend` or `/prototypes/4/trend`. */
  basePath: string;
  /** The record's page. */
  subjectHref: string;
  subject: 'technology' | 'prototype';
  subjectName: string;
  names: MeasurementName[];
  /** The measurement shown (null when there is none to show). */
  trend: MeasurementTrend | null;
  /** A name asked for in the URL that no run in scope has. */
  missingName?: string | undefined;
}

const TECHNOLOGY_LEGEND: LegendItem[] = [
  { key: 'pass', label: 'Pass' },
  { key: 'fail', label: 'Fail' },
  { key: 'inconclusive', label: 'Inconclusive' },
  { key: 'not_completed', label: 'Run not completed' },
];
const PROTOTYPE_LEGEND: LegendItem[] = [
  { key: 'run', label: 'Completed run' },
  { key: 'not_completed', label: 'Run not completed' },
];

function markerOf(p: TrendPoint): string {
  if (p.status !== 'completed') return 'not_completed';
  return p.outcome ?? 'run';
}

function formatValue(value: number, unit: string): string {
  const v = Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
  return unit ? `${v} ${unit}` : v;
}

function nameOption(n: MeasurementName): Option {
  const units = n.units.filter(Boolean).join(', ');
  // The Select leaves option values to kita, which escapes only `"` in attributes.
  return { value: attrValue(n.name), label: `${n.name}${units ? ` (${units})` : ''} — ${n.runs} ${n.runs === 1 ? 'run' : 'runs'}` };
}

function yLabelOf(trend: MeasurementTrend): string {
  const units = trend.units.filter(Boolean);
  if (units.length === 0) return trend.name;
  return units.length === 1 ? `${trend.name} (${units[0]})` : `${trend.name} (mixed units)`;
}

function chartPoints(trend: MeasurementTrend): TrendChartPoint[] {
  return trend.points.map((p) => {
    const marker = markerOf(p);
    const outcome = marker === 'not_completed' ? `run ${p.status}` : p.outcome ?? '';
    return {
      time: p.start_time,
      value: p.value,
      href: `/test-runs/${p.run_id}`,
      label: `${p.run_code} · ${p.start_time.slice(0, 10)} · ${formatValue(p.value, p.unit)}${outcome ? ` · ${outcome}` : ''}`,
      marker,
    };
  });
}

function ValuesTable({ trend, subject }: { trend: MeasurementTrend; subject: TrendSectionProps['subject'] }) {
  return (
    <div class="table-scroll">
      <table class="striped">
        <caption class="visually-hidden" safe>{`Values of ${trend.name}, by run start`}</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Start</th>
            <th scope="col">Venue</th>
            <th scope="col" class="numeric">
              Value
            </th>
            <th scope="col">{subject === 'technology' ? 'Outcome' : 'Run status'}</th>
          </tr>
        </thead>
        <tbody>
          {trend.points.map((p) => (
            <tr>
              <td>
                <a href={`/test-runs/${p.run_id}`} safe>
                  {p.run_code}
                </a>
              </td>
              <td>
                <TimeCell iso={p.start_time} />
              </td>
              <td safe>{humanize(p.venue_type)}</td>
              <td class="numeric" safe>
                {formatValue(p.value, p.unit)}
              </td>
              <td>
                {subject === 'technology' && p.status === 'completed' && p.outcome ? <Badge value={p.outcome} /> : <Badge value={p.status} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The section the technology and prototype pages load (and the trend page shows). */
export function TrendSection(props: TrendSectionProps) {
  const trend = props.trend;
  const whose = props.subject === 'technology' ? 'runs that exercised this technology' : 'runs of this prototype';
  return (
    <section id="trend" class="trend" aria-labelledby="trend-heading">
      <h2 id="trend-heading">Measurement trend</h2>
      {props.names.length === 0 ? (
        <p class="empty-state">
          No measurement is logged on the {whose} yet. Measurements (name, value, unit) are added when a test run is logged.
        </p>
      ) : (
        <>
          <form
            method="get"
            action={props.basePath}
            class="trend-picker"
            aria-label="Choose a measurement"
            hx-get={props.basePath}
            hx-trigger="change, submit"
            hx-target="#trend"
            hx-swap="outerHTML"
            hx-push-url="true"
          >
            <Select name="name" label="Measurement" value={trend ? attrValue(trend.name) : undefined} options={props.names.map(nameOption)} />
            <button type="submit" class="secondary">
              Show
            </button>
          </form>
          {props.missingName ? (
            <p class="notice" role="status" safe>
              {`No run here has a measurement named “${props.missingName}”; showing ${trend?.name ?? 'another one'} instead.`}
            </p>
          ) : (
            ''
          )}
          {trend ? <TrendBody trend={trend} subject={props.subject} subjectName={props.subjectName} /> : ''}
        </>
      )}
    </section>
  );
}

function TrendBody({ trend, subject, subjectName }: { trend: MeasurementTrend; subject: TrendSectionProps['subject']; subjectName: string }) {
  const units = trend.units.filter(Boolean);
  return (
    <>
      <figure class="chart-figure">
        <TrendChart
          title={`${trend.name} across the runs of ${subjectName}`}
          yLabel={yLabelOf(trend)}
          unit={units.length === 1 ? units[0]! : ''}
          points={chartPoints(trend)}
          legend={subject === 'technology' ? TECHNOLOGY_LEGEND : PROTOTYPE_LEGEND}
        />
        <figcaption>
          <small>
            {trend.total > trend.points.length ? (
              <span safe>{`The latest ${trend.points.length} of ${trend.total} values, by run start. `}</span>
            ) : (
              <span safe>{`${trend.points.length} ${trend.points.length === 1 ? 'value' : 'values'}, by run start. `}</span>
            )}
            {units.length > 1 ? <span safe>{`Logged in several units (${units.join(', ')}): compare with care. `}</span> : ''}
            Each point links to its run.
          </small>
        </figcaption>
      </figure>
      <details>
        <summary>Values as a table</summary>
        <ValuesTable trend={trend} subject={subject} />
      </details>
    </>
  );
}

/** The stand-alone page: /technologies/:id/trend or /prototypes/:id/trend. */
export function TrendPage(props: TrendSectionProps) {
  return (
    <>
      <PageHead title={`Measurement trends of ${props.subjectName}`} subtitle={props.subject === 'technology' ? 'Technology' : 'Prototype'}>
        <a href={props.subjectHref} role="button" class="secondary outline">
          {props.subject === 'technology' ? 'Back to the technology' : 'Back to the prototype'}
        </a>
      </PageHead>
      <TrendSection {...props} />
    </>
  );
}
