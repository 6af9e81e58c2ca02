import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface Lock {
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One writer per out/ folder: a lock file holding the writer's pid. A lock left by a process
 * that no longer runs is taken over, and the caller is told.
 */
export async function acquireLock(
  outDir: string,
  onTakeover: (line: string) => void,
): Promise<Lock> {
  await mkdir(outDir, { recursive: true });
  const path = join(outDir, '.refresh.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new Error(
          `another refresh (pid ${holder}) is writing to ${outDir}; wait for it to finish (lock: ${path})`,
        );
      }
      onTakeover(
        `taking over a stale lock ${path} left by pid ${Number.isNaN(holder) ? '?' : holder}, which is no longer running`,
      );
      await rm(path, { force: true });
    }
  }
  throw new Error(`could not take the lock ${path}`);
}
