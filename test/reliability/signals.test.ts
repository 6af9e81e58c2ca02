import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { seededRandom } from '../helpers/random.js';
import { makeTempDir, removeTempDirs, smallPfsRaw } from '../helpers/raw.js';

afterAll(removeTempDirs);

const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
const TRIALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGTERM', 'SIGINT', 'SIGTERM', 'SIGTERM'];
const SEED = Number(process.env.SIGNAL_SEED ?? 20261206);

/** A raw dir with the PPRRVU CSV cut to its header and the first `rows` data lines. */
function smallRaw(rows: number): Promise<string> {
  return smallPfsRaw(rows, 'signal-raw');
}

/** Runs `fse refresh --force`; sends `signal` `delayMs` after the build starts reading. */
function refreshAndSignal(
  rawDir: string,
  outDir: string,
  signal: NodeJS.Signals | null,
  delayMs: number,
): Promise<{ code: number | null; killedBy: NodeJS.Signals | null; log: string }> {
  const child = spawn(
    process.execPath,
    [CLI, 'refresh', '--raw', rawDir, '--out', outDir, '--force'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  let sent = false;
  const onText = (text: string) => {
    log += text;
    if (signal && !sent && /release\(s\) to read/.test(log)) {
      sent = true;
      setTimeout(() => child.kill(signal), delayMs);
    }
  };
  child.stdout.setEncoding('utf8').on('data', onText);
  child.stderr.setEncoding('utf8').on('data', onText);
  return new Promise((resolve) =>
    child.once('exit', (code, killedBy) => resolve({ code, killedBy, log })),
  );
}

/** Seeded, so that a failing trial can be replayed. */
const random = seededRandom;

it(`SIGTERM/SIGINT during a refresh: exit 143/130, build removed, lock released (${TRIALS.length} trials)`, async () => {
  const rawDir = await smallRaw(500);
  const outDir = join(await makeTempDir('signal-out'), 'out');
  const first = await refreshAndSignal(rawDir, outDir, null, 0);
  expect(first.code, first.log).toBe(0);
  const next = random(SEED);
  const outcomes: string[] = [];
  for (const signal of TRIALS) {
    const before = await readlink(join(outDir, '.current'));
    const delay = Math.floor(next() * 2500);
    const run = await refreshAndSignal(rawDir, outDir, signal, delay);
    const where = `${signal} after ${delay} ms (seed ${SEED}):\n${run.log}`;
    const published = run.log.includes('published ');
    const after = await readlink(join(outDir, '.current'));
    if (run.code === 0) {
      // The run had finished before the signal came.
      expect(published, where).toBe(true);
      outcomes.push(`${signal}: finished first`);
    } else {
      expect(run.killedBy, where).toBeNull();
      expect(run.code, where).toBe(signal === 'SIGINT' ? 130 : 143);
      // Stopped before publishing: out/ as it was; a publish under way is finished first.
      if (!published) expect(after, where).toBe(before);
      outcomes.push(`${signal}: ${published ? 'finished its publish' : 'stopped'}, ${run.code}`);
    }
    // The lock is released and no build is left behind: only the published run(s) remain.
    expect(existsSync(join(outDir, '.refresh.lock')), where).toBe(false);
    const runs = (await readdir(join(outDir, '.runs'))).sort();
    const kept = new Set([after, await readlink(join(outDir, '.previous')).catch(() => '')]);
    expect(
      runs.filter((r) => ![...kept].some((k) => k.endsWith(r))),
      where,
    ).toEqual([]);
  }
  // The next refresh takes over nothing.
  const last = await refreshAndSignal(rawDir, outDir, null, 0);
  expect(last.code, last.log).toBe(0);
  expect(last.log).not.toContain('took over');
  console.log(`signal trials: ${outcomes.join('; ')}`);
});
