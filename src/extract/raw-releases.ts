import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import type { FileRule, PipelineDefinition, ReleaseDates } from '../pipeline-definition.js';
import { type FileProfile, profileFile } from './file-profile.js';
import { listFolder } from './list-folder.js';
import {
  MANIFEST_FILE_NAME,
  type ManifestFile,
  type ReleaseManifest,
  readManifest,
} from './manifest.js';

/**
 * The releases this run reads (all of them, or those added to a published run): checks of what
 * does not change from one release to the next look only at these.
 */
export const RELEASES_READ = '_releases_read';

export interface RawFile {
  /** Absolute path on disk. */
  path: string;
  /** Path under the raw folder, "<source>/<release>/<file>": the lineage key. */
  relativePath: string;
  name: string;
  rule: FileRule;
  profile: FileProfile;
  origin: string;
}

export interface RawRelease {
  source: string;
  release: string;
  dir: string;
  manifest: ReleaseManifest;
  /**
   * True when the folder has no manifest or one that does not list every file (a file dropped
   * in by hand): the run writes `manifest` once it has published what it read, never before, so
   * that a blocked run records nothing and a file still being copied is simply read again.
   */
  manifestWritten: boolean;
  /** The files loaded: one, or several parts (e.g. one per service type). */
  primaries: RawFile[];
  variants: RawFile[];
  /** Files in the folder that no rule of the pipeline reads. */
  ignored: string[];
}

/** The folder under raw/ a pipeline reads: its own, or that of the source it ships with. */
export function rawFolderOf(pipeline: PipelineDefinition): string {
  return pipeline.releasesOf ?? pipeline.source;
}

/**
 * Lists raw/<source>/<release>/ folders (a manifest is made, not written, where a release has
 * none or lacks a file). Folders
 * `skip` names ("<source>/<folder>", already loaded and unchanged) are not read at all.
 * `sharing` are the other pipelines reading the same folders: their files are not "ignored".
 */
export async function findRawReleases(
  rawDir: string,
  pipeline: PipelineDefinition,
  skip: ReadonlySet<string> = new Set(),
  sharing: readonly PipelineDefinition[] = [],
): Promise<RawRelease[]> {
  const folderSource = rawFolderOf(pipeline);
  const sourceDir = join(rawDir, folderSource);
  const entries = await listFolder(sourceDir);
  const releases: RawRelease[] = [];
  for (const entry of entries.sort()) {
    const dir = join(sourceDir, entry);
    if (!(await stat(dir)).isDirectory() || entry.startsWith('.')) continue;
    if (skip.has(`${folderSource}/${entry}`)) continue;
    const release = await readRawRelease(rawDir, pipeline, entry, sharing);
    if (release) releases.push(release);
  }
  return releases;
}

