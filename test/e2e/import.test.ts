import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { csvLine } from '../../src/domain/csv.js';
import { TEST_RUN_CSV_COLUMNS } from '../../src/domain/test-run-csv.js';
import { describeBrowser, launchBrowser, signedInContext, startLiveApp, watchedPage, type LiveApp } from './support/browser.js';

describeBrowser('CSV import in a browser', () => {
  let live: LiveApp;
  let browser: Browser;
  beforeAll(async () => {
    live = await startLiveApp();
    const insert = (sqlText: string, ...params: unknown[]) => Number(live.db.sqlite.prepare(sqlText).run(...params).lastInsertRowid);
    insert(`INSERT INTO prototypes (code, kind) VALUES ('E2E-RIG-1', 'hil_rig')`);
    const categoryId = insert(`INSERT INTO technology_categories (name) VALUES ('Inverter')`);
    insert(`INSERT INTO technologies (name, domain, category_id) VALUES ('e-4ORCE control', 'software', ?)`, categoryId);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
  });

  it('imports a file from the page with a live progress bar, then lists the imported runs', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) =>
      csvLine([`E2E-${String(i).padStart(4, '0')}`, 'E2E-RIG-1', '', `HIL soak ${i}`, '', 'hil', '', '2026-08-01T08:00:00Z', '', 'completed', '', '', 'k.tanaka', i === 0 ? '=SUM(A1)' : '', 'e-4ORCE control:pass', `Temp=${i % 90} degC`]),
    );
    const csv = '\uFEFF' + csvLine(TEST_RUN_CSV_COLUMNS) + rows.join('');

    const context = await signedInContext(browser, live);
    const { page, problems } = await watchedPage(context);
    const polls: string[] = [];
    page.on('request', (request) => {
      if (/\/imports\/\d+$/.test(request.url()) && request.headers()['hx-request'] === 'true') polls.push(request.url());
    });
    await page.goto(`${live.baseUrl}/test-runs/import`);
    await expect.poll(() => page.locator('table code').first().textContent()).toBe('code');
    await page.getByLabel('CSV file').setInputFiles({ name: 'hil-week-31.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    await page.waitForURL(/\/imports\/\d+$/);

    // While the job runs: the progress bar, updated by polling.
    await expect.poll(() => page.locator('#import-progress').isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => polls.length, { timeout: 30_000 }).toBeGreaterThan(0);

    // Once done: the counts and a link to the runs; the polling has stopped.
    const link = page.getByRole('button', { name: 'See the imported runs' });
    await expect.poll(() => link.isVisible(), { timeout: 120_000, interval: 500 }).toBe(true);
    await expect.poll(() => page.locator('#import-job').textContent()).toContain('created 3,000');
    const pollsWhenDone = polls.length;
    await page.waitForTimeout(2500);
    expect(polls.length).toBe(pollsWhenDone);

    await link.click();
    await page.waitForURL(/\/test-runs\?/);
    await expect.poll(() => page.locator('body').textContent()).toContain('E2E-2999');
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);
});
