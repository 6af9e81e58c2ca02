import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CCS_LANDING_PAGE } from '../../../pipelines/ccs/landing-page.js';
import { HCPCS_LANDING_PAGE } from '../../../pipelines/hcpcs/landing-page.js';
import { MUE_LANDING_PAGE } from '../../../pipelines/mue/landing-page.js';
import { OPPS_ADDENDUM_B_LANDING_PAGE } from '../../../pipelines/opps-addendum-b/landing-page.js';
import { PFS_RVU_LANDING_PAGE } from '../../../pipelines/pfs-rvu/landing-page.js';
import type { LandingPage } from '../../../src/extract/discovery/landing-page.js';
import { REPO_RAW_DIR } from '../../helpers/raw.js';
import { buildZip } from '../../helpers/zip-writer.js';
import { FixtureServer, type Handler, send } from './fixture-server.js';

/**
 * One fixture site per source, each a FixtureServer of its own serving hand-written copies of the
 * source's landing page (test/fixtures/landing-pages/<source>/, modelled on the evidence written
 * down in pipelines/<source>/landing-page.ts) at the real page's path, its release pages, and
 * zips whose members are the repository's bundled files under the names a new release would
 * carry. The landing pages answer 304 to the validators they sent (ETag, Last-Modified or both).
 */

const FIXTURES = fileURLToPath(new URL('../../fixtures/landing-pages/', import.meta.url));
const MUE_FIXTURES = fileURLToPath(new URL('../../fixtures/mue/2025-10/', import.meta.url));

export interface SourceSite {
  source: string;
  server: FixtureServer;
  /** Path of the landing page on the site (the real page's path). */
  landingPath: string;
  /** The pipeline's landing page pointed at the site. */
  page: LandingPage;
  /** Releases the page lists that a raw/ like the repository's already has. */
  present: string[];
  /** Releases the page lists that such a raw/ lacks, with the members each lands. */
  fresh: Record<string, string[]>;
  /** Zip paths of the fresh releases (the ones a run should download). */
  freshZips: string[];
  /** Serves the landing page as the fixture has it (call again to undo a test's change). */
  serveLanding(): void;
}

export type SourceSites = Record<string, SourceSite>;

/** A page answering 304 when the request carries the validators it sends. */
export function conditionalPage(
  html: string,
  validators: { etag?: string; lastModified?: string },
): Handler {
  return (req, res) => {
    const etagMatch = validators.etag && req.headers['if-none-match'] === validators.etag;
    const dateMatch =
      validators.lastModified && req.headers['if-modified-since'] === validators.lastModified;
    const headers: Record<string, string> = { 'content-type': 'text/html; charset=UTF-8' };
    if (validators.etag) headers.etag = validators.etag;
    if (validators.lastModified) headers['last-modified'] = validators.lastModified;
    if (etagMatch || dateMatch) {
      res.writeHead(304, headers).end();
      return;
    }
    send(html, headers)(req, res);
  };
}

const ZIP = { 'content-type': 'application/zip' };

/** The HCPCS zip holds the first lines of the bundled 2020 file (a refresh of it stays quick). */
export const HCPCS_LINES = 2500;

/** The first `count` lines of a file, line endings kept. */
export function headLines(bytes: Buffer, count: number): Buffer {
  let end = 0;
  for (let i = 0; i < count; i++) {
    const next = bytes.indexOf(0x0a, end);
    if (next === -1) return bytes;
    end = next + 1;
  }
  return bytes.subarray(0, end);
}
const HTML = { 'content-type': 'text/html; charset=UTF-8' };

function pathOf(url: string): string {
  return new URL(url).pathname;
}

async function site(
  base: LandingPage,
  fixture: string,
  validators: { etag?: string; lastModified?: string },
): Promise<{ server: FixtureServer; landingPath: string; page: LandingPage; serve(): void }> {
  const server = await new FixtureServer().start();
  const landingPath = pathOf(base.url);
  const html = await readFile(join(FIXTURES, fixture), 'utf8');
  const serve = () => {
    server.route(landingPath, conditionalPage(html, validators));
  };
  serve();
  return {
    server,
    landingPath,
    page: { ...base, url: server.url(landingPath), allowedHosts: ['127.0.0.1'] },
    serve,
  };
}

