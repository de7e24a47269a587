// Server-rendered SVG charts: a step chart of readiness levels over time and a dot-and-line chart
// of a measurement across runs. No script, no inline style: colours and fonts come from app.css
// (`.chart …`), shapes carry the meaning too (not colour alone), and every chart has a <title>,
// a <desc> that says what it shows in words, and role="img" with an aria-label. Pages put a table
// of the same data next to each chart.
import type { PropsWithChildren } from '@kitajs/html';
import { attrValue } from './forms.js';

const W = 760;
const H = 300;
const M = { top: 34, right: 20, bottom: 42, left: 64 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;
const DAY = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Coordinates to 0.1 px: enough for the eye, short in the markup. */
const px = (n: number) => Math.round(n * 10) / 10;

let chartCounter = 0;
function chartId(prefix: string): string {
  chartCounter = (chartCounter + 1) % 1_000_000;
  return `${prefix}-${chartCounter}`;
}

// ---------------------------------------------------------------------------------------------
// Scales and ticks

export interface Tick {
  at: number;
  label: string;
}

/** A step of 1, 2 or 5 × 10^k near `raw`. */
function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

/** A value axis from `min` to `max` widened to round numbers, with its ticks (about `count`). */
export function valueAxis(min: number, max: number, count = 5): { lo: number; hi: number; ticks: Tick[] } {
  let a = min;
  let b = max;
  if (a === b) {
    const pad = a === 0 ? 1 : Math.abs(a) * 0.1;
    a -= pad;
    b += pad;
  }
  const step = niceStep((b - a) / count);
  const lo = Math.floor(a / step) * step;
  const hi = Math.ceil(b / step) * step;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const ticks: Tick[] = [];
  for (let v = lo; v <= hi + step / 2; v += step) {
    const at = Math.round(v / step) * step;
    ticks.push({ at, label: at.toFixed(Math.min(decimals, 6)).replace(/^-0(\.0+)?$/, '0') });
  }
  return { lo, hi: Math.max(hi, lo + step), ticks };
}

interface TimeStep {
  unit: 'day' | 'month' | 'year';
  n: number;
  approx: number;
}

const TIME_STEPS: TimeStep[] = [
  { unit: 'day', n: 1, approx: DAY },
  { unit: 'day', n: 2, approx: 2 * DAY },
  { unit: 'day', n: 7, approx: 7 * DAY },
  { unit: 'day', n: 14, approx: 14 * DAY },
  { unit: 'month', n: 1, approx: 30.4 * DAY },
  { unit: 'month', n: 2, approx: 61 * DAY },
  { unit: 'month', n: 3, approx: 91 * DAY },
  { unit: 'month', n: 6, approx: 182 * DAY },
  { unit: 'year', n: 1, approx: 365 * DAY },
  { unit: 'year', n: 2, approx: 730 * DAY },
  { unit: 'year', n: 5, approx: 1826 * DAY },
  { unit: 'year', n: 10, approx: 3652 * DAY },
];

/** Calendar ticks (UTC) between two times: days, months or years, at most about `max` of them. */
export function timeTicks(t0: number, t1: number, max = 7): Tick[] {
  const span = Math.max(t1 - t0, DAY);
  const step = TIME_STEPS.find((s) => s.approx * max >= span) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
  const ticks: Tick[] = [];
  const start = new Date(t0);
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth();
  let lastYear: number | null = null;
  const label = (d: Date): string => {
    const y = d.getUTCFullYear();
    const withYear = lastYear !== y;
    lastYear = y;
    if (step.unit === 'year') return String(y);
    const m = MONTHS[d.getUTCMonth()]!;
    if (step.unit === 'month') return withYear ? `${m} ${y}` : m;
    return withYear ? `${d.getUTCDate()} ${m} ${y}` : `${d.getUTCDate()} ${m}`;
  };
  if (step.unit === 'day') {
    let t = Date.UTC(year, month, start.getUTCDate());
    if (t < t0) t += DAY;
    for (; t <= t1 && ticks.length < 40; t += step.n * DAY) ticks.push({ at: t, label: label(new Date(t)) });
  } else if (step.unit === 'month') {
    month = Math.ceil(month / step.n) * step.n;
    for (let t = Date.UTC(year, month, 1); ticks.length < 40; t = Date.UTC(year, month, 1)) {
      if (t >= t0 && t <= t1) ticks.push({ at: t, label: label(new Date(t)) });
      if (t > t1) break;
      month += step.n;
    }
  } else {
    year = Math.ceil(year / step.n) * step.n;
    for (let t = Date.UTC(year, 0, 1); ticks.length < 40; t = Date.UTC(year, 0, 1)) {
      if (t >= t0 && t <= t1) ticks.push({ at: t, label: label(new Date(t)) });
      if (t > t1) break;
      year += step.n;
    }
  }
  return ticks;
}

/** The time domain of a chart: the data's span with a little room at each end (a day or more). */
function timeDomain(times: number[]): [number, number] {
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  const pad = Math.max((hi - lo) * 0.03, DAY);
  return [lo - pad, hi + pad];
}

function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => px(r0 + (v - d0) * k);
}

