import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockedRunError, InputError } from '../src/errors.js';
import { DATABASE_FILE_NAME } from '../src/paths.js';
import { openOutDatabase, rowsJson, scalar } from './helpers/duckdb.js';
import {
  CSV_KEY,
  CSV_NAME,
  copyRaw,
  hashTree,
  joinLines,
  makeTempDir,
  REPO_RAW_DIR,
  readFileLines,
  releaseFile,
  removeTempDirs,
} from './helpers/raw.js';
import { failedRefresh, refreshPfs } from './helpers/refresh.js';
import { openStagingDatabase, pfsRawFile, stagePfsFile } from './helpers/staging.js';

const LOCK_FILE = '.refresh.lock';

/** Message and details of an error as one text, one line each. */
function errorText(error: Error): string {
  const details = error instanceof BlockedRunError ? error.details : [];
  return [error.message, ...details].join('\n');
}

/** Rewrites the CSV of a raw copy line by line (latin1, line endings kept). */
async function editCsv(rawDir: string, edit: (lines: string[]) => void): Promise<void> {
  const path = releaseFile(rawDir, CSV_NAME);
  const lines = await readFileLines(path);
  edit(lines);
  await writeFile(path, joinLines(lines));
}

/** Names of the build folders a run may leave in an out dir. */
async function buildFolders(outDir: string): Promise<string[]> {
  return (await readdir(outDir)).filter((name) => name.startsWith('.build-'));
}

afterAll(removeTempDirs);

describe('a corrupted CSV refreshed into a published out dir (acceptance)', () => {
  let outDir: string;
  let before: Record<string, string>;
  let error: Error;

  beforeAll(async () => {
    outDir = await makeTempDir('out');
    // The TXT variant only slows this down: the out dir just needs a published build.
    await refreshPfs({ rawDir: await copyRaw({ withoutTxt: true }), outDir });
    before = await hashTree(outDir);

    const rawDir = await copyRaw({ withoutManifest: true, withoutTxt: true });
    await editCsv(rawDir, (lines) => {
      expect(lines).toHaveLength(19100);
      const line = lines[4562 - 1] as string;
      expect(line.startsWith('38211,,Tumor cell deplete of harvst,I,+,')).toBe(true);
      lines[4562 - 1] = line.replace(',I,+,', ',Q,+,');
      const last = lines[19100 - 1] as string;
      expect(last.endsWith('\r\n')).toBe(true);
      lines[19100 - 1] = last.slice(0, -2).slice(0, -20);
    });
    error = await failedRefresh({ rawDir, outDir });
  });

  it('published a database and Parquet files before the bad run', () => {
    expect(Object.keys(before)).toContain(DATABASE_FILE_NAME);
    expect(Object.keys(before).filter((p) => p.endsWith('.parquet')).length).toBeGreaterThan(7);
  });

  it("is blocked with a BlockedRunError by 'no rejected rows' (3 rejects: Q, unreadable, cut)", () => {
    expect(error).toBeInstanceOf(BlockedRunError);
    expect((error as BlockedRunError).details[0]).toBe('no rejected rows (pfs_rvu): 3 failing');
  });

  it("names the file, line 4562, rule 'unknown code' and the value Q", () => {
    const line = errorText(error)
      .split('\n')
      .find((l) => l.includes(`${CSV_KEY}:4562:`));
    expect(line).toBeDefined();
    expect(line).toContain('unknown code');
    expect(line).toContain("'Q'");
    expect(line).toContain('pfs_status_code');
  });

  it("names the file, line 19100 and rule 'truncated file'", () => {
    const line = errorText(error)
      .split('\n')
      .find((l) => l.includes(`${CSV_KEY}:19100: truncated file`));
    expect(line).toBeDefined();
  });

  it('blames no other line of the file', () => {
    const blamed = errorText(error)
      .split('\n')
      .flatMap((l) => {
        const m = /PPRRVU2025_Oct\.csv:(\d+):/.exec(l);
        return m ? [Number(m[1])] : [];
      });
    expect([...new Set(blamed)].sort((a, b) => a - b)).toEqual([4562, 19100]);
  });

  it('leaves every file of the out dir byte for byte as it was', async () => {
    expect(await hashTree(outDir)).toEqual(before);
  });

  it('leaves no .build-* folder and no lock behind', async () => {
    expect(await buildFolders(outDir)).toEqual([]);
    expect(existsSync(join(outDir, LOCK_FILE))).toBe(false);
  });
});

