import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DuckDBHandle } from '../src/db/open-duckdb.js';
import { openFullRefresh, rows } from './helpers/database.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
// .ci/run installs Debian's chromium; without it (a developer's machine) this suite says why.
const describeWithChromium = CHROMIUM ? describe : describe.skip;

function chromium(...args: string[]): string {
  return execFileSync(
    CHROMIUM as string,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...args,
    ],
    { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] },
  );
}

describeWithChromium('out/report.html in headless Chromium', () => {
  let db: DuckDBHandle;
  let dom: string;
  let profile: string;
  const report = () => join(inject('fullRefresh').outDir, 'report.html');
  beforeAll(async () => {
    db = await openFullRefresh();
    profile = await mkdtemp(join(tmpdir(), 'fse-chromium-'));
    dom = chromium(`--user-data-dir=${profile}`, '--dump-dom', `file://${report()}`);
  });
  afterAll(() => db.close());

  it('is self-contained: no external script, style, image or font', async () => {
    const html = await readFile(report(), 'utf8');
    expect(html).not.toMatch(/<(script|link|img)\b[^>]*(src|href)=/i);
    expect(html).not.toMatch(/url\(/);
  });

  it('renders the rows loaded per release as the database counts them', async () => {
    const loaded = await rows(
      db,
      `SELECT source, release_id, sum(rows_staged) AS n FROM source_file WHERE role = 'primary' GROUP BY ALL`,
    );
    for (const { source, release_id, n } of loaded) {
      expect(dom).toMatch(
        new RegExp(`<td>${source}</td><td[^>]*>${release_id}</td>.*?<td class="n">${n}</td>`),
      );
    }
    expect(dom).toContain('<td class="n">19090</td>');
  });

  it('draws one bar per PFS status with the count from pfs_rvu', async () => {
    const statuses = await rows(db, 'SELECT status_code, count(*) AS n FROM pfs_rvu GROUP BY 1');
    expect(statuses).toHaveLength(12);
    for (const { status_code, n } of statuses) {
      expect(dom).toContain(`<title>RVU25D ${status_code}: ${n}</title>`);
    }
    expect(dom).toContain('<title>RVU25D A: 9021</title>');
  });

  it('paints a screenshot', async () => {
    const png = join(profile, 'report.png');
    chromium(
      `--user-data-dir=${profile}`,
      `--screenshot=${png}`,
      '--window-size=1000,1200',
      `file://${report()}`,
    );
    expect((await stat(png)).size).toBeGreaterThan(20_000);
  });
});
