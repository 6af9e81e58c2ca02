// biome-ignore-all lint/performance/useDomNodeTextContent: the test reads the text as rendered (innerText), which is what an operator sees
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBHandle } from '../src/db/open-duckdb.js';
import { openFullRefresh, rows } from './helpers/database.js';
import { type FullRefresh, fullRefresh } from './helpers/full-refresh.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

const CHROMIUM = '/usr/bin/chromium';
// .ci/run installs Debian's chromium; without it (a developer's machine) this suite says why.
const describeWithChromium = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) {
  console.warn(`report.test: ${CHROMIUM} is missing (apt-get install chromium): rendering skipped`);
}

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const report = () => join(shared.outDir, 'report.html');

it('is self-contained: no external script, style, image or font', async () => {
  const html = await readFile(report(), 'utf8');
  expect(html).not.toMatch(/<(script|link|img)\b[^>]*(src|href)=/i);
  expect(html).not.toMatch(/url\(/);
});

describeWithChromium('out/report.html in headless Chromium', () => {
  let db: DuckDBHandle;
  let profile: string;
  let context: BrowserContext;
  beforeAll(async () => {
    db = await openFullRefresh();
    profile = await mkdtemp(join(tmpdir(), 'fse-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: FLAGS,
      headless: true,
    });
  });
  afterAll(async () => {
    await context?.close();
    db?.close();
    await rm(profile, { recursive: true, force: true });
  });

  async function open(width: number): Promise<Page> {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`file://${report()}`);
    return page;
  }

  for (const width of [800, 1280]) {
    describe(`at ${width} px`, () => {
      let page: Page;
      beforeAll(async () => {
        page = await open(width);
      });
      afterAll(() => page.close());

      it('has no horizontal scroll', async () => {
        const { scrollWidth, clientWidth } = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
        }));
        expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
      });

      it('shows each PFS status by its code-table name with the count pfs_rvu holds, T included', async () => {
        const expected = await rows(
          db,
          `SELECT p.status_code AS code, c.label, count(*)::INTEGER AS n
           FROM pfs_rvu p JOIN indicator_code c ON c.system = 'pfs_status_code' AND c.code = p.status_code
           GROUP BY ALL ORDER BY code`,
        );
        expect(expected).toHaveLength(12);
        const shown = await page.$$eval('table.chart tbody tr', (trs) =>
          trs.map((tr) => {
            const cells = [...tr.querySelectorAll('td')].map((td) => td.innerText.trim());
            return { code: cells[0], label: cells[1], n: Number(cells[3]?.replaceAll(',', '')) };
          }),
        );
        expect(shown).toEqual(expected);
        // Status T (8 codes): its bar, its name and its count are on screen.
        const t = page.locator('table.chart tr[data-code="T"]');
        await t.scrollIntoViewIfNeeded();
        expect(await t.locator('td.n').innerText()).toBe('8');
        expect(await t.locator('td', { hasText: 'Injections' }).isVisible()).toBe(true);
        const bar = await t.locator('span.fill').boundingBox();
        expect(bar?.width ?? 0).toBeGreaterThanOrEqual(2);
      });

      it('shows rows read and loaded per release as the database counts them', async () => {
        const expected = await rows(
          db,
          `SELECT source, release_id, sum(rows_staged) FILTER (WHERE role = 'primary')::INTEGER AS rows_read
           FROM source_file GROUP BY ALL`,
        );
        for (const { source, release_id, rows_read } of expected) {
          const row = page.locator(`tr[data-source="${source}"][data-release="${release_id}"]`);
          const cells = await row.locator('td').allInnerTexts();
          expect(Number(cells[5]?.replaceAll(',', '')), `${source} ${release_id}`).toBe(rows_read);
        }
        const hcpcs = await page
          .locator('tr[data-source="hcpcs"][data-release="HCPC2019"] td')
          .allInnerTexts();
        const loaded = await rows(
          db,
          `SELECT count(*)::INTEGER AS n FROM hcpcs_code WHERE release_id = 'HCPC2019'`,
        );
        expect(Number(hcpcs[6]?.replaceAll(',', ''))).toBe(loaded[0]?.n);
        expect(hcpcs[9]).toContain('records joined');
      });

      it('shows what the run changed per source, from release_diff', async () => {
        const [diff] = await rows(
          db,
          `SELECT count(DISTINCT key) FILTER (WHERE change = 'added')::INTEGER AS added,
                  count(DISTINCT key) FILTER (WHERE change = 'ended')::INTEGER AS ended,
                  count(DISTINCT key) FILTER (WHERE change = 'changed')::INTEGER AS changed
           FROM release_diff WHERE source = 'hcpcs' AND to_release = 'HCPC2020'`,
        );
        const item = page.locator('li[data-source="hcpcs"]');
        for (const change of ['added', 'ended', 'changed'] as const) {
          const text = await item.locator(`[data-change="${change}"]`).innerText();
          expect(Number(text.replaceAll(',', '')), change).toBe(diff?.[change]);
        }
        expect(await item.locator('ul.top li').count()).toBe(5);
      });

      it('gives times with their zone and lists the run among the recent runs', async () => {
        const [run] = await rows(db, 'SELECT run_id FROM run');
        expect(await page.locator('p.meta').innerText()).toMatch(
          /started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/,
        );
        // Its row, wherever it is: a later attempt on the shared out/ (json-output.test's refresh
        // with nothing new) is listed above it, newest first.
        const row = page
          .locator('#runs + p + table tbody tr')
          .filter({ hasText: String(run?.run_id) });
        expect(await row.count()).toBe(1);
        expect(await row.innerText()).toContain('(this page)');
        expect(await row.innerText()).toMatch(/\d\d:\d\d:\d\d [+-]\d\d:\d\d/);
      });

      it('paints a screenshot', async () => {
        const png = join(profile, `report-${width}.png`);
        await page.screenshot({ path: png, fullPage: true });
        expect((await stat(png)).size).toBeGreaterThan(20_000);
      });
    });
  }
});
