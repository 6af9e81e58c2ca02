import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/run/lock.js';
import { spawnTaker, takerRound } from '../helpers/lock-takers.js';
import { makeTempDir, removeTempDirs } from '../helpers/raw.js';

afterAll(removeTempDirs);

/** The file naming the lock's holder (src/run/lock.ts HOLDER_FILE). */
const HOLDER_FILE = '.refresh.lock';

/** Whether this machine lets us run a process as pid 1 of a new pid namespace. */
const canUnshare =
  spawnSync('unshare', ['-pf', '--mount-proc', 'true'], { stdio: 'ignore' }).status === 0;

describe('the out dir lock', () => {
  it('takes over a lock naming pid 1, as one left by pid 1 of another pid namespace does', async () => {
    // pid 1 always runs (init): a pid-only lock called it alive and locked every run out.
    const outDir = await makeTempDir('lock');
    await writeFile(join(outDir, HOLDER_FILE), '1\n');
    const log: string[] = [];
    const lock = await acquireLock(outDir, (line) => log.push(line));
    expect(log).toEqual([expect.stringMatching(/^took over a stale lock .* left by pid 1,/)]);
    await lock.release();
    expect(existsSync(join(outDir, HOLDER_FILE))).toBe(false);
  });

  it("takes over a lock naming the taker's own pid (a pid reused after a reboot)", async () => {
    const outDir = await makeTempDir('lock');
    await writeFile(join(outDir, HOLDER_FILE), `${process.pid}\n`);
    const log: string[] = [];
    const lock = await acquireLock(outDir, (line) => log.push(line));
    expect(log).toHaveLength(1);
    expect(await readFile(join(outDir, HOLDER_FILE), 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
  });

  it('refuses while the holder runs, even in this process, and frees itself when it is killed', async () => {
    const outDir = await makeTempDir('lock');
    const holder = spawnTaker(outDir);
    expect(await holder.outcome).toEqual(['held']);
    const pid = holder.process.pid;
    await expect(acquireLock(outDir, () => {})).rejects.toThrow(
      `another refresh (pid ${pid}) is writing to ${outDir}`,
    );
    holder.process.kill('SIGKILL');
    await new Promise((resolve) => holder.process.once('exit', resolve));
    const log: string[] = [];
    const lock = await acquireLock(outDir, (line) => log.push(line));
    expect(log).toEqual([
      expect.stringContaining(`left by pid ${pid}, which is no longer running`),
    ]);
    // A second taker in the same process is refused too: the kernel lock does not exclude it.
    await expect(acquireLock(outDir, () => {})).rejects.toThrow('another refresh');
    await lock.release();
  });

  it.skipIf(!canUnshare)(
    'takes over a lock left by pid 1 of another pid namespace, killed with -9',
    async () => {
      const outDir = await makeTempDir('lock');
      const holder = spawnTaker(outDir, ['unshare', '-pf', '--mount-proc']);
      expect(await holder.outcome).toEqual(['held']);
      expect(await readFile(join(outDir, HOLDER_FILE), 'utf8')).toBe('1\n');
      // Kill -9 the namespace's pid 1 (the child of unshare): the whole namespace goes with it.
      spawnSync('pkill', ['-KILL', '-P', String(holder.process.pid)]);
      await new Promise((resolve) => holder.process.once('exit', resolve));
      const log: string[] = [];
      let lock: Awaited<ReturnType<typeof acquireLock>> | undefined;
      for (let i = 0; i < 50 && lock === undefined; i++) {
        lock = await acquireLock(outDir, (line) => log.push(line)).catch(async () => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          return undefined;
        });
      }
      expect(lock).toBeDefined();
      expect(log).toEqual([expect.stringContaining('left by pid 1, which is no longer running')]);
      await lock?.release();
    },
  );

  it('gives the lock to exactly one of six simultaneous takers over a stale lock (2 rounds)', async () => {
    // The 100-round version is in the reliability suite (test/reliability/lock-race.test.ts).
    const outDir = await makeTempDir('lock');
    for (let round = 0; round < 2; round++) {
      await writeFile(join(outDir, HOLDER_FILE), '999999\n');
      const { holders, lines } = await takerRound(outDir, 6);
      expect(holders, `round ${round}: ${JSON.stringify(lines)}`).toBe(1);
    }
  });
});
