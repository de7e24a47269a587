// The dashboard's report sections with known numbers: suspect transfers, coverage gaps, the
// readiness spread (current race TRL per technology) and the line-up plan (PLAN-1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, created, type TestApp } from '../../support/app.js';
import { pageSession, type PageSession } from '../../support/pages.js';

let t: TestApp;
let s: PageSession;
const id: Record<string, number> = {};

function section(body: string, headingId: string): string {
  const start = body.indexOf(`<section aria-labelledby="${headingId}">`);
  expect(start, headingId).toBeGreaterThan(-1);
  return body.slice(start, body.indexOf('</section>', start));
}

beforeAll(async () => {
  t = await createTestApp();
  s = await pageSession(t.app);
  const fe = await created<{ id: number }>(t.app, '/api/v1/series', { name: 'Formula E' });
  const program = await created<{ id: number }>(t.app, '/api/v1/programs', {
    series_id: fe.id, season: '2023-24', start_year: 2023, end_year: 2024, entry: 'Nissan Formula E Team', car: 'Nissan e-4ORCE 04', status: 'completed',
  });
  const category = await created<{ id: number }>(t.app, '/api/v1/technology-categories', { name: 'Inverter', venue_types: ['dyno'] });
  const tech = async (name: string) => (await created<{ id: number }>(t.app, '/api/v1/technologies', { name, domain: 'hardware', category_id: category.id, origin_program_id: program.id })).id;
  id.sic = await tech('SiC inverter');
  id.road = await tech('Road inverter');
  id.wing = await tech('Rear wing');
  id.spare = await tech('Spare');
  const model = async (name: string, status: string, launch_date?: string) =>
    (await created<{ id: number }>(t.app, '/api/v1/road-models', { name, powertrain: 'ev', status, ...(launch_date ? { launch_date } : {}) })).id;
  id.ariya = await model('Ariya NISMO', 'production', '2024-06-01');
  id.leaf = await model('Leaf NISMO', 'production');
  await model('Hyper Force', 'concept');
  id.rig = (await created<{ id: number }>(t.app, '/api/v1/prototypes', { code: 'DYNO-3', kind: 'dyno_rig' })).id;
  await created(t.app, '/api/v1/test-runs', {
    prototype_id: id.rig, title: 'Soak', venue_type: 'dyno', start_time: '2023-05-01T09:00:00Z', end_time: '2023-05-01T12:00:00Z',
    evidence: [{ technology_id: id.sic, outcome: 'pass' }],
  });
  // Current race TRL: SiC 7 (the later of 3 and 7), Road inverter 5; Rear wing and Spare unassessed.
  const assess = t.db.sqlite.prepare(`INSERT INTO readiness_assessments (technology_id, target, level, assessed_on, assessor) VALUES (?, ?, ?, ?, 'Test')`);
  assess.run(id.sic, 'race', 3, '2023-01-01');
  assess.run(id.sic, 'race', 7, '2024-01-01');
  assess.run(id.sic, 'road', 2, '2025-01-01');
  assess.run(id.road, 'race', 5, '2024-02-01');
  id.t1 = (await created<{ id: number }>(t.app, '/api/v1/transfers', { technology_id: id.sic, road_model_id: id.ariya, stage: 'in_production' })).id;
  id.t2 = (await created<{ id: number }>(t.app, '/api/v1/transfers', { technology_id: id.wing, road_model_id: id.ariya, stage: 'approved' })).id;
  // A fail logged after the reviews: t1 turns suspect.
  await created(t.app, '/api/v1/test-runs', {
    prototype_id: id.rig, title: 'Fault', venue_type: 'dyno', start_time: '2024-09-01T09:00:00Z', end_time: '2024-09-01T12:00:00Z',
    evidence: [{ technology_id: id.sic, outcome: 'fail' }],
  });
  await created(t.app, '/api/v1/plan-targets', { year: 2028, model_count_target: 10, units_target: 150000, outside_japan_share_min: 40, outside_japan_share_max: 60 });
});
afterAll(async () => t.close());

describe('dashboard report sections', () => {
  it('shows the suspect transfers: count and the top ones linked to their page', async () => {
    const sus = section((await s.get('/')).body, 'suspect-h');
    expect(sus).toContain('Suspect transfers <span class="count">(1)</span>');
    expect(sus).toContain(`<a href="/transfers/${id.t1}">SiC inverter → Ariya NISMO</a>`);
    expect(sus).toMatch(/SUS-1: run TR-2024-\d+ failed SiC inverter/);
    expect(sus).toContain('href="/transfers?suspect=true"');
    expect(sus).not.toContain(`/transfers/${id.t2}"`);
  });

  it('shows the coverage gaps: count and the first ones, each naming its rule', async () => {
    const gaps = section((await s.get('/')).body, 'gaps-h');
    // Rear wing → Ariya: GAP-1 (no pass) and GAP-2 (no race TRL); Leaf NISMO: GAP-3.
    expect(gaps).toContain('Coverage gaps <span class="count">(3)</span>');
    expect(gaps.match(/<li>/g)).toHaveLength(3);
    expect(gaps).toMatch(/>GAP-1<\/span> <a href="\/transfers\/\d+">Rear wing → Ariya NISMO<\/a>/);
    expect(gaps).toMatch(/>GAP-2<\/span> <a href="\/transfers\/\d+">Rear wing → Ariya NISMO<\/a>/);
    expect(gaps).toContain(`>GAP-3</span> <a href="/road-models/${id.leaf}">Leaf NISMO</a>`);
  });

  it('shows the readiness spread per current race TRL with unassessed technologies', async () => {
    const spread = section((await s.get('/')).body, 'trl-h');
    const count = (label: string) => new RegExp(`<th scope="row">${label}</th><td class="numeric">(\\d+)</td>`).exec(spread)?.[1];
    expect(count('TRL 7')).toBe('1');
    expect(count('TRL 5')).toBe('1');
    expect(count('TRL 3')).toBe('0');
    expect(count('Unassessed')).toBe('2');
    expect(spread.match(/<rect class="bar"/g)).toHaveLength(10);
    // The longest bar belongs to the largest count (Unassessed: 2 of 2 → full width).
    expect(spread).toContain('<rect class="bar" x="0" y="1" width="160"');
    expect(spread).not.toMatch(/\sstyle=/);
  });

  it('shows the line-up plan against targets with the on-track badge', async () => {
    const plan = section((await s.get('/')).body, 'plan-h');
    expect(plan).toMatch(/<th scope="row">2028<\/th><td class="numeric">1 \/ 10<\/td><td class="numeric">0 \/ 150,000<\/td>.*band 40–60 %.*Behind/);
  });

  it('keeps the earlier sections', async () => {
    const body = (await s.get('/')).body;
    for (const h of ['latest-h', 'fail-h', 'rm-h']) expect(body).toContain(`aria-labelledby="${h}"`);
  });
});