async function readRawRelease(
  rawDir: string,
  pipeline: PipelineDefinition,
  folder: string,
  sharing: readonly PipelineDefinition[],
): Promise<RawRelease | null> {
  const folderSource = rawFolderOf(pipeline);
  const dir = join(rawDir, folderSource, folder);
  if (await exists(join(dir, MANIFEST_FILE_NAME))) {
    await requireRegularFile(join(dir, MANIFEST_FILE_NAME));
  }
  const existing = await readManifest(dir);
  const manifest: ReleaseManifest = existing ?? manifestFromFolder(pipeline, folder, dir, sharing);
  // The id names Parquet partitions (release=<id>/): letters, digits, dot, dash, underscore only.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(manifest.release)) {
    throw new InputError(
      join(dir, MANIFEST_FILE_NAME),
      null,
      'unsafe release id',
      `"${manifest.release}" must be letters, digits, ".", "-" or "_"`,
    );
  }
  if (manifest.source !== folderSource) {
    throw new InputError(
      join(dir, MANIFEST_FILE_NAME),
      null,
      'manifest does not match its folder',
      `source "${manifest.source}" in a folder under raw/${folderSource}/`,
    );
  }
  let manifestWritten = existing === null;

  const names = (await readdir(dir)).filter((n) => n !== MANIFEST_FILE_NAME && !n.startsWith('.'));
  // A source that ships in another's releases has none in a folder without its files.
  if (pipeline.releasesOf && !names.some((n) => pipeline.files.some((r) => r.pattern.test(n)))) {
    return null;
  }
  const files: RawFile[] = [];
  const ignored: string[] = [];
  for (const name of names.sort()) {
    const rule = pipeline.files.find((r) => r.pattern.test(name));
    if (!rule) {
      if (!sharing.some((p) => p.files.some((r) => r.pattern.test(name)))) ignored.push(name);
      continue;
    }
    const path = join(dir, name);
    await requireRegularFile(path);
    const profile = await profileFile(path);
    const listed = manifest.files.find((f) => f.path === name);
    if (listed) {
      checkAgainstManifest(path, listed, profile);
    } else {
      manifest.files.push({
        path: name,
        sha256: profile.sha256,
        bytes: profile.bytes,
        origin: 'local',
      });
      manifestWritten = true;
    }
    files.push({
      path,
      relativePath: `${folderSource}/${folder}/${name}`,
      name,
      rule,
      profile,
      origin: listed?.origin ?? 'local',
    });
  }
  for (const listed of manifest.files) {
    if (!names.includes(listed.path)) {
      throw new InputError(
        join(dir, listed.path),
        null,
        'missing file',
        'listed in the manifest but missing from the folder',
      );
    }
  }

  // Where no file is read, a zip unpacked with its folders may hold them one level down.
  const inSubfolders = files.some((f) => f.rule.role !== 'variant')
    ? []
    : await filesInSubfolders(dir, pipeline);
  const primaries = choosePrimaries(files, pipeline, dir, inSubfolders);
  return {
    source: pipeline.source,
    release: manifest.release,
    dir,
    manifest,
    manifestWritten,
    primaries,
    variants: files.filter((f) => !primaries.includes(f)),
    ignored,
  };
}

/**
 * The manifests a run writes once published, one per release folder: sources sharing a folder
 * each list the files they read, so their lists are joined.
 */
export function manifestsToWrite(
  releases: readonly RawRelease[],
): { dir: string; manifest: ReleaseManifest }[] {
  const byDir = new Map<string, ReleaseManifest>();
  for (const release of releases.filter((r) => r.manifestWritten)) {
    const known = byDir.get(release.dir);
    if (!known) {
      byDir.set(release.dir, { ...release.manifest, files: [...release.manifest.files] });
      continue;
    }
    for (const file of release.manifest.files) {
      if (!known.files.some((f) => f.path === file.path)) known.files.push(file);
    }
  }
  return [...byDir].map(([dir, manifest]) => ({
    dir,
    manifest: { ...manifest, files: manifest.files.sort((a, b) => a.path.localeCompare(b.path)) },
  }));
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Only regular files are read (after following a link): opening a FIFO waits for a writer that
 * never comes, a device such as /dev/zero never ends, and either would hold the lock for good.
 */
async function requireRegularFile(path: string): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new InputError(path, null, 'not a regular file', 'a link to nothing (broken link)');
  }
  if (info.isFile()) return;
  const kind = info.isFIFO()
    ? 'a FIFO (named pipe)'
    : info.isCharacterDevice()
      ? 'a character device'
      : info.isBlockDevice()
        ? 'a block device'
        : info.isSocket()
          ? 'a socket'
          : info.isDirectory()
            ? 'a folder'
            : 'not a file';
  const linked = (await lstat(path)).isSymbolicLink() ? ' (through a link)' : '';
  throw new InputError(
    path,
    null,
    'not a regular file',
    `${kind}${linked}: only regular files are read from raw/; replace it with the file itself`,
  );
}

