import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { describeBrowser, launchBrowser, signedInContext, startLiveApp, watchedPage, type LiveApp } from './support/browser.js';
import { api } from '../support/app.js';

describeBrowser('series pages in a browser', () => {
  let live: LiveApp;
  let browser: Browser;
  beforeAll(async () => {
    live = await startLiveApp();
    for (const name of ['Formula E', 'Super GT', 'Super Taikyu']) await api(live.app).post('/api/v1/series', { name });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
  });

  it('filters as you type, updates the URL, and a reload shows the same', async () => {
    const context = await signedInContext(browser, live);
    const { page, problems } = await watchedPage(context);
    await page.goto(`${live.baseUrl}/series`);
    await expect.poll(() => page.locator('#results tbody tr').count()).toBe(3);
    await page.getByLabel('Search').fill('super');
    await expect.poll(() => page.locator('#results tbody tr').count()).toBe(2);
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('super');
    await page.reload();
    await expect.poll(() => page.locator('#results tbody tr').count()).toBe(2);
    expect(await page.getByLabel('Search').inputValue()).toBe('super');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('creates a series through the form, keeping input on a validation error', async () => {
    const context = await signedInContext(browser, live);
    const { page, problems } = await watchedPage(context);
    await page.goto(`${live.baseUrl}/series/new`);
    await page.getByLabel('Description').fill('Kept after the error');
    await page.getByRole('button', { name: 'Create series' }).click();
    await expect.poll(() => page.locator('.field-error').first().textContent()).toContain('is required');
    expect(await page.getByLabel('Description').inputValue()).toBe('Kept after the error');
    await page.getByLabel('Name').fill('Formula Nippon');
    await page.getByLabel('Name').press('Control+Enter');
    await page.waitForURL(/\/series\/\d+$/);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Formula Nippon');
    await expect.poll(() => page.locator('.flash').textContent()).toContain('created');
    expect(problems).toEqual([]);
    await context.close();
  });
});
