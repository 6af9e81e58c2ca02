import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReleaseManifest } from '../../src/extract/manifest.js';

/** The repository's raw/ folder: read it, never write to it (refresh writes missing manifests). */
export const REPO_RAW_DIR = fileURLToPath(new URL('../../raw', import.meta.url));

/** The RVU25D release under raw/, and its lineage keys as refresh records them. */
export const RELEASE_SUBDIR = join('pfs-rvu', 'RVU25D');
export const CSV_NAME = 'PPRRVU2025_Oct.csv';
export const TXT_NAME = 'PPRRVU2025_Oct.txt';
export const CSV_KEY = 'pfs-rvu/RVU25D/PPRRVU2025_Oct.csv';
export const TXT_KEY = 'pfs-rvu/RVU25D/PPRRVU2025_Oct.txt';

/** A manifest as raw/<source>/<release>/manifest.json holds it. */
export type ManifestJson = ReleaseManifest;

const created: string[] = [];

/** A fresh folder under the OS temp dir, removed by removeTempDirs(). */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `fse-${prefix}-`));
  created.push(dir);
  return dir;
}

/** Removes every folder makeTempDir() created in this test file. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export interface CopyRawOptions {
  /** Drop raw/pfs-rvu/RVU25D/manifest.json from the copy. */
  withoutManifest?: boolean;
  /** Drop the fixed-width TXT variant from the copy (and from its manifest, if one is kept). */
  withoutTxt?: boolean;
  /** The folder to copy into (a shared build's), instead of a temp dir of this test file. */
  parent?: string;
}

/**
 * A temp raw dir holding a copy of the repository's raw/pfs-rvu/ (other sources are left out:
 * these tests are about PFS, and a refresh of them would only slow the suite down).
 */
export async function copyRaw(options: CopyRawOptions = {}): Promise<string> {
  const dir = join(options.parent ?? (await makeTempDir('raw')), 'raw');
  await cp(join(REPO_RAW_DIR, 'pfs-rvu'), join(dir, 'pfs-rvu'), { recursive: true });
  const release = join(dir, RELEASE_SUBDIR);
  if (options.withoutManifest) await rm(join(release, 'manifest.json'));
  if (options.withoutTxt) {
    await rm(join(release, TXT_NAME));
    if (!options.withoutManifest) {
      const manifest = await readManifestJson(dir);
      manifest.files = manifest.files.filter((f) => f.path !== TXT_NAME);
      await writeFile(join(release, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    }
  }
  return dir;
}

/** Path of a file of the RVU25D release inside a raw dir. */
export function releaseFile(rawDir: string, name: string): string {
  return join(rawDir, RELEASE_SUBDIR, name);
}

export async function readManifestJson(rawDir: string): Promise<ManifestJson> {
  return JSON.parse(await readFile(releaseFile(rawDir, 'manifest.json'), 'utf8')) as ManifestJson;
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Every entry under dir (hidden ones included), keyed by path relative to dir: a file as its
 * sha256, a symlink as "-> target" (not followed), a folder as "dir". Nothing is skipped, so two
 * snapshots are equal only if no file, link or folder was added, removed or changed.
 */
export async function hashTree(dir: string): Promise<Record<string, string>> {
  const entries: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const key = relative(dir, path);
    if (entry.isSymbolicLink()) entries[key] = `-> ${await readlink(path)}`;
    else if (entry.isDirectory()) entries[key] = 'dir';
    else if (entry.isFile()) entries[key] = sha256(await readFile(path));
    else entries[key] = 'other';
  }
  return Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)));
}

/** Files and symlinks under dir (folders left out): what a run published or left behind. */
export async function filesUnder(dir: string): Promise<string[]> {
  return Object.entries(await hashTree(dir))
    .filter(([, value]) => value !== 'dir')
    .map(([key]) => key);
}

/**
 * Splits a file into lines keeping each line's ending, as latin1 so every byte round-trips.
 * Index 0 is line 1.
 */
export async function readFileLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'latin1');
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export function joinLines(lines: readonly string[]): Buffer {
  return Buffer.from(lines.join(''), 'latin1');
}

/** A raw dir with the RVU25D PPRRVU CSV cut to its header and the first `rows` data lines. */
export async function smallPfsRaw(rows: number, prefix: string): Promise<string> {
  const rawDir = join(await makeTempDir(prefix), 'raw');
  const dir = join(rawDir, RELEASE_SUBDIR);
  await mkdir(dir, { recursive: true });
  const bytes = await readFile(join(REPO_RAW_DIR, RELEASE_SUBDIR, CSV_NAME));
  let end = 0;
  for (let i = 0; i < 10 + rows; i++) end = bytes.indexOf(0x0a, end) + 1;
  await writeFile(join(dir, CSV_NAME), bytes.subarray(0, end));
  return rawDir;
}
