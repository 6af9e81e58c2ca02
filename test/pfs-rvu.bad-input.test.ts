import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockedRunError, InputError } from '../src/errors.js';
import type { StageResult } from '../src/extract/readers/staging.js';
import { DATABASE_FILE_NAME } from '../src/paths.js';
import { openOutDatabase, rowsJson, scalar } from './helpers/duckdb.js';
import { spawnTaker, type Taker } from './helpers/lock-takers.js';
import {
  CSV_KEY,
  CSV_NAME,
  copyRaw,
  filesUnder,
  hashTree,
  joinLines,
  makeTempDir,
  REPO_RAW_DIR,
  readFileLines,
  releaseFile,
  removeTempDirs,
  TXT_KEY,
  TXT_NAME,
} from './helpers/raw.js';
import { failedRefresh, refreshPfs } from './helpers/refresh.js';
import { openStagingDatabase, pfsRawFile, stagePfsFile } from './helpers/staging.js';

const LOCK_FILE = '.refresh.lock';
/** The file the kernel lock is taken on (it stays in out/). */
const KERNEL_LOCK_FILE = '.refresh-lock.duckdb';

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

/**
 * Run folders in an out dir: top-level .build-<run> folders, and the folders under .runs/ (one
 * per run: the published one, the one before it, or a build in progress or left behind).
 */
async function runFolders(outDir: string): Promise<string[]> {
  const top = (await readdir(outDir)).filter((name) => name.startsWith('.build-'));
  const runs = await readdir(join(outDir, '.runs')).catch(() => [] as string[]);
  return [...top, ...runs.map((name) => `.runs/${name}`)].sort();
}

