import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  effectiveDateIn,
  PFS_RVU_LANDING_PAGE,
  pfsReleaseIdFromLink,
} from '../../pipelines/pfs-rvu/landing-page.js';
import { pfsRvuPipeline } from '../../pipelines/pfs-rvu/pipeline.js';
import {
  discoverNewReleases,
  discoverReleases,
  fetchNewPipelineReleases,
  fetchNewReleases,
  resolveDownloadUrl,
  toReleaseDownload,
  wantedMembersOf,
} from '../../src/extract/discovery/discover.js';
import { DiscoveryError } from '../../src/extract/discovery/errors.js';
import {
  findDownloadLink,
  type LandingPage,
  parseLandingPage,
  type ReleaseCandidate,
} from '../../src/extract/discovery/landing-page.js';
import { fetchRelease } from '../../src/extract/fetch/fetch-release.js';
import { fetchStatePath, readFetchState } from '../../src/extract/fetch/fetch-state.js';
import { findRawReleases } from '../../src/extract/raw-releases.js';
import { makeTempDir, removeTempDirs } from '../helpers/raw.js';
import { FixtureServer, send } from './helpers/fixture-server.js';
import { listTree } from './helpers/raw-tree.js';
import { pfsZip, TEST_CLIENT_OPTIONS, testClient } from './helpers/setup.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/landing-pages/', import.meta.url));
const LANDING_PATH = '/medicare/payment/fee-schedules/physician/pfs-relative-value-files';
const RVU25D_PAGE = `${LANDING_PATH}/rvu25d`;
const RVU25D_ZIP = '/files/zip/rvu25d.zip';

const server = new FixtureServer();
let landingHtml: string;
let releasePageHtml: string;
let page: LandingPage;

beforeAll(async () => {
  await server.start();
  landingHtml = await readFile(join(FIXTURES, 'pfs-relative-value-files.html'), 'utf8');
  releasePageHtml = await readFile(join(FIXTURES, 'pfs-rvu25d.html'), 'utf8');
  page = { ...PFS_RVU_LANDING_PAGE, url: server.url(LANDING_PATH), allowedHosts: ['127.0.0.1'] };
});
afterAll(async () => {
  await server.close();
  await removeTempDirs();
});
beforeEach(() => {
  server.reset();
});

/** The RVU25D candidate as the fixture landing page lists it. */
function fresh25d(): ReleaseCandidate {
  const found = parseLandingPage(landingHtml, server.url(LANDING_PATH), page).find(
    (c) => c.release === 'RVU25D',
  );
  if (!found) throw new Error('RVU25D not in the fixture');
  return found;
}

async function serveSite(): Promise<void> {
  const { zip } = await pfsZip();
  const html = { 'content-type': 'text/html; charset=UTF-8' };
  server.route(LANDING_PATH, send(landingHtml, html));
  server.route(RVU25D_PAGE, send(releasePageHtml, html));
  server.route(RVU25D_ZIP, send(zip, { 'content-type': 'application/zip', etag: '"rvu25d-1"' }));
}

/** raw/pfs-rvu/ holding every release the fixture lists except RVU25D. */
async function rawWithoutRvu25d(): Promise<string> {
  const rawDir = join(await makeTempDir('discovery'), 'raw');
  for (const release of ['RVU25C', 'RVU25B', 'RVU25AR', 'RVU25A', 'RVU24D', 'RVU24C']) {
    await mkdir(join(rawDir, 'pfs-rvu', release), { recursive: true });
  }
  for (const release of ['rvu24b', 'RVU24AR', 'RVU24A']) {
    await mkdir(join(rawDir, 'pfs-rvu', release), { recursive: true });
  }
  return rawDir;
}

