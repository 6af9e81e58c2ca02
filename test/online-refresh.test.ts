import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../src/extract/manifest.js';
import { send } from './extract/helpers/fixture-server.js';
import {
  closeSourceSites,
  HCPCS_LINES,
  headLines,
  landingPagesFile,
  type SourceSites,
  startSourceSites,
} from './extract/helpers/source-sites.js';
import { fse } from './helpers/cli.js';
import { hashTree, makeTempDir, REPO_RAW_DIR, removeTempDirs } from './helpers/raw.js';

/**
 * The out dir but for what every attempt updates, published or not: the run log and the report's
 * recent runs (a failed attempt leaves everything else byte for byte as it was).
 */
async function publishedTree(dir: string): Promise<Record<string, string>> {
  const { 'runs.jsonl': _log, 'report.html': _report, ...rest } = await hashTree(dir);
  return rest;
}

async function lastRunOutcome(dir: string): Promise<string | undefined> {
  const lines = (await readFile(join(dir, 'runs.jsonl'), 'utf8')).trim().split('\n');
  return (JSON.parse(lines.at(-1) ?? '{}') as { outcome?: string }).outcome;
}

/** `fse status --json` on the day the fixture sites' releases are judged by. */
function statusJson(rawDir: string, outDir: string) {
  return fse('status', '--json', '--today', '2026-02-01', '--raw', rawDir, '--out', outDir);
}

/**
 * `fse refresh --online` as an operator runs it (the built CLI), every source's landing page
 * moved to its fixture site with --landing-pages. raw/ starts as the repository's (plus the MUE
 * fixtures): each site lists what raw/ has and, but for the PFS, releases it lacks.
 */

let sites: SourceSites;
let rawDir: string;
let outDir: string;
let pagesFile: string;

beforeAll(async () => {
  sites = await startSourceSites();
  const dir = await makeTempDir('online');
  rawDir = join(dir, 'raw');
  outDir = join(dir, 'out');
  await cp(REPO_RAW_DIR, rawDir, { recursive: true });
  await cp(fileURLToPath(new URL('./fixtures/mue', import.meta.url)), join(rawDir, 'mue'), {
    recursive: true,
    filter: (source) => !source.endsWith('README.md'),
  });
  // Kept quick: the PFS and HCPCS releases cut to their first lines (manifests and the variants
  // that would disagree with a cut primary dropped; the refresh writes new manifests).
  await cut(join(rawDir, 'pfs-rvu', 'RVU25D'), 'PPRRVU2025_Oct.csv', 3000, ['PPRRVU2025_Oct.txt']);
  await cut(join(rawDir, 'hcpcs', 'HCPC2019'), 'HCPC2019_CONTR_ANWEB.txt', HCPCS_LINES, [
    'HCPC2019_CONTR_ANWEB.xlsx',
  ]);
  await cut(join(rawDir, 'hcpcs', 'HCPC2020'), 'HCPC2020_ANWEB_w_disclaimer.txt', HCPCS_LINES, []);
  // BETOS has no landing page: its last release is enough.
  await rm(join(rawDir, 'betos', '2013'), { recursive: true });
  pagesFile = join(dir, 'landing-pages.json');
  await writeFile(pagesFile, landingPagesFile(sites));
});
afterAll(async () => {
  await closeSourceSites(sites);
  await removeTempDirs();
});

async function cut(
  releaseDir: string,
  name: string,
  lines: number,
  drop: readonly string[],
): Promise<void> {
  const path = join(releaseDir, name);
  await writeFile(path, headLines(await readFile(path), lines));
  for (const other of [...drop, 'manifest.json']) await rm(join(releaseDir, other));
}

const online = () =>
  fse('refresh', '--online', '--raw', rawDir, '--out', outDir, '--landing-pages', pagesFile);

async function releases(): Promise<string[]> {
  const result = await fse(
    'sql',
    "SELECT source || ' ' || release_id || ' ' || CAST(effective_from AS VARCHAR) AS r FROM release ORDER BY 1",
    '--format',
    'csv',
    '--out',
    outDir,
  );
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim().split('\n').slice(1);
}

