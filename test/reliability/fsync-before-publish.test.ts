import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { CSV_NAME, makeTempDir, REPO_RAW_DIR, removeTempDirs } from '../helpers/raw.js';

afterAll(removeTempDirs);

const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
const hasStrace = spawnSync('strace', ['-V'], { stdio: 'ignore' }).status === 0;

/**
 * Before out/.current is switched to a run, every file of the run and its folders are on disk
 * (fsync), so a power loss after the switch cannot publish a torn file; the out dir is synced
 * after the switch. Watched with strace: fsync calls (with their paths) and the renames.
 */
it.skipIf(!hasStrace)(
  'fsyncs every published file and folder before the symlink swap',
  async () => {
    const rawDir = join(await makeTempDir('fsync-raw'), 'raw');
    const dir = join(rawDir, 'pfs-rvu', 'RVU25D');
    await mkdir(dir, { recursive: true });
    const bytes = await readFile(join(REPO_RAW_DIR, 'pfs-rvu', 'RVU25D', CSV_NAME));
    let end = 0;
    for (let i = 0; i < 210; i++) end = bytes.indexOf(0x0a, end) + 1;
    await writeFile(join(dir, CSV_NAME), bytes.subarray(0, end));
    const outDir = join(await makeTempDir('fsync-out'), 'out');
    const trace = join(await makeTempDir('fsync-trace'), 'trace.txt');
    const child = spawn(
      'strace',
      [
        '-f',
        '-y',
        '-qq',
        '-o',
        trace,
        '-e',
        'trace=fsync,fdatasync,rename,renameat,renameat2',
      ].concat([process.execPath, CLI, 'refresh', '--raw', rawDir, '--out', outDir]),
      { stdio: 'ignore' },
    );
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    const lines = (await readFile(trace, 'utf8')).split('\n');
    const swap = lines.findIndex((l) => /rename.*\.current\.tmp-\d+.*\.current"/.test(l));
    expect(swap, 'the rename of .current').toBeGreaterThan(0);
    const synced = (from: number, to: number) =>
      lines
        .slice(from, to)
        .filter((l) => /fsync|fdatasync/.test(l))
        .map((l) => /<([^>]+)>/.exec(l)?.[1] ?? '');
    const before = synced(0, swap);
    const runDir = before.find((p) => /\/\.runs\/[^/]+$/.test(p));
    expect(runDir, `the run folder synced before the swap: ${before.join('\n')}`).toBeDefined();
    for (const name of ['fee_schedule.duckdb', 'manifest.json', 'report.html']) {
      expect(before, name).toContain(join(runDir as string, name));
    }
    expect(before.filter((p) => p.endsWith('.parquet')).length).toBeGreaterThan(0);
    expect(before.some((p) => p.endsWith('/parquet'))).toBe(true);
    // The out dir itself, after the links are in place.
    expect(synced(swap, lines.length)).toContain(outDir);
  },
);