async function hcpcsSite(): Promise<SourceSite> {
  const s = await site(HCPCS_LANDING_PAGE, 'hcpcs/quarterly-update.html', { etag: '"hcpcs-1"' });
  const txt = headLines(
    await readFile(join(REPO_RAW_DIR, 'hcpcs', 'HCPC2020', 'HCPC2020_ANWEB_w_disclaimer.txt')),
    HCPCS_LINES,
  );
  const zip = '/files/zip/april-2020-alpha-numeric-hcpcs-files.zip';
  s.server.route(
    zip,
    send(
      buildZip([
        { name: 'HCPC2020_APR_ANWEB.txt', data: txt },
        { name: 'HCPCREAD.TXT', data: 'Alpha-Numeric HCPCS File Content\r\n' },
        {
          name: 'HCPC2020_APR_ANWEB_Record_Layout.pdf',
          data: '%PDF-1.4 not really\n',
          method: 'store',
        },
      ]),
      { ...ZIP, etag: '"hcpcs-apr-2020"' },
    ),
  );
  return {
    source: 'hcpcs',
    ...s,
    serveLanding: s.serve,
    present: ['HCPC2020', 'HCPC2019'],
    fresh: { HCPC2020_APR: ['HCPC2020_APR_ANWEB.txt'] },
    freshZips: [zip],
  };
}

async function oppsSite(): Promise<SourceSite> {
  // The fixture is the page as it was until 2025, at its address then (the page has moved).
  const before2026 = {
    ...OPPS_ADDENDUM_B_LANDING_PAGE,
    url: 'https://www.cms.gov/medicare/payment/prospective-payment-systems/hospital-outpatient/addendum-a-b-updates',
  };
  const s = await site(before2026, 'opps-addendum-b/addendum-a-b-updates.html', {
    etag: '"opps-1"',
    lastModified: 'Fri, 24 Mar 2023 16:00:00 GMT',
  });
  const april = `${s.landingPath}/april-2023-0`;
  const january = `${s.landingPath}/january-2023-updated-01/06/2023`;
  s.server.route(
    april,
    send(await readFile(join(FIXTURES, 'opps-addendum-b/april-2023-0.html')), HTML),
  );
  s.server.route(
    january,
    send(await readFile(join(FIXTURES, 'opps-addendum-b/january-2023.html')), HTML),
  );
  const workbook = await readFile(
    join(REPO_RAW_DIR, 'opps-addendum-b', '2023-01', '2023_January_Web_Addendum_B.12212022.xlsx'),
  );
  const zip = '/files/zip/april-2023-web-addendum-b.zip';
  s.server.route(
    zip,
    send(
      buildZip([
        { name: '2023_April_Web_Addendum_B.xlsx', data: workbook, method: 'store' },
        { name: 'April 2023 Addendum B ReadMe.txt', data: 'Addendum B, April 2023\r\n' },
      ]),
      { ...ZIP, etag: '"opps-apr-2023"' },
    ),
  );
  return {
    source: 'opps-addendum-b',
    ...s,
    serveLanding: s.serve,
    present: ['2023-01'],
    fresh: { '2023-04': ['2023_April_Web_Addendum_B.xlsx'] },
    freshZips: [zip],
  };
}

/** The MUE fixture tables renamed for the quarter effective on `mmddyyyy` (01-01-2026). */
async function mueTables(
  mmddyyyy: string,
): Promise<Record<string, { name: string; data: Buffer }>> {
  const read = (type: string) =>
    readFile(join(MUE_FIXTURES, `MCR_MUE_${type}Services_Eff_10-01-2025.csv`));
  return {
    practitioner: {
      name: `MCR_MUE_PractitionerServices_Eff_${mmddyyyy}.csv`,
      data: await read('Practitioner'),
    },
    'facility-outpatient-hospital': {
      name: `MCR_MUE_OutpatientHospitalServices_Eff_${mmddyyyy}.csv`,
      data: await read('OutpatientHospital'),
    },
    'dme-supplier': {
      name: `MCR_MUE_DMESupplierServices_Eff_${mmddyyyy}.csv`,
      data: await read('DMESupplier'),
    },
  };
}

async function mueSite(): Promise<SourceSite> {
  const s = await site(MUE_LANDING_PAGE, 'mue/medicare-ncci-medically-unlikely-edits.html', {
    etag: 'W/"mue-1"',
  });
  const freshZips: string[] = [];
  for (const [part, table] of Object.entries(await mueTables('01-01-2026'))) {
    const zip = `/files/zip/medicare-ncci-2026-q1-${part}-services-mue-table.zip`;
    s.server.route(
      zip,
      send(
        buildZip([
          { name: table.name, data: table.data },
          { name: table.name.replace(/\.csv$/, '.xlsx'), data: 'not read', method: 'store' },
        ]),
        { ...ZIP, etag: `"mue-2026-q1-${part}"` },
      ),
    );
    freshZips.push(zip);
  }
  return {
    source: 'mue',
    ...s,
    serveLanding: s.serve,
    present: ['2025-10'],
    fresh: {
      '2026-01': [
        'MCR_MUE_DMESupplierServices_Eff_01-01-2026.csv',
        'MCR_MUE_OutpatientHospitalServices_Eff_01-01-2026.csv',
        'MCR_MUE_PractitionerServices_Eff_01-01-2026.csv',
      ],
    },
    freshZips,
  };
}