describe('refresh --online against fixture sites for all five sources', () => {
  it('fetches exactly the releases raw/ lacks and publishes them in one run', async () => {
    for (const site of Object.values(sites)) site.server.requests.length = 0;
    const result = await online();
    expect(result.code, result.stderr).toBe(0);
    for (const site of Object.values(sites)) {
      const zips = site.server.requests.map((r) => r.path).filter((p) => /\.zip$/.test(p));
      // Each zip of a missing release once; none of a release raw/ has.
      expect(zips.sort(), site.source).toEqual([...site.freshZips].sort());
      for (const [release, members] of Object.entries(site.fresh)) {
        const manifest = await readManifest(join(rawDir, site.source, release));
        expect(manifest?.files.map((f) => f.path)).toEqual(members);
        expect(manifest?.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
      }
    }
    expect(result.stderr).toMatch(/pfs-rvu: 0 new release\(s\)/);
    expect(result.stderr).toMatch(/hcpcs HCPC2020_APR: fetched/);
    expect(result.stdout).toMatch(/published/);
    // The run summary says, per source, how its page was found and what was fetched.
    expect(result.stdout).toMatch(
      /^ {2}online hcpcs: page in the expected shape, 3 release\(s\) listed \(checked [^)]+\); fetched HCPC2020_APR$/m,
    );
    expect(result.stdout).toMatch(/^ {2}online ccs: .*; fetched 2018, 2017$/m);
    expect(result.stdout).toMatch(
      /^ {2}online pfs-rvu: page in the expected shape, 1 release\(s\) listed \(checked [^)]+\)$/m,
    );
    const published = await releases();
    expect(published).toEqual(
      expect.arrayContaining([
        'hcpcs HCPC2020_APR 2020-04-01',
        'opps-addendum-b 2023-04 2023-04-01',
        'mue 2026-01 2026-01-01',
        'ccs 2017 2017-01-01',
        'ccs 2018 2018-01-01',
        'pfs-rvu RVU25D 2025-10-01',
        // Files of the RVU package, each a source of its own.
        'pfs-gpci RVU25D 2025-10-01',
        'pfs-locality RVU25D 2025-10-01',
        'pfs-anesthesia RVU25D 2025-10-01',
        'pfs-opps-cap RVU25D 2025-10-01',
        'hcpcs HCPC2019 2019-01-01',
        'hcpcs HCPC2020 2020-01-01',
        'opps-addendum-b 2023-01 2023-01-01',
        'mue 2025-10 2025-10-01',
        'ccs 2016 2016-01-01',
      ]),
    );
    expect(published.filter((r) => !r.startsWith('betos'))).toHaveLength(15);
    // A whole online refresh of every source: on a loaded 2-core machine it has overrun the
    // default 60 s, and a refresh left running holds the lock for the file's next tests.
  }, 240_000);

  it('the same pages again: each answers 304, nothing is fetched, nothing to publish', async () => {
    for (const site of Object.values(sites)) site.server.requests.length = 0;
    const result = await online();
    // Nothing new: its own exit code, 6.
    expect(result.code, result.stderr).toBe(6);
    for (const site of Object.values(sites)) {
      expect(site.server.requests.map((r) => r.path)).toEqual([site.landingPath]);
    }
    expect(result.stderr.match(/unchanged since .* \(HTTP 304\): nothing new/g)).toHaveLength(5);
    expect(result.stdout).toMatch(/nothing changed since the published run/);
    expect(
      result.stdout.match(/^ {2}online \S+: page unchanged since it was last found/gm),
    ).toHaveLength(5);
  });

  it('status names each source newest release and says its page had the expected shape', async () => {
    const result = await statusJson(rawDir, outDir);
    const { sources } = JSON.parse(result.stdout) as {
      sources: {
        source: string;
        newest_release: string;
        discovery: { outcome: string; expected_shape: boolean | null } | null;
      }[];
    };
    expect(
      sources.map((s) => [
        s.source,
        s.newest_release,
        s.discovery?.outcome ?? null,
        s.discovery?.expected_shape ?? null,
      ]),
    ).toEqual([
      ['pfs-rvu', 'RVU25D', 'not-modified', true],
      ['pfs-gpci', 'RVU25D', null, null],
      ['pfs-locality', 'RVU25D', null, null],
      ['pfs-anesthesia', 'RVU25D', null, null],
      ['pfs-opps-cap', 'RVU25D', null, null],
      ['hcpcs', 'HCPC2020_APR', 'not-modified', true],
      ['opps-addendum-b', '2023-04', 'not-modified', true],
      ['mue', '2026-01', 'not-modified', true],
      ['ccs', '2018', 'not-modified', true],
      ['betos', '2014', null, null],
    ]);
    const text = await fse('status', '--today', '2026-02-01', '--raw', rawDir, '--out', outDir);
    expect(text.stdout).toMatch(
      /^mue .*newest 2026-01.*discovery: page unchanged since it was last found in the expected shape/m,
    );
    expect(text.stdout).toMatch(/^betos .*discovery: no landing page/m);
    expect(text.stdout).toMatch(/^pfs-gpci .*discovery: ships in pfs-rvu's releases/m);
  });

  it('a page that changed shape: exit 3 naming source and page, nothing published, status says so', async () => {
    const hcpcs = sites.hcpcs;
    if (!hcpcs) throw new Error('no HCPCS site');
    hcpcs.server.route(
      hcpcs.landingPath,
      send(
        '<!DOCTYPE html><html><body><h1>HCPCS</h1><p>Files are now on data.cms.gov.</p></body></html>',
        {
          'content-type': 'text/html',
        },
      ),
    );
    try {
      const before = await publishedTree(outDir);
      const result = await online();
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toContain('online refresh stopped, nothing was published');
      expect(result.stderr).toContain(
        `${hcpcs.page.url}: no hcpcs release links found on the landing page`,
      );
      expect(result.stderr).toContain('When a CMS page changes shape');
      // The other sources were still asked (and answered 304).
      expect(result.stderr.match(/unchanged since .* \(HTTP 304\)/g)).toHaveLength(4);
      expect(await publishedTree(outDir)).toEqual(before);
      expect(await lastRunOutcome(outDir)).toBe('source-unavailable');

      const status = await fse('status', '--today', '2026-02-01', '--raw', rawDir, '--out', outDir);
      expect(status.code).toBe(1);
      expect(status.stdout).toMatch(
        /^hcpcs .*discovery: PAGE CHANGED SHAPE \(checked [^)]+\): hcpcs: http:\/\/127\.0\.0\.1:\d+\/medicare\/coding-billing\/healthcare-common-procedure-system\/quarterly-update: no hcpcs release links/m,
      );
    } finally {
      hcpcs.serveLanding();
    }
  });

  it('two sources failing (a page moved away, a page changed shape): both named, exit 3', async () => {
    const { hcpcs, mue } = sites;
    if (!hcpcs || !mue) throw new Error('no sites');
    hcpcs.server.route(
      hcpcs.landingPath,
      send('<!DOCTYPE html><html><body><p>Redesigned.</p></body></html>', {
        'content-type': 'text/html',
      }),
    );
    mue.server.route(mue.landingPath, send('not here', { 'content-type': 'text/plain' }, 404));
    try {
      const before = await publishedTree(outDir);
      const result = await online();
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toContain('2 sources could not be discovered or fetched');
      expect(result.stderr).toContain(`  hcpcs (${hcpcs.page.url}): `);
      expect(result.stderr).toMatch(new RegExp(`  mue \\(${mue.page.url}\\): .*HTTP 404`));
      expect(await publishedTree(outDir)).toEqual(before);
      expect(await lastRunOutcome(outDir)).toBe('source-unavailable');
      const status = await statusJson(rawDir, outDir);
      const outcomes = Object.fromEntries(
        (
          JSON.parse(status.stdout) as {
            sources: { source: string; discovery: { outcome: string } | null }[];
          }
        ).sources.map((s) => [s.source, s.discovery?.outcome ?? null]),
      );
      expect(outcomes).toMatchObject({
        hcpcs: 'changed-shape',
        mue: 'unreachable',
        ccs: 'not-modified',
      });
    } finally {
      hcpcs.serveLanding();
      mue.serveLanding();
    }
  });

  it('OPPS Addendum B, MUE, CCS and PFS pages changed shape: one run names each, exit 3', async () => {
    const changed = ['opps-addendum-b', 'mue', 'ccs', 'pfs-rvu'].map((source) => {
      const site = sites[source];
      if (!site) throw new Error(`no ${source} site`);
      site.server.route(
        site.landingPath,
        send('<!DOCTYPE html><html><body><a href="/">Home</a></body></html>', {
          'content-type': 'text/html',
        }),
      );
      return site;
    });
    try {
      const before = await publishedTree(outDir);
      const result = await online();
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toContain('4 sources could not be discovered or fetched');
      for (const site of changed) {
        expect(result.stderr).toContain(
          `  ${site.source} (${site.page.url}): ${site.page.url}: no ${site.source} release links found on the landing page`,
        );
      }
      expect(await publishedTree(outDir)).toEqual(before);
      expect(await lastRunOutcome(outDir)).toBe('source-unavailable');
    } finally {
      for (const site of changed) site.serveLanding();
    }
  });
});
