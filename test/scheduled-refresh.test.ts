import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunLogEntry } from '../src/run/run-log.js';
import type { CliResult } from './helpers/cli.js';
import { fse } from './helpers/cli.js';
import { spawnTaker } from './helpers/lock-takers.js';
import {
  CSV_NAME,
  makeTempDir,
  RELEASE_SUBDIR,
  removeTempDirs,
  smallPfsRaw,
} from './helpers/raw.js';

/** The command README's cron and systemd lines schedule. */
const SCHEDULED = fileURLToPath(new URL('../bin/refresh', import.meta.url));
const run = promisify(execFile);

async function scheduledRefresh(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(SCHEDULED, args);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as CliResult;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * Each outcome of the scheduled command, in the order a cron job could meet them, on one small
 * raw dir (the RVU25D CSV cut to 200 rows): its exit code and the line it left in out/runs.jsonl.
 */
describe('bin/refresh, as scheduled: one exit code and one run-log line per outcome', () => {
  let rawDir: string;
  let outDir: string;
  const refreshArgs = () => ['--raw', rawDir, '--out', outDir];
  const runLog = async (): Promise<RunLogEntry[]> =>
    (await readFile(join(outDir, 'runs.jsonl'), 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as RunLogEntry);
  const lastEntry = async () => (await runLog()).at(-1);
  let published: RunLogEntry | undefined;

  beforeAll(async () => {
    rawDir = await smallPfsRaw(200, 'scheduled');
    outDir = join(await makeTempDir('scheduled'), 'out');
  });
  afterAll(removeTempDirs);

  it('published: exit 0; the log line names the run, its times with zone, and the summary', async () => {
    const result = await scheduledRefresh(...refreshArgs());
    expect(result.code, result.stderr).toBe(0);
    published = await lastEntry();
    expect(published).toMatchObject({
      outcome: 'published',
      exit_code: 0,
      summary: expect.stringContaining('200 rows'),
      // The release holds PPRRVU alone: the warnings that its package files are missing.
      failing_checks: ['pfs_gpci', 'pfs_locality', 'pfs_anesthesia_cf', 'pfs_opps_cap'].map(
        (table) => ({ name: "every pfs-rvu release has this source's file", table, failing: 1 }),
      ),
    });
    expect(published?.id).toMatch(/^\d{8}T\d{6}Z-\d+$/);
    expect(published?.started_at).toMatch(/T\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    expect((published?.ended_at ?? '') >= (published?.started_at ?? '')).toBe(true);
    // Not a terminal (cron): one timestamped line per stage, naming the run.
    expect(result.stderr).toMatch(
      new RegExp(`^\\S+[+-]\\d\\d:\\d\\d run ${published?.id} stage 1/\\d+: plan`, 'm'),
    );
    // The summary ends with where to look.
    expect(result.stdout).toMatch(
      /where to look:\n {2}report: .*report\.html\n {2}manifest: .*manifest\.json\n {2}database: .*fee_schedule\.duckdb/,
    );
  });

  it('nothing new: exit 6; --quiet says nothing', async () => {
    const result = await scheduledRefresh(...refreshArgs(), '--quiet');
    expect(result.code, result.stderr).toBe(6);
    expect(result.stdout + result.stderr).toBe('');
    expect(await lastEntry()).toMatchObject({ outcome: 'nothing-new', exit_code: 6 });
  });

  it('blocked by a bad raw file: exit 1; the line names the failing check and its count', async () => {
    const csv = join(rawDir, RELEASE_SUBDIR, CSV_NAME);
    const bytes = await readFile(csv);
    // Cut in the middle of the last line: a truncated download.
    await writeFile(csv, bytes.subarray(0, bytes.length - 20));
    const result = await scheduledRefresh(...refreshArgs());
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('refresh blocked');
    const entry = await lastEntry();
    expect(entry).toMatchObject({ outcome: 'blocked', exit_code: 1 });
    // A rule broken while reading the file: no table was checked yet.
    expect(entry?.failing_checks).toEqual([{ name: 'truncated file', table: null, failing: 1 }]);
    expect(entry?.summary).toContain(`${RELEASE_SUBDIR}/${CSV_NAME}`);
    await writeFile(csv, bytes);
  });

  it('status --json after the blocked run shows the failure and the last success', async () => {
    const status = await fse('status', '--json', '--out', outDir, '--raw', rawDir);
    const json = JSON.parse(status.stdout);
    expect(json.last_attempt).toMatchObject({ outcome: 'blocked', exit_code: 1 });
    expect(json.last_attempt.failing_checks.map((c: { name: string }) => c.name)).toContain(
      'truncated file',
    );
    expect(json.last_success).toEqual(published);
    // A failed last attempt is worth a mail from the status cron line.
    expect(status.code).toBe(1);
  });

  it('report.html after the blocked run names the failure, and flags sources with no release', async () => {
    const html = await readFile(join(outDir, 'report.html'), 'utf8');
    expect(html).toContain('The last refresh attempt failed');
    expect(html).toMatch(/<tr data-outcome="blocked">/);
    expect(html).toContain(`(this page)`);
    expect(html).toMatch(/<li data-source="mue" data-state="no-release">.*NO RELEASE/);
  });

  it('another refresh holds the lock: exit 5', async () => {
    const holder = spawnTaker(outDir);
    try {
      expect(await holder.outcome).toEqual(['held']);
      const result = await scheduledRefresh(...refreshArgs());
      expect(result.code, result.stderr).toBe(5);
      expect(result.stderr).toContain(`another refresh (pid ${holder.process.pid})`);
      expect(await lastEntry()).toMatchObject({ outcome: 'lock-busy', exit_code: 5 });
    } finally {
      await holder.finish();
    }
  });

  it('stopped by SIGTERM during a forced run: exit 143, logged as stopped', async () => {
    const child = spawn(SCHEDULED, [...refreshArgs(), '--force'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    await new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (text: string) => {
        stderr += text;
        // Past the plan: node runs (bin/refresh execs it) and the run has its id.
        if (/ stage 2\/\d+: /.test(stderr)) resolve();
      });
    });
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(143);
    expect(await lastEntry()).toMatchObject({ outcome: 'stopped', exit_code: 143 });
  });

  it('usage: exit 2, and no run was attempted, so no log line', async () => {
    const before = await runLog();
    const result = await scheduledRefresh(...refreshArgs(), '--no-such-option');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--no-such-option'");
    expect(await runLog()).toEqual(before);
  });

  it('kept every attempt, in order', async () => {
    expect((await runLog()).map((e) => [e.outcome, e.exit_code])).toEqual([
      ['published', 0],
      ['nothing-new', 6],
      ['blocked', 1],
      ['lock-busy', 5],
      ['stopped', 143],
    ]);
  });
});
