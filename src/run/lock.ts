import { existsSync, rmSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { LockBusyError } from '../errors.js';
import { isAlive } from '../process-alive.js';

export interface Lock {
  release(): Promise<void>;
  /** The same at once, from a signal handler about to exit. */
  releaseSync(): void;
}

/** The file the kernel lock is taken on; it stays in out/ (it holds no data, only the lock). */
export const KERNEL_LOCK_FILE = '.refresh-lock.duckdb';
/** Who holds the lock (its pid), for messages; removed on release, left behind by a kill. */
export const HOLDER_FILE = '.refresh.lock';

/** Out dirs locked by this process: a kernel lock does not exclude its own process. */
const heldHere = new Set<string>();

async function holderOf(path: string): Promise<number | null> {
  const text = await readFile(path, 'utf8').catch(() => null);
  const pid = text === null ? Number.NaN : Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function isLockConflict(error: unknown): boolean {
  return error instanceof Error && /Could not set lock on file/i.test(error.message);
}

/**
 * The lock file is made whole under a name of its own and linked into place, so that a kill
 * while it is made never leaves a file the next run cannot open.
 */
async function ensureKernelLockFile(path: string): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await rm(temporary, { force: true });
  const instance = await DuckDBInstance.create(temporary, { threads: '1' });
  instance.closeSync();
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}

/**
 * One writer per out/ folder. The lock is a kernel lock (DuckDB's fcntl lock on
 * out/.refresh-lock.duckdb): the kernel releases it when its holder exits in any way, kill -9
 * included, whatever pid namespace the holder ran in, so a dead holder never locks anyone out
 * and two takers can never both hold it. Beside it, out/.refresh.lock names the holder's pid for
 * messages; one found on taking the lock was left by a holder that died, and the caller is told.
 */
export async function acquireLock(
  outDir: string,
  onTakeover: (line: string) => void,
): Promise<Lock> {
  await mkdir(outDir, { recursive: true });
  const key = resolve(outDir);
  const holderPath = join(outDir, HOLDER_FILE);
  const kernelPath = join(outDir, KERNEL_LOCK_FILE);
  const busy = (pid: number | null) => new LockBusyError(outDir, pid, kernelPath);
  if (heldHere.has(key)) throw busy(process.pid);
  heldHere.add(key);
  let instance: DuckDBInstance | undefined;
  try {
    if (!existsSync(kernelPath)) await ensureKernelLockFile(kernelPath);
    try {
      instance = await DuckDBInstance.create(kernelPath, { threads: '1' });
    } catch (error) {
      if (!isLockConflict(error)) throw error;
      const named = /\(PID (\d+)\)/.exec((error as Error).message)?.[1];
      throw busy((await holderOf(holderPath)) ?? (named ? Number(named) : null));
    }
    // Holding the kernel lock, any holder file was left by a holder that is gone.
    const stale = await holderOf(holderPath);
    if (stale !== null) {
      onTakeover(
        `took over a stale lock ${holderPath} left by pid ${stale}, which is no longer running`,
      );
    }
    const temporary = `${holderPath}.${process.pid}`;
    await writeFile(temporary, `${process.pid}\n`);
    await rename(temporary, holderPath);
    await removeLeftovers(outDir);
  } catch (error) {
    instance?.closeSync();
    heldHere.delete(key);
    throw error;
  }
  const held = instance;
  return {
    async release() {
      if (!heldHere.has(key)) return;
      try {
        await rm(holderPath, { force: true });
      } finally {
        held.closeSync();
        heldHere.delete(key);
      }
    },
    releaseSync() {
      if (!heldHere.has(key)) return;
      try {
        rmSync(holderPath, { force: true });
      } finally {
        held.closeSync();
        heldHere.delete(key);
      }
    },
  };
}

/**
 * Temporary files of writers killed mid-way (a lock being taken, a link being swapped) carry
 * their pid; with the lock held, those of dead processes are removed.
 */
async function removeLeftovers(outDir: string): Promise<void> {
  for (const name of await readdir(outDir).catch(() => [] as string[])) {
    const match = /\.(?:refresh\.lock|tmp)[.-](\d+)$/.exec(name);
    const pid = match ? Number(match[1]) : Number.NaN;
    if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) {
      await rm(join(outDir, name), { force: true, recursive: true });
    }
  }
}
