import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';

/** The shared full refresh of test/global-setup.ts: raw/ and out/, and what it printed. */
export interface FullRefresh {
  rawDir: string;
  outDir: string;
  stdout: string;
}

/**
 * The shared full refresh once it has published (it runs while the first test files run):
 * call it in a beforeAll of a file that reads it. Throws its error when it failed.
 */
export async function fullRefresh(): Promise<FullRefresh> {
  const { rawDir, outDir, doneFile } = inject('fullRefresh');
  for (;;) {
    const text = await readFile(doneFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (text !== null) {
      const done = JSON.parse(text) as { stdout: string } | { error: string };
      if ('error' in done) throw new Error(done.error);
      return { rawDir, outDir, stdout: done.stdout };
    }
    await sleep(100);
  }
}
