import type {
  LandingPage,
  PageLink,
  ReleaseLink,
} from '../../src/extract/discovery/landing-page.js';
import { fileNameOf, monthYearIn, pathOf, yearMonth } from '../landing-page-links.js';

/*
 * Evidence for the page and its links (looked up December 2026; no stored copy of the page was
 * found, so the shape below is what public code that archives these files records):
 *
 * - The landing page is
 *   https://www.cms.gov/medicare/payment/prospective-payment-systems/hospital-outpatient/addendum-a-b-updates
 *   (listed as the OPPS Addendum A/B page by several public source maps).
 * - Each quarter has its own page under it, and that page links the quarter's Addendum B zip.
 *   Public code archiving the CY2024 rulebook records (quarter page → zip):
 *     .../addendum-a-b-updates/april-2024-0 → https://www.cms.gov/files/zip/april-2024-addendum-b.zip
 *     .../addendum-a-b-updates/july-2024-0 → https://www.cms.gov/files/zip/july-2024-addendum-b-080524.zip
 *     .../addendum-a-b-updates/october-2024-updated-10/02/2024-0
 *       → https://www.cms.gov/files/zip/october-2024-web-addendum-b.zip
 *     and https://www.cms.gov/files/zip/january-2024-opps-addendum-b.zip for January 2024.
 *   The slugs carry "-0" suffixes and "updated-<date>" parts, and the zip names vary ("web",
 *   "opps", a date suffix): so a quarter is read from "<Month> <year>" in the link text or slug,
 *   and a zip is recognised by "addendum b" in its name, never by its position on the page.
 * - The bundled January 2023 release's file is 2023_January_Web_Addendum_B.12212022.xlsx: this
 *   pipeline's files rules (addendum.?b.*\.(xlsx|csv)$) take it and skip Addendum A.
 *
 * - Since 2026 (public build notes checked against cms.gov in June and September 2026) the page
 *   is https://www.cms.gov/medicare/payment/prospective-payment-systems/hospital-outpatient-pps/quarterly-addenda-updates
 *   with a page per addendum and quarter: .../quarterly-addenda-updates/april-2026-addendum (A),
 *   .../april-2026-addendum-b, and one for Addendum Q. Only the "-addendum-b" pages are this
 *   source's. Such a page links its zip (cy-2026-april-opps-addendum-b.zip) only through CMS's
 *   AMA license agreement ("/license/ama?file=/files/zip/..."): see resolveDownloadUrls.
 *
 * Release ids are the month the addendum takes effect, YYYY-MM (pipelines/quarter-release.ts),
 * from the link; effective the first day of that month.
 */

/** "addendum b", "addendum-b", "Addendum_B", "addendumb" (but not "addendum a and b" alone). */
const ADDENDUM_B = /addendum[\s_-]*b(?![a-z])/i;
/** A quarter's own page sits under the landing page's path, the old one's or the new one's. */
const QUARTER_PAGE = /\/(addendum-a-b-updates|quarterly-addenda-updates)\/([^/].*)$/i;

function releaseOf(text: string): string | null {
  const dated = monthYearIn(text);
  return dated ? yearMonth(dated.year, dated.month) : null;
}

/**
 * A quarter's own page (under .../addendum-a-b-updates/, "<Month> <year>" in its text or slug),
 * or an Addendum B zip naming its month and year.
 */
export function oppsReleaseFromLink(link: PageLink): ReleaseLink | null {
  const name = fileNameOf(link.href);
  let release: string | null = null;
  if (/\.zip$/i.test(name)) {
    if (ADDENDUM_B.test(name)) release = releaseOf(name);
  } else {
    const quarter = QUARTER_PAGE.exec(pathOf(link.href));
    const slug = quarter?.[2] ?? '';
    // Under the new page, each addendum has its own page: only Addendum B's.
    const other =
      quarter?.[1]?.toLowerCase() === 'quarterly-addenda-updates' && !ADDENDUM_B.test(slug);
    if (quarter && !other) release = releaseOf(link.text) ?? releaseOf(slug);
  }
  if (release === null) return null;
  return { release, effectiveFrom: `${release}-01`, published: null, isFull: true };
}

/** The quarter's Addendum B zip: "addendum b" in its name, and no other month than the release's. */
export function isOppsDownloadLink(link: PageLink, release: string): boolean {
  const name = fileNameOf(link.href);
  if (!/\.zip$/i.test(name) || !ADDENDUM_B.test(name)) return false;
  const named = releaseOf(name);
  return named === null || named === release;
}

/** CMS "Quarterly Addenda Updates" (before: "Addendum A and Addendum B Updates"): a page per quarter. */
export const OPPS_ADDENDUM_B_LANDING_PAGE: LandingPage = {
  source: 'opps-addendum-b',
  url: 'https://www.cms.gov/medicare/payment/prospective-payment-systems/hospital-outpatient-pps/quarterly-addenda-updates',
  allowedHosts: ['www.cms.gov', 'cms.gov'],
  releaseFromLink: oppsReleaseFromLink,
  isDownloadLink: isOppsDownloadLink,
};
