import { link, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from '../process-alive.js';

export interface Lock {
  release(): Promise<void>;
}

async function holderOf(path: string): Promise<number | null> {
  const text = await readFile(path, 'utf8').catch(() => null);
  const pid = text === null ? Number.NaN : Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/**
 * One writer per out/ folder: a lock file holding the writer's pid. The file is linked into
 * place already written, so no one ever reads an empty lock; a lock left by a process that no
 * longer runs is moved aside (one taker wins the rename) and the caller is told.
 */
export async function acquireLock(
  outDir: string,
  onTakeover: (line: string) => void,
): Promise<Lock> {
  await mkdir(outDir, { recursive: true });
  const path = join(outDir, '.refresh.lock');
  const mine = `${path}.${process.pid}`;
  await writeFile(mine, `${process.pid}\n`);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(mine, path);
        await removeLeftovers(outDir);
        return {
          async release() {
            if ((await holderOf(path)) === process.pid) await rm(path, { force: true });
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await holderOf(path);
      if (holder !== null && isAlive(holder)) {
        throw new Error(
          `another refresh (pid ${holder}) is writing to ${outDir}; wait for it to finish (lock: ${path})`,
        );
      }
      const aside = `${path}.stale-${process.pid}-${attempt}`;
      try {
        await rename(path, aside);
        await rm(aside, { force: true });
        onTakeover(
          `took over a stale lock ${path} left by pid ${holder ?? '?'}, which is no longer running`,
        );
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // another taker won
      }
    }
    throw new Error(`could not take the lock ${path}: other refreshes keep taking it`);
  } finally {
    await rm(mine, { force: true });
  }
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