describe('input the reader refuses', () => {
  it("an unknown column header gives an InputError 'required column missing' for WORK RVU", async () => {
    const rawDir = await copyRaw({ withoutManifest: true, withoutTxt: true });
    await editCsv(rawDir, (lines) => {
      const header = lines[9 - 1] as string;
      expect(header).toContain(',WORK,');
      lines[9 - 1] = header.replace(',WORK,', ',WERK,');
    });
    const outDir = await makeTempDir('out');
    const error = await failedRefresh({ rawDir, outDir });
    expect(error).toBeInstanceOf(InputError);
    const input = error as InputError;
    expect(input.file).toBe(CSV_KEY);
    expect(input.rule).toBe('required column missing');
    expect(input.detail).toContain('WORK RVU');
    expect(input.message).toContain(CSV_KEY);
    expect(await readdir(outDir)).toEqual([]);
  });

  it("an empty file gives an InputError 'empty file'", async () => {
    const rawDir = await copyRaw({ withoutManifest: true, withoutTxt: true });
    await writeFile(releaseFile(rawDir, CSV_NAME), '');
    const outDir = await makeTempDir('out');
    const error = await failedRefresh({ rawDir, outDir });
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).rule).toBe('empty file');
    expect(error.message).toContain(CSV_KEY);
    expect(await readdir(outDir)).toEqual([]);
  });

  it('a manifest whose sha256 does not match the file gives an error naming file and sha256', async () => {
    const rawDir = await copyRaw();
    const manifestPath = releaseFile(rawDir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    const listed = manifest.files.find((f: { path: string }) => f.path === CSV_NAME);
    listed.sha256 = '0'.repeat(64);
    await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
    const outDir = await makeTempDir('out');
    const error = await failedRefresh({ rawDir, outDir });
    expect(error.message).toContain(releaseFile(rawDir, CSV_NAME));
    expect(error.message).toContain('sha256');
    expect(error.message).toContain(
      '8af460f38bf982b79b07269fbc8b7256a8ef3bd3aa025a9c5cb71c1e52523c56',
    );
    expect(await readdir(outDir)).toEqual([]);
  });
});

describe('a line the CSV reader cannot split, in the middle of the file', () => {
  it('is rejected on its own line and shifts no line number after it', async () => {
    const dir = await makeTempDir('csv');
    const path = join(dir, CSV_NAME);
    const lines = await readFileLines(releaseFile(REPO_RAW_DIR, CSV_NAME));
    const bad = lines[100 - 1] as string;
    expect(bad.endsWith(',0.00,0.00,0.00\r\n')).toBe(true);
    lines[100 - 1] = bad.replace(/,0\.00\r\n$/, '\r\n');
    await writeFile(path, joinLines(lines));

    const staging = await openStagingDatabase();
    try {
      const { connection } = staging;
      const result = await stagePfsFile(connection, 'stg', await pfsRawFile(path, CSV_KEY));
      expect(result).toEqual({ rowsStaged: 19089, linesRejected: 1 });
      expect(
        await rowsJson(
          connection,
          'SELECT source_file, source_line::INTEGER AS line, rule, raw_text FROM rejected_row',
        ),
      ).toEqual([
        {
          source_file: CSV_KEY,
          line: 100,
          rule: 'unreadable row: missing columns',
          raw_text: (lines[100 - 1] as string).replace(/\r\n$/, ''),
        },
      ]);
      // Every staged row carries the line it was read from: its HCPCS is that line's first field.
      const staged = await rowsJson(connection, 'SELECT source_line, hcpcs FROM stg ORDER BY 1');
      const expected = lines.flatMap((text, i) =>
        i + 1 > 10 && i + 1 !== 100 ? [{ source_line: i + 1, hcpcs: text.split(',')[0] }] : [],
      );
      expect(staged).toHaveLength(19089);
      expect(staged).toEqual(expected);
    } finally {
      staging.close();
    }
  });
});

describe('the out dir lock', () => {
  let sleeper: ChildProcess | undefined;

  afterAll(() => {
    if (sleeper && sleeper.exitCode === null) sleeper.kill();
  });

  it("refuses a refresh while a live process holds the lock ('another refresh')", async () => {
    sleeper = spawn('sleep', ['5'], { stdio: 'ignore' });
    const pid = sleeper.pid;
    if (pid === undefined) throw new Error('could not spawn sleep');
    const outDir = await makeTempDir('out');
    await writeFile(join(outDir, LOCK_FILE), `${pid}\n`);
    try {
      const error = await failedRefresh({ rawDir: await copyRaw(), outDir });
      expect(error.message).toContain('another refresh');
      expect(error.message).toContain(`pid ${pid}`);
      // The lock belongs to the other process: it stays, and nothing else was written.
      expect(await readFile(join(outDir, LOCK_FILE), 'utf8')).toBe(`${pid}\n`);
      expect(await readdir(outDir)).toEqual([LOCK_FILE]);
    } finally {
      sleeper.kill();
    }
  });

  it('takes over a lock left by a dead process and completes the refresh', async () => {
    const dead = spawn('true', [], { stdio: 'ignore' });
    const pid = dead.pid;
    if (pid === undefined) throw new Error('could not spawn true');
    await new Promise((resolve) => dead.once('exit', resolve));
    expect(() => process.kill(pid, 0)).toThrow();

    const outDir = await makeTempDir('out');
    await writeFile(join(outDir, LOCK_FILE), `${pid}\n`);
    const log: string[] = [];
    await refreshPfs({
      rawDir: await copyRaw({ withoutTxt: true }),
      outDir,
      log: (line) => log.push(line),
    });
    expect(log.some((l) => l.includes('stale lock') && l.includes(`pid ${pid}`))).toBe(true);
    expect(existsSync(join(outDir, LOCK_FILE))).toBe(false);
    expect(await buildFolders(outDir)).toEqual([]);
    const db = await openOutDatabase(outDir);
    try {
      expect(await scalar(db.connection, 'SELECT count(*) FROM pfs_rvu')).toBe(19090);
    } finally {
      db.close();
    }
  });
});
