import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ccsYearIn } from '../../pipelines/ccs/landing-page.js';
import { HCPCS_LANDING_PAGE, hcpcsReleaseIdIn } from '../../pipelines/hcpcs/landing-page.js';
import { PIPELINES } from '../../pipelines/index.js';
import { mueMissingParts, mueTableOf } from '../../pipelines/mue/landing-page.js';
import { oppsReleaseFromLink } from '../../pipelines/opps-addendum-b/landing-page.js';
import {
  fetchNewReleases,
  resolveDownloadUrls,
  wantedMembersOf,
} from '../../src/extract/discovery/discover.js';
import { DiscoveryError } from '../../src/extract/discovery/errors.js';
import { parseLandingPage } from '../../src/extract/discovery/landing-page.js';
import { FetchError } from '../../src/extract/fetch/errors.js';
import { fetchStatePath, readFetchState } from '../../src/extract/fetch/fetch-state.js';
import { readManifest } from '../../src/extract/manifest.js';
import { makeTempDir, removeTempDirs } from '../helpers/raw.js';
import { send } from './helpers/fixture-server.js';
import { listTree } from './helpers/raw-tree.js';
import { testClient } from './helpers/setup.js';
import {
  closeSourceSites,
  type SourceSite,
  type SourceSites,
  startSourceSites,
} from './helpers/source-sites.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/landing-pages/', import.meta.url));

/** Every release each fixture page lists, page order, as parsed at the real page's address. */
const LISTED: Record<string, { fixture: string; releases: [string, string][] }> = {
  hcpcs: {
    fixture: 'hcpcs/quarterly-update.html',
    releases: [
      ['HCPC2020_APR', '2020-04-01'],
      ['HCPC2020', '2020-01-01'],
      ['HCPC2019', '2019-01-01'],
    ],
  },
  'opps-addendum-b': {
    fixture: 'opps-addendum-b/addendum-a-b-updates.html',
    releases: [
      ['2023-04', '2023-04-01'],
      ['2023-01', '2023-01-01'],
    ],
  },
  mue: {
    fixture: 'mue/medicare-ncci-medically-unlikely-edits.html',
    releases: [
      ['2026-01', '2026-01-01'],
      ['2025-10', '2025-10-01'],
    ],
  },
  ccs: {
    fixture: 'ccs/ccssvcproc.jsp.html',
    releases: [
      ['2018', '2018-01-01'],
      ['2017', '2017-01-01'],
      ['2016', '2016-01-01'],
    ],
  },
};
const SOURCES = Object.keys(LISTED);

let sites: SourceSites;
beforeAll(async () => {
  sites = await startSourceSites();
});
afterAll(async () => {
  await closeSourceSites(sites);
  await removeTempDirs();
});

function pipelineOf(source: string) {
  const pipeline = PIPELINES.find((p) => p.source === source);
  if (!pipeline?.discovery) throw new Error(`${source} has no landing page`);
  return pipeline;
}

/** A raw/ holding (empty) folders for the releases the site lists that raw/ already has. */
async function rawWithPresent(site: SourceSite): Promise<string> {
  const rawDir = join(await makeTempDir(`discovery-${site.source}`), 'raw');
  for (const release of site.present) {
    await mkdir(join(rawDir, site.source, release), { recursive: true });
  }
  return rawDir;
}

function fetchOptions(site: SourceSite, rawDir: string, log: string[] = []) {
  const pipeline = pipelineOf(site.source);
  return {
    rawDir,
    page: site.page,
    client: testClient(),
    wanted: wantedMembersOf(pipeline),
    license: pipeline.license,
    log: (line: string) => log.push(line),
  };
}

