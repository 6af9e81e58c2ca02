import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inject } from 'vitest';

/** How often a file waiting for another's build looks whether it is done. */
const POLL_MS = 200;

type Outcome<T> = { value: T } | { error: string };

/**
 * A folder several test files build the same way and then only read (a refresh's raw and out
 * dirs): built once per run by the first file that asks, in its worker; a file asking meanwhile,
 * in another worker, waits for it. `build` fills the folder and returns what the files need to
 * know of it besides (as JSON). The folder lives in the global setup's, removed when the run
 * ends: a file using it must not write to it (open its databases read-only).
 */
export async function sharedBuild<T>(
  name: string,
  build: (dir: string) => Promise<T>,
): Promise<{ dir: string; value: T }> {
  const root = inject('sharedBuildsDir');
  const dir = join(root, name);
  const done = join(root, `${name}.json`);
  let outcome: Outcome<T>;
  try {
    // Atomic: exactly one caller creates the folder, and builds.
    await mkdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    outcome = await waitFor<T>(done);
    if ('error' in outcome) throw new Error(`the shared build ${name} failed: ${outcome.error}`);
    return { dir, value: outcome.value };
  }
  try {
    outcome = { value: await build(dir) };
  } catch (error) {
    outcome = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    await publish(done, outcome);
    throw error;
  }
  await publish(done, outcome);
  // What a waiting file gets: the value as JSON gives it back.
  return { dir, value: JSON.parse(JSON.stringify(outcome.value)) as T };
}

/** Written whole, then renamed: a waiting file never reads half of it. */
async function publish<T>(path: string, outcome: Outcome<T>): Promise<void> {
  await writeFile(`${path}.tmp`, JSON.stringify(outcome));
  await rename(`${path}.tmp`, path);
}

/** The builder's outcome, once there (the test's hook timeout bounds the wait). */
async function waitFor<T>(path: string): Promise<Outcome<T>> {
  for (;;) {
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (text !== null) return JSON.parse(text) as Outcome<T>;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
