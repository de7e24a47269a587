// The SVG charts: well-formed markup, one mark per data point or step, axes with round ticks,
// accessible names, and user text (a measurement name) inert wherever it appears.
import { describe, expect, it } from 'vitest';
import { timeTicks, TrendChart, TrlStepChart, valueAxis, type TrendChartPoint } from '../../views/components/charts.js';

async function render(element: JSX.Element): Promise<string> {
  return await element;
}

/**
 * A small XML well-formedness check (no parser in the dependencies): tags nest and close, every
 * attribute is quoted, no raw `<` or stray `&` in text, one <svg> root with the SVG namespace.
 */
function assertWellFormedSvg(svg: string): void {
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).toMatch(/^<svg[^>]* xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  let roots = 0;
  while (i < svg.length) {
    const lt = svg.indexOf('<', i);
    const text = svg.slice(i, lt === -1 ? svg.length : lt);
    expect(text, `stray & in text "${text}"`).not.toMatch(/&(?!(amp|lt|gt|quot|#39|#x27|apos|#\d+);)/);
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(svg);
    expect(m, `malformed tag at ${svg.slice(lt, lt + 60)}`).not.toBeNull();
    const [whole, closing, name, , selfClosing] = m!;
    if (closing) {
      expect(stack.pop(), `</${name}> closes the wrong element`).toBe(name);
    } else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name!);
    } else if (stack.length === 0) roots++;
    i = lt + whole.length;
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

const count = (html: string, needle: string) => html.split(needle).length - 1;

describe('TrlStepChart', () => {
  const series = [
    {
      key: 'race',
      label: 'Race TRL',
      steps: [
        { date: '2025-04-01', level: 4, note: 'k.tanaka' },
        { date: '2025-09-15', level: 6, note: 'k.tanaka: dyno and track' },
        { date: '2026-02-01', level: 7, note: 'a.sato' },
      ],
    },
    { key: 'road', label: 'Road TRL', steps: [{ date: '2025-11-01', level: 5, note: 'm.ito' }] },
  ];

  it('draws one point per assessment and one step per change, on a 1–9 axis, with an accessible name', async () => {
    const svg = await render(TrlStepChart({ title: 'Readiness of SiC inverter over time', series, until: '2026-05-01' }));
    assertWellFormedSvg(svg);
    expect(count(svg, 'class="step-point race"')).toBe(3);
    expect(count(svg, 'class="step-point road"')).toBe(1);
    // The race line rises twice (V segments) and runs on to the right edge (today).
    const racePath = /<path class="series-line race" d="([^"]+)"/.exec(svg)![1]!;
    expect(count(racePath, 'V')).toBe(2);
    expect(count(racePath, 'H')).toBe(3);
    const roadPath = /<path class="series-line road" d="([^"]+)"/.exec(svg)![1]!;
    expect(count(roadPath, 'V')).toBe(0);
    expect(count(roadPath, 'H')).toBe(1);
    for (let level = 1; level <= 9; level++) expect(svg).toContain(`>${level}</text>`);
    expect(svg).toContain('role="graphics-document"');
    expect(svg).toContain('aria-label="Readiness of SiC inverter over time"');
    expect(svg).toMatch(/<title id="[^"]+">Readiness of SiC inverter over time<\/title>/);
    expect(svg).toMatch(/<desc id="[^"]+">Race TRL: 3 assessments, now TRL 7 since 2026-02-01;.*Road TRL: 1 assessment, now TRL 5 since 2025-11-01/);
    expect(svg).not.toContain('NaN');
    expect(svg).not.toContain('style=');
  });

  it('higher levels sit higher on the chart', async () => {
    const svg = await render(TrlStepChart({ title: 'T', series: [series[0]!], until: '2026-05-01' }));
    const ys = [...svg.matchAll(/<g class="step-point race"><circle class="marker race" cx="[\d.]+" cy="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(ys).toHaveLength(3);
    expect(ys[0]!).toBeGreaterThan(ys[1]!);
    expect(ys[1]!).toBeGreaterThan(ys[2]!);
  });

  it('says "not assessed" for a target without assessments, and draws nothing for it', async () => {
    const svg = await render(TrlStepChart({ title: 'T', series: [series[0]!, { key: 'road', label: 'Road TRL', steps: [] }], until: '2026-05-01' }));
    assertWellFormedSvg(svg);
    expect(svg).toContain('Road TRL: not assessed.');
    expect(svg).toContain('Road TRL (not assessed)');
    expect(svg).not.toContain('class="series-line road" d=');
    const empty = await render(TrlStepChart({ title: 'T', series: [{ key: 'race', label: 'Race TRL', steps: [] }], until: '2026-05-01' }));
    assertWellFormedSvg(empty);
    expect(empty).toContain('No readiness assessment yet');
  });
});

describe('TrendChart', () => {
  const points: TrendChartPoint[] = [
    { time: '2026-01-10T09:00:00.000Z', value: 295.5, href: '/test-runs/1', label: 'TR-2026-0001 · 295.5 kW · pass', marker: 'pass' },
    { time: '2026-02-05T09:00:00.000Z', value: 305, href: '/test-runs/2', label: 'TR-2026-0002 · 305 kW · fail', marker: 'fail' },
    { time: '2026-02-20T09:00:00.000Z', value: 301, href: '/test-runs/3', label: 'TR-2026-0003', marker: 'inconclusive' },
    { time: '2026-03-01T09:00:00.000Z', value: 310, href: '/test-runs/4', label: 'TR-2026-0004', marker: 'not_completed' },
    { time: '2026-03-09T09:00:00.000Z', value: 312.25, href: '/test-runs/5', label: 'TR-2026-0005', marker: 'pass' },
  ];
  const legend = [
    { key: 'pass', label: 'Pass' },
    { key: 'fail', label: 'Fail' },
    { key: 'inconclusive', label: 'Inconclusive' },
    { key: 'not_completed', label: 'Run not completed' },
    { key: 'run', label: 'Completed run' },
  ];

  it('draws one linked point per value, joined in order, with outcome markers and a legend of those present', async () => {
    const svg = await render(TrendChart({ title: 'Peak power across the runs of SiC inverter', yLabel: 'Peak power (kW)', unit: 'kW', points, legend }));
    assertWellFormedSvg(svg);
    expect(count(svg, '<a class="point ')).toBe(5);
    for (let id = 1; id <= 5; id++) expect(svg).toContain(`href="/test-runs/${id}"`);
    expect(count(svg, 'class="point pass"')).toBe(2);
    expect(count(svg, 'class="point fail"')).toBe(1);
    const line = /<polyline class="trend-line" points="([^"]+)"/.exec(svg)![1]!;
    const xs = line.split(' ').map((pair) => Number(pair.split(',')[0]));
    expect(xs).toHaveLength(5);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(svg).toContain('Peak power (kW)');
    expect(svg).toContain('>Run not completed</text>');
    expect(svg).not.toContain('>Completed run</text>');
    expect(svg).toMatch(/<desc id="[^"]+">5 values of Peak power \(kW\) from 2026-01-10 to 2026-03-09: lowest 295.5 kW, highest 312.25 kW, latest 312.25 kW/);
    expect(svg).not.toContain('NaN');
  });

  it('puts round value ticks around the data, bigger values higher', async () => {
    const svg = await render(TrendChart({ title: 'T', yLabel: 'Peak power (kW)', unit: 'kW', points }));
    const ticks = [...svg.matchAll(/<text class="tick-label end" x="[\d.]+" y="[\d.]+">([^<]+)<\/text>/g)].map((m) => Number(m[1]));
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(Math.min(...ticks)).toBeLessThanOrEqual(295.5);
    expect(Math.max(...ticks)).toBeGreaterThanOrEqual(312.25);
    const cy = (id: number) => Number(new RegExp(`href="/test-runs/${id}" tabindex="-1"><circle class="marker [a-z_]+" cx="[\\d.]+" cy="([\\d.]+)"`).exec(svg)![1]);
    expect(cy(1)).toBeGreaterThan(cy(5));
  });

  it('draws a single value (no line) and no values at all without NaN', async () => {
    const one = await render(TrendChart({ title: 'T', yLabel: 'Lap time (s)', unit: 's', points: [points[0]!] }));
    assertWellFormedSvg(one);
    expect(count(one, '<a class="point ')).toBe(1);
    expect(one).not.toContain('<polyline');
    expect(one).not.toContain('NaN');
    const none = await render(TrendChart({ title: 'T', yLabel: 'Lap time (s)', unit: 's', points: [] }));
    assertWellFormedSvg(none);
    expect(none).toContain('No values to chart');
  });

  it('keeps a <script> measurement name inert in the title, description, axis label, aria-label and tooltips', async () => {
    const name = '<script>alert(1)</script>"><img src=x onerror=alert(2)>&';
    const svg = await render(
      TrendChart({
        title: `${name} across the runs of X`,
        yLabel: `${name} (kW)`,
        unit: 'kW',
        points: points.map((p) => ({ ...p, label: `${p.label} ${name}` })),
        legend: [{ key: 'pass', label: name }],
      }),
    );
    assertWellFormedSvg(svg);
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('<img');
    // Kita escapes `<`, `&` and `"` (enough in text and in quoted attributes); `>` may stay.
    expect(count(svg, '&lt;script>alert(1)&lt;/script>')).toBe(10); // aria-label, title, desc, axis, legend, 5 tooltips
    expect(svg).toMatch(/aria-label="&lt;script>alert\(1\)&lt;\/script>&#34;>&lt;img src=x onerror=alert\(2\)>&amp; across the runs of X"/);
  });
});

