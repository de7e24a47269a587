// The lineage explorer in a browser: open a road model's lineage, change the depth, expand a run
// group in place, reload the URL and see the same graph; the record page's panel loads; no CSP
// violation anywhere. Also draws a ~200-node graph and saves a screenshot (/tmp/lineage-200.png).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Db } from '../../src/db.js';
import { describeBrowser, launchBrowser, signedInContext, startLiveApp, watchedPage, type LiveApp } from './support/browser.js';

/** The same small graph as the page tests, plus a generated one of ~200 nodes under series 2. */
function seed(db: Db): { bigExpand: string[] } {
  db.sqlite.exec(`
    INSERT INTO series (id, name) VALUES (1, 'Formula E'), (2, 'Super GT');
    INSERT INTO programs (id, series_id, season, start_year, end_year, entry, car, status) VALUES (1, 1, '2024-25', 2024, 2025, 'Nissan Formula E Team', 'e-4ORCE 05', 'completed');
    INSERT INTO prototypes (id, code, kind) VALUES (1, 'FE-MULE-01', 'mule');
    INSERT INTO prototype_programs (prototype_id, program_id) VALUES (1, 1);
    INSERT INTO road_models (id, name, powertrain, status) VALUES (1, 'Ariya NISMO', 'ev', 'production');
    INSERT INTO technology_categories (id, name) VALUES (1, 'Inverter');
    INSERT INTO technologies (id, name, domain, category_id, origin_program_id) VALUES (1, 'Race inverter', 'hardware', 1, 1), (2, '<script>alert(1)</script>', 'software', 1, NULL);
    INSERT INTO transfers (id, technology_id, road_model_id, stage, created_at, updated_at) VALUES
      (1, 1, 1, 'approved', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z'),
      (2, 2, 1, 'in_production', '2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z');
    INSERT INTO test_runs (id, code, prototype_id, program_id, title, venue_type, start_time, end_time, status, created_at, updated_at) VALUES
      (1, 'TR-2025-0001', 1, 1, 'Inverter soak', 'dyno', '2025-03-01T00:00:00.000Z', '2025-03-01T02:00:00.000Z', 'completed', '2025-03-01T03:00:00.000Z', '2025-03-01T03:00:00.000Z'),
      (2, 'TR-2025-0002', 1, NULL, 'HIL sweep', 'hil', '2025-04-01T00:00:00.000Z', '2025-04-01T02:00:00.000Z', 'completed', '2025-04-01T03:00:00.000Z', '2025-04-01T03:00:00.000Z');
    INSERT INTO evidence (test_run_id, technology_id, outcome) VALUES (1, 1, 'fail'), (1, 2, 'pass'), (2, 1, 'pass');
  `);

  // Series 2 downstream: 5 programs, 14 prototypes, 26 technologies (10 derived), 12 road models, 140 runs.
  const insert = (sql: string) => db.sqlite.prepare(sql);
  const program = insert(`INSERT INTO programs (id, series_id, season, start_year, end_year, class, entry, car, status) VALUES (?, 2, ?, ?, ?, 'GT500', ?, 'Nissan Z NISMO GT500', 'active')`);
  const prototype = insert(`INSERT INTO prototypes (id, code, name, kind) VALUES (?, ?, ?, 'race_car')`);
  const serves = insert(`INSERT INTO prototype_programs (prototype_id, program_id) VALUES (?, ?)`);
  const technology = insert(`INSERT INTO technologies (id, name, domain, category_id, origin_program_id) VALUES (?, ?, ?, 1, ?)`);
  const derives = insert(`INSERT INTO technology_derivations (parent_id, child_id) VALUES (?, ?)`);
  const model = insert(`INSERT INTO road_models (id, name, powertrain, status) VALUES (?, ?, 'e_power', 'development')`);
  const transfer = insert(
    `INSERT INTO transfers (technology_id, road_model_id, stage, created_at, updated_at) VALUES (?, ?, ?, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')`,
  );
  const run = insert(
    `INSERT INTO test_runs (id, code, prototype_id, program_id, title, venue_type, start_time, end_time, status) VALUES (?, ?, ?, ?, ?, 'track', ?, ?, 'completed')`,
  );
  const evidence = insert(`INSERT INTO evidence (test_run_id, technology_id, outcome) VALUES (?, ?, ?)`);
  const techNames = ['Brake-by-wire', 'Torque vectoring', 'Battery cooling', 'Aero floor', 'Tyre model', 'Traction control', 'Launch control', 'Hybrid ERS', 'Gearbox map', 'Damper tune'];
  db.sqlite.transaction(() => {
    for (let p = 0; p < 5; p++) program.run(10 + p, `${2021 + p}`, 2021 + p, 2021 + p, `#${23 + p} NISMO Super GT entry with a long team name`);
    for (let q = 0; q < 14; q++) {
      prototype.run(10 + q, `GT-PROTO-${String(q + 1).padStart(2, '0')}`, `Z GT500 development car ${q + 1}`);
      serves.run(10 + q, 10 + (q % 5));
      if (q % 4 === 0) serves.run(10 + q, 10 + ((q + 2) % 5));
    }
    for (let t = 0; t < 26; t++) {
      technology.run(10 + t, `${techNames[t % 10]} gen ${Math.floor(t / 10) + 1}${t === 7 ? ' for the road-going e-POWER drivetrain family' : ''}`, t % 3 ? 'hardware' : 'software', t < 16 ? 10 + (t % 5) : null);
      if (t >= 16) derives.run(10 + (t % 16), 10 + t);
    }
    for (let m = 0; m < 12; m++) {
      model.run(10 + m, `Nismo concept ${m + 1}`);
      transfer.run(10 + 14 + (m % 12), 10 + m, 'approved');
      if (m % 3 === 0) transfer.run(10 + (m % 14), 10 + m, 'evaluation');
    }
    for (let r = 0; r < 140; r++) {
      const day = String(1 + (r % 28)).padStart(2, '0');
      run.run(100 + r, `TR-2025-${String(100 + r).padStart(4, '0')}`, 10 + (r % 14), r % 2 ? 10 + (r % 5) : null, `Stint ${r + 1}`, `2025-05-${day}T08:00:00.000Z`, `2025-05-${day}T10:00:00.000Z`);
      evidence.run(100 + r, 10 + (r % 16), r % 11 === 0 ? 'fail' : 'pass');
    }
  })();
  return { bigExpand: Array.from({ length: 26 }, (_, t) => `technology:${10 + t}`) };
}

