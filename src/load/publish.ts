import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DATABASE_FILE_NAME, PARQUET_DIR_NAME } from '../paths.js';

/** A run's private folder inside out/, hidden from readers until publish. */
export function buildDirFor(outDir: string, runId: string): string {
  return join(outDir, `.build-${runId}`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Moves a finished build into place with renames on one file system. The database file is
 * replaced atomically (a reader holding the old file keeps reading it); the Parquet folder is
 * swapped by two renames, the old one removed only after the new one is in place.
 */
export async function publishBuild(buildDir: string, outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const newParquet = join(buildDir, PARQUET_DIR_NAME);
  const liveParquet = join(outDir, PARQUET_DIR_NAME);
  const retiredParquet = join(buildDir, `${PARQUET_DIR_NAME}.previous`);
  if (await exists(liveParquet)) await rename(liveParquet, retiredParquet);
  await rename(newParquet, liveParquet);
  await rename(join(buildDir, DATABASE_FILE_NAME), join(outDir, DATABASE_FILE_NAME));
  await rm(buildDir, { recursive: true, force: true });
}

/** A failed run leaves nothing behind: the published outputs are untouched. */
export async function discardBuild(buildDir: string): Promise<void> {
  await rm(buildDir, { recursive: true, force: true });
}
