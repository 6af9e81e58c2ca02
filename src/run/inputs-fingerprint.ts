import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Catalog } from '../catalog.js';
import { MANIFEST_FILE_NAME } from '../extract/manifest.js';
import { rawFolderOf } from '../extract/raw-releases.js';
import { CODE_TABLES_DIR, MARTS_DIR, PIPELINES_DIR, PROJECT_ROOT } from '../paths.js';
import { publishedDir } from './publish.js';

export const INPUTS_FILE = 'inputs.json';

/** Files under dir, following symlinks (a release folder may link to where the files live). */
async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const target = entry.isSymbolicLink() ? await stat(path).catch(() => null) : entry;
    if (target?.isDirectory()) files.push(...(await walk(path)));
    else if (target?.isFile()) files.push(path);
  }
  return files.sort();
}

/** What a refresh's outputs depend on, read without opening a data file. */
export interface RefreshInputs {
  /** Everything below in one hash: equal fingerprints mean a refresh would change nothing. */
  fingerprint: string;
  /** The pipeline's own code, code tables and SQL, and the sources it runs. */
  code: string;
  /** Per release folder ("<source>/<folder>"), and per page source's folder: its manifest and files. */
  folders: Record<string, string>;
}

/**
 * The inputs of a refresh: the pipeline's own code, code tables and SQL (read: they are small),
 * and for raw data each release folder's manifest (its sha256 per file) plus each data file's
 * size and modification time.
 */
export async function describeInputs(
  rawDir: string,
  catalog: Pick<Catalog, 'pipelines' | 'pageSources'>,
): Promise<RefreshInputs> {
  const { pipelines } = catalog;
  const pageFolders = new Set(catalog.pageSources.map((s) => s.source));
  const code = createHash('sha256');
  const files = [
    ...(await walk(join(PROJECT_ROOT, 'src'))),
    ...(await walk(PIPELINES_DIR)),
    ...(await walk(MARTS_DIR)),
    ...(await walk(CODE_TABLES_DIR)),
    // The dependencies: the lock file in a clone; an installed package has none, only its manifest.
    existsSync(join(PROJECT_ROOT, 'package-lock.json'))
      ? join(PROJECT_ROOT, 'package-lock.json')
      : join(PROJECT_ROOT, 'package.json'),
  ].filter((p) => /\.(ts|sql|csv|json)$/.test(p));
  // Read at once, hashed in order: one read after another took most of the time.
  const contents = await Promise.all(files.map((path) => readFile(path)));
  files.forEach((path, i) => {
    code.update(`${relative(PROJECT_ROOT, path)}\0`);
    code.update(contents[i] as Buffer);
  });
  code.update(`sources ${pipelines.map((p) => p.source).join(' ')}\0`);

  const entries = new Map<string, FolderEntry[]>();
  for (const folder of new Set([...pipelines.map(rawFolderOf), ...pageFolders])) {
    const paths = (await walk(join(rawDir, folder)))
      .map((path) => ({ path, name: relative(rawDir, path) }))
      .filter(({ name }) => !name.split('/').some((part) => part.startsWith('.')));
    // A manifest is hashed whole, a data file by size and modification time.
    const described = await Promise.all(
      paths.map(async ({ path, name }): Promise<FolderEntry> => {
        if (path.endsWith(`/${MANIFEST_FILE_NAME}`)) {
          return { name, text: null, manifest: await readFile(path) };
        }
        const { size, mtimeMs } = await stat(path);
        return { name, text: `${name}\0${size}\0${mtimeMs}\0`, manifest: null };
      }),
    );
    for (const entry of described) {
      // A source's releases are its folders; a page source's folder is one input.
      const key = pageFolders.has(folder) ? folder : entry.name.split('/').slice(0, 2).join('/');
      entries.set(key, [...(entries.get(key) ?? []), entry]);
    }
  }
  return fingerprintOf(code.digest('hex'), entries);
}

interface FolderEntry {
  /** Path under raw/. */
  name: string;
  /** A data file: name, size and modification time. */
  text: string | null;
  /** A manifest: its bytes. */
  manifest: Buffer | null;
}

/** The entries each described inputs were made from, to describe them with manifests added. */
const entriesOf = new WeakMap<RefreshInputs, Map<string, FolderEntry[]>>();

function fingerprintOf(codeHash: string, entries: Map<string, FolderEntry[]>): RefreshInputs {
  const folders: Record<string, string> = {};
  for (const [key, list] of entries) {
    const hash = createHash('sha256');
    for (const entry of [...list].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    )) {
      if (entry.manifest) {
        hash.update(`${entry.name}\0`);
        hash.update(entry.manifest);
      } else {
        hash.update(entry.text as string);
      }
    }
    folders[key] = hash.digest('hex');
  }
  const all = createHash('sha256').update(codeHash);
  for (const key of Object.keys(folders).sort()) all.update(`${key}\0${folders[key]}\0`);
  const inputs = { fingerprint: all.digest('hex'), code: codeHash, folders };
  entriesOf.set(inputs, entries);
  return inputs;
}

/**
 * The inputs as described before the run read anything, with the manifests the run writes
 * (path under raw/ to text) in place of what was there: what the next run finds if nothing
 * changes. Nothing is read again, so a folder dropped in meanwhile stays new to the next run.
 */
export function withManifests(
  inputs: RefreshInputs,
  manifests: ReadonlyMap<string, string>,
): RefreshInputs {
  if (manifests.size === 0) return inputs;
  const entries = entriesOf.get(inputs);
  if (!entries) throw new Error('withManifests: inputs not made by describeInputs');
  const updated = new Map<string, FolderEntry[]>();
  for (const [key, list] of entries) {
    const replaced = list.filter((e) => !manifests.has(e.name));
    for (const [name, text] of manifests) {
      if (name.startsWith(`${key}/`)) {
        replaced.push({ name, text: null, manifest: Buffer.from(text) });
      }
    }
    updated.set(key, replaced);
  }
  return fingerprintOf(inputs.code, updated);
}

/** The inputs the published run was built from; null before the first run. */
export async function publishedInputs(outDir: string): Promise<RefreshInputs | null> {
  const text = await readFile(join(publishedDir(outDir), INPUTS_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  const parsed = JSON.parse(text) as Partial<RefreshInputs>;
  if (!parsed.fingerprint || !parsed.code || !parsed.folders) return null;
  return parsed as RefreshInputs;
}