const svgNodeIds = (page: Page) =>
  page.locator('#lineage-graph svg.lineage-svg g.lineage-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id') ?? '').sort());

describeBrowser('the lineage explorer in a browser', () => {
  let live: LiveApp;
  let browser: Browser;
  let bigExpand: string[];

  beforeAll(async () => {
    live = await startLiveApp();
    ({ bigExpand } = seed(live.db));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
  });

  it('changes depth, expands a run group in place, and a reload shows the same graph', async () => {
    const context = await signedInContext(browser, live);
    const { page, problems } = await watchedPage(context);
    await page.goto(`${live.baseUrl}/lineage?node=road-model:1&direction=upstream`);
    expect(await svgNodeIds(page)).toEqual(['road-model:1', 'technology:1', 'technology:2']);
    await expect.poll(() => page.locator('#lineage-graph .lineage-edge.suspect').count()).toBe(1);

    // Depth 2 through the controls: only the graph region is swapped (the page stays: its marker
    // survives) and the URL follows.
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    await page.locator('#lineage-depth').fill('2');
    await page.locator('#lineage-depth').press('Enter');
    await expect.poll(() => svgNodeIds(page)).toContain('run-group:1');
    await expect.poll(() => new URL(page.url()).searchParams.get('depth')).toBe('2');
    expect(await page.locator('#lineage-controls').count()).toBe(1);

    // Expand the run group from its box in the SVG.
    await page.locator('#lineage-graph a.lineage-toggle[data-node-id="run-group:1"]').click();
    await expect.poll(() => svgNodeIds(page)).toContain('test-run:1');
    const expanded = await svgNodeIds(page);
    expect(expanded).toEqual(['program:1', 'road-model:1', 'technology:1', 'technology:2', 'test-run:1', 'test-run:2']);
    await expect.poll(() => new URL(page.url()).searchParams.getAll('expand')).toEqual(['technology:1']);
    expect(new URL(page.url()).searchParams.get('depth')).toBe('2');
    await expect.poll(() => page.locator('#lineage-graph .lineage-edge.failing').count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);

    // The controls keep the expansion: hiding prototypes and programs re-queries with expand still on.
    await page.locator('input[name="kinds"][value="program"]').uncheck();
    await expect.poll(() => svgNodeIds(page)).toEqual(['road-model:1', 'technology:1', 'technology:2', 'test-run:1', 'test-run:2']);
    await expect.poll(() => new URL(page.url()).searchParams.getAll('expand')).toEqual(['technology:1']);
    const before = await svgNodeIds(page);

    await page.reload();
    expect(await svgNodeIds(page)).toEqual(before);
    expect(await page.locator('#lineage-depth').inputValue()).toBe('2');
    expect(await page.locator('input[name="kinds"][value="program"]').isChecked()).toBe(false);
    // The technology named <script> is text, not markup.
    expect(await page.locator('#lineage-graph g[data-node-id="technology:2"] text').first().textContent()).toBe('<script>alert(1)</script>');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('loads the lineage panel on a road model page', async () => {
    const context = await signedInContext(browser, live);
    const { page, problems } = await watchedPage(context);
    await page.goto(`${live.baseUrl}/road-models/1`);
    await expect.poll(() => page.locator('section.lineage-panel svg.lineage-svg g.lineage-node').count()).toBe(3);
    await page.locator('section.lineage-panel').getByRole('link', { name: 'Open the lineage explorer' }).click();
    await page.waitForURL(/\/lineage\?node=road-model%3A1/);
    expect(await svgNodeIds(page)).toEqual(['road-model:1', 'technology:1', 'technology:2']);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('draws a ~200-node graph readably (screenshot at /tmp/lineage-200.png)', async () => {
    const context = await signedInContext(browser, live, { viewport: { width: 1600, height: 1000 } });
    const { page, problems } = await watchedPage(context);
    const params = new URLSearchParams({ node: 'series:2', direction: 'downstream', depth: '10' });
    for (const e of bigExpand) params.append('expand', e);
    await page.goto(`${live.baseUrl}/lineage?${params.toString()}`);
    const ids = await svgNodeIds(page);
    expect(ids.length).toBeGreaterThanOrEqual(190);
    expect(ids.length).toBeLessThanOrEqual(220);

    // No two boxes overlap as the browser draws them, and labels are at least 11px on screen.
    const boxes = await page.locator('#lineage-graph g.lineage-node rect.box').evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { x: r.x, y: r.y, w: r.width, h: r.height };
      }),
    );
    let overlaps = 0;
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        if (a.x < b.x + b.w - 0.5 && b.x < a.x + a.w - 0.5 && a.y < b.y + b.h - 0.5 && b.y < a.y + a.h - 0.5) overlaps++;
      }
    }
    expect(overlaps).toBe(0);
    const smallest = await page
      .locator('#lineage-graph svg.lineage-svg text')
      .evaluateAll((els) => Math.min(...els.map((e) => (e as SVGTextElement).getBoundingClientRect().height)));
    expect(smallest).toBeGreaterThanOrEqual(11);
    // Every text stays inside its box (labels are cut to fit, the "+ runs" button keeps its room).
    const spills = await page.locator('#lineage-graph g.lineage-node').evaluateAll((groups) =>
      groups.flatMap((g) => {
        const box = (g.querySelector('rect.box') as SVGRectElement).getBBox();
        const toggle = g.querySelector('a.lineage-toggle rect') as SVGRectElement | null;
        const limit = toggle ? toggle.getBBox().x : box.x + box.width;
        return [...g.querySelectorAll('a.lineage-node-link text')].flatMap((t) => {
          const b = (t as SVGTextElement).getBBox();
          const right = b.y > box.y + 22 ? limit : box.x + box.width;
          return b.x + b.width > right - 2 ? [`${g.getAttribute('data-node-id')}: ${t.textContent}`] : [];
        });
      }),
    );
    expect(spills).toEqual([]);
    // The start node is one link away, however far down the drawing it lies.
    await page.getByRole('link', { name: 'Show the start node in the graph' }).click();
    await expect.poll(() => page.locator('#lineage-graph g.lineage-node.root rect.box').isVisible()).toBe(true);
    const rootBox = (await page.locator('#lineage-graph g.lineage-node.root rect.box').boundingBox())!;
    expect(rootBox.y).toBeGreaterThanOrEqual(0);
    expect(rootBox.y + rootBox.height).toBeLessThanOrEqual(1000);

    // The whole drawing, without the scroll box's height limit.
    // (CSSOM writes are allowed under the CSP, unlike style attributes in markup.)
    await page.evaluate(() => {
      const box = document.querySelector<HTMLElement>('#lineage-graph .lineage-scroll')!;
      box.style.maxHeight = 'none';
      box.style.overflow = 'visible';
    });
    await page.locator('#lineage-graph svg.lineage-svg').screenshot({ path: '/tmp/lineage-200.png' });
    // What a user sees first: the controls and the top of the graph.
    await page.screenshot({ path: '/tmp/lineage-200-viewport.png' });
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
