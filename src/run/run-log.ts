import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FailingCheck } from '../errors.js';

/**
 * out/runs.jsonl: one line per refresh attempt, published or not. It lives beside the published
 * links, outside any run's folder, so a blocked run (whose folder is removed) still leaves its line.
 */
export const RUN_LOG_NAME = 'runs.jsonl';

/** How a refresh attempt ended; each has its own exit code (src/commands/errors.ts). */
export type RunOutcome =
  | 'published'
  | 'nothing-new'
  | 'blocked'
  | 'source-unavailable'
  | 'lock-busy'
  | 'environment-error'
  | 'internal-error'
  | 'stopped';

/** One line of the run log; keys are snake_case, like `status --json`. */
export interface RunLogEntry {
  id: string;
  /** ISO 8601 with the zone offset, e.g. 2026-12-06T14:05:01.123+00:00. */
  started_at: string;
  ended_at: string;
  outcome: RunOutcome;
  exit_code: number;
  /** One line: what was published, or why nothing was. */
  summary: string;
  failing_checks: FailingCheck[];
}

export function runLogPath(outDir: string): string {
  return join(outDir, RUN_LOG_NAME);
}

/** A time as ISO 8601 with the machine's zone offset (not always Z: operators read local time). */
export function isoWithZone(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, -1);
  const sign = offset >= 0 ? '+' : '-';
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offset) % 60).padStart(2, '0');
  return `${local}${sign}${hours}:${minutes}`;
}

function lineOf(entry: RunLogEntry): string {
  // A summary quoting a file may hold a newline: JSON escapes it, so one entry stays one line.
  return `${JSON.stringify(entry)}\n`;
}

/**
 * Appends an entry as one write to a file opened for appending (so concurrent attempts never
 * interleave within a line) and fsyncs it: the line survives a crash right after the run.
 */
export async function appendRunLog(outDir: string, entry: RunLogEntry): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const handle = await open(runLogPath(outDir), 'a');
  try {
    await handle.write(lineOf(entry));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The same at once, from a signal handler about to exit. */
export function appendRunLogSync(outDir: string, entry: RunLogEntry): void {
  const fd = openSync(runLogPath(outDir), 'a');
  try {
    writeSync(fd, lineOf(entry));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Every entry, oldest first; a torn last line (power lost mid-write) is skipped. */
export async function readRunLog(outDir: string): Promise<RunLogEntry[]> {
  const text = await readFile(runLogPath(outDir), 'utf8').catch(() => '');
  return text.split('\n').flatMap((line) => {
    if (line.trim() === '') return [];
    try {
      return [JSON.parse(line) as RunLogEntry];
    } catch {
      return [];
    }
  });
}

/** The last attempt and the last that published, for `status` and the report. */
export function lastAttemptAndSuccess(entries: readonly RunLogEntry[]): {
  last_attempt: RunLogEntry | null;
  last_success: RunLogEntry | null;
} {
  return {
    last_attempt: entries.at(-1) ?? null,
    last_success: [...entries].reverse().find((e) => e.outcome === 'published') ?? null,
  };
}