describe('PFS landing page', () => {
  it('lists every release in the table with ids and effective dates', () => {
    const pageUrl = `https://www.cms.gov${LANDING_PATH}`;
    const candidates = parseLandingPage(landingHtml, pageUrl, PFS_RVU_LANDING_PAGE);
    expect(
      candidates.map((c) => [
        c.release,
        c.effectiveFrom,
        c.downloadUrl?.replace('https://www.cms.gov', '') ?? null,
      ]),
    ).toEqual([
      ['RVU25D', '2025-10-01', null],
      ['RVU25C', '2025-07-01', null],
      ['RVU25B', '2025-04-01', null],
      ['RVU25AR', '2025-03-01', null],
      ['RVU25A', '2025-01-01', null],
      ['RVU24D', '2024-10-01', '/files/zip/rvu24d.zip'],
      ['RVU24C', '2024-07-01', '/files/zip/rvu24c-updated-07-08-2024.zip'],
      ['RVU24B', '2024-04-01', null],
      ['RVU24AR', null, null],
      ['RVU24A', '2024-01-01', null],
    ]);
    const rvu25d = candidates[0];
    expect(rvu25d).toMatchObject({
      source: 'pfs-rvu',
      pageUrl,
      linkUrl: `https://www.cms.gov${RVU25D_PAGE}`,
      linkText: 'RVU25D',
      isFull: true,
      published: null,
    });
    expect(candidates.every((c) => c.isFull)).toBe(true);
  });

  it('ignores navigation, documents and unrelated zips', () => {
    const candidates = parseLandingPage(landingHtml, 'https://www.cms.gov/x', PFS_RVU_LANDING_PAGE);
    const urls = candidates.flatMap((c) => [c.linkUrl, c.downloadUrl ?? '']);
    expect(urls.some((u) => u.includes('national-payment-amount'))).toBe(false);
    expect(urls.some((u) => u.includes('record-layout'))).toBe(false);
    expect(urls.some((u) => u.includes('ama-assn'))).toBe(false);
  });

  it('reads release ids from link text or from the file name', () => {
    const id = (text: string, href: string) => pfsReleaseIdFromLink({ text, href });
    expect(id('RVU25D', 'https://www.cms.gov/x/rvu25d')).toBe('RVU25D');
    expect(id('Download (ZIP)', 'https://www.cms.gov/files/zip/rvu25ar.zip')).toBe('RVU25AR');
    expect(id('rvu26a', 'https://www.cms.gov/x')).toBe('RVU26A');
    // A numbered correction: CMS's physicianfeesched/downloads/RVU10AR1.zip.
    expect(id('Download', 'https://www.cms.gov/physicianfeesched/downloads/RVU10AR1.zip')).toBe(
      'RVU10AR1',
    );
    expect(id('RVU10AR12', 'https://www.cms.gov/x')).toBeNull();
    // An update numbered without R: rvu18c1.zip beside rvu18ar1.zip on the old downloads page.
    expect(id('Download', 'https://www.cms.gov/PhysicianFeeSched/downloads/rvu18c1.zip')).toBe(
      'RVU18C1',
    );
    // An "updated" zip keeps the date's slashes in its name (RVU25A's item page).
    expect(id('Download', 'https://www.cms.gov/files/zip/rvu25a-updated-01/10/2025.zip')).toBe(
      'RVU25A',
    );
    expect(id('RVU25E', 'https://www.cms.gov/files/zip/rvu25e.zip')).toBeNull();
    expect(id('RVU25DX', 'https://www.cms.gov/files/zip/rvu25dx.zip')).toBeNull();
    expect(id('PFS Look-up Tool', 'https://www.cms.gov/files/zip/pfs-rvu-guide.zip')).toBeNull();
  });

  it("finds an item page's zip whose 'updated' date keeps its slashes, beside another zip", () => {
    // RVU25A's item page links /files/zip/rvu25a-updated-01/10/2025.zip (the file's last path
    // segment is "2025.zip").
    const html =
      '<a href="/files/zip/rvu25a-updated-01/10/2025.zip">RVU25A - Updated 01/10/2025</a>' +
      '<a href="/files/zip/pfs-pe-rvu-data-files.zip">PE RVU data files</a>';
    expect(
      findDownloadLink(html, 'https://www.cms.gov/x/rvu25a', PFS_RVU_LANDING_PAGE, 'RVU25A'),
    ).toBe('https://www.cms.gov/files/zip/rvu25a-updated-01/10/2025.zip');
  });

  it('reads a correction effective date as CMS writes it', () => {
    expect(effectiveDateIn('RVU25AR - corrections effective March 1, 2025')).toBe('2025-03-01');
    expect(effectiveDateIn('Effective Date: Mar. 1st, 2025')).toBe('2025-03-01');
    expect(effectiveDateIn('effective for services on or after 04/15/2024')).toBe('2024-04-15');
    expect(effectiveDateIn('effective 2024-02-29')).toBe('2024-02-29');
    expect(effectiveDateIn('effective February 30, 2025')).toBeNull();
    expect(effectiveDateIn('released March 1, 2025')).toBeNull();
    expect(effectiveDateIn('RVU24AR - Corrections to the January release')).toBeNull();
  });

  it('takes an AR date from its table row when the link text has none', () => {
    const html = `<table><tr><td><a href="/x/rvu23ar">RVU23AR</a></td>
      <td>Corrected files effective January 10, 2023</td></tr></table>`;
    const [candidate] = parseLandingPage(html, 'https://www.cms.gov/', PFS_RVU_LANDING_PAGE);
    expect(candidate?.effectiveFrom).toBe('2023-01-10');
  });

  it('finds the zip on a release page', async () => {
    await serveSite();
    const [candidate] = parseLandingPage(landingHtml, server.url(LANDING_PATH), page);
    expect(candidate?.release).toBe('RVU25D');
    const url = await resolveDownloadUrl(
      candidate as NonNullable<typeof candidate>,
      page,
      testClient(),
    );
    expect(url).toBe(server.url(RVU25D_ZIP));
  });
});

