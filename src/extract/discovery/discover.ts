import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PipelineDefinition } from '../../pipeline-definition.js';
import {
  type FetchReleaseResult,
  fetchRelease,
  type ReleaseDownload,
} from '../fetch/fetch-release.js';
import { DEFAULT_HTTP_OPTIONS, HttpClient, type HttpClientOptions } from '../fetch/http-client.js';
import { HostRateLimiter } from '../fetch/rate-limit.js';
import type { MemberSelector, ZipLimits } from '../fetch/zip.js';
import {
  DiscoveryError,
  findDownloadLink,
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
export function wantedMembersOf(pipeline: PipelineDefinition): MemberSelector {
  return pipeline.files.map((rule) => rule.pattern);
}

/** Every release the landing page lists. A page listing none is an error (its layout changed). */
export async function discoverReleases(
  page: LandingPage,
  client: HttpClient,
): Promise<ReleaseCandidate[]> {
  const { text, finalUrl } = await client.getText(page.url);
  const candidates = parseLandingPage(text, finalUrl, page);
  if (candidates.length === 0) {
    throw new DiscoveryError(
      finalUrl,
      `no ${page.source} release links found on the landing page; has its layout changed?`,
    );
  }
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
  if (candidate.downloadUrl !== null) return candidate.downloadUrl;
  const { text, finalUrl } = await client.getText(candidate.linkUrl);
  const url = findDownloadLink(text, finalUrl, page, candidate.release);
  if (url === null) {
    throw new DiscoveryError(
      finalUrl,
      `no download link for ${candidate.release} on its release page`,
    );
  }
  return url;
}

export function toReleaseDownload(
  candidate: ReleaseCandidate,
  downloadUrl: string,
): ReleaseDownload {
  return {
    source: candidate.source,
    release: candidate.release,
    downloadUrl,
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
 */
export async function fetchNewReleases(
  options: FetchNewReleasesOptions,
): Promise<FetchReleaseResult[]> {
  const { page, client, log } = options;
  const candidates = await discoverNewReleases(options.rawDir, page.source, page, { client });
  log?.(
    `${page.source}: ${candidates.length} new release(s) on ${page.url}` +
      (candidates.length ? `: ${candidates.map((c) => c.release).join(', ')}` : ''),
  );
  const results: FetchReleaseResult[] = [];
  for (const candidate of candidates) {
    const downloadUrl = await resolveDownloadUrl(candidate, page, client);
    const result = await fetchRelease({
      rawDir: options.rawDir,
      release: toReleaseDownload(candidate, downloadUrl),
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
  }
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
  for (const pipeline of options.pipelines) {
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
    results.push(
      ...(await fetchNewReleases({
        rawDir: options.rawDir,
        page,
        client,
        wanted: wantedMembersOf(pipeline),
        license: pipeline.license,
        ...(options.stateFile !== undefined ? { stateFile: options.stateFile } : {}),
        ...(options.log ? { log: options.log } : {}),
      })),
    );
  }
  return results;
}