describe.each(SOURCES)('%s: discovery against its fixture site', (source) => {
  const site = () => sites[source] as SourceSite;

  it('lists every release with its id and effective date, ignoring the other links', async () => {
    const { fixture, releases } = LISTED[source] as (typeof LISTED)[string];
    const page = pipelineOf(source).discovery as NonNullable<
      ReturnType<typeof pipelineOf>['discovery']
    >;
    const html = await readFile(join(FIXTURES, fixture), 'utf8');
    const candidates = parseLandingPage(html, page.url, page);
    expect(candidates.map((c) => [c.release, c.effectiveFrom])).toEqual(releases);
    expect(candidates.every((c) => c.source === source && c.isFull)).toBe(true);
    for (const c of candidates) {
      for (const url of [c.linkUrl, ...c.downloadUrls]) {
        expect(page.allowedHosts).toContain(new URL(url).hostname);
      }
    }
  });

  it('fetches the new release, lands it with a manifest; the same page again fetches nothing', async () => {
    const s = site();
    s.serveLanding();
    const rawDir = await rawWithPresent(s);
    s.server.requests.length = 0;
    const log: string[] = [];
    const first = await fetchNewReleases(fetchOptions(s, rawDir, log));
    // (Object keys that look like numbers come out sorted, not in page order: compare sorted.)
    expect(first.map((r) => [r.release, r.status]).sort()).toEqual(
      Object.keys(s.fresh)
        .sort()
        .map((release) => [release, 'fetched']),
    );
    for (const [release, members] of Object.entries(s.fresh)) {
      const manifest = await readManifest(join(rawDir, source, release));
      expect(manifest?.files.map((f) => f.path)).toEqual(members);
      expect(manifest).toMatchObject({ source, release, is_full: true });
      expect(manifest?.effective_from).toBe(
        (LISTED[source]?.releases.find(([id]) => id === release) ?? [])[1],
      );
      expect(manifest?.notes).toContain(s.page.url.replace(/\/[^/]*$/, ''));
    }
    for (const zip of s.freshZips) expect(s.server.hits(zip)).toHaveLength(1);
    expect(log.join('\n')).toMatch(
      new RegExp(`${source}: ${Object.keys(s.fresh).length} new release`),
    );
    let state = await readFetchState(fetchStatePath(rawDir));
    expect(state.pages?.[source]).toMatchObject({
      outcome: 'found',
      page: s.page.url,
      releases: (LISTED[source]?.releases ?? []).map(([id]) => id),
      message: null,
    });
    const tree = await listTree(rawDir);
    expect(tree.filter((p) => p.includes('.fse-fetch-'))).toEqual([]);

    // The same page again: asked with its validators, answered 304; nothing else is requested.
    s.server.requests.length = 0;
    const second = await fetchNewReleases(fetchOptions(s, rawDir));
    expect(second).toEqual([]);
    expect(s.server.requests.map((r) => r.path)).toEqual([s.landingPath]);
    const asked = s.server.requests[0]?.headers ?? {};
    expect(Boolean(asked['if-none-match'] || asked['if-modified-since'])).toBe(true);
    state = await readFetchState(fetchStatePath(rawDir));
    expect(state.pages?.[source]?.outcome).toBe('not-modified');
    expect((await listTree(rawDir)).filter((p) => !p.startsWith('.fetch-state'))).toEqual(
      tree.filter((p) => !p.startsWith('.fetch-state')),
    );
  });

  it('fails loudly when the page was reached but changed shape: nothing fetched, outcome kept', async () => {
    const s = site();
    s.server.route(
      s.landingPath,
      send(
        '<!DOCTYPE html><html><body><h1>We have redesigned this page</h1><a href="/">Home</a></body></html>',
        {
          'content-type': 'text/html',
        },
      ),
    );
    try {
      const rawDir = await rawWithPresent(s);
      const before = await listTree(rawDir);
      s.server.requests.length = 0;
      const error = await fetchNewReleases(fetchOptions(s, rawDir)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DiscoveryError);
      expect((error as DiscoveryError).kind).toBe('changed-shape');
      expect((error as DiscoveryError).source).toBe(source);
      expect((error as Error).message).toContain(s.page.url);
      expect((error as Error).message).toContain(`no ${source} release links found`);
      expect((error as Error).message).toContain(`pipelines/${source}/landing-page.ts`);
      expect(s.server.requests.map((r) => r.path)).toEqual([s.landingPath]);
      expect((await listTree(rawDir)).filter((p) => !p.startsWith('.fetch-state'))).toEqual(before);
      const state = await readFetchState(fetchStatePath(rawDir));
      expect(state.pages?.[source]).toMatchObject({
        outcome: 'changed-shape',
        etag: null,
        last_modified: null,
      });
      expect(state.pages?.[source]?.message).toContain(`no ${source} release links found`);
    } finally {
      s.serveLanding();
    }
  });

  it('tells a page that moved away (404) apart from one that changed shape', async () => {
    const s = site();
    s.server.route(s.landingPath, send('gone', { 'content-type': 'text/plain' }, 404));
    try {
      const rawDir = await rawWithPresent(s);
      const error = await fetchNewReleases(fetchOptions(s, rawDir)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FetchError);
      expect((error as FetchError).kind).toBe('http');
      expect((error as Error).message).toContain(s.landingPath);
      const state = await readFetchState(fetchStatePath(rawDir));
      expect(state.pages?.[source]?.outcome).toBe('unreachable');
      expect(await listTree(rawDir)).toEqual(expect.arrayContaining([`${source}/`]));
      expect(
        (await listTree(rawDir)).some((p) => Object.keys(s.fresh).some((r) => p.includes(r))),
      ).toBe(false);
    } finally {
      s.serveLanding();
    }
  });
});