describe('discovery against the fixture site', () => {
  it('finds the release raw/ lacks and ignores the ones already there', async () => {
    await serveSite();
    const rawDir = await rawWithoutRvu25d();
    const fresh = await discoverNewReleases(rawDir, 'pfs-rvu', page, { client: testClient() });
    expect(fresh.map((c) => c.release)).toEqual(['RVU25D']);
    expect(fresh[0]?.effectiveFrom).toBe('2025-10-01');
  });

  it('treats an empty raw/ as missing everything', async () => {
    await serveSite();
    const rawDir = join(await makeTempDir('discovery'), 'raw');
    const fresh = await discoverNewReleases(rawDir, 'pfs-rvu', page, { client: testClient() });
    expect(fresh).toHaveLength(10);
  });

  it('fetches the new release, then a second run downloads nothing', async () => {
    await serveSite();
    const rawDir = await rawWithoutRvu25d();
    const log: string[] = [];
    const options = {
      rawDir,
      page,
      client: testClient(),
      wanted: wantedMembersOf(pfsRvuPipeline),
      license: pfsRvuPipeline.license,
      log: (line: string) => log.push(line),
    };
    const first = await fetchNewReleases(options);
    expect(first.map((r) => [r.release, r.status])).toEqual([['RVU25D', 'fetched']]);
    const landed = first[0];
    if (landed?.status !== 'fetched') throw new Error('not fetched');
    expect(landed.manifest.effective_from).toBe('2025-10-01');
    expect(landed.manifest.origin).toBe(server.url(RVU25D_ZIP));
    expect(landed.manifest.notes).toContain(server.url(RVU25D_PAGE));
    expect(landed.manifest.files.map((f) => f.path)).toEqual([
      'PPRRVU2025_Oct.csv',
      'PPRRVU2025_Oct.txt',
    ]);
    expect(log.join('\n')).toMatch(/1 new release\(s\).*RVU25D/);
    expect(server.hits(RVU25D_ZIP)).toHaveLength(1);
    const tree = await listTree(rawDir);
    expect(tree.filter((p) => p.includes('.fse-fetch-'))).toEqual([]);

    server.requests.length = 0;
    const second = await fetchNewReleases(options);
    expect(second).toEqual([]);
    expect(server.requests.map((r) => r.path)).toEqual([LANDING_PATH]);
    expect(await listTree(rawDir)).toEqual(tree);

    // Asked directly, the server is consulted with the remembered ETag and answers 304.
    server.route(RVU25D_ZIP, (req, res) => {
      res.writeHead(req.headers['if-none-match'] === '"rvu25d-1"' ? 304 : 500).end();
    });
    const again = await fetchRelease({
      rawDir,
      release: toReleaseDownload(fresh25d(), server.url(RVU25D_ZIP)),
      client: testClient(),
      wanted: wantedMembersOf(pfsRvuPipeline),
      license: pfsRvuPipeline.license,
    });
    expect(again.status).toBe('unchanged');
    expect(server.hits(RVU25D_ZIP)).toHaveLength(1);
    expect(
      await listTree(rawDir).then((t) => t.filter((p) => !p.startsWith('.fetch-state'))),
    ).toEqual(tree.filter((p) => !p.startsWith('.fetch-state')));
  });

  it('lands a release that the existing raw/ reader accepts as is', async () => {
    await serveSite();
    const rawDir = join(await makeTempDir('discovery'), 'raw');
    const [candidate] = (await discoverReleases(page, testClient())).filter(
      (c) => c.release === 'RVU25D',
    );
    if (!candidate) throw new Error('RVU25D not listed');
    const client = testClient();
    await fetchRelease({
      rawDir,
      release: toReleaseDownload(candidate, await resolveDownloadUrl(candidate, page, client)),
      client,
      wanted: wantedMembersOf(pfsRvuPipeline),
      license: pfsRvuPipeline.license,
    });
    const before = await readFile(join(rawDir, 'pfs-rvu', 'RVU25D', 'manifest.json'), 'utf8');
    const [release, ...others] = await findRawReleases(rawDir, pfsRvuPipeline);
    expect(others).toEqual([]);
    expect(release?.release).toBe('RVU25D');
    expect(release?.manifestWritten).toBe(false);
    expect(release?.manifest.effective_from).toBe('2025-10-01');
    // Every landed file is read, with the zip member as its origin and the sha256 unchanged.
    const files = [...(release?.primaries ?? []), ...(release?.variants ?? [])];
    expect(files.map((f) => [f.name, f.origin]).sort()).toEqual([
      ['PPRRVU2025_Oct.csv', `${server.url(RVU25D_ZIP)}!PPRRVU2025_Oct.csv`],
      ['PPRRVU2025_Oct.txt', `${server.url(RVU25D_ZIP)}!PPRRVU2025_Oct.txt`],
    ]);
    expect(release?.ignored).toEqual([]);
    expect(await readFile(join(rawDir, 'pfs-rvu', 'RVU25D', 'manifest.json'), 'utf8')).toBe(before);
  });

  it('fetches for every pipeline with a landing page (the refresh --online entry point)', async () => {
    await serveSite();
    const rawDir = await rawWithoutRvu25d();
    const results = await fetchNewPipelineReleases({
      rawDir,
      pipelines: [pfsRvuPipeline],
      pages: { 'pfs-rvu': page },
      clientOptions: TEST_CLIENT_OPTIONS,
    });
    expect(results.map((r) => [r.source, r.release, r.status])).toEqual([
      ['pfs-rvu', 'RVU25D', 'fetched'],
    ]);
  });

  it('fails loudly when the landing page lists no release (layout changed)', async () => {
    server.route(LANDING_PATH, send('<!DOCTYPE html><html><body><p>Moved.</p></body></html>'));
    const rawDir = await rawWithoutRvu25d();
    const error = await discoverNewReleases(rawDir, 'pfs-rvu', page, {
      client: testClient(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscoveryError);
    expect((error as Error).message).toMatch(/pfs-relative-value-files: no pfs-rvu release links/);
  });

  it('fails when a release page has no zip link, leaving raw/ untouched', async () => {
    const html = { 'content-type': 'text/html' };
    server.route(LANDING_PATH, send(landingHtml, html));
    server.route(RVU25D_PAGE, send('<!DOCTYPE html><html><body>No files</body></html>', html));
    const rawDir = await rawWithoutRvu25d();
    const before = await listTree(rawDir);
    const error = await fetchNewReleases({
      rawDir,
      page,
      client: testClient(),
      wanted: wantedMembersOf(pfsRvuPipeline),
      license: 'test',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscoveryError);
    expect((error as Error).message).toMatch(/rvu25d: no download link for RVU25D/);
    // Nothing landed; the fetch state records that the release page changed shape.
    expect((await listTree(rawDir)).filter((p) => !p.startsWith('.fetch-state'))).toEqual(before);
    const state = await readFetchState(fetchStatePath(rawDir));
    expect(state.pages?.['pfs-rvu']).toMatchObject({
      outcome: 'changed-shape',
      releases: expect.arrayContaining(['RVU25D']),
      etag: null,
    });
  });
});

it('never writes outside raw/<source>/ for an unsafe release id from a page', async () => {
  const rawDir = join(await makeTempDir('discovery'), 'raw');
  await writeFile(join(rawDir, '..', 'marker'), '');
  const error = await fetchRelease({
    rawDir,
    release: {
      source: 'pfs-rvu',
      release: '../RVU25D',
      downloadUrl: server.url(RVU25D_ZIP),
      published: null,
      effectiveFrom: null,
      isFull: true,
    },
    client: testClient(),
    wanted: /x/,
    license: 'test',
  }).catch((e: unknown) => e);
  expect((error as Error).message).toMatch(/release id "\.\.\/RVU25D" is not a safe folder name/);
  expect(server.requests).toHaveLength(0);
  expect(await listTree(rawDir)).toEqual([]);
});
