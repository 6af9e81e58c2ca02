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

export interface FetchState {
  version: 1;
  urls: Record<string, FetchStateEntry>;
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
  return { version: 1, urls: { ...state.urls } };
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
  const sorted: FetchState = {
    version: 1,
    urls: Object.fromEntries(Object.entries(state.urls).sort(([a], [b]) => a.localeCompare(b))),
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
