import type {
  LandingPage,
  PageLink,
  ReleaseLink,
} from '../../src/extract/discovery/landing-page.js';
import { fileNameOf } from '../landing-page-links.js';

/*
 * Evidence for the page and its links (looked up December 2026; no stored copy of the page was
 * found, so the shape below is what public code that uses these files records):
 *
 * - The tool's page is https://hcup-us.ahrq.gov/toolssoftware/ccs_svcsproc/ccssvcproc.jsp (cited
 *   by many projects, sometimes as https://www.hcup-us.ahrq.gov/...); the files sit behind
 *   https://hcup-us.ahrq.gov/toolssoftware/ccs_svcsproc/ccscpt_downloading.jsp and a licence page
 *   ccscpt_license.jsp in the same folder.
 * - File names seen in public code: 2016_ccs_services_procedures.csv (bundled here),
 *   2017_ccs_services_procedures.csv, CCS_services_procedures_v2021-1.csv inside a folder (zip)
 *   CCS_ServicesProcedures_v2021-1, CCS_services_procedures_v2022-1_052422.csv,
 *   CCS_Services_Procedures_v2025-1_052425.csv: a year-first name until 2017, then
 *   "v<year>-<n>" with the posting date (MMDDYY).
 *
 * So a release is read from a link whose file name or text names the CCS services and procedures
 * file and its year ("v2025-1" or "2016_"), on this page or, if the page links a release's own
 * page, there. Release ids are the year (the folder convention in pipeline.ts), effective
 * January 1 of it. A second version of one year (v2025-2) has the same id: it is not fetched
 * over the first (raw files never change); a person adds it by hand if wanted.
 */

/** "ccs_services_procedures", "CCS_ServicesProcedures", "CCS Services and Procedures". */
const CCS_SERVICES_PROCEDURES =
  /ccs[\s_-]*(?:for[\s_-]*)?services[\s_-]*(?:and[\s_-]*)?procedures/i;

/** The year a name gives: "v2025-1" (2018 on), or a leading year ("2016_ccs_services..."). */
export function ccsYearIn(name: string): string | null {
  if (!CCS_SERVICES_PROCEDURES.test(name)) return null;
  const versioned = /(?<![a-z0-9])v(20\d{2})[-_.]\d+(?!\d)/i.exec(name);
  if (versioned) return versioned[1] ?? null;
  const leading = /(?<!\d)((?:19|20)\d{2})[\s_-]+ccs/i.exec(name);
  return leading ? (leading[1] ?? null) : null;
}

const DATA_FILE = /\.(zip|csv)$/i;

export function ccsReleaseFromLink(link: PageLink): ReleaseLink | null {
  const name = fileNameOf(link.href);
  const release = (DATA_FILE.test(name) ? ccsYearIn(name) : null) ?? ccsYearIn(link.text);
  if (release === null) return null;
  return { release, effectiveFrom: `${release}-01-01`, published: null, isFull: true };
}

/** The release's zip (or CSV): its file name names this year's CCS services and procedures file. */
export function isCcsDownloadLink(link: PageLink, release: string): boolean {
  const name = fileNameOf(link.href);
  return DATA_FILE.test(name) && ccsYearIn(name) === release;
}

/** AHRQ HCUP "CCS for Services and Procedures": the mapping file per version. */
export const CCS_LANDING_PAGE: LandingPage = {
  source: 'ccs',
  url: 'https://hcup-us.ahrq.gov/toolssoftware/ccs_svcsproc/ccssvcproc.jsp',
  allowedHosts: ['hcup-us.ahrq.gov', 'www.hcup-us.ahrq.gov'],
  releaseFromLink: ccsReleaseFromLink,
  isDownloadLink: isCcsDownloadLink,
};