describe('axes', () => {
  it('value axes use round steps that cover the data', () => {
    const axis = valueAxis(295.5, 312.25);
    expect(axis.lo).toBeLessThanOrEqual(295.5);
    expect(axis.hi).toBeGreaterThanOrEqual(312.25);
    const steps = axis.ticks.slice(1).map((t, i) => Math.round((t.at - axis.ticks[i]!.at) * 1e6) / 1e6);
    expect(new Set(steps).size).toBe(1);
    expect([1, 2, 5, 10]).toContain(steps[0]! / 10 ** Math.floor(Math.log10(steps[0]!)));
    expect(valueAxis(7, 7).ticks.length).toBeGreaterThanOrEqual(2);
    expect(valueAxis(0.012, 0.019).ticks.every((t) => /^0\.0\d+$/.test(t.label))).toBe(true);
  });

  it('time ticks fall on calendar boundaries, named by month or year as the span asks', () => {
    const months = timeTicks(Date.parse('2025-10-12T00:00:00Z'), Date.parse('2026-04-20T00:00:00Z'));
    expect(months.map((t) => t.label)).toEqual(['Nov 2025', 'Dec', 'Jan 2026', 'Feb', 'Mar', 'Apr']);
    const years = timeTicks(Date.parse('2019-06-01T00:00:00Z'), Date.parse('2026-02-01T00:00:00Z'));
    expect(years.map((t) => t.label)).toEqual(['2020', '2021', '2022', '2023', '2024', '2025', '2026']);
    const days = timeTicks(Date.parse('2026-03-01T12:00:00Z'), Date.parse('2026-03-05T12:00:00Z'));
    expect(days[0]!.label).toBe('2 Mar 2026');
    expect(days.every((t) => new Date(t.at).getUTCHours() === 0)).toBe(true);
  });
});
