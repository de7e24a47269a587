// axe-core on every main page (with demo data, so that tables and forms are full): no serious or
// critical violation, and no CSP violation while the pages load.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, launchBrowser, signedInContext, startLiveApp, watchedPage, type LiveApp } from './support/browser.js';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

const MAIN_PAGES = [
  '/',
  '/test-runs',
  '/test-runs/new',
  '/test-runs/1',
  '/technologies',
  '/technologies/1',
  '/programs',
  '/programs/1',
  '/prototypes',
  '/prototypes/1',
  '/road-models',
  '/road-models/1',
  '/transfers',
  '/transfers/1',
  '/series',
  '/series/1',
  '/technologies/1/readiness',
  '/lineage?node=road-model:1',
  '/matrix',
  '/reports',
  '/audit',
  '/account',
  '/admin',
  '/test-runs/import',
];

// Forms, for the reflow test.
const FORM_PAGES = ['/technologies/new', '/technologies/1/edit', '/road-models/new', '/transfers/new', '/programs/new', '/prototypes/new', '/series/new', '/test-runs/1/edit'];

describeBrowser('accessibility of the main pages', () => {
  let live: LiveApp;
  let browser: Browser;
  let context: BrowserContext;
  beforeAll(async () => {
    live = await startLiveApp({ seed: 'demo' });
    browser = await launchBrowser();
    context = await signedInContext(browser, live);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await live?.close();
  });

  it('has no serious or critical axe violations and no CSP violations', async () => {
    const { page, problems } = await watchedPage(context);
    const report: string[] = [];
    for (const path of [...MAIN_PAGES, '/login']) {
      if (path === '/login') await context.clearCookies();
      const res = await page.goto(`${live.baseUrl}${path}`);
      expect(res?.status(), path).toBe(200);
      // Sections that load themselves with htmx (lineage panels, readiness) are part of the page.
      await page.waitForLoadState('networkidle');
      await page.evaluate(AXE_SOURCE);
      const violations = (await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
        const result = await axe.run(document, { resultTypes: ['violations'] });
        return result.violations;
      })) as AxeViolation[];
      for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
        report.push(`${path}: [${v.impact}] ${v.id} — ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
      }
    }
    expect(report, report.join('\n')).toEqual([]);
    expect(problems).toEqual([]);
  }, 180_000);

  it('scrolls no page sideways, on a laptop screen or on a 320 px phone (WCAG reflow)', async () => {
    // Its own context: the test above ends signed out.
    const admin = await signedInContext(browser, live);
    const page = await admin.newPage();
    const wide: string[] = [];
    for (const path of [...MAIN_PAGES, ...FORM_PAGES]) {
      await page.setViewportSize({ width: 320, height: 800 });
      await page.goto(`${live.baseUrl}${path}`);
      await page.waitForLoadState('networkidle');
      // Wide tables, the matrix and the lineage graph scroll inside their own boxes.
      for (const width of [320, 1280]) {
        await page.setViewportSize({ width, height: 800 });
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        if (scrollWidth > width) wide.push(`${path} at ${width} px: ${scrollWidth} px wide`);
      }
    }
    expect(wide).toEqual([]);
    await admin.close();
  }, 120_000);

  it('keeps the header to two rows: the brand and the account, then the sections on one line', async () => {
    // Its own context: the test above ends signed out.
    const admin = await signedInContext(browser, live);
    const page = await admin.newPage();
    const header = async () =>
      page.evaluate(() => {
        const box = (el: Element | null) => el!.getBoundingClientRect();
        const links = [...document.querySelectorAll('.site-header .nav-links a')].map((a) => box(a));
        const list = document.querySelector('.site-header .nav-links')!;
        return {
          height: box(document.querySelector('.site-header')).height,
          brandTop: box(document.querySelector('.site-header .brand')).top,
          signOut: box(document.querySelector('.site-header .logout-form button')),
          linkTops: [...new Set(links.map((l) => Math.round(l.top)))],
          linkHeights: links.map((l) => Math.round(l.height)),
          scrolls: list.scrollWidth > list.clientWidth,
        };
      });
    // A laptop screen: every section fits on the second row.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${live.baseUrl}/test-runs`);
    const wide = await header();
    expect(Math.abs(wide.signOut.top - wide.brandTop)).toBeLessThan(24);
    expect(wide.linkTops).toHaveLength(1);
    expect(wide.linkTops[0]).toBeGreaterThan(wide.signOut.bottom - 4);
    expect(wide.height).toBeLessThan(160);
    // A phone: the sections scroll sideways on one row, each name on one line.
    await page.setViewportSize({ width: 390, height: 800 });
    const narrow = await header();
    expect(Math.abs(narrow.signOut.top - narrow.brandTop)).toBeLessThan(24);
    expect(narrow.linkTops).toHaveLength(1);
    // As tall as on the laptop screen: no name wraps onto a second line.
    expect(Math.max(...narrow.linkHeights)).toBeLessThanOrEqual(Math.max(...wide.linkHeights));
    expect(narrow.scrolls).toBe(true);
    expect(narrow.height).toBeLessThan(140);
    await admin.close();
  }, 60_000);
});