const dayOf = (iso: string) => iso.slice(0, 10);

// ---------------------------------------------------------------------------------------------
// Shared pieces

function Frame(props: PropsWithChildren<{ id: string; title: string; desc: string; className: string }>) {
  const titleId = `${props.id}-title`;
  const descId = `${props.id}-desc`;
  return (
    <svg
      class={`chart ${props.className}`}
      viewBox={`0 0 ${W} ${H}`}
      xmlns="http://www.w3.org/2000/svg"
      // Not role="img": the points are links to their runs, and an image cannot hold controls.
      role="graphics-document"
      aria-label={attrValue(props.title)}
      aria-describedby={descId}
      preserveAspectRatio="xMidYMid meet"
    >
      <title id={titleId} safe>
        {props.title}
      </title>
      <desc id={descId} safe>
        {props.desc}
      </desc>
      {props.children}
    </svg>
  );
}

function XAxis({ ticks, x }: { ticks: Tick[]; x: (t: number) => number }) {
  const y = M.top + PLOT_H;
  return (
    <g class="axis x-axis">
      <line class="axis-line" x1={M.left} y1={y} x2={M.left + PLOT_W} y2={y} />
      {ticks.map((t) => (
        <g class="tick">
          <line class="grid" x1={x(t.at)} y1={M.top} x2={x(t.at)} y2={y} />
          <line class="tick-mark" x1={x(t.at)} y1={y} x2={x(t.at)} y2={y + 5} />
          <text class="tick-label middle" x={x(t.at)} y={y + 18} safe>
            {t.label}
          </text>
        </g>
      ))}
    </g>
  );
}

function YAxis({ ticks, y, label }: { ticks: Tick[]; y: (v: number) => number; label: string }) {
  const midY = M.top + PLOT_H / 2;
  return (
    <g class="axis y-axis">
      <line class="axis-line" x1={M.left} y1={M.top} x2={M.left} y2={M.top + PLOT_H} />
      {ticks.map((t) => (
        <g class="tick">
          <line class="grid" x1={M.left} y1={y(t.at)} x2={M.left + PLOT_W} y2={y(t.at)} />
          <line class="tick-mark" x1={M.left - 5} y1={y(t.at)} x2={M.left} y2={y(t.at)} />
          <text class="tick-label end" x={M.left - 8} y={y(t.at) + 4} safe>
            {t.label}
          </text>
        </g>
      ))}
      <text class="axis-label middle" x={16} y={midY} transform={`rotate(-90 16 ${midY})`} safe>
        {label}
      </text>
    </g>
  );
}

export interface LegendItem {
  /** The marker's class (`race`, `pass`, …); it also picks the swatch's shape. */
  key: string;
  label: string;
}

