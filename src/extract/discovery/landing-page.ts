import { loadHtml } from '../../load-html.js';

/** One link on a page, resolved and with the text around it. */
export interface PageLink {
  /** Absolute URL, resolved against the page's URL. */
  href: string;
  /** The link's visible text, white space collapsed. */
  text: string;
  /** Text of the table row (or list item) holding the link: dates and notes live there. */
  context: string;
}

/** What a link says about a release. */
export interface ReleaseLink {
  release: string;
  effectiveFrom: string | null;
  published: string | null;
  isFull: boolean;
}

/** A source's landing page: where it is and which of its links name releases. */
export interface LandingPage {
  source: string;
  url: string;
  /** Hosts the page, the releases' own pages and their files are served from. */
  allowedHosts: readonly string[];
  /** The release a link names, or null for every link the source does not want. */
  releaseFromLink(link: PageLink): ReleaseLink | null;
  /** Whether a link is the data file (zip) of `release`, on the landing page or a release page. */
  isDownloadLink(link: PageLink, release: string): boolean;
  /**
   * For a release published as several files (one zip per part): why the files found so far do
   * not make the whole release yet (e.g. "no DME supplier table"), or null when they do. An
   * incomplete release is left for a later run rather than landed in part. Default: one file is
   * the whole release.
   */
  missingParts?(downloadUrls: readonly string[], release: string): string | null;
}

/** A release the landing page lists. */
export interface ReleaseCandidate extends ReleaseLink {
  source: string;
  /** The landing page it was found on. */
  pageUrl: string;
  /** The link that names the release: the release's own page, or its file. */
  linkUrl: string;
  linkText: string;
  /** The file, when the landing page links it directly; otherwise found on linkUrl's page. */
  downloadUrl: string | null;
  /** Every file of the release the landing page links (downloadUrl first), for multi-part releases. */
  downloadUrls: string[];
}

/** Every `a[href]` of an HTML page, resolved against `baseUrl`, in document order. */
export function extractLinks(html: string, baseUrl: string): PageLink[] {
  const $ = loadHtml(html);
  const links: PageLink[] = [];
  $('a[href]').each((_, element) => {
    const anchor = $(element);
    const raw = (anchor.attr('href') ?? '').trim();
    if (raw === '' || raw.startsWith('#') || /^(javascript|mailto|tel):/i.test(raw)) return;
    let href: string;
    try {
      href = new URL(raw, baseUrl).href;
    } catch {
      return;
    }
    const holder = anchor.closest('tr, li');
    links.push({
      href,
      text: collapse(anchor.text()),
      context: collapse((holder.length > 0 ? holder : anchor.parent()).text()),
    });
  });
  return links;
}

/**
 * The releases a landing page lists, one candidate per release id in page order. Several links
 * naming one release (its page and its zip) merge: the zip becomes the download URL.
 */
export function parseLandingPage(
  html: string,
  pageUrl: string,
  page: LandingPage,
): ReleaseCandidate[] {
  const byRelease = new Map<string, ReleaseCandidate>();
  for (const link of extractLinks(html, pageUrl)) {
    const found = page.releaseFromLink(link);
    if (found === null) continue;
    const isDownload = page.isDownloadLink(link, found.release);
    const known = byRelease.get(found.release);
    if (known === undefined) {
      byRelease.set(found.release, {
        ...found,
        source: page.source,
        pageUrl,
        linkUrl: link.href,
        linkText: link.text,
        downloadUrl: isDownload ? link.href : null,
        downloadUrls: isDownload ? [link.href] : [],
      });
      continue;
    }
    // The release's own page (no file extension) beats a document or file link as linkUrl.
    if (!isPageUrl(known.linkUrl) && isPageUrl(link.href)) {
      known.linkUrl = link.href;
      known.linkText = link.text;
    }
    known.effectiveFrom ??= found.effectiveFrom;
    known.published ??= found.published;
    if (isDownload) {
      known.downloadUrl ??= link.href;
      if (!known.downloadUrls.includes(link.href)) known.downloadUrls.push(link.href);
    }
  }
  return [...byRelease.values()];
}

/**
 * On a release's own page, the link to its file: a link the landing page accepts for this
 * release, else the page's only zip link. Null when neither exists.
 */
export function findDownloadLink(
  html: string,
  pageUrl: string,
  page: LandingPage,
  release: string,
): string | null {
  const links = extractLinks(html, pageUrl);
  const named = links.find((link) => page.isDownloadLink(link, release));
  if (named) return named.href;
  const zips = [
    ...new Set(links.filter((l) => /\.zip$/i.test(new URL(l.href).pathname)).map((l) => l.href)),
  ];
  return zips.length === 1 ? (zips[0] as string) : null;
}

/**
 * On a release's own page, its file linked only through a license agreement: a link whose
 * `file` parameter names a zip ("/license/ama?file=/files/zip/x.zip", "/apps/ama/license.asp?
 * file=..."), taken as download links are (named for the release, else the page's only one).
 */
export function findLicenseGatedLink(
  html: string,
  pageUrl: string,
  page: LandingPage,
  release: string,
): { agreement: string; file: string } | null {
  const gated = extractLinks(html, pageUrl).flatMap((link) => {
    const file = new URL(link.href).searchParams.get('file');
    if (!file || !/\.zip$/i.test(file)) return [];
    return [{ link, agreement: link.href, file: new URL(file, link.href).href }];
  });
  const named = gated.find((g) => page.isDownloadLink({ ...g.link, href: g.file }, release));
  if (named) return { agreement: named.agreement, file: named.file };
  const files = [...new Set(gated.map((g) => g.file))];
  const only = gated.find((g) => g.file === files[0]);
  return files.length === 1 && only ? { agreement: only.agreement, file: only.file } : null;
}

/**
 * The operator has read CMS's AMA license agreement and accepts its terms for the files an
 * online refresh fetches through it (FSE_ACCEPT_AMA_LICENSE=1): never assumed.
 */
export function amaLicenseAccepted(): boolean {
  return process.env.FSE_ACCEPT_AMA_LICENSE === '1';
}

/** A web page rather than a file: the last path segment has no extension such as .pdf or .zip. */
function isPageUrl(href: string): boolean {
  return !/\.[a-z0-9]{2,5}$/i.test(new URL(href).pathname);
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
