import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { describeBrowser, launchBrowser, startLiveApp, watchedPage, type LiveApp } from './support/browser.js';
import { ADMIN_PASSWORD, api, created } from '../support/app.js';

interface Run {
  id: number;
  code: string;
  title: string;
  engineer: string;
  status: string;
  measurements: { name: string; value: number; unit: string }[];
  evidence: { technology_id: number; outcome: string; notes: string }[];
}

/** Presses Tab until the focused element matches `selector`; returns what focus passed through. */
async function tabTo(page: Page, selector: string, max = 40): Promise<string[]> {
  const passed: string[] = [];
  for (let i = 0; i < max; i++) {
    const at = await page.evaluate((sel) => {
      const el = document.activeElement as HTMLElement | null;
      return { matches: !!el?.matches(sel), label: el?.id || el?.getAttribute('aria-label') || el?.textContent?.trim() || el?.tagName || '' };
    }, selector);
    if (passed[passed.length - 1] !== at.label) passed.push(at.label);
    if (at.matches) return passed;
    await page.keyboard.press('Tab');
  }
  throw new Error(`focus never reached ${selector}; passed ${passed.join(' → ')}`);
}

/** Signs in through the login form and lands on `next`. */
async function signIn(page: Page, baseUrl: string, next: string): Promise<void> {
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
  await page.locator('input[name="username"]').fill('admin');
  await page.locator('input[name="password"]').fill(ADMIN_PASSWORD);
  await page.locator('input[name="password"]').press('Enter');
  await page.waitForURL((url) => url.pathname === next);
}

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

