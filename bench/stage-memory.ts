/**
 * Where a refresh's time and memory go, stage by stage: the refresh announces each stage through
 * its `stage` callback (plan, code tables, load <source>, histories, marts, Parquet, publish);
 * this records when each began and the process's peak resident memory while it ran.
 *
 * Peak per stage comes from two readings: the RSS sampled every few milliseconds (DuckDB works on
 * its own threads, so the event loop is mostly free to sample), and the kernel's high-water mark
 * (VmHWM in /proc/self/status) read at each stage change: when the mark rose during a stage, the
 * process's peak so far was reached in it, exactly, even between two samples. Where /proc is
 * missing (not Linux) only the samples count.
 */
import { readFileSync } from 'node:fs';

export interface StageMemory {
  name: string;
  /** Milliseconds since the job started. */
  startMs: number;
  seconds: number;
  /** Highest resident set size while the stage ran, MiB. */
  peakRssMib: number;
  /** Resident set size when the stage ended, MiB. */
  endRssMib: number;
}

const MIB = 2 ** 20;

/** VmHWM of this process in bytes, or null where /proc/self/status cannot be read. */
export function highWaterMark(): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export interface StageRecorder {
  /** Pass as refresh's `stage` option. */
  stage(name: string): void;
  /** Ends the last stage and stops sampling. */
  finish(): StageMemory[];
}

export function recordStages(started: number, intervalMs = 10): StageRecorder {
  const stages: StageMemory[] = [];
  let current: StageMemory | null = null;
  let hwm = highWaterMark() ?? 0;
  const sample = (): number => {
    const rss = process.memoryUsage.rss();
    if (current && rss / MIB > current.peakRssMib) current.peakRssMib = rss / MIB;
    return rss;
  };
  const close = (now: number): void => {
    const rss = sample();
    if (!current) return;
    const mark = highWaterMark();
    if (mark !== null && mark > hwm) {
      current.peakRssMib = Math.max(current.peakRssMib, mark / MIB);
      hwm = mark;
    }
    current.seconds = (now - started) / 1000 - current.startMs / 1000;
    current.endRssMib = rss / MIB;
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stage(name) {
      const now = performance.now();
      close(now);
      const rss = process.memoryUsage.rss() / MIB;
      current = { name, startMs: now - started, seconds: 0, peakRssMib: rss, endRssMib: rss };
      stages.push(current);
    },
    finish() {
      close(performance.now());
      clearInterval(timer);
      current = null;
      return stages;
    },
  };
}