/** The legend along the top of the plot: a swatch in the series' own shape, then its label. */
function Legend({ items, line }: { items: LegendItem[]; line: boolean }) {
  let x = M.left;
  return (
    <g class="legend">
      {items.map((item) => {
        const at = x;
        x += 34 + Math.min(item.label.length, 40) * 7;
        return (
          <g class={`legend-item ${item.key}`}>
            {line ? <line class={`series-line ${item.key}`} x1={at} y1={14} x2={at + 22} y2={14} /> : ''}
            <Marker kind={item.key} x={at + 11} y={14} />
            <text class="legend-label" x={at + 28} y={18} safe>
              {item.label}
            </text>
          </g>
        );
      })}
    </g>
  );
}

/** A point's marker; fails and unfinished runs get their own shapes, not just a colour. */
function Marker({ kind, x, y }: { kind: string; x: number; y: number }) {
  const cls = `marker ${kind}`;
  if (kind === 'fail') return <path class={cls} d={`M${px(x - 5)} ${px(y - 5)}L${px(x + 5)} ${px(y + 5)}M${px(x - 5)} ${px(y + 5)}L${px(x + 5)} ${px(y - 5)}`} />;
  if (kind === 'inconclusive') return <path class={cls} d={`M${px(x)} ${px(y - 6)}L${px(x + 5.5)} ${px(y + 4)}L${px(x - 5.5)} ${px(y + 4)}Z`} />;
  if (kind === 'road') return <rect class={cls} x={px(x - 4)} y={px(y - 4)} width={8} height={8} />;
  return <circle class={cls} cx={px(x)} cy={px(y)} r={kind === 'not_completed' ? 4 : 4.5} />;
}

function EmptyText({ text }: { text: string }) {
  return (
    <text class="empty-label middle" x={M.left + PLOT_W / 2} y={M.top + PLOT_H / 2} safe>
      {text}
    </text>
  );
}

// ---------------------------------------------------------------------------------------------
// Readiness: TRL per target over time

export interface TrlStep {
  /** YYYY-MM-DD. */
  date: string;
  level: number;
  /** What the point's tooltip says (assessor, rationale…). */
  note: string;
}

export interface TrlSeries {
  /** `race` or `road`: the marker class and shape. */
  key: string;
  label: string;
  /** Oldest first. */
  steps: TrlStep[];
}

export interface TrlStepChartProps {
  title: string;
  series: TrlSeries[];
  /** The level holds until this day (today), so the last step runs to the right edge. */
  until: string;
}

function describeTrl(series: TrlSeries[]): string {
  return series
    .map((s) => {
      if (s.steps.length === 0) return `${s.label}: not assessed.`;
      const last = s.steps[s.steps.length - 1]!;
      const path = s.steps.map((p) => `${p.level} (${p.date})`).join(', ');
      return `${s.label}: ${s.steps.length} ${s.steps.length === 1 ? 'assessment' : 'assessments'}, now TRL ${last.level} since ${last.date}; levels ${path}.`;
    })
    .join(' ');
}

/** Each target's level as a step line: it holds from one assessment to the next, then to `until`. */
export function TrlStepChart(props: TrlStepChartProps) {
  const id = chartId('trl-chart');
  const all = props.series.flatMap((s) => s.steps);
  const desc = describeTrl(props.series);
  if (all.length === 0) {
    return (
      <Frame id={id} title={props.title} desc={desc} className="trl-chart">
        <EmptyText text="No readiness assessment yet" />
      </Frame>
    );
  }
  const end = Date.parse(`${props.until}T00:00:00Z`);
  const times = [...all.map((p) => Date.parse(`${p.date}T00:00:00Z`)), ...(Number.isNaN(end) ? [] : [end])];
  const [t0, t1] = timeDomain(times);
  const right = Math.max(...times);
  const x = linear(t0, t1, M.left, M.left + PLOT_W);
  const y = linear(0.5, 9.5, M.top + PLOT_H, M.top);
  const levels: Tick[] = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((l) => ({ at: l, label: String(l) }));
  return (
    <Frame id={id} title={props.title} desc={desc} className="trl-chart">
      <YAxis ticks={levels} y={y} label="TRL" />
      <XAxis ticks={timeTicks(t0, t1)} x={x} />
      <Legend items={props.series.map((s) => ({ key: s.key, label: s.steps.length ? s.label : `${s.label} (not assessed)` }))} line />
      {props.series.map((s) => {
        if (s.steps.length === 0) return '';
        const at = (p: TrlStep) => Date.parse(`${p.date}T00:00:00Z`);
        let d = `M${x(at(s.steps[0]!))} ${y(s.steps[0]!.level)}`;
        for (const p of s.steps.slice(1)) d += `H${x(at(p))}V${y(p.level)}`;
        d += `H${x(right)}`;
        return (
          <g class={`series ${s.key}`}>
            <path class={`series-line ${s.key}`} d={d} />
            {s.steps.map((p) => (
              <g class={`step-point ${s.key}`}>
                <Marker kind={s.key} x={x(at(p))} y={y(p.level)} />
                <title safe>{`${s.label} ${p.level} on ${p.date}${p.note ? ` — ${p.note}` : ''}`}</title>
              </g>
            ))}
          </g>
        );
      })}
    </Frame>
  );
}

