import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { DATABASE_FILE_NAME, PARQUET_DIR_NAME } from '../paths.js';
import type { RefreshInputs } from './inputs-fingerprint.js';
import { publishedDir } from './publish.js';

/** The published run a refresh builds on: its database and Parquet, and the folders it read. */
export interface PublishedRun {
  databasePath: string;
  parquetDir: string;
  /** Release folders ("<source>/<folder>") loaded by the published run and unchanged since. */
  folders: ReadonlySet<string>;
}

/**
 * A refresh that adds releases builds on the published run: it copies its database, reads the
 * new folders only and re-derives what spans releases (history, checks, cards). Anything else
 * (changed code or code tables; a release changed or removed; saved pages changed with no
 * release added) rebuilds all. A page source's folder (`pageFolders`) is one input of its own,
 * not a release folder: every run loads the saved pages again, so pages changed beside added
 * releases are loaded by the run that builds on the published one.
 */
export async function publishedRunToExtend(
  outDir: string,
  previous: RefreshInputs | null,
  current: RefreshInputs,
  pageFolders: readonly string[],
): Promise<PublishedRun | null> {
  if (!previous || previous.code !== current.code) return null;
  const loaded = Object.keys(previous.folders).filter((k) => !pageFolders.includes(k));
  if (loaded.some((k) => current.folders[k] !== previous.folders[k])) return null;
  const added = Object.keys(current.folders).filter(
    (k) => !(k in previous.folders) && !pageFolders.includes(k),
  );
  if (added.length === 0) return null;
  const published = publishedDir(outDir);
  const databasePath = join(published, DATABASE_FILE_NAME);
  try {
    await access(databasePath);
  } catch {
    return null;
  }
  return { databasePath, parquetDir: join(published, PARQUET_DIR_NAME), folders: new Set(loaded) };
}
