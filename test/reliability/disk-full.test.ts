import { spawn, spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { copyRaw, makeTempDir, removeTempDirs } from '../helpers/raw.js';

afterAll(removeTempDirs);

const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
/** A small tmpfs mounted in a mount namespace of its own (root, util-linux unshare). */
const canMount =
  spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs /mnt'], {
    stdio: 'ignore',
  }).status === 0;

it.skipIf(!canMount)(
  'a full out/ filesystem names its cause, exits 4, and leaves no build and no lock',
  async () => {
    const rawDir = await copyRaw({ withoutTxt: true });
    const mountPoint = join(await makeTempDir('disk-full'), 'fs');
    await mkdir(mountPoint);
    // 2 MB: room for the lock, not for the PFS database.
    const script = [
      'mount -t tmpfs -o size=2m tmpfs "$1" || exit 99',
      `"${process.execPath}" "${CLI}" refresh --raw "$2" --out "$1/out"`,
      'rc=$?',
      'echo "entries: $(ls -A "$1/out" | tr "\\n" " ")"',
      'echo "runs: $(ls -A "$1/out/.runs" 2>/dev/null | tr "\\n" " ")"',
      'exit $rc',
    ].join('\n');
    const child = spawn('unshare', ['-m', 'sh', '-c', script, 'sh', mountPoint, rawDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => {
      stdout += t;
    });
    child.stderr.setEncoding('utf8').on('data', (t: string) => {
      stderr += t;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    const where = `${stdout}\n${stderr}`;
    expect(code, where).toBe(4);
    expect(stderr).toMatch(/no space left on the out\/ filesystem \(.*\/out\): need about \d+ MB/);
    // The build is removed and the lock released: only the lock's file stays.
    // The run log's line is written if the removed build freed room for it (it is tried).
    expect(stdout, where).toMatch(/entries: \.refresh-lock\.duckdb (runs\.jsonl )?\n/);
    expect(stdout, where).toContain('runs: \n');
  },
);
