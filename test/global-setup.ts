import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { refresh } from '../src/refresh.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** raw/ and out/ of one full refresh shared by the read-only suites. */
    fullRefresh: { rawDir: string; outDir: string };
  }
}

/**
 * One refresh of every bundled source (plus the MUE fixtures, since no real MUE table ships),
 * shared by every suite that only reads the outputs.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'fse-full-'));
  const rawDir = join(dir, 'raw');
  const outDir = join(dir, 'out');
  await cp(fileURLToPath(new URL('../raw', import.meta.url)), rawDir, { recursive: true });
  await cp(fileURLToPath(new URL('./fixtures/mue', import.meta.url)), join(rawDir, 'mue'), {
    recursive: true,
    filter: (source) => !source.endsWith('README.md'),
  });
  await refresh({ rawDir, outDir });
  project.provide('fullRefresh', { rawDir, outDir });
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
