import type {
  LandingPage,
  PageLink,
  ReleaseLink,
} from '../../src/extract/discovery/landing-page.js';
import { fileNameOf, monthYearIn } from '../landing-page-links.js';
import { hcpcsReleaseFromFolder } from './release-id.js';

/*
 * Evidence for the page and its links (looked up December 2026; no copy of the page itself was
 * found, so the shape below is what public code that scrapes it relies on):
 *
 * - The page is https://www.cms.gov/medicare/coding-billing/healthcare-common-procedure-system/quarterly-update
 *   (older address: https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets/HCPCS-Quarterly-Update,
 *   before that .../Alpha-Numeric-HCPCS.html; OHDSI/Vocabulary-v5.0, HCPCS/readme.md:
 *   https://github.com/OHDSI/Vocabulary-v5.0/blob/master/HCPCS/readme.md, "file name
 *   Mon-YYYY-Alpha-Numeric-HCPCS-File.zip").
 * - The page links each quarter's zip directly, under /files/zip/: scrapers collect every
 *   `a[href]` containing "/files/zip/" and read the month and year from the URL (an R scraper of
 *   this page in public code), or match
 *   `/files/zip/(january|april|july|october)-(\d{4})-alpha-numeric-hcpcs-files?.zip` (a TypeScript
 *   resolver in public code, which notes that some quarters used the plural "-hcpcs-files.zip":
 *   October 2023, January and April 2024).
 * - File URLs seen in public code: https://www.cms.gov/files/zip/january-2025-alpha-numeric-hcpcs-file.zip,
 *   .../october-2025-alpha-numeric-hcpcs-file.zip, .../july-2026-alpha-numeric-hcpcs-file.zip,
 *   .../january-2026-alpha-numeric-hcpcs-file.zip, and the annual form
 *   .../2024-alpha-numeric-hcpcs-file.zip.
 * - Annual files had an item page of their own, linking the zip: this repository's
 *   raw/hcpcs/HCPC2019/manifest.json records https://www.cms.gov/medicare/coding-billing/healthcare-common-procedure-system/alpha-numeric-hcpcs-items/2019-alpha-numeric-hcpcs-file
 *   and 2019-Alpha-Numeric-HCPCS-File.zip. A link to such a page is read by its text ("2019
 *   Alpha-Numeric HCPCS File") and the zip found on it.
 * - Zip members: HCPC2025_JAN_ANWEB_12172024.txt (and .xlsx), which this pipeline's files rules
 *   (^hcpc\d{4}.*anweb.*\.(txt|xlsx)$) take; older zips held HCPC2020_CONTR_ANWEB.txt / .xls and
 *   a HCPCREAD.TXT (skipped).
 *
 * Release ids follow the folder convention a person uses (release-id.ts): the January file is the
 * year's annual file, HCPCyyyy (effective January 1); April, July and October are HCPCyyyy_APR,
 * HCPCyyyy_JUL, HCPCyyyy_OCT. Other months are not HCPCS quarters and are ignored.
 */

const QUARTER_SUFFIX: Record<number, string> = { 1: '', 4: '_APR', 7: '_JUL', 10: '_OCT' };

/** "alpha-numeric-hcpcs-file(s)" in a file name, "Alpha-Numeric HCPCS File" in link text. */
const ALPHA_NUMERIC_FILE = /alpha[\s_-]*numeric[\s_-]*hcpcs[\s_-]*files?(?![a-z])/i;
/** Links about the file that are not the file: the index, the table of drugs, record layouts. */
const NOT_THE_FILE = /\b(index|table of drugs|layout|readme)\b/i;

/** The release a name ("april-2024-alpha-numeric-hcpcs-files.zip", "2024 Alpha-Numeric HCPCS File") names. */
export function hcpcsReleaseIdIn(name: string): string | null {
  if (!ALPHA_NUMERIC_FILE.test(name) || NOT_THE_FILE.test(name)) return null;
  const dated = monthYearIn(name);
  if (dated) {
    const suffix = QUARTER_SUFFIX[dated.month];
    return suffix === undefined ? null : `HCPC${dated.year}${suffix}`;
  }
  // "2024 Alpha-Numeric HCPCS File", and the older "2015-Annual-Alpha-Numeric-HCPCS-File.zip"
  // (HCPCSReleaseCodeSets/Downloads, as OHDSI's HCPCS readme names it).
  const annual = /(?<!\d)(20\d{2})[\s_-]+(?:annual[\s_-]+)?alpha/i.exec(name);
  return annual ? `HCPC${annual[1]}` : null;
}

/** A release named by the zip's file name, else by the link text. */
export function hcpcsReleaseFromLink(link: PageLink): ReleaseLink | null {
  const name = fileNameOf(link.href);
  const release =
    (/\.zip$/i.test(name) ? hcpcsReleaseIdIn(name) : null) ?? hcpcsReleaseIdIn(link.text);
  if (release === null) return null;
  const dates = hcpcsReleaseFromFolder(release);
  return { release, effectiveFrom: dates.effectiveFrom, published: null, isFull: true };
}

/** The release's zip: a .zip whose file name names this release. */
export function isHcpcsDownloadLink(link: PageLink, release: string): boolean {
  const name = fileNameOf(link.href);
  return /\.zip$/i.test(name) && hcpcsReleaseIdIn(name) === release;
}

/** CMS "HCPCS Quarterly Update": each quarter's Alpha-Numeric HCPCS File zip, linked directly. */
export const HCPCS_LANDING_PAGE: LandingPage = {
  source: 'hcpcs',
  url: 'https://www.cms.gov/medicare/coding-billing/healthcare-common-procedure-system/quarterly-update',
  allowedHosts: ['www.cms.gov', 'cms.gov'],
  releaseFromLink: hcpcsReleaseFromLink,
  isDownloadLink: isHcpcsDownloadLink,
};
