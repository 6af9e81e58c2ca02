import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Validators } from './http-client.js';

/**
 * raw/.fetch-state.json: what each server last said about each URL (ETag, Last-Modified) and what
 * that download hashed to, so the next run can ask "changed since?" instead of downloading again.
 * Hidden (dot) name: release discovery under raw/ skips it.
 */
export const FETCH_STATE_FILE_NAME = '.fetch-state.json';

export interface FetchStateEntry {
  etag: string | null;
  last_modified: string | null;
  /** sha256 and size of the body as downloaded (the zip, not its members). */
  sha256: string | null;
  bytes: number | null;
  /** When the body was last downloaded (ISO 8601). */
  fetched_at: string | null;
  /** When the server was last asked, including answers of 304 Not Modified. */
  checked_at: string;
  source?: string;
  release?: string;
}

/**
 * How the last online discovery of a source went, so that `status` can say whether its landing
 * page was found in the shape its parser expects.
 */
export type DiscoveryOutcome =
  /** The page was read and listed releases in the expected shape. */
  | 'found'
  /** The server answered 304 to the validators of the last good read: the same page. */
  | 'not-modified'
  /** The page was reached but no release link (or no file on a release page) was found. */
  | 'changed-shape'
  /** The page could not be fetched (network, timeout, HTTP error). */
  | 'unreachable'
  /** The page was read but a release could not be fetched (download refused or failed). */
  | 'fetch-failed'
  /** A release's file is linked only through a license agreement the operator has not accepted. */
  | 'license-gated';

export interface DiscoveryRecord {
  outcome: DiscoveryOutcome;
  /** The landing page asked for, and where it ended after redirects. */
  page: string;
  final_url: string | null;
  checked_at: string;
  /** When the page was last found in the expected shape (null: never). */
  last_found_at: string | null;
  /** Release ids the page listed when last read in the expected shape. */
  releases: string[];
  /** Validators of the last read after which every listed release was in raw/: sent next time. */
  etag: string | null;
  last_modified: string | null;
  /** What went wrong, naming the page and rule (null when nothing did). */
  message: string | null;
}

export interface FetchState {
  version: 1;
  urls: Record<string, FetchStateEntry>;
  /** The last online discovery of each source, by source id. */
  pages?: Record<string, DiscoveryRecord>;
}

export function fetchStatePath(rawDir: string): string {
  return join(rawDir, FETCH_STATE_FILE_NAME);
}

export async function readFetchState(path: string): Promise<FetchState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, urls: {} };
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `${path}: not valid JSON (${(error as Error).message}); delete it to fetch afresh`,
    );
  }
  const state = parsed as Partial<FetchState>;
  if (
    typeof state !== 'object' ||
    state === null ||
    state.version !== 1 ||
    typeof state.urls !== 'object' ||
    state.urls === null
  ) {
    throw new Error(`${path}: not a fetch state file (expected {"version": 1, "urls": {...}})`);
  }
  if (state.pages !== undefined && (typeof state.pages !== 'object' || state.pages === null)) {
    throw new Error(`${path}: "pages" is not an object of discovery records by source`);
  }
  return {
    version: 1,
    urls: { ...state.urls },
    ...(state.pages ? { pages: { ...state.pages } } : {}),
  };
}

/** The validators to send for a URL, or null when nothing is remembered. */
export function validatorsFor(state: FetchState, url: string): Validators | null {
  const entry = state.urls[url];
  if (!entry || (!entry.etag && !entry.last_modified)) return null;
  return { etag: entry.etag, lastModified: entry.last_modified };
}

/** Re-reads the file, sets one URL's entry and writes it back through a temporary file. */
export async function recordFetch(
  path: string,
  url: string,
  entry: FetchStateEntry,
): Promise<void> {
  const state = await readFetchState(path);
  state.urls[url] = entry;
  await writeFetchState(path, state);
}

/** Re-reads the file, sets one source's discovery record and writes it back. */
export async function recordDiscovery(
  path: string,
  source: string,
  record: DiscoveryRecord,
): Promise<void> {
  const state = await readFetchState(path);
  state.pages = { ...state.pages, [source]: record };
  await writeFetchState(path, state);
}

function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

async function writeFetchState(path: string, state: FetchState): Promise<void> {
  const sorted: FetchState = {
    version: 1,
    urls: sortedByKey(state.urls),
    ...(state.pages ? { pages: sortedByKey(state.pages) } : {}),
  };
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(temporary, `${JSON.stringify(sorted, null, 2)}\n`);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