// ---------------------------------------------------------------------------------------------
// A measurement across runs

export interface TrendChartPoint {
  /** ISO time of the run's start (x). */
  time: string;
  value: number;
  /** The run's page. */
  href: string;
  /** The point's tooltip (run code, value, outcome). */
  label: string;
  /** Marker class: `pass`, `fail`, `inconclusive`, `not_completed` or `run`. */
  marker: string;
}

export interface TrendChartProps {
  title: string;
  /** The y axis label, e.g. `Peak power (kW)`. */
  yLabel: string;
  unit: string;
  /** Oldest first. */
  points: TrendChartPoint[];
  /** Which markers the legend explains (only those present are shown). */
  legend?: LegendItem[];
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);
}

function describeTrend(props: TrendChartProps): string {
  const n = props.points.length;
  if (n === 0) return `${props.yLabel}: no values.`;
  const values = props.points.map((p) => p.value);
  const unit = props.unit ? ` ${props.unit}` : '';
  const first = props.points[0]!;
  const last = props.points[n - 1]!;
  return (
    `${n} ${n === 1 ? 'value' : 'values'} of ${props.yLabel} from ${dayOf(first.time)} to ${dayOf(last.time)}: ` +
    `lowest ${formatValue(Math.min(...values))}${unit}, highest ${formatValue(Math.max(...values))}${unit}, ` +
    `latest ${formatValue(last.value)}${unit} on ${dayOf(last.time)}.`
  );
}

/** Values by run start time, joined in order; each point links to its run. */
export function TrendChart(props: TrendChartProps) {
  const id = chartId('trend-chart');
  const desc = describeTrend(props);
  if (props.points.length === 0) {
    return (
      <Frame id={id} title={props.title} desc={desc} className="trend-chart">
        <EmptyText text="No values to chart" />
      </Frame>
    );
  }
  const times = props.points.map((p) => Date.parse(p.time));
  const [t0, t1] = timeDomain(times);
  const values = props.points.map((p) => p.value);
  const axis = valueAxis(Math.min(...values), Math.max(...values));
  const x = linear(t0, t1, M.left, M.left + PLOT_W);
  const y = linear(axis.lo, axis.hi, M.top + PLOT_H, M.top);
  const present = new Set(props.points.map((p) => p.marker));
  const legend = (props.legend ?? []).filter((l) => present.has(l.key));
  const line = props.points.map((p, i) => `${x(times[i]!)},${y(p.value)}`).join(' ');
  return (
    <Frame id={id} title={props.title} desc={desc} className="trend-chart">
      <YAxis ticks={axis.ticks} y={y} label={props.yLabel} />
      <XAxis ticks={timeTicks(t0, t1)} x={x} />
      {legend.length ? <Legend items={legend} line={false} /> : ''}
      {props.points.length > 1 ? <polyline class="trend-line" points={line} /> : ''}
      <g class="points">
        {props.points.map((p, i) => (
          // Keyboard and screen-reader users reach the runs through the table beside the chart.
          <a class={`point ${p.marker}`} href={p.href} tabindex="-1">
            <Marker kind={p.marker} x={x(times[i]!)} y={y(p.value)} />
            <title safe>{p.label}</title>
          </a>
        ))}
      </g>
    </Frame>
  );
}
