import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type ManifestFile, type ReleaseManifest, writeManifest } from '../manifest.js';
import { FetchError } from './errors.js';
import {
  type FetchState,
  fetchStatePath,
  readFetchState,
  recordFetch,
  validatorsFor,
} from './fetch-state.js';
import type { DownloadResult, HttpClient } from './http-client.js';
import { removeStaleTemps, tempName } from './temp-files.js';
import {
  describeSelector,
  type ExtractedMember,
  extractZipMembers,
  type MemberSelector,
  matchesSelector,
  sanitiseMemberName,
  type ZipLimits,
} from './zip.js';

/** One release to download: where its file is and what the manifest should say about it. */
export interface ReleaseDownload {
  source: string;
  /** Release id, also the folder name under raw/<source>/ (e.g. "RVU25D"). */
  release: string;
  /** The zip (or single data file) to download. */
  downloadUrl: string;
  /**
   * Further files of a release published in parts (one zip per part): downloaded after
   * downloadUrl, their wanted members landed in the same folder, all or nothing.
   */
  moreUrls?: readonly string[];
  /** The page that listed the release, recorded in the manifest's notes. */
  pageUrl?: string | null;
  published: string | null;
  effectiveFrom: string | null;
  isFull: boolean;
}

export interface FetchReleaseOptions {
  rawDir: string;
  release: ReleaseDownload;
  client: HttpClient;
  /** Zip members to keep, tested against the member's base name (e.g. /^pprrvu.*\.(csv|txt)$/i). */
  wanted: MemberSelector;
  /** Goes into the manifest's license field (the pipeline's license text). */
  license: string;
  zipLimits?: Partial<ZipLimits>;
  /** Where ETag / Last-Modified are remembered; default raw/.fetch-state.json, null for nowhere. */
  stateFile?: string | null;
  now?: () => Date;
}

export interface FetchedFile {
  url: string;
  finalUrl: string;
  sha256: string;
  bytes: number;
}

export type FetchReleaseResult =
  /** The release landed in raw/<source>/<release>/ with its manifest. */
  | {
      status: 'fetched';
      source: string;
      release: string;
      dir: string;
      manifest: ReleaseManifest;
      download: FetchedFile;
      /** The further files of a release published in parts. */
      parts?: FetchedFile[];
      /** Archive members the selector did not pick (not stored). */
      skipped: string[];
    }
  /** The folder exists and the server says the file is unchanged (304, or the same sha256). */
  | { status: 'unchanged'; source: string; release: string; dir: string }
  /** The folder exists and no validators are remembered: nothing was requested. */
  | { status: 'already-present'; source: string; release: string; dir: string }
  /**
   * The folder exists but the server now sends a different file. Raw files never change after
   * they land, so nothing was written: a person decides (a new release id, or a correction).
   */
  | {
      status: 'changed-upstream';
      source: string;
      release: string;
      dir: string;
      previousSha256: string | null;
      download: FetchedFile;
    };

const SAFE_FOLDER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ZIP_MAGIC = [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('PK\x05\x06', 'latin1')];

/**
 * Downloads a release and lands the wanted files plus manifest.json in raw/<source>/<release>/
 * all at once: the download goes to a temporary file in raw/<source>/, the files are written
 * into a temporary folder beside it, and that folder is renamed into place only when complete.
 * On any error every temporary is removed and raw/<source>/<release>/ does not exist.
 */
