// Browser tests drive Debian's Chromium through playwright-core against the real app on a
// loopback port. Without Chromium they are skipped loudly — except under CI=true, where a
// missing browser fails the run (DESIGN §6).
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describe } from 'vitest';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../../support/app.js';
import type { Config } from '../../../src/config.js';

export const CHROMIUM = process.env.PITLANE_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';

if (!hasChromium && !inCi) {
  console.warn(
    `\n!!! BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM}.\n!!! Install it (apt-get install -y chromium) or set PITLANE_CHROMIUM; under CI=true this fails.\n`,
  );
}

/** `describe` for browser tests: skipped without Chromium, except in CI where it must run (and fails). */
export const describeBrowser = hasChromium || inCi ? describe : describe.skipIf(true);

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  if (!hasChromium) throw new Error(`Chromium is required for browser tests (CI=true) but ${CHROMIUM} does not exist`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export interface LiveApp extends TestApp {
  baseUrl: string;
}

/** The real app on a fresh database, listening on a random loopback port. */
export async function startLiveApp(overrides: Partial<Config> = {}): Promise<LiveApp> {
  const t = await createTestApp(overrides);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.server.address() as AddressInfo;
  return { ...t, baseUrl: `http://127.0.0.1:${port}` };
}

export interface WatchedPage {
  page: Page;
  /** CSP violations and page errors seen so far: tests assert it stays empty. */
  problems: string[];
}

/** A page that records every CSP violation, console error and uncaught exception. */
export async function watchedPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  const problems: string[] = [];
  await page.exposeFunction('__reportCspViolation', (text: string) => problems.push(`CSP: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __reportCspViolation: (t: string) => void }).__reportCspViolation(`${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  page.on('console', (msg) => {
    // A 4xx answer (a 422 form re-render) is logged by Chromium as a failed load: expected, not a problem.
    if (msg.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())) {
      problems.push(`console: ${msg.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return { page, problems };
}

/** A browser context already signed in (admin by default) through the real login form. */
export async function signedInContext(
  browser: Browser,
  live: LiveApp,
  options: { username?: string; password?: string; javaScriptEnabled?: boolean; viewport?: { width: number; height: number } } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    ...(options.viewport ? { viewport: options.viewport } : {}),
  });
  const loginPage = await context.request.get(`${live.baseUrl}/login`);
  const token = /<meta name="csrf-token" content="([^"]+)"/.exec(await loginPage.text())?.[1];
  if (!token) throw new Error('no CSRF token on the login page');
  const res = await context.request.post(`${live.baseUrl}/login`, {
    form: { _csrf: token, username: options.username ?? 'admin', password: options.password ?? ADMIN_PASSWORD },
    maxRedirects: 0,
  });
  if (res.status() !== 303) throw new Error(`login answered ${res.status()}`);
  return context;
}