/** The pid of a process that has exited: nothing runs under it now. */
async function deadPid(): Promise<number> {
  const child = spawn('true', [], { stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn true');
  await new Promise((resolve) => child.once('exit', resolve));
  expect(() => process.kill(pid, 0)).toThrow();
  return pid;
}

/**
 * One good run shared by the acceptance case (its out dir O) and the stale-lock case: O starts
 * with a lock file left by a dead process, which the run must take over.
 */
let outDir: string;
let staleLockPid: number;
const goodRunLog: string[] = [];

beforeAll(async () => {
  outDir = await makeTempDir('out');
  staleLockPid = await deadPid();
  await writeFile(join(outDir, LOCK_FILE), `${staleLockPid}\n`);
  // The TXT variant only slows this down: the out dir just needs a published build.
  await refreshPfs({
    rawDir: await copyRaw({ withoutTxt: true }),
    outDir,
    log: (line) => goodRunLog.push(line),
  });
});

afterAll(removeTempDirs);

describe('a corrupted CSV refreshed into a published out dir (acceptance)', () => {
  let before: Record<string, string>;
  let foldersBefore: string[];
  let error: Error;

  beforeAll(async () => {
    before = await hashTree(outDir);
    foldersBefore = await runFolders(outDir);

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
    // Real files (a sha256), wherever the layout keeps them (out/ itself or a run folder).
    const files = Object.keys(before).filter((p) => /^[0-9a-f]{64}$/.test(before[p] as string));
    expect(Object.keys(before)).toContain(DATABASE_FILE_NAME);
    expect(files.filter((p) => p.endsWith(DATABASE_FILE_NAME))).toHaveLength(1);
    expect(files.filter((p) => p.endsWith('.parquet')).length).toBeGreaterThanOrEqual(8);
  });

  it('is blocked with a BlockedRunError naming at least one failed pfs_rvu check', () => {
    expect(error).toBeInstanceOf(BlockedRunError);
    expect(error.message).toContain('nothing was published');
    const failed = (error as BlockedRunError).details.filter((d) => /^\S.*: \d+ failing$/.test(d));
    expect(failed.length).toBeGreaterThan(0);
    for (const line of failed) expect(line).toContain('(pfs_rvu)');
    // The rejected lines under a heading of their own: nothing was loaded, with or without them.
    expect(failed).toContain('rejected lines (pfs_rvu): 3 failing');
    expect(errorText(error)).not.toContain('loaded without them');
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

  it('leaves every file, link and folder of the out dir as it was, byte for byte', async () => {
    expect(await hashTree(outDir)).toEqual(before);
  });

  it('leaves no build folder (.build-*, .runs/*) and no lock behind', async () => {
    expect(foldersBefore.filter((name) => name.startsWith('.build-'))).toEqual([]);
    expect(await runFolders(outDir)).toEqual(foldersBefore);
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
    const freshOut = await makeTempDir('out');
    const error = await failedRefresh({ rawDir, outDir: freshOut });
    expect(error).toBeInstanceOf(InputError);
    const input = error as InputError;
    expect(input.file).toBe(CSV_KEY);
    expect(input.rule).toBe('required column missing');
    expect(input.detail).toContain('WORK RVU');
    expect(input.message).toContain(CSV_KEY);
    expect(await filesUnder(freshOut)).toEqual([KERNEL_LOCK_FILE]);
  });

  it("an empty file gives an InputError 'empty file'", async () => {
    const rawDir = await copyRaw({ withoutManifest: true, withoutTxt: true });
    await writeFile(releaseFile(rawDir, CSV_NAME), '');
    const freshOut = await makeTempDir('out');
    const error = await failedRefresh({ rawDir, outDir: freshOut });
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).rule).toBe('empty file');
    expect(error.message).toContain(CSV_KEY);
    expect(await filesUnder(freshOut)).toEqual([KERNEL_LOCK_FILE]);
  });

  it('a manifest whose sha256 does not match the file gives an error naming file and sha256', async () => {
    const rawDir = await copyRaw();
    const manifestPath = releaseFile(rawDir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    const listed = manifest.files.find((f: { path: string }) => f.path === CSV_NAME);
    listed.sha256 = '0'.repeat(64);
    await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
    const freshOut = await makeTempDir('out');
    const error = await failedRefresh({ rawDir, outDir: freshOut });
    expect(error.message).toContain(releaseFile(rawDir, CSV_NAME));
    expect(error.message).toContain('sha256');
    expect(error.message).toContain(
      '8af460f38bf982b79b07269fbc8b7256a8ef3bd3aa025a9c5cb71c1e52523c56',
    );
    expect(await filesUnder(freshOut)).toEqual([KERNEL_LOCK_FILE]);
  });
});

/**
 * RVU25D's file `name` with lines edited (`edit` changes the lines, endings kept), staged alone
 * into table stg of a staging database of its own, for `check` to read.
 */
async function stageEdited(
  name: string,
  key: string,
  edit: (lines: string[]) => void,
  check: (staged: {
    connection: DuckDBConnection;
    result: StageResult;
    lines: string[];
  }) => Promise<void>,
): Promise<void> {
  const path = join(await makeTempDir('edited'), name);
  const lines = await readFileLines(releaseFile(REPO_RAW_DIR, name));
  edit(lines);
  await writeFile(path, joinLines(lines));
  const staging = await openStagingDatabase();
  try {
    const { connection } = staging;
    const result = await stagePfsFile(connection, 'stg', await pfsRawFile(path, key));
    await check({ connection, result, lines });
  } finally {
    staging.close();
  }
}

describe('a line the CSV reader cannot split, in the middle of the file', () => {
  it('is rejected on its own line and shifts no line number after it', async () => {
    await stageEdited(
      CSV_NAME,
      CSV_KEY,
      (lines) => {
        const bad = lines[100 - 1] as string;
        expect(bad.endsWith(',0.00,0.00,0.00\r\n')).toBe(true);
        lines[100 - 1] = bad.replace(/,0\.00\r\n$/, '\r\n');
      },
      async ({ connection, result, lines }) => {
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
      },
    );
  });
});

describe('a fixed-width record longer than the layout', () => {
  it('is rejected where it stands, the first record too (it was once taken for preamble)', async () => {
    await stageEdited(
      TXT_NAME,
      TXT_KEY,
      (lines) => {
        // Lines 1-7 are HDR lines, the records start on line 8; each is 171 characters.
        for (const at of [8, 9]) {
          const line = lines[at - 1] as string;
          expect(line.length).toBe(173); // with CRLF
          lines[at - 1] = line.replace(/\r\n$/, 'X\r\n');
        }
      },
      async ({ connection, result }) => {
        expect(result).toEqual({ rowsStaged: 19088, linesRejected: 2 });
        expect(
          await rowsJson(
            connection,
            'SELECT source_line::INTEGER AS line, rule, detail FROM rejected_row ORDER BY 1',
          ),
        ).toEqual(
          [8, 9].map((line) => ({
            line,
            rule: 'record length',
            detail: 'record is 172 characters, the layout has 171',
          })),
        );
      },
    );
  });
});

describe('the out dir lock', () => {
  let holder: Taker | undefined;

  afterAll(async () => {
    await holder?.finish();
  });

  it("refuses a refresh while a live process holds the lock ('another refresh')", async () => {
    const lockedDir = await makeTempDir('out');
    holder = spawnTaker(lockedDir);
    expect(await holder.outcome).toEqual(['held']);
    const pid = holder.process.pid;
    try {
      const error = await failedRefresh({ rawDir: await copyRaw(), outDir: lockedDir });
      expect(error.message).toContain('another refresh');
      expect(error.message).toContain(`pid ${pid}`);
      // The lock belongs to the other process: it stays, and nothing else was written.
      expect(await readFile(join(lockedDir, LOCK_FILE), 'utf8')).toBe(`${pid}\n`);
      expect((await readdir(lockedDir)).sort()).toEqual([KERNEL_LOCK_FILE, LOCK_FILE]);
    } finally {
      await holder.finish();
    }
  });

  it('takes over a lock left by a dead process and completes the refresh', async () => {
    // The good run of this file started with a lock file holding a dead pid.
    expect(
      goodRunLog.some((l) => l.includes('stale lock') && l.includes(`pid ${staleLockPid}`)),
    ).toBe(true);
    expect(goodRunLog.some((l) => l.startsWith('published '))).toBe(true);
    expect(existsSync(join(outDir, LOCK_FILE))).toBe(false);
    // At most the published run's folder: no build left behind.
    const folders = await runFolders(outDir);
    expect(folders.filter((name) => name.startsWith('.build-'))).toEqual([]);
    expect(folders.length).toBeLessThanOrEqual(1);
    const db = await openOutDatabase(outDir);
    try {
      expect(await scalar(db.connection, 'SELECT count(*) FROM pfs_rvu')).toBe(19090);
    } finally {
      db.close();
    }
  });
});
