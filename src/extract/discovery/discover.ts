import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PipelineDefinition } from '../../pipeline-definition.js';
import {
  type FetchReleaseResult,
  fetchRelease,
  type ReleaseDownload,
} from '../fetch/fetch-release.js';
import {
  type DiscoveryRecord,
  fetchStatePath,
  readFetchState,
  recordDiscovery,
} from '../fetch/fetch-state.js';
import {
  DEFAULT_HTTP_OPTIONS,
  HttpClient,
  type HttpClientOptions,
  type PageResult,
} from '../fetch/http-client.js';
import { HostRateLimiter } from '../fetch/rate-limit.js';
import type { MemberSelector, ZipLimits } from '../fetch/zip.js';
import { DiscoveryError, type SourceFailure, SourcesFailedError } from './errors.js';
import {
  amaLicenseAccepted,
  extractLinks,
  findDownloadLink,
  findLicenseGatedLink,
  type LandingPage,
  parseLandingPage,
  type ReleaseCandidate,
} from './landing-page.js';

/** An HTTP client whose allowlist is the page's hosts. */
export function clientForPage(
  page: LandingPage,
  options: Partial<HttpClientOptions> = {},
): HttpClient {
  return new HttpClient({ allowedHosts: page.allowedHosts, ...options });
}

/** The zip members a pipeline reads: the patterns of its file rules. */
export function wantedMembersOf(
  pipeline: PipelineDefinition,
  shippedWith: readonly PipelineDefinition[] = [],
): MemberSelector {
  return [pipeline, ...shippedWith].flatMap((p) => p.files.map((rule) => rule.pattern));
}

/** The error for a landing page that was read but lists no release of the expected shape. */
export function noReleaseLinksError(page: LandingPage, finalUrl: string): DiscoveryError {
  return new DiscoveryError(
    finalUrl,
    `no ${page.source} release links found on the landing page: the page was reached but has ` +
      `changed shape (no link matches the rules in pipelines/${page.source}/landing-page.ts); ` +
      'has its layout changed? Nothing of this source was fetched.',
    { kind: 'changed-shape', source: page.source },
  );
}

/** Every release the landing page lists. A page listing none is an error (its layout changed). */
export async function discoverReleases(
  page: LandingPage,
  client: HttpClient,
): Promise<ReleaseCandidate[]> {
  const { text, finalUrl } = await client.getText(page.url);
  const candidates = parseLandingPage(text, finalUrl, page);
  if (candidates.length === 0) throw noReleaseLinksError(page, finalUrl);
  return candidates;
}

/** Release folders already in raw/<source>/ (upper-cased ids; hidden temporaries skipped). */
export async function presentReleases(rawDir: string, source: string): Promise<Set<string>> {
  try {
    const entries = await readdir(join(rawDir, source), { withFileTypes: true });
    return new Set(
      entries
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => e.name.toUpperCase()),
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw error;
  }
}

/** The releases the landing page lists that raw/<source>/ does not have yet. */
export async function discoverNewReleases(
  rawDir: string,
  source: string,
  page: LandingPage,
  options: { client: HttpClient },
): Promise<ReleaseCandidate[]> {
  if (page.source !== source) {
    throw new Error(`landing page for "${page.source}" used to discover "${source}" releases`);
  }
  const candidates = await discoverReleases(page, options.client);
  const present = await presentReleases(rawDir, source);
  return candidates.filter((c) => !present.has(c.release.toUpperCase()));
}

/** The candidate's file URL: linked from the landing page, or found on the release's own page. */
export async function resolveDownloadUrl(
  candidate: ReleaseCandidate,
  page: LandingPage,
  client: HttpClient,
): Promise<string> {
  return (await resolveDownloadUrls(candidate, page, client))[0] as string;
}

/**
 * Every file of the candidate: the ones the landing page links, else the ones its own page
 * links (the page's only zip when none is named). Throws when there is none.
 */
