// The matrix in a browser: filter (htmx swaps #results and pushes the URL), the sticky header
// from CSS classes, and "Download CSV" delivering the filtered pivot; no CSP violation anywhere.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { describeBrowser, launchBrowser, signedInContext, startLiveApp, watchedPage, type LiveApp } from './support/browser.js';
import { created } from '../support/app.js';

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

describeBrowser('traceability matrix in a browser', () => {
  let live: LiveApp;
  let browser: Browser;
  const id: Record<string, number> = {};
  beforeAll(async () => {
    live = await startLiveApp();
    const app = live.app;
    id.fe = (await created<{ id: number }>(app, '/api/v1/series', { name: 'Formula E' })).id;
    id.gt = (await created<{ id: number }>(app, '/api/v1/series', { name: 'Super GT' })).id;
    const program = async (series_id: number, season: string) =>
      (await created<{ id: number }>(app, '/api/v1/programs', { series_id, season, start_year: 2024, end_year: 2025, entry: 'NISMO', car: 'Car', status: 'active' })).id;
    const feProgram = await program(id.fe, '2024-25');
    const gtProgram = await program(id.gt, '2025');
    const category = (await created<{ id: number }>(app, '/api/v1/technology-categories', { name: 'Powertrain', venue_types: ['dyno'] })).id;
    const tech = async (name: string, origin_program_id: number) =>
      (await created<{ id: number }>(app, '/api/v1/technologies', { name, domain: 'hardware', category_id: category, origin_program_id })).id;
    const sic = await tech('SiC inverter', feProgram);
    const turbo = await tech('GT500 turbo', gtProgram);
    const model = async (name: string) => (await created<{ id: number }>(app, '/api/v1/road-models', { name, powertrain: 'ice', status: 'production', launch_date: '2024-06-01' })).id;
    const ariya = await model('Ariya NISMO');
    const z = await model('Z NISMO');
    await created(app, '/api/v1/transfers', { technology_id: sic, road_model_id: ariya, stage: 'approved' });
    await created(app, '/api/v1/transfers', { technology_id: turbo, road_model_id: z, stage: 'in_production' });
    // A fail logged after the reviews makes the turbo transfer suspect.
    const rig = (await created<{ id: number }>(app, '/api/v1/prototypes', { code: 'DYNO-1', kind: 'dyno_rig' })).id;
    await created(app, '/api/v1/test-runs', {
      prototype_id: rig, title: 'Overboost', venue_type: 'dyno', start_time: '2024-09-01T09:00:00Z', end_time: '2024-09-01T12:00:00Z',
      evidence: [{ technology_id: turbo, outcome: 'fail' }],
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
  });

  it('filters by series, then downloads the filtered matrix as CSV', async () => {
    const context = await signedInContext(browser, live);
    const { page, problems } = await watchedPage(context);
    await page.goto(`${live.baseUrl}/matrix`);
    await expect.poll(() => page.locator('table.matrix tbody tr').count()).toBe(2);
    expect(await page.locator('table.matrix thead th').first().evaluate((el) => getComputedStyle(el).position)).toBe('sticky');
    expect(await page.locator('table.matrix tbody th').first().evaluate((el) => getComputedStyle(el).position)).toBe('sticky');

    await page.getByLabel('Series (origin program)').selectOption({ label: 'Super GT' });
    await expect.poll(() => page.locator('table.matrix tbody tr').count()).toBe(1);
    await expect.poll(() => new URL(page.url()).searchParams.get('series_id')).toBe(String(id.gt));
    expect(await page.locator('table.matrix tbody th a').textContent()).toBe('GT500 turbo');
    expect(await page.locator('table.matrix thead th').count()).toBe(2);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('matrix.csv');
    const text = fs.readFileSync((await download.path())!, 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const [first, second] = text.slice(1).split('\r\n');
    expect(first).toBe('technology,category,series,Z NISMO');
    expect(second).toBe('GT500 turbo,Powertrain,Super GT,in_production (suspect)');

    // A reload keeps the filter (it lives in the URL).
    await page.reload();
    await expect.poll(() => page.locator('table.matrix tbody tr').count()).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('pages 50 technologies at a time: Next swaps the table in place and the URL, Back returns', async () => {
    // 55 more technologies feeding Ariya: 57 rows, two pages.
    const ids = live.app.db.sqlite.transaction(() => {
      const category = live.app.db.sqlite.prepare('SELECT min(id) FROM technology_categories').pluck().get() as number;
      const ariya = live.app.db.sqlite.prepare(`SELECT id FROM road_models WHERE name = 'Ariya NISMO'`).pluck().get() as number;
      const out: [number, number][] = [];
      for (let i = 0; i < 55; i++) {
        const tech = Number(live.app.db.sqlite.prepare(`INSERT INTO technologies (name, domain, category_id) VALUES (?, 'software', ?)`).run(`Torque map ${String(i).padStart(2, '0')}`, category).lastInsertRowid);
        out.push([tech, Number(live.app.db.sqlite.prepare(`INSERT INTO transfers (technology_id, road_model_id, stage) VALUES (?, ?, 'candidate')`).run(tech, ariya).lastInsertRowid)]);
      }
      return out;
    })();
    const context = await signedInContext(browser, live);
    const { page, problems } = await watchedPage(context);
    try {
      await page.goto(`${live.baseUrl}/matrix`);
      await expect.poll(() => page.locator('table.matrix tbody tr').count()).toBe(50);
      await expect.poll(() => page.locator('.matrix-note').textContent()).toContain('Technologies 1–50 of 57');
      const loads: string[] = [];
      page.on('load', () => loads.push(page.url()));
      await page.getByRole('button', { name: 'Next 7 →' }).click();
      await expect.poll(() => page.locator('table.matrix tbody tr').count()).toBe(7);
      await expect.poll(() => new URL(page.url()).searchParams.get('page')).toBe('2');
      expect(loads).toEqual([]);
      expect(await page.locator('.matrix-note').textContent()).toContain('Technologies 51–57 of 57');
      await page.goBack();
      await expect.poll(() => page.locator('table.matrix tbody tr').count()).toBe(50);
      expect(new URL(page.url()).searchParams.get('page')).toBeNull();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      live.app.db.sqlite.transaction(() => {
        for (const [tech, transfer] of ids) {
          live.app.db.sqlite.prepare('DELETE FROM transfers WHERE id = ?').run(transfer);
          live.app.db.sqlite.prepare('DELETE FROM technologies WHERE id = ?').run(tech);
        }
      })();
    }
  });

  it('has no serious or critical axe violations on the matrix, reports, suspect review and dashboard', async () => {
    const context = await signedInContext(browser, live);
    const { page, problems } = await watchedPage(context);
    const report: string[] = [];
    for (const path of ['/matrix', '/reports', '/reports/coverage-gaps', '/transfers?suspect=true', '/']) {
      expect((await page.goto(`${live.baseUrl}${path}`))?.status(), path).toBe(200);
      await page.evaluate(AXE_SOURCE);
      const violations = (await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
        return (await axe.run(document, { resultTypes: ['violations'] })).violations;
      }));
      for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
        report.push(`${path}: [${v.impact}] ${v.id} — ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
      }
    }
    expect(report, report.join('\n')).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