async function ccsSite(): Promise<SourceSite> {
  const s = await site(CCS_LANDING_PAGE, 'ccs/ccssvcproc.jsp.html', {
    lastModified: 'Thu, 24 May 2018 12:00:00 GMT',
  });
  const folder = s.landingPath.replace(/[^/]+$/, '');
  s.server.route(
    `${folder}ccscpt_downloading.jsp`,
    send(await readFile(join(FIXTURES, 'ccs/ccscpt_downloading.jsp.html')), HTML),
  );
  const csv = await readFile(join(REPO_RAW_DIR, 'ccs', '2016', '2016_ccs_services_procedures.csv'));
  const zip2017 = `${folder}2017_ccs_services_procedures.zip`;
  const zip2018 = `${folder}CCS_Services_Procedures_v2018-1_052418.zip`;
  s.server.route(
    zip2017,
    send(buildZip([{ name: '2017_ccs_services_procedures.csv', data: csv }]), {
      ...ZIP,
      'last-modified': 'Mon, 15 May 2017 12:00:00 GMT',
    }),
  );
  s.server.route(
    zip2018,
    send(
      buildZip([
        { name: 'CCS_Services_Procedures_v2018-1_052418.csv', data: csv },
        {
          name: 'CCS_Services_Procedures_UserGuide.pdf',
          data: '%PDF-1.4 not really\n',
          method: 'store',
        },
      ]),
      { ...ZIP, 'last-modified': 'Thu, 24 May 2018 12:00:00 GMT' },
    ),
  );
  return {
    source: 'ccs',
    ...s,
    serveLanding: s.serve,
    present: ['2016'],
    fresh: {
      '2018': ['CCS_Services_Procedures_v2018-1_052418.csv'],
      '2017': ['2017_ccs_services_procedures.csv'],
    },
    freshZips: [zip2018, zip2017],
  };
}

/** The PFS site for the end-to-end run: a page listing only the release raw/ already has. */
async function pfsSite(): Promise<SourceSite> {
  const server = await new FixtureServer().start();
  const landingPath = pathOf(PFS_RVU_LANDING_PAGE.url);
  const html = `<!DOCTYPE html><html><body><main><h1>PFS Relative Value Files</h1>
    <table><tr><td><a href="${landingPath}/rvu25d">RVU25D</a></td><td>October 2025 release</td></tr></table>
    </main></body></html>`;
  const serve = () => {
    server.route(landingPath, conditionalPage(html, { etag: '"pfs-1"' }));
  };
  serve();
  return {
    source: 'pfs-rvu',
    server,
    landingPath,
    page: { ...PFS_RVU_LANDING_PAGE, url: server.url(landingPath), allowedHosts: ['127.0.0.1'] },
    present: ['RVU25D'],
    fresh: {},
    freshZips: [],
    serveLanding: serve,
  };
}

/** A fixture site for each of the five sources, each on a server of its own. */
export async function startSourceSites(): Promise<SourceSites> {
  const sites = await Promise.all([pfsSite(), hcpcsSite(), oppsSite(), mueSite(), ccsSite()]);
  return Object.fromEntries(sites.map((s) => [s.source, s]));
}

export async function closeSourceSites(sites: SourceSites | undefined): Promise<void> {
  await Promise.all(Object.values(sites ?? {}).map((s) => s.server.close()));
}

/** A --landing-pages file pointing every source at its fixture site, over plain http, fast. */
export function landingPagesFile(sites: SourceSites): string {
  return `${JSON.stringify(
    {
      pages: Object.fromEntries(
        Object.values(sites).map((s) => [
          s.source,
          { url: s.page.url, allowedHosts: ['127.0.0.1'] },
        ]),
      ),
      http: {
        allowInsecureHttp: true,
        minRequestIntervalMs: 5,
        connectTimeoutMs: 5000,
        idleTimeoutMs: 5000,
        retries: 0,
      },
    },
    null,
    2,
  )}\n`;
}

export { mueTables };