describe('release pages and parts', () => {
  it('OPPS: a quarter page without an Addendum B zip is the distinct changed-shape error', async () => {
    const s = sites['opps-addendum-b'] as SourceSite;
    const april = `${s.landingPath}/april-2023-0`;
    s.server.route(
      april,
      send(
        '<html><body><a href="/files/zip/april-2023-addendum-a.zip">A</a><a href="/files/zip/x.zip">x</a></body></html>',
        { 'content-type': 'text/html' },
      ),
    );
    try {
      const rawDir = await rawWithPresent(s);
      const error = await fetchNewReleases(fetchOptions(s, rawDir)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DiscoveryError);
      expect((error as Error).message).toMatch(
        /april-2023-0: no download link for 2023-04 on its release page/,
      );
      const state = await readFetchState(fetchStatePath(rawDir));
      expect(state.pages?.['opps-addendum-b']?.outcome).toBe('changed-shape');
      expect(await listTree(rawDir)).not.toContain('opps-addendum-b/2023-04/');
    } finally {
      s.server.route(
        april,
        send(await readFile(join(FIXTURES, 'opps-addendum-b/april-2023-0.html')), {
          'content-type': 'text/html',
        }),
      );
    }
  });

  it("OPPS: a quarter page linking its zip only through CMS's AMA license agreement", async () => {
    // Since 2026 (public build notes): "/license/ama?file=/files/zip/<name>.zip". Fetched only
    // once the operator accepts the agreement (FSE_ACCEPT_AMA_LICENSE=1), then from file=.
    const s = sites['opps-addendum-b'] as SourceSite;
    const april = `${s.landingPath}/april-2023-0`;
    const agreement = '/license/ama?file=/files/zip/april-2023-web-addendum-b.zip';
    s.server.route(
      april,
      send(`<html><body><a href="${agreement}">April 2023 Addendum B (ZIP)</a></body></html>`, {
        'content-type': 'text/html',
      }),
    );
    const accepted = process.env.FSE_ACCEPT_AMA_LICENSE;
    try {
      delete process.env.FSE_ACCEPT_AMA_LICENSE;
      const rawDir = await rawWithPresent(s);
      const error = await fetchNewReleases(fetchOptions(s, rawDir)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DiscoveryError);
      expect((error as DiscoveryError).kind).toBe('license-gated');
      expect((error as Error).message).toContain(
        `2023-04's file is linked only through CMS's AMA license agreement (${s.server.url(agreement)})`,
      );
      expect((error as Error).message).toContain('FSE_ACCEPT_AMA_LICENSE=1');
      const state = await readFetchState(fetchStatePath(rawDir));
      expect(state.pages?.['opps-addendum-b']?.outcome).toBe('license-gated');
      expect(await listTree(rawDir)).not.toContain('opps-addendum-b/2023-04/');

      process.env.FSE_ACCEPT_AMA_LICENSE = '1';
      const fetched = await fetchNewReleases(fetchOptions(s, rawDir));
      expect(fetched.map((r) => [r.release, r.status])).toEqual([['2023-04', 'fetched']]);
      expect(
        (await listTree(rawDir)).some((p) =>
          p.startsWith('opps-addendum-b/2023-04/2023_April_Web_Addendum_B.xlsx '),
        ),
      ).toBe(true);
    } finally {
      if (accepted === undefined) delete process.env.FSE_ACCEPT_AMA_LICENSE;
      else process.env.FSE_ACCEPT_AMA_LICENSE = accepted;
      s.server.route(
        april,
        send(await readFile(join(FIXTURES, 'opps-addendum-b/april-2023-0.html')), {
          'content-type': 'text/html',
        }),
      );
    }
  });

  it('MUE: a quarter whose page links only some of its three tables waits for the rest', async () => {
    const s = sites.mue as SourceSite;
    const html = (
      await readFile(join(FIXTURES, 'mue/medicare-ncci-medically-unlikely-edits.html'), 'utf8')
    ).replace(/<li><a href="\/files\/zip\/medicare-ncci-2026-q1-dme-supplier[^\n]*\n/, '');
    s.server.route(
      s.landingPath,
      send(html, { 'content-type': 'text/html', etag: '"mue-partial"' }),
    );
    try {
      const rawDir = await rawWithPresent(s);
      const log: string[] = [];
      const results = await fetchNewReleases(fetchOptions(s, rawDir, log));
      expect(results).toEqual([]);
      expect(log.join('\n')).toMatch(
        /mue 2026-01: not fetched yet.*no DME supplier services MUE table/,
      );
      expect(await listTree(rawDir)).not.toContain('mue/2026-01/');
      // Not remembered as complete: the next run reads the page again instead of trusting a 304.
      const state = await readFetchState(fetchStatePath(rawDir));
      expect(state.pages?.mue).toMatchObject({ outcome: 'found', etag: null });
    } finally {
      s.serveLanding();
    }
  });

  it('reads ids from the name shapes the evidence shows', () => {
    expect(hcpcsReleaseIdIn('october-2023-alpha-numeric-hcpcs-files.zip')).toBe('HCPC2023_OCT');
    expect(hcpcsReleaseIdIn('january-2025-alpha-numeric-hcpcs-file.zip')).toBe('HCPC2025');
    expect(hcpcsReleaseIdIn('2024-alpha-numeric-hcpcs-file.zip')).toBe('HCPC2024');
    // HCPCSReleaseCodeSets/Downloads before the current pages.
    expect(hcpcsReleaseIdIn('2015-Annual-Alpha-Numeric-HCPCS-File.zip')).toBe('HCPC2015');
    expect(hcpcsReleaseIdIn('July 2026 Alpha-Numeric HCPCS File (ZIP)')).toBe('HCPC2026_JUL');
    expect(hcpcsReleaseIdIn('2025 Alpha-Numeric Index')).toBeNull();
    expect(hcpcsReleaseIdIn('may-2025-alpha-numeric-hcpcs-file.zip')).toBeNull();

    const opps = (href: string, text = '') =>
      oppsReleaseFromLink({ href, text, context: '' })?.release ?? null;
    const base =
      'https://www.cms.gov/medicare/payment/prospective-payment-systems/hospital-outpatient/addendum-a-b-updates';
    expect(opps(`${base}/october-2024-updated-10/02/2024-0`, 'October 2024')).toBe('2024-10');
    expect(opps(`${base}/july-2024-0`)).toBe('2024-07');
    expect(opps('https://www.cms.gov/files/zip/july-2024-addendum-b-080524.zip')).toBe('2024-07');
    expect(opps('https://www.cms.gov/files/zip/january-2024-opps-addendum-b.zip')).toBe('2024-01');
    expect(opps('https://www.cms.gov/files/zip/april-2024-addendum-a.zip')).toBeNull();
    expect(
      opps(
        'https://www.cms.gov/medicare/payment/prospective-payment-systems/hospital-outpatient',
        'January 2024',
      ),
    ).toBeNull();
    // Since 2026: a page per addendum and quarter under quarterly-addenda-updates; only B's.
    const now =
      'https://www.cms.gov/medicare/payment/prospective-payment-systems/hospital-outpatient-pps/quarterly-addenda-updates';
    expect(opps(`${now}/april-2026-addendum-b`, 'April 2026 Addendum B')).toBe('2026-04');
    expect(opps(`${now}/july-2026-addendum-b`)).toBe('2026-07');
    expect(opps(`${now}/april-2026-addendum`, 'April 2026 Addendum A')).toBeNull();
    expect(opps(`${now}/april-2026-addendum-q`, 'April 2026 Addendum Q')).toBeNull();

    expect(
      mueTableOf(
        'https://www.cms.gov/files/zip/medicare-ncci-2026-q4-practitioner-services-mue-table.zip',
      ),
    ).toEqual({ release: '2026-10', serviceType: 'practitioner' });
    expect(
      mueTableOf(
        'https://www.cms.gov/files/zip/medicare-ncci-2026q2-facility-outpatient-hospital-services-mue-table.zip',
      ),
    ).toEqual({ release: '2026-04', serviceType: 'outpatient hospital' });
    expect(
      mueTableOf(
        'https://www.cms.gov/files/zip/medicare-ncci-2026q4-practitioner-ptp-edits-ccipra-v323r0-f1.zip',
      ),
    ).toBeNull();
    expect(
      mueMissingParts([
        'https://www.cms.gov/files/zip/medicare-ncci-2026-q2-dme-supplier-services-mue-table.zip',
      ]),
    ).toMatch(/no practitioner, outpatient hospital services MUE table/);

    expect(ccsYearIn('CCS_Services_Procedures_v2025-1_052425.csv')).toBe('2025');
    expect(ccsYearIn('CCS_ServicesProcedures_v2021-1.zip')).toBe('2021');
    expect(ccsYearIn('2016_ccs_services_procedures.csv')).toBe('2016');
    expect(ccsYearIn('CCS_Services_Procedures_UserGuide.pdf')).toBeNull();
    expect(ccsYearIn('ccsr_v2025-1.zip')).toBeNull();
  });
});

it('HCPCS: an annual file on an item page of its own is found through that page', async () => {
  const s = sites.hcpcs as SourceSite;
  const item =
    '/medicare/coding-billing/healthcare-common-procedure-system/alpha-numeric-hcpcs-items/2019-alpha-numeric-hcpcs-file';
  const html = `<ul><li><a href="${item}">2019 Alpha-Numeric HCPCS File</a></li></ul>`;
  const [candidate] = parseLandingPage(html, s.page.url, HCPCS_LANDING_PAGE);
  expect(candidate).toMatchObject({
    release: 'HCPC2019',
    effectiveFrom: '2019-01-01',
    downloadUrls: [],
  });
  s.server.route(
    item,
    send('<a href="/files/zip/2019-Alpha-Numeric-HCPCS-File.zip">Download</a>', {
      'content-type': 'text/html',
    }),
  );
  const urls = await resolveDownloadUrls(
    candidate as NonNullable<typeof candidate>,
    { ...HCPCS_LANDING_PAGE, allowedHosts: ['127.0.0.1'] },
    testClient(),
  );
  expect(urls).toEqual([s.server.url('/files/zip/2019-Alpha-Numeric-HCPCS-File.zip')]);
});