export async function resolveDownloadUrls(
  candidate: ReleaseCandidate,
  page: LandingPage,
  client: HttpClient,
): Promise<string[]> {
  if (candidate.downloadUrls.length > 0) return candidate.downloadUrls;
  if (candidate.downloadUrl !== null) return [candidate.downloadUrl];
  const { text, finalUrl } = await client.getText(candidate.linkUrl);
  const named = [
    ...new Set(
      extractLinks(text, finalUrl)
        .filter((link) => page.isDownloadLink(link, candidate.release))
        .map((link) => link.href),
    ),
  ];
  if (named.length > 0) return named;
  const url = findDownloadLink(text, finalUrl, page, candidate.release);
  if (url === null) {
    const gated = findLicenseGatedLink(text, finalUrl, page, candidate.release);
    if (gated) {
      if (amaLicenseAccepted()) return [gated.file];
      throw new DiscoveryError(
        finalUrl,
        `${candidate.release}'s file is linked only through CMS's AMA license agreement ` +
          `(${gated.agreement}). Read it; to have online refreshes fetch ${gated.file} under its ` +
          `terms, set FSE_ACCEPT_AMA_LICENSE=1. Or download the file yourself into ` +
          `raw/${page.source}/${candidate.release}/.`,
        { kind: 'license-gated', source: page.source },
      );
    }
    throw new DiscoveryError(
      finalUrl,
      `no download link for ${candidate.release} on its release page: the page was reached but ` +
        `has changed shape (no link matches the rules in pipelines/${page.source}/landing-page.ts)`,
      { kind: 'changed-shape', source: page.source },
    );
  }
  return [url];
}

export function toReleaseDownload(
  candidate: ReleaseCandidate,
  downloadUrl: string,
  moreUrls: readonly string[] = [],
): ReleaseDownload {
  return {
    source: candidate.source,
    release: candidate.release,
    downloadUrl,
    ...(moreUrls.length > 0 ? { moreUrls } : {}),
    pageUrl: candidate.linkUrl === downloadUrl ? candidate.pageUrl : candidate.linkUrl,
    published: candidate.published,
    effectiveFrom: candidate.effectiveFrom,
    isFull: candidate.isFull,
  };
}

export interface FetchNewReleasesOptions {
  rawDir: string;
  page: LandingPage;
  client: HttpClient;
  /** Zip members to keep (e.g. wantedMembersOf(pipeline)). */
  wanted: MemberSelector;
  license: string;
  zipLimits?: Partial<ZipLimits>;
  stateFile?: string | null;
  log?: (line: string) => void;
}

/**
 * Discovers the releases raw/<source>/ lacks and lands each one atomically. Stops at the first
 * failure: releases fetched before it stay, the failing one leaves nothing behind.
 *
 * The landing page is asked for conditionally (ETag / Last-Modified of the last read) when that
 * read was in the expected shape and every release it listed is in raw/: a 304 answer means
 * nothing new, and nothing else is requested. The outcome is recorded per source in the fetch
 * state file for `status`.
 */
export async function fetchNewReleases(
  options: FetchNewReleasesOptions,
): Promise<FetchReleaseResult[]> {
  const { page, client, log } = options;
  const stateFile =
    options.stateFile === undefined ? fetchStatePath(options.rawDir) : options.stateFile;
  const previous = stateFile ? (await readFetchState(stateFile)).pages?.[page.source] : undefined;
  const present = await presentReleases(options.rawDir, page.source);
  const checkedAt = new Date().toISOString();
  const record = async (entry: Partial<DiscoveryRecord> & Pick<DiscoveryRecord, 'outcome'>) => {
    if (!stateFile) return;
    await recordDiscovery(stateFile, page.source, {
      page: page.url,
      final_url: null,
      checked_at: checkedAt,
      last_found_at: previous?.last_found_at ?? null,
      releases: previous?.releases ?? [],
      etag: null,
      last_modified: null,
      message: null,
      ...entry,
    });
  };

  const reusable =
    previous !== undefined &&
    previous.page === page.url &&
    (previous.etag !== null || previous.last_modified !== null) &&
    previous.releases.every((r) => present.has(r.toUpperCase()));
  let response: PageResult;
  try {
    response = await client.getPage(page.url, {
      validators: reusable ? { etag: previous.etag, lastModified: previous.last_modified } : null,
    });
  } catch (error) {
    await record({
      outcome: 'unreachable',
      message: `${page.source}: ${(error as Error).message}`,
      etag: previous?.etag ?? null,
      last_modified: previous?.last_modified ?? null,
    });
    throw error;
  }
  if (response.status === 'unchanged') {
    await record({
      outcome: 'not-modified',
      final_url: response.finalUrl,
      etag: response.validators.etag,
      last_modified: response.validators.lastModified,
    });
    log?.(
      `${page.source}: ${page.url} unchanged since ${previous?.checked_at} (HTTP 304): nothing new`,
    );
    return [];
  }
  const finalUrl = response.finalUrl;
  const listed = parseLandingPage(response.text, finalUrl, page);
  if (listed.length === 0) {
    const error = noReleaseLinksError(page, finalUrl);
    await record({
      outcome: 'changed-shape',
      final_url: finalUrl,
      message: `${page.source}: ${error.message}`,
    });
    throw error;
  }
  const found = {
    final_url: finalUrl,
    last_found_at: checkedAt,
    releases: listed.map((c) => c.release),
  };
  const candidates = listed.filter((c) => !present.has(c.release.toUpperCase()));
  log?.(
    `${page.source}: ${candidates.length} new release(s) on ${page.url}` +
      (candidates.length ? `: ${candidates.map((c) => c.release).join(', ')}` : ''),
  );
  const results: FetchReleaseResult[] = [];
  let allLanded = true;
  for (const candidate of candidates) {
    try {
      const linked = await resolveDownloadUrls(candidate, page, client);
      // A source published in parts takes every file; otherwise the first link is the release
      // (an "updated" zip listed beside the original names the same release).
      const urls = page.missingParts ? linked : linked.slice(0, 1);
      const missing = page.missingParts?.(urls, candidate.release) ?? null;
      if (missing !== null) {
        allLanded = false;
        log?.(
          `${page.source} ${candidate.release}: not fetched yet, the page lists it in part: ${missing}`,
        );
        continue;
      }
      const [first, ...more] = urls as [string, ...string[]];
      const result = await fetchRelease({
        rawDir: options.rawDir,
        release: toReleaseDownload(candidate, first, more),
        client,
        wanted: options.wanted,
        license: options.license,
        ...(options.zipLimits ? { zipLimits: options.zipLimits } : {}),
        ...(options.stateFile !== undefined ? { stateFile: options.stateFile } : {}),
      });
      log?.(
        `${page.source} ${candidate.release}: ${result.status}` +
          (result.status === 'fetched'
            ? ` (${result.manifest.files.map((f) => f.path).join(', ')}; effective ${
                result.manifest.effective_from ?? 'unknown: set effective_from in the manifest'
              })`
            : ''),
      );
      results.push(result);
    } catch (error) {
      await record({
        ...found,
        outcome: error instanceof DiscoveryError ? error.kind : 'fetch-failed',
        message: `${page.source} ${candidate.release}: ${(error as Error).message}`,
      });
      throw error;
    }
  }
  await record({
    ...found,
    outcome: 'found',
    // Remembered only when raw/ now holds every release listed: a 304 then means nothing to do.
    etag: allLanded ? response.validators.etag : null,
    last_modified: allLanded ? response.validators.lastModified : null,
  });
  return results;
}

