import { existsSync, readdirSync, rmSync } from 'node:fs';
import { lstat, mkdir, open, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MANIFEST_NAME } from '../load/contract.js';
import { REPORT_NAME } from '../load/report.js';
import { DATABASE_FILE_NAME, PARQUET_DIR_NAME } from '../paths.js';

/**
 * out/ layout: each run builds in out/.runs/<run id>/; out/.current is a symlink to the published
 * run, and the paths readers use (out/fee_schedule.duckdb, out/parquet) are symlinks through it.
 * Publishing is one rename of out/.current, so readers see the old complete set or the new one,
 * never a mix; a reader that has the old database open keeps its file.
 */
const RUNS = '.runs';
const CURRENT = '.current';
const PREVIOUS = '.previous';
/** What readers open, each a symlink through out/.current. */
export const PUBLISHED_ENTRIES = [DATABASE_FILE_NAME, PARQUET_DIR_NAME, MANIFEST_NAME, REPORT_NAME];

/** The published run's folder (a symlink to its build folder). */
export function publishedDir(outDir: string): string {
  return join(outDir, CURRENT);
}

export function buildDirFor(outDir: string, runId: string): string {
  return join(outDir, RUNS, runId);
}

async function linkTarget(path: string): Promise<string | null> {
  try {
    return await readlink(path);
  } catch {
    return null;
  }
}

/** Points `path` at `target` with a rename, so the link is never missing. */
async function replaceWithLink(target: string, path: string): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await rm(temporary, { force: true });
  await symlink(target, temporary);
  await rename(temporary, path);
}

/** fsync of a file or folder (a folder's entries: names, links). */
async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Every file and folder under dir on disk, the folders after what they hold. */
async function syncTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return syncTree(path);
      return entry.isFile() ? syncPath(path) : Promise.resolve();
    }),
  );
  await syncPath(dir);
}

/**
 * Publishes a build: its files and folders are made durable (fsync) first, so that a power loss
 * after the switch can never publish a torn file; then out/.current is switched with a rename,
 * and the out dir itself synced once its links are in place.
 */
export async function publishBuild(buildDir: string, outDir: string, runId: string): Promise<void> {
  await syncTree(buildDir);
  await syncPath(dirname(buildDir));
  const previous = await linkTarget(join(outDir, CURRENT));
  await replaceWithLink(join(RUNS, runId), join(outDir, CURRENT));
  if (previous) await replaceWithLink(previous, join(outDir, PREVIOUS));
  for (const entry of PUBLISHED_ENTRIES) {
    const path = join(outDir, entry);
    const wanted = join(CURRENT, entry);
    if ((await linkTarget(path)) === wanted) continue;
    // An output folder from before this layout: keep its old outputs aside, then link.
    const existing = await lstat(path).catch(() => null);
    if (existing?.isDirectory()) {
      await mkdir(join(outDir, RUNS, 'legacy'), { recursive: true });
      await rename(path, join(outDir, RUNS, 'legacy', `${entry}-${runId}`));
    }
    await replaceWithLink(wanted, path);
  }
  await syncPath(outDir);
  await removeUnpublishedRuns(outDir, buildDir);
}

/**
 * discardBuild at once, from a signal handler about to exit. DuckDB's threads may still be
 * writing into the build (a signal during the database's creation: its WAL appeared while the
 * folder was being removed, ENOTEMPTY): the removal is tried again a few times.
 */
export function discardBuildSync(buildDir: string): void {
  rmSync(buildDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
  const runsDir = dirname(buildDir);
  if (existsSync(runsDir) && readdirSync(runsDir).length === 0) {
    rmSync(runsDir, { recursive: true });
  }
}

/** A failed run leaves nothing behind: the published outputs are untouched. */
export async function discardBuild(buildDir: string): Promise<void> {
  await rm(buildDir, { recursive: true, force: true });
  // Leave no empty .runs/ behind in an out/ that never had a published run.
  const runsDir = dirname(buildDir);
  if ((await readdir(runsDir).catch(() => ['?'])).length === 0)
    await rm(runsDir, { recursive: true });
}

/**
 * Removes runs that are neither published nor the one before it (kept for readers still on it),
 * such as builds left by a refresh that was killed. Call with the writer lock held.
 */
export async function removeUnpublishedRuns(outDir: string, keep?: string): Promise<string[]> {
  const runsDir = join(outDir, RUNS);
  const kept = new Set(
    [await linkTarget(join(outDir, CURRENT)), await linkTarget(join(outDir, PREVIOUS))]
      .filter((t): t is string => t !== null)
      .map((t) => t.split('/').pop()),
  );
  const removed: string[] = [];
  for (const name of await readdir(runsDir).catch(() => [] as string[])) {
    const path = join(runsDir, name);
    if (kept.has(name) || path === keep || name === 'legacy') continue;
    await rm(path, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