export async function fetchRelease(options: FetchReleaseOptions): Promise<FetchReleaseResult> {
  const { rawDir, release, client } = options;
  const url = release.downloadUrl;
  for (const [what, value] of [
    ['source', release.source],
    ['release', release.release],
  ] as const) {
    if (!SAFE_FOLDER.test(value)) {
      throw new FetchError('not-allowed', url, `${what} id "${value}" is not a safe folder name`);
    }
  }
  const sourceDir = join(rawDir, release.source);
  const finalDir = join(sourceDir, release.release);
  const stateFile = options.stateFile === undefined ? fetchStatePath(rawDir) : options.stateFile;
  const now = options.now ?? (() => new Date());
  const state: FetchState = stateFile ? await readFetchState(stateFile) : { version: 1, urls: {} };
  const base = { source: release.source, release: release.release, dir: finalDir };

  await mkdir(sourceDir, { recursive: true });
  await removeStaleTemps(sourceDir);
  const downloadPath = join(sourceDir, tempName(release.release, 'download'));
  const stagingDir = join(sourceDir, tempName(release.release, 'staging'));
  try {
    if (await exists(finalDir)) {
      const validators = validatorsFor(state, url);
      if (validators === null) return { status: 'already-present', ...base };
      const result = await client.download(url, downloadPath, { validators });
      const previous = state.urls[url];
      const checkedAt = now().toISOString();
      if (result.status === 'unchanged' || result.sha256 === previous?.sha256) {
        if (stateFile) {
          await recordFetch(stateFile, url, {
            ...(previous ?? { sha256: null, bytes: null, fetched_at: null }),
            etag: result.validators.etag,
            last_modified: result.validators.lastModified,
            checked_at: checkedAt,
            source: release.source,
            release: release.release,
          });
        }
        return { status: 'unchanged', ...base };
      }
      return {
        status: 'changed-upstream',
        ...base,
        previousSha256: previous?.sha256 ?? null,
        download: fetchedFile(result),
      };
    }

    const urls = [url, ...(release.moreUrls ?? [])];
    await mkdir(stagingDir);
    const files: ManifestFile[] = [];
    const skipped: string[] = [];
    const downloads: Extract<DownloadResult, { status: 'downloaded' }>[] = [];
    for (const partUrl of urls) {
      const result = await client.download(partUrl, downloadPath);
      if (result.status !== 'downloaded') {
        throw new FetchError('http', partUrl, 'server answered 304 to an unconditional request');
      }
      try {
        const staged = await stageFiles(result, partUrl, stagingDir, options);
        files.push(...staged.files);
        skipped.push(...staged.skipped);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new FetchError(
            'conflict',
            partUrl,
            `a file in it has the name of a file an earlier part of ${release.release} already gave: the parts overlap`,
          );
        }
        throw error;
      } finally {
        await rm(downloadPath, { force: true });
      }
      downloads.push(result);
    }
    files.sort((a, b) => a.path.localeCompare(b.path));
    const fetchedAt = now().toISOString();
    const described = downloads
      .map((d) => `${d.finalUrl} (sha256 ${d.sha256}, ${d.bytes} bytes)`)
      .join(', ');
    const manifest: ReleaseManifest = {
      source: release.source,
      release: release.release,
      published: release.published,
      effective_from: release.effectiveFrom,
      is_full: release.isFull,
      origin: url,
      license: options.license,
      fetched_at: fetchedAt,
      notes:
        `Fetched from ${described}` +
        `${release.pageUrl ? `, listed on ${release.pageUrl}` : ''}; files unmodified.`,
      files,
    };
    await writeManifest(stagingDir, manifest);
    try {
      await rename(stagingDir, finalDir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        throw new FetchError('conflict', url, `${finalDir} appeared while fetching; left as it is`);
      }
      throw error;
    }
    if (stateFile) {
      for (const result of downloads) {
        await recordFetch(stateFile, result.url, {
          etag: result.validators.etag,
          last_modified: result.validators.lastModified,
          sha256: result.sha256,
          bytes: result.bytes,
          fetched_at: fetchedAt,
          checked_at: fetchedAt,
          source: release.source,
          release: release.release,
        });
      }
    }
    return {
      status: 'fetched',
      ...base,
      manifest,
      download: fetchedFile(downloads[0] as (typeof downloads)[number]),
      ...(downloads.length > 1 ? { parts: downloads.slice(1).map(fetchedFile) } : {}),
      skipped,
    };
  } finally {
    await rm(downloadPath, { force: true });
    await rm(stagingDir, { recursive: true, force: true });
  }
}

/** Extracts the wanted zip members (or moves a single data file) into the staging folder. */
async function stageFiles(
  result: Extract<DownloadResult, { status: 'downloaded' }>,
  url: string,
  stagingDir: string,
  options: FetchReleaseOptions,
): Promise<{ files: ManifestFile[]; skipped: string[] }> {
  if (await isZip(result.path)) {
    const { members, skipped } = await extractZipMembers(result.path, stagingDir, options.wanted, {
      label: url,
      ...(options.zipLimits ? { limits: options.zipLimits } : {}),
    });
    if (members.length === 0) {
      throw new FetchError(
        'no-wanted-files',
        url,
        `the zip holds none of the wanted files (${describeSelector(options.wanted)}); it has: ${
          skipped.join(', ') || 'no files'
        }`,
      );
    }
    return {
      files: members
        .map((m: ExtractedMember) => ({
          path: m.name,
          sha256: m.sha256,
          bytes: m.bytes,
          origin: `${url}!${m.member}`,
        }))
        .sort((a, b) => a.path.localeCompare(b.path)),
      skipped,
    };
  }
  if (/\.zip$/i.test(new URL(url).pathname)) {
    throw new FetchError(
      'bad-zip',
      url,
      'expected a zip archive but the file does not start with PK',
    );
  }
  const rawName = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  const name = sanitiseMemberName(rawName);
  if (name === null || !matchesSelector(options.wanted, name, name)) {
    throw new FetchError(
      'no-wanted-files',
      url,
      `the file "${rawName}" is not one of the wanted files (${describeSelector(options.wanted)})`,
    );
  }
  if (await exists(join(stagingDir, name))) {
    throw Object.assign(new Error(`${name} exists`), { code: 'EEXIST' });
  }
  await rename(result.path, join(stagingDir, name));
  return {
    files: [{ path: name, sha256: result.sha256, bytes: result.bytes, origin: url }],
    skipped: [],
  };
}

function fetchedFile(result: Extract<DownloadResult, { status: 'downloaded' }>): FetchedFile {
  return { url: result.url, finalUrl: result.finalUrl, sha256: result.sha256, bytes: result.bytes };
}

async function isZip(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await file.read(head, 0, 4, 0);
    return bytesRead === 4 && ZIP_MAGIC.some((magic) => magic.equals(head));
  } finally {
    await file.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