export interface FetchPipelinesOptions {
  rawDir: string;
  pipelines: readonly PipelineDefinition[];
  /** Overrides for every source's HTTP client (timeouts, rate); the allowlist comes from the page. */
  clientOptions?: Partial<HttpClientOptions>;
  /** Landing pages by source; default: each pipeline's own (`discovery`). */
  pages?: Readonly<Record<string, LandingPage>>;
  stateFile?: string | null;
  log?: (line: string) => void;
}

/** `refresh --online`: fetch what is new for every pipeline that has a landing page. */
export async function fetchNewPipelineReleases(
  options: FetchPipelinesOptions,
): Promise<FetchReleaseResult[]> {
  // One politeness queue per host across every source: two sources on www.cms.gov share it.
  const rateLimiter = new HostRateLimiter(
    options.clientOptions?.minRequestIntervalMs ?? DEFAULT_HTTP_OPTIONS.minRequestIntervalMs,
  );
  const results: FetchReleaseResult[] = [];
  const failures: SourceFailure[] = [];
  for (const pipeline of options.pipelines) {
    if (pipeline.releasesOf) {
      options.log?.(`${pipeline.source}: fetched with the releases of ${pipeline.releasesOf}`);
      continue;
    }
    const page = options.pages ? options.pages[pipeline.source] : pipeline.discovery;
    if (!page) {
      options.log?.(`${pipeline.source}: no landing page known; not fetched online`);
      continue;
    }
    const client = clientForPage(page, {
      ...options.clientOptions,
      rateLimiter,
      ...(options.log ? { log: options.log } : {}),
    });
    try {
      results.push(
        ...(await fetchNewReleases({
          rawDir: options.rawDir,
          page,
          client,
          // Files of sources that ship in this source's releases land with it.
          wanted: wantedMembersOf(
            pipeline,
            options.pipelines.filter((p) => p.releasesOf === pipeline.source),
          ),
          license: pipeline.license,
          ...(options.stateFile !== undefined ? { stateFile: options.stateFile } : {}),
          ...(options.log ? { log: options.log } : {}),
        })),
      );
    } catch (error) {
      // The other sources are still asked, so that one changed page does not hide another.
      failures.push({ source: pipeline.source, page: page.url, error: error as Error });
      options.log?.(`${pipeline.source}: discovery failed: ${(error as Error).message}`);
    }
  }
  if (failures.length > 0) throw new SourcesFailedError(failures);
  return results;
}
