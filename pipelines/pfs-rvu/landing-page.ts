import type {
  LandingPage,
  PageLink,
  ReleaseLink,
} from '../../src/extract/discovery/landing-page.js';
import { fileNameOf, pathOf } from '../landing-page-links.js';

/** First day of the quarter each release letter takes effect (CMS: A Jan, B Apr, C Jul, D Oct). */
const QUARTER_START: Record<string, string> = { A: '01-01', B: '04-01', C: '07-01', D: '10-01' };

const MONTHS = [
  'jan',
  'feb',
  'mar',
  'apr',
  'may',
  'jun',
  'jul',
  'aug',
  'sep',
  'oct',
  'nov',
  'dec',
] as const;

/**
 * "RVU25AR" in link text, or a numbered correction or update ("RVU10AR1", "RVU18C1": CMS's
 * RVU10AR1.zip and rvu18c1.zip); the id must stand alone (not RVU25ARX, not XRVU25A).
 */
const ID_IN_TEXT = /(?<![A-Za-z0-9])RVU(\d{2})([A-D])(R?\d?)(?![A-Za-z0-9])/i;
/** "rvu25d.zip", "rvu25ar-updated.zip" in a file name. */
const ID_IN_FILE_NAME = /(?<![a-z0-9])rvu(\d{2})([a-d])(r?\d?)(?![a-z0-9])/i;

/** A release id named by the link's text, else by the last segment of its URL. */
export function pfsReleaseIdFromLink(link: Pick<PageLink, 'href' | 'text'>): string | null {
  const inText = ID_IN_TEXT.exec(link.text);
  if (inText) return releaseId(inText);
  const inFile = ID_IN_FILE_NAME.exec(zipNameOf(link.href));
  return inFile ? releaseId(inFile) : null;
}

function releaseId(match: RegExpExecArray): string {
  return `RVU${match[1]}${(match[2] ?? '').toUpperCase()}${(match[3] ?? '').toUpperCase()}`;
}

/**
 * A quarterly release takes effect on its quarter's first day (RVU25D → 2025-10-01). A
 * correction (RVU25AR) starts on a date CMS states: taken from the link text ("... effective
 * March 1, 2025"), else from the row around the link when the row names no other release, else
 * null (set it in the manifest by hand).
 */
export function pfsReleaseFromLink(link: PageLink): ReleaseLink | null {
  const release = pfsReleaseIdFromLink(link);
  if (release === null) return null;
  const [, yy, quarter, correction] = /^RVU(\d{2})([A-D])(R?\d?)$/.exec(release) as unknown as [
    string,
    string,
    string,
    string,
  ];
  let effectiveFrom: string | null = null;
  if (correction === '') {
    effectiveFrom = `20${yy}-${QUARTER_START[quarter]}`;
  } else {
    effectiveFrom = effectiveDateIn(link.text);
    if (effectiveFrom === null && namesOnlyRelease(link.context, release)) {
      effectiveFrom = effectiveDateIn(link.context);
    }
  }
  return { release, effectiveFrom, published: null, isFull: true };
}

function namesOnlyRelease(text: string, release: string): boolean {
  const ids = text.match(new RegExp(ID_IN_TEXT.source, 'gi')) ?? [];
  return ids.every((id) => id.toUpperCase() === release);
}

/** "effective", then up to 60 characters within the sentence, then the date. */
const EFFECTIVE = String.raw`\beffective\b[^.;]{0,60}?`;
const MONTH =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const EFFECTIVE_WORDS = new RegExp(
  String.raw`${EFFECTIVE}\b${MONTH}\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`,
  'i',
);
const EFFECTIVE_SLASHED = new RegExp(String.raw`${EFFECTIVE}\b(\d{1,2})/(\d{1,2})/(\d{4})\b`, 'i');
const EFFECTIVE_ISO = new RegExp(String.raw`${EFFECTIVE}\b(\d{4})-(\d{2})-(\d{2})\b`, 'i');

/**
 * The date after "effective" in a text: "effective March 1, 2025", "Effective Date: Mar. 1st,
 * 2025", "effective for services on or after 03/01/2025", "effective 2025-03-01". Null when there
 * is none or it is not a real date.
 */
export function effectiveDateIn(text: string): string | null {
  const words = EFFECTIVE_WORDS.exec(text);
  if (words) {
    const month = MONTHS.indexOf(
      (words[1] ?? '').slice(0, 3).toLowerCase() as (typeof MONTHS)[number],
    );
    return isoDate(Number(words[3]), month + 1, Number(words[2]));
  }
  const slashed = EFFECTIVE_SLASHED.exec(text);
  if (slashed) return isoDate(Number(slashed[3]), Number(slashed[1]), Number(slashed[2]));
  const iso = EFFECTIVE_ISO.exec(text);
  if (iso) return isoDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  return null;
}

function isoDate(year: number, month: number, day: number): string | null {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  ) {
    return null;
  }
  return date.toISOString().slice(0, 10);
}

/**
 * A zip's name as CMS writes it: everything after /files/zip/, where an "updated" date keeps its
 * slashes ("/files/zip/rvu25a-updated-01/10/2025.zip", as RVU25A's item page links it), else
 * the path's last segment.
 */
function zipNameOf(href: string): string {
  const path = pathOf(href);
  const at = path.toLowerCase().indexOf('/files/zip/');
  return at >= 0 ? path.slice(at + '/files/zip/'.length) : fileNameOf(href);
}

/** The release's zip: a .zip link whose file name names this release (rvu25d.zip). */
export function isPfsDownloadLink(link: PageLink, release: string): boolean {
  const name = zipNameOf(link.href);
  if (!/\.zip$/i.test(name)) return false;
  const match = ID_IN_FILE_NAME.exec(name);
  return match !== null && releaseId(match) === release;
}

/**
 * CMS "PFS Relative Value Files": a table of releases (RVU25A … RVU25D, corrections RVU25AR),
 * each linking to its own page, which links the zip (https://www.cms.gov/files/zip/rvu25d.zip).
 */
export const PFS_RVU_LANDING_PAGE: LandingPage = {
  source: 'pfs-rvu',
  url: 'https://www.cms.gov/medicare/payment/fee-schedules/physician/pfs-relative-value-files',
  allowedHosts: ['www.cms.gov', 'cms.gov'],
  releaseFromLink: pfsReleaseFromLink,
  isDownloadLink: isPfsDownloadLink,
};