/**
 * A release dropped into raw/ by hand: its id and dates come from the folder name, its license
 * from the source whose folder it is. The folder's one manifest.json is written from it, and
 * every source sharing the folder reads that license in later runs: each source's own license
 * here made a rebuild's release rows differ from the first run's.
 */
function manifestFromFolder(
  pipeline: PipelineDefinition,
  folder: string,
  dir: string,
  sharing: readonly PipelineDefinition[],
): ReleaseManifest {
  const folderSource = rawFolderOf(pipeline);
  const owner = [pipeline, ...sharing].find((p) => p.source === folderSource) ?? pipeline;
  let derived: ReleaseDates;
  try {
    derived = { ...pipeline.releaseFromFolder(folder), ...pipeline.releaseOverrides?.[folder] };
  } catch (error) {
    throw new InputError(dir, null, 'release folder name', (error as Error).message);
  }
  return {
    source: folderSource,
    release: derived.release,
    published: derived.published,
    effective_from: derived.effectiveFrom,
    is_full: derived.isFull,
    origin: 'local',
    license: owner.license,
    fetched_at: null,
    files: [],
  };
}

/** Raw files are immutable once landed: a changed or shortened file is an error, not new data. */
function checkAgainstManifest(path: string, listed: ManifestFile, profile: FileProfile): void {
  if (listed.sha256 === profile.sha256) return;
  if (profile.bytes < listed.bytes) {
    throw new InputError(
      path,
      null,
      'truncated file',
      `${profile.bytes} bytes on disk, the manifest says ${listed.bytes}`,
    );
  }
  throw new InputError(
    path,
    null,
    'file changed since it landed',
    `sha256 ${profile.sha256} does not match the manifest's ${listed.sha256}; raw files must not change after they land`,
  );
}

/**
 * Files one folder down that a rule of the pipeline would read ("<subfolder>/<file>"): some CMS
 * zips keep a file in a folder of their own, kept when unpacked by hand. Only the release
 * folder itself is read; the error that says so names these.
 */
async function filesInSubfolders(dir: string, pipeline: PipelineDefinition): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    for (const name of await readdir(join(dir, entry.name)).catch(() => [])) {
      if (pipeline.files.some((r) => r.pattern.test(name))) found.push(`${entry.name}/${name}`);
    }
  }
  return found.sort();
}

/**
 * Part files are all loaded. Otherwise primary rules are in order of preference: the first that
 * matches a file picks the one primary, and files matched by later primary rules are read as
 * variants of it.
 */
function choosePrimaries(
  files: RawFile[],
  pipeline: PipelineDefinition,
  dir: string,
  inSubfolders: readonly string[],
): RawFile[] {
  const parts = files.filter((f) => f.rule.role === 'part');
  if (parts.length > 0) return parts;
  const primaryRule = pipeline.files.find(
    (r) => r.role === 'primary' && files.some((f) => f.rule === r),
  );
  const primaries = files.filter((f) => f.rule === primaryRule);
  if (primaries.length !== 1) {
    const rules = pipeline.files.filter((r) => r.role !== 'variant');
    const wanted = rules.map((r) => r.pattern.source).join(' or ');
    const found = primaries.map((f) => f.name).join(', ');
    const expected = rules.every((r) => r.role === 'part')
      ? `expected the ${pipeline.source} files (${wanted}), found none`
      : `expected exactly one primary ${pipeline.source} file (${wanted}), found ${primaries.length}${found ? `: ${found}` : ''}`;
    const hint =
      inSubfolders.length > 0
        ? `; only files in the release folder itself are read, and a subfolder holds ${inSubfolders
            .map((f) => `"${f}"`)
            .join(', ')}: move ${inSubfolders.length > 1 ? 'them' : 'it'} up`
        : '';
    throw new InputError(dir, null, 'no single primary file', `${expected}${hint}`);
  }
  return primaries;
}
