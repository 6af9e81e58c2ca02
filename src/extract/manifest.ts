import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';

/** One file of a release as it landed in raw/. */
export interface ManifestFile {
  path: string;
  sha256: string;
  bytes: number;
  /** Where the file came from: a URL, a zip member ("rvu25d.zip!PPRRVU2025_Oct.csv"), or "local". */
  origin: string;
}

/** raw/<source>/<release>/manifest.json: the release's identity, dates and files. */
export interface ReleaseManifest {
  source: string;
  release: string;
  /** Date CMS published the release (YYYY-MM-DD), when known. */
  published: string | null;
  /** First day the release is in force (YYYY-MM-DD). */
  effective_from: string | null;
  /** A full release lists every code; a partial one lists changes only. */
  is_full: boolean;
  /** Landing page or download URL, or "local" for a file dropped in by hand. */
  origin: string;
  license: string;
  fetched_at: string | null;
  files: ManifestFile[];
  notes?: string;
}

export const MANIFEST_FILE_NAME = 'manifest.json';

export async function readManifest(releaseDir: string): Promise<ReleaseManifest | null> {
  const path = join(releaseDir, MANIFEST_FILE_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      path,
      null,
      'invalid manifest',
      `not valid JSON (${(error as Error).message})`,
    );
  }
  return validateManifest(parsed, path);
}

function validateManifest(value: unknown, path: string): ReleaseManifest {
  const m = value as Partial<ReleaseManifest>;
  const problems: string[] = [];
  if (typeof m !== 'object' || m === null) problems.push('not an object');
  if (typeof m.source !== 'string') problems.push('"source" must be a string');
  if (typeof m.release !== 'string') problems.push('"release" must be a string');
  for (const key of ['published', 'effective_from'] as const) {
    const date = m[key];
    if (date !== null && date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(date))) {
      problems.push(`"${key}" must be YYYY-MM-DD or null`);
    }
  }
  if (!Array.isArray(m.files)) problems.push('"files" must be a list');
  for (const [i, f] of (m.files ?? []).entries()) {
    if (typeof f.path !== 'string' || typeof f.sha256 !== 'string' || typeof f.bytes !== 'number') {
      problems.push(`files[${i}] needs path, sha256 and bytes`);
    }
  }
  if (problems.length > 0)
    throw new InputError(path, null, 'invalid manifest', problems.join('; '));
  return {
    published: null,
    effective_from: null,
    is_full: true,
    origin: 'local',
    license: '',
    fetched_at: null,
    ...m,
  } as ReleaseManifest;
}

/** A manifest's file text, as writeManifest writes it. */
export function manifestText(manifest: ReleaseManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Writes through a temporary file so a crash never leaves half a manifest. */
export async function writeManifest(releaseDir: string, manifest: ReleaseManifest): Promise<void> {
  const path = join(releaseDir, MANIFEST_FILE_NAME);
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, manifestText(manifest));
  await rename(temporary, path);
}