describeBrowser('logging a test run in a browser', () => {
  let live: LiveApp;
  let browser: Browser;
  let inverter: number;
  let torque: number;
  let programId: number;

  async function runsTitled(title: string): Promise<Run[]> {
    const res = await api(live.app).get(`/api/v1/test-runs?q=${encodeURIComponent(title)}&limit=200`);
    return (res.json() as { items: Run[] }).items.filter((r) => r.title === title);
  }

  beforeAll(async () => {
    live = await startLiveApp();
    const fe = await created<{ id: number }>(live.app, '/api/v1/series', { name: 'Formula E' });
    const program = await created<{ id: number }>(live.app, '/api/v1/programs', {
      series_id: fe.id,
      season: '2024-25',
      start_year: 2024,
      end_year: 2025,
      entry: 'Nissan Formula E Team',
      car: 'Nissan e-4ORCE 05',
    });
    programId = program.id;
    await created(live.app, '/api/v1/prototypes', { code: 'FE-MULE-07', name: 'Formula E powertrain mule', kind: 'mule', program_ids: [program.id] });
    const category = await created<{ id: number }>(live.app, '/api/v1/technology-categories', { name: 'Inverter', venue_types: ['dyno', 'track'] });
    inverter = (await created<{ id: number }>(live.app, '/api/v1/technologies', { name: 'SiC inverter', domain: 'hardware', category_id: category.id })).id;
    torque = (await created<{ id: number }>(live.app, '/api/v1/technologies', { name: 'e-4ORCE torque vectoring', domain: 'software', category_id: category.id })).id;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
  });

  it('logs a run with two measurements using only the keyboard', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const { page, problems } = await watchedPage(context);
    page.setDefaultTimeout(8000);
    await signIn(page, live.baseUrl, '/test-runs/new');
    await page.waitForFunction(() => 'htmx' in window);
    // The prototype code has focus: type it, and go on with Tab.
    expect(await focusedId(page)).toBe('f-prototype_code');
    await page.keyboard.type('FE-MULE-07');
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('f-title');
    await page.keyboard.type('Keyboard-only soak');
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('f-venue_type');
    await page.keyboard.type('dyno');
    // Start time is prefilled with now; Tab walks through its parts to the first technology.
    const path = await tabTo(page, '#f-evidence-0-technology');
    expect(path).toContain('f-start_time');
    await page.keyboard.type('SiC inverter');
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('f-evidence-0-outcome');
    await page.keyboard.type('pass');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Held 350 kW');
    // Remove button and "Add technology" come next in the tab order, then the measurements.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Remove technology 1');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Add technology');
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('f-measurement-0-name');
    await page.keyboard.type('peak_motor_temp');
    await page.keyboard.press('Tab');
    await page.keyboard.type('118.4');
    await page.keyboard.press('Tab');
    await page.keyboard.type('degC');
    for (let i = 0; i < 5; i++) await page.keyboard.press('Tab'); // its remove button, then the three fields of row 2
    // The blank second row goes with Space on its remove button…
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Remove measurement 2');
    await page.keyboard.press('Space');
    await expect.poll(() => page.locator('#measurement-rows [data-row]').count()).toBe(1);
    // …and a fresh one comes in place with Space on "Add measurement", focused and numbered.
    await tabTo(page, '[data-add-row="measurement-rows"]');
    await page.keyboard.press('Space');
    await expect.poll(() => page.locator('#measurement-rows [data-row]').count()).toBe(2);
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe('measurement_name');
    expect(await page.getByRole('button', { name: 'Remove measurement 2' }).count()).toBe(1);
    expect(await page.getByLabel('Measurement 2 Value').count()).toBe(1);
    await page.keyboard.type('lap_energy');
    await page.keyboard.press('Tab');
    await page.keyboard.type('1.92');
    await page.keyboard.press('Tab');
    await page.keyboard.type('kWh');
    await page.screenshot({ path: '/tmp/test-run-form.png', fullPage: true });
    await page.keyboard.press('Control+Enter');

    await page.waitForURL(/\/test-runs\/\d+$/);
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/^TR-\d{4}-\d{4} — Keyboard-only soak$/);
    await expect.poll(() => page.locator('.flash').textContent()).toContain('logged');
    expect(await page.locator('section[aria-labelledby="measurements-heading"] tbody tr').count()).toBe(2);
    expect(await page.locator('.evidence-list li').first().textContent()).toContain('SiC inverter');
    await page.screenshot({ path: '/tmp/test-run-page.png', fullPage: true });

    const [run] = await runsTitled('Keyboard-only soak');
    expect(run).toMatchObject({
      engineer: 'admin',
      status: 'completed',
      measurements: [
        { name: 'peak_motor_temp', value: 118.4, unit: 'degC' },
        { name: 'lap_energy', value: 1.92, unit: 'kWh' },
      ],
      evidence: [{ technology_id: inverter, outcome: 'pass', notes: 'Held 350 kW' }],
    });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('keeps everything typed, every row included, when the input is refused', async () => {
    const context = await browser.newContext();
    const { page, problems } = await watchedPage(context);
    page.setDefaultTimeout(8000);
    await signIn(page, live.baseUrl, '/test-runs/new');
    await page.waitForFunction(() => 'htmx' in window);
    await page.getByLabel('Prototype').fill('NOPE-9');
    await page.getByLabel('Title').fill('Refused then fixed');
    await page.getByLabel('Venue type').selectOption('track');
    await page.getByLabel('Technology 1', { exact: true }).fill('SiC inverter');
    await page.getByLabel('Technology 1 Outcome').selectOption('pass');
    await page.getByRole('button', { name: 'Add technology' }).click();
    await page.getByLabel('Technology 2', { exact: true }).fill('Warp drive');
    await page.getByLabel('Technology 2 Outcome').selectOption('fail');
    await page.getByLabel('Technology 2 Notes').fill('Kept note');
    await page.getByLabel('Measurement 1 Name').fill('peak_motor_temp');
    await page.getByLabel('Measurement 1 Value').fill('118.4');
    await page.getByLabel('Measurement 2 Name').fill('lap_energy');
    await page.getByLabel('Measurement 2 Value').fill('1,92 typo');
    await page.getByRole('button', { name: 'Add measurement' }).click();
    await page.getByLabel('Measurement 3 Name').fill('third');
    await page.getByLabel('Measurement 3 Value').fill('3');
    await page.getByText('More details').click();
    await page.getByLabel('Objective').fill('Kept objective');
    await page.getByRole('button', { name: 'Log test run' }).click();

    await expect.poll(() => page.locator('#f-prototype_code-error').textContent()).toBe('no prototype with code “NOPE-9”');
    expect(await page.locator('#f-evidence-1-technology-error').textContent()).toBe('no technology named “Warp drive”');
    expect(await page.locator('#f-measurement-1-value-error').textContent()).toBe('must be a number');
    expect(await focusedId(page)).toBe('error-summary');
    expect(await page.getByLabel('Prototype').inputValue()).toBe('NOPE-9');
    expect(await page.getByLabel('Technology 2', { exact: true }).inputValue()).toBe('Warp drive');
    expect(await page.getByLabel('Technology 2 Outcome').inputValue()).toBe('fail');
    expect(await page.getByLabel('Technology 2 Notes').inputValue()).toBe('Kept note');
    expect(await page.getByLabel('Measurement 2 Value').inputValue()).toBe('1,92 typo');
    expect(await page.getByLabel('Measurement 3 Name').inputValue()).toBe('third');
    expect(await page.getByLabel('Objective').inputValue()).toBe('Kept objective');
    expect(await runsTitled('Refused then fixed')).toHaveLength(0);

    // Fix the three fields and save: one run, with all three measurements.
    await page.getByLabel('Prototype').fill('FE-MULE-07');
    await page.getByLabel('Technology 2', { exact: true }).fill('e-4ORCE torque vectoring');
    await page.getByLabel('Measurement 2 Value').fill('1.92');
    await page.getByLabel('Measurement 2 Value').press('Control+Enter');
    await page.waitForURL(/\/test-runs\/\d+$/);
    const runs = await runsTitled('Refused then fixed');
    expect(runs).toHaveLength(1);
    expect(runs[0]!.measurements.map((m) => m.value)).toEqual([118.4, 1.92, 3]);
    expect(runs[0]!.evidence).toEqual([
      { technology_id: inverter, outcome: 'pass', notes: '' },
      { technology_id: torque, outcome: 'fail', notes: 'Kept note' },
    ]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('logs one run from a double submit', async () => {
    const context = await browser.newContext();
    const { page, problems } = await watchedPage(context);
    page.setDefaultTimeout(8000);
    // A slow connection: the first answer takes a while, so the second click lands during it.
    await page.route('**/test-runs', async (route) => {
      if (route.request().method() === 'POST') await new Promise((r) => setTimeout(r, 400));
      await route.continue();
    });
    await signIn(page, live.baseUrl, '/test-runs/new');
    await page.waitForFunction(() => 'htmx' in window);
    await page.getByLabel('Prototype').fill('FE-MULE-07');
    await page.getByLabel('Title').fill('Double submit');
    await page.getByLabel('Venue type').selectOption('dyno');
    await page.getByLabel('Technology 1', { exact: true }).fill('SiC inverter');
    await page.getByLabel('Technology 1 Outcome').selectOption('pass');
    const submit = page.getByRole('button', { name: 'Log test run' });
    await submit.click();
    await submit.click({ force: true, timeout: 1000 }).catch(() => undefined);
    await page.waitForURL(/\/test-runs\/\d+$/);
    expect(await runsTitled('Double submit')).toHaveLength(1);

    // Two posts of the very same form (a resend by the browser, a retry): still one run.
    await page.goto(`${live.baseUrl}/test-runs/new`);
    await page.getByLabel('Prototype').fill('FE-MULE-07');
    await page.getByLabel('Title').fill('Double post');
    await page.getByLabel('Venue type').selectOption('dyno');
    await page.getByLabel('Technology 1', { exact: true }).fill('SiC inverter');
    await page.getByLabel('Technology 1 Outcome').selectOption('fail');
    const answers = await page.evaluate(async () => {
      const form = document.querySelector('form.run-form') as HTMLFormElement;
      const body = new URLSearchParams(new FormData(form) as unknown as Record<string, string>);
      const post = () => fetch('/test-runs', { method: 'POST', body, redirect: 'manual' }).then((r) => r.status);
      return Promise.all([post(), post()]);
    });
    expect(answers).toEqual([0, 0]); // opaque redirects: both were 303
    const runs = await runsTitled('Double post');
    expect(runs).toHaveLength(1);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('logs a run with JavaScript disabled, adding rows with the buttons', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const { page, problems } = await watchedPage(context);
    page.setDefaultTimeout(8000);
    await signIn(page, live.baseUrl, '/test-runs/new');
    expect(await page.locator('#measurement-rows [data-row]').count()).toBe(2);
    await page.getByLabel('Prototype').fill('FE-MULE-07');
    await page.getByLabel('Title').fill('No-JS run');
    await page.getByLabel('Venue type').selectOption('hil');
    await page.getByLabel('Technology 1', { exact: true }).fill('SiC inverter');
    await page.getByLabel('Technology 1 Outcome').selectOption('inconclusive');
    await page.getByLabel('Measurement 1 Name').fill('m1');
    await page.getByLabel('Measurement 1 Value').fill('1');
    await page.getByLabel('Measurement 2 Name').fill('m2');
    await page.getByLabel('Measurement 2 Value').fill('2');
    await page.getByRole('button', { name: 'Add measurement' }).click();
    await page.waitForLoadState();
    await expect.poll(() => page.locator('#measurement-rows [data-row]').count()).toBe(3);
    expect(await page.getByLabel('Measurement 2 Name').inputValue()).toBe('m2');
    expect(await page.getByLabel('Title').inputValue()).toBe('No-JS run');
    await page.getByLabel('Measurement 3 Name').fill('m3');
    await page.getByLabel('Measurement 3 Value').fill('3');
    await page.getByRole('button', { name: 'Add technology' }).click();
    await page.waitForLoadState();
    await page.getByLabel('Technology 2', { exact: true }).fill('e-4ORCE torque vectoring');
    await page.getByLabel('Technology 2 Outcome').selectOption('pass');
    await page.getByRole('button', { name: 'Remove measurement 1' }).click();
    await page.waitForLoadState();
    await expect.poll(() => page.locator('#measurement-rows [data-row]').count()).toBe(2);
    expect(await runsTitled('No-JS run')).toHaveLength(0);
    await page.getByRole('button', { name: 'Log test run' }).click();
    await page.waitForURL(/\/test-runs\/\d+$/);
    await expect.poll(() => page.locator('h1').textContent()).toContain('No-JS run');
    const [run] = await runsTitled('No-JS run');
    expect(run!.measurements.map((m) => m.name)).toEqual(['m2', 'm3']);
    expect(run!.evidence.map((e) => [e.technology_id, e.outcome])).toEqual([
      [inverter, 'inconclusive'],
      [torque, 'pass'],
    ]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('suggests technologies as you type, in the list filter and in an added row of the form, and filters by the chosen name', async () => {
    // More technologies than any page would list as options: suggestions come from the server.
    const category = await created<{ id: number }>(live.app, '/api/v1/technology-categories', { name: 'Cooling', venue_types: ['dyno'] });
    for (let i = 0; i < 30; i++) {
      await created(live.app, '/api/v1/technologies', { name: `Coolant pump stage ${String(i).padStart(2, '0')}`, domain: 'hardware', category_id: category.id });
    }
    const filtered = await api(live.app).post('/api/v1/test-runs', {
      prototype_id: ((await api(live.app).get('/api/v1/prototypes?limit=1')).json() as { items: { id: number }[] }).items[0]!.id,
      title: 'Suggested filter run',
      venue_type: 'dyno',
      start_time: '2026-06-01T09:00:00Z',
      evidence: [{ technology_id: torque, outcome: 'pass' }],
    });
    expect(filtered.statusCode).toBe(201);
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const { page, problems } = await watchedPage(context);
    page.setDefaultTimeout(8000);
    await signIn(page, live.baseUrl, '/test-runs');
    await page.waitForFunction(() => 'htmx' in window);
    const options = (list: string) => page.locator(`#${list} option`).evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));

    // The list filter: the datalist starts empty, fills at focus, narrows as you type.
    const field = page.getByLabel('Technology', { exact: true });
    expect(await options('f-technology-suggestions')).toEqual([]);
    await field.focus();
    await expect.poll(() => options('f-technology-suggestions')).toHaveLength(20);
    await field.pressSequentially('pump stage 2', { delay: 20 });
    await expect.poll(() => options('f-technology-suggestions')).toEqual(Array.from({ length: 10 }, (_, i) => `Coolant pump stage 2${i}`));
    // Choosing a name filters the list (live, URL pushed).
    await field.fill('e-4ORCE torque vectoring');
    await page.waitForURL((url) => url.searchParams.get('technology') === 'e-4ORCE torque vectoring');
    await expect.poll(() => page.locator('#results').textContent()).toContain('Suggested filter run');
    // A name that matches nothing says so instead of listing every run.
    await field.fill('Warp drive');
    await expect.poll(() => page.locator('#results').textContent()).toContain('No technology is named “Warp drive”');
    await page.reload();
    expect(await page.locator('#f-technology').inputValue()).toBe('Warp drive');
    expect(await page.locator('#f-technology').getAttribute('aria-invalid')).toBe('true');

    // The form: a row added by JavaScript gets suggestions too.
    await page.goto(`${live.baseUrl}/test-runs/new`);
    await page.waitForFunction(() => 'htmx' in window);
    await page.getByRole('button', { name: 'Add technology' }).click();
    const second = page.getByLabel('Technology 2', { exact: true });
    await second.pressSequentially('stage 0', { delay: 20 });
    await expect.poll(() => options('technology-names')).toEqual(Array.from({ length: 10 }, (_, i) => `Coolant pump stage 0${i}`));
    // And the prototype field suggests codes with their names.
    await page.getByLabel('Prototype').pressSequentially('mule', { delay: 20 });
    await expect.poll(() => options('f-prototype_code-suggestions')).toEqual(['FE-MULE-07']);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('filters the run list by a program chosen from the suggestions of the Program field', async () => {
    const fe = ((await api(live.app).get('/api/v1/series?limit=1')).json() as { items: { id: number }[] }).items[0]!.id;
    for (const season of ['2022-23', '2023-24']) {
      await created(live.app, '/api/v1/programs', { series_id: fe, season, start_year: Number(season.slice(0, 4)), end_year: Number(season.slice(0, 4)) + 1, entry: 'Nissan Formula E Team', car: 'Nissan e-4ORCE 04' });
    }
    const prototypeId = ((await api(live.app).get('/api/v1/prototypes?limit=1')).json() as { items: { id: number }[] }).items[0]!.id;
    const logged = (title: string, program_id: number | null) =>
      api(live.app).post('/api/v1/test-runs', { prototype_id: prototypeId, program_id, title, venue_type: 'track', start_time: '2026-07-01T09:00:00Z', evidence: [{ technology_id: torque, outcome: 'pass' }] });
    expect((await logged('Run in the 2024-25 program', programId)).statusCode).toBe(201);
    expect((await logged('Run outside any program', null)).statusCode).toBe(201);

    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const { page, problems } = await watchedPage(context);
    page.setDefaultTimeout(8000);
    await signIn(page, live.baseUrl, '/test-runs');
    await page.waitForFunction(() => 'htmx' in window);
    const options = () => page.locator('#f-program-suggestions option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));

    // At the first focus the newest programs are offered; typing narrows them.
    const field = page.getByLabel('Program', { exact: true });
    await field.focus();
    await expect.poll(options).toEqual(['Formula E 2024-25 · Nissan Formula E Team', 'Formula E 2023-24 · Nissan Formula E Team', 'Formula E 2022-23 · Nissan Formula E Team']);
    await field.pressSequentially('2024', { delay: 20 });
    await expect.poll(options).toEqual(['Formula E 2024-25 · Nissan Formula E Team']);
    // Choosing it filters the list in place and puts the label in the URL.
    await field.fill('Formula E 2024-25 · Nissan Formula E Team');
    await page.waitForURL((url) => url.searchParams.get('program') === 'Formula E 2024-25 · Nissan Formula E Team');
    await expect.poll(() => page.locator('#results').textContent()).toContain('Run in the 2024-25 program');
    expect(await page.locator('#results').textContent()).not.toContain('Run outside any program');
    // Reloading the URL keeps the filter and the field's text.
    await page.reload();
    expect(await page.locator('#f-program').inputValue()).toBe('Formula E 2024-25 · Nissan Formula E Team');
    expect(await page.locator('#results').textContent()).not.toContain('Run outside any program');
    // A program's own page links to its runs by id: the field shows the label.
    await page.goto(`${live.baseUrl}/test-runs?program_id=${programId}`);
    expect(await page.locator('#f-program').inputValue()).toBe('Formula E 2024-25 · Nissan Formula E Team');
    expect(problems).toEqual([]);
    await context.close();
  });
});
