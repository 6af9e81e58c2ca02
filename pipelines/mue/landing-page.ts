import type {
  LandingPage,
  PageLink,
  ReleaseLink,
} from '../../src/extract/discovery/landing-page.js';
import { fileNameOf, monthYearIn, yearMonth } from '../landing-page-links.js';

/*
 * Evidence for the page and its links (looked up December 2026; no stored copy of the page was
 * found, so the shape below is what public code that downloads these files relies on):
 *
 * - The page is https://www.cms.gov/medicare/coding-billing/national-correct-coding-initiative-ncci-edits/medicare-ncci-medically-unlikely-edits
 *   (also cited with a "-mues" suffix: .../medicare-ncci-medically-unlikely-edits-mues; CMS
 *   redirects between such slugs, and the client follows redirects on allowed hosts).
 * - Each quarter is three zips, one per service type, linked under /files/zip/. URLs seen in
 *   public code (build scripts and source maps, 2025–2026):
 *     https://www.cms.gov/files/zip/medicare-ncci-2026-q2-practitioner-services-mue-table.zip
 *     https://www.cms.gov/files/zip/medicare-ncci-2026-q2-facility-outpatient-hospital-services-mue-table.zip
 *     https://www.cms.gov/files/zip/medicare-ncci-2026-q2-dme-supplier-services-mue-table.zip
 *     .../medicare-ncci-2026-q3-..., .../medicare-ncci-2026-q4-..., .../medicare-ncci-2025-q4-...
 *   One project appends "?agree=yes" (the AMA licence click-through); others fetch the bare URL
 *   ("open, non-gated CMS download links, verified live 2026-08-25"). The PTP zips on the sibling
 *   page use "2026q4" without a dash, so the dash is optional here.
 * - Members: MCR_MUE_PractitionerServices_Eff_10-01-2026.csv (one project reads .xlsx from the
 *   2026 Q2 zips): this pipeline's files rule (^mcr_mue_.*services.*\.csv$) takes the CSVs.
 *
 * Release ids are the month the quarter takes effect, YYYY-MM (Q1 → YYYY-01, Q4 → YYYY-10), the
 * convention of pipelines/quarter-release.ts. A quarter is fetched only when the page links all
 * three service types: a part posted later would otherwise never reach the release folder.
 */

export const MUE_SERVICE_TYPES = ['practitioner', 'outpatient hospital', 'DME supplier'] as const;
type ServiceType = (typeof MUE_SERVICE_TYPES)[number];

const TABLE_ZIP =
  /medicare[\s_-]*ncci[\s_-]*(20\d{2})[\s_-]*q([1-4])[\s_-]*(.*?)[\s_-]*services[\s_-]*mue[\s_-]*table/i;

function serviceTypeOf(words: string): ServiceType | null {
  if (/practitioner/i.test(words)) return 'practitioner';
  if (/outpatient[\s_-]*hospital/i.test(words)) return 'outpatient hospital';
  if (/dme/i.test(words)) return 'DME supplier';
  return null;
}

/** The quarter and service type a zip's file name names, or null. */
export function mueTableOf(href: string): { release: string; serviceType: ServiceType } | null {
  const name = fileNameOf(href);
  if (!/\.zip$/i.test(name)) return null;
  const match = TABLE_ZIP.exec(name);
  if (!match) return null;
  const serviceType = serviceTypeOf(match[3] ?? '');
  if (serviceType === null) return null;
  return { release: yearMonth(match[1] ?? '', 3 * Number(match[2]) - 2), serviceType };
}

/**
 * A table's zip by its file name; else link text naming a service type's MUE table and
 * "<Month> <year>" (e.g. "Practitioner Services MUE Table – January 2026").
 */
export function mueReleaseFromLink(link: PageLink): ReleaseLink | null {
  let release = mueTableOf(link.href)?.release ?? null;
  if (release === null && /\bMUE\b/.test(link.text) && serviceTypeOf(link.text) !== null) {
    const dated = monthYearIn(link.text);
    if (dated && [1, 4, 7, 10].includes(dated.month)) release = yearMonth(dated.year, dated.month);
  }
  if (release === null) return null;
  return { release, effectiveFrom: `${release}-01`, published: null, isFull: true };
}

export function isMueDownloadLink(link: PageLink, release: string): boolean {
  return mueTableOf(link.href)?.release === release;
}

/** Which of the three service types' tables the links lack, or null when all three are there. */
export function mueMissingParts(downloadUrls: readonly string[]): string | null {
  const found = new Set(downloadUrls.map((url) => mueTableOf(url)?.serviceType));
  const missing = MUE_SERVICE_TYPES.filter((type) => !found.has(type));
  return missing.length === 0
    ? null
    : `no ${missing.join(', ')} services MUE table linked yet (a quarter is the three tables)`;
}

/** CMS "Medicare NCCI Medically Unlikely Edits": three zips per quarter, linked directly. */
export const MUE_LANDING_PAGE: LandingPage = {
  source: 'mue',
  url: 'https://www.cms.gov/medicare/coding-billing/national-correct-coding-initiative-ncci-edits/medicare-ncci-medically-unlikely-edits',
  allowedHosts: ['www.cms.gov', 'cms.gov'],
  releaseFromLink: mueReleaseFromLink,
  isDownloadLink: isMueDownloadLink,
  missingParts: mueMissingParts,
};
