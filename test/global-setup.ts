import { cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { fseWith } from './helpers/cli.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /**
     * raw/ and out/ of one full refresh shared by the read-only suites, and the file that says
     * it has ended (test/helpers/full-refresh.ts waits for it).
     */
    fullRefresh: { rawDir: string; outDir: string; doneFile: string };
    /** Where the bad-input corpus leaves its summary line, printed when the run ends. */
    corpusSummaryFile: string;
    /** Where builds shared by several files are made (test/helpers/shared-build.ts). */
    sharedBuildsDir: string;
  }
}

/**
 * One refresh of every bundled source (plus the MUE fixtures, since no real MUE table ships),
 * shared by every suite that only reads the outputs. It runs while the first files run: the
 * files that read it wait for it (fullRefresh() of test/helpers/full-refresh.ts), the others
 * (the bad-input corpus, most of all) use the core it leaves. At the end of the run, the
 * bad-input corpus's line ("bad-input corpus: N tried, N handled") is printed after vitest's
 * summary.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'fse-full-'));
  const rawDir = join(dir, 'raw');
  const outDir = join(dir, 'out');
  const doneFile = join(dir, 'full-refresh-done.json');
  await cp(fileURLToPath(new URL('../raw', import.meta.url)), rawDir, { recursive: true });
  await cp(fileURLToPath(new URL('./fixtures/mue', import.meta.url)), join(rawDir, 'mue'), {
    recursive: true,
    filter: (source) => !source.endsWith('README.md'),
  });
  // In a process of its own, the built CLI, as an operator runs it: the suites open the published
  // database from their workers, and once a refresh in this process left its file locked for a
  // while after it returned (DuckDB: "Conflicting lock is held in node (PID of this process)").
  // A run of files that never read it stops it at teardown (SIGTERM: the refresh publishes nothing).
  const stop = new AbortController();
  const refreshed = fseWith({ signal: stop.signal }, 'refresh', '--raw', rawDir, '--out', outDir)
    .then((result) =>
      result.code === 0
        ? { stdout: result.stdout }
        : { error: `the shared refresh failed (exit ${result.code}):\n${result.stderr}` },
    )
    .catch((error: unknown) => ({ error: `the shared refresh failed: ${String(error)}` }))
    .then(async (done) => {
      // Written whole under another name, then renamed: a reader never sees half of it.
      await writeFile(`${doneFile}.tmp`, JSON.stringify(done));
      await rename(`${doneFile}.tmp`, doneFile);
    });
  project.provide('fullRefresh', { rawDir, outDir, doneFile });
  const corpusSummaryFile = join(dir, 'corpus-summary.txt');
  project.provide('corpusSummaryFile', corpusSummaryFile);
  const sharedBuildsDir = join(dir, 'shared');
  await mkdir(sharedBuildsDir);
  project.provide('sharedBuildsDir', sharedBuildsDir);
  return async () => {
    stop.abort();
    await refreshed;
    const corpusSummary = await readFile(corpusSummaryFile, 'utf8').catch(() => null);
    if (corpusSummary !== null) console.log(corpusSummary.trimEnd());
    await rm(dir, { recursive: true, force: true });
  };
}
