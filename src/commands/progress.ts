import cliProgress from 'cli-progress';
import { isoWithZone } from '../run/run-log.js';
import { terminalText } from '../terminal-text.js';

/** How much a refresh says while it runs: --quiet, the default, or --verbose. */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

/** What the refresh command tells the operator while a run goes on, stage by stage. */
export interface Progress {
  /** A new stage starts (the previous one ends). */
  stage(name: string): void;
  /** A line the run logs along the way (a release read, a stale lock taken over). */
  log(line: string): void;
  /** The run ended: the bar is cleared; --verbose prints each stage's time. */
  end(): void;
}

interface ProgressOptions {
  runId: string;
  verbosity: Verbosity;
  /** Stages a run goes through when it builds (a no-op refresh ends after the first). */
  stages: number;
  stream?: NodeJS.WriteStream;
  now?: () => Date;
}

/**
 * On a terminal, one bar that moves stage by stage (cli-progress); elsewhere (cron, a pipe) one
 * timestamped line per stage naming the run, so an appended log says when each run got where.
 * --quiet says nothing (errors still reach stderr).
 */
export function progressFor(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => new Date());
  if (options.verbosity === 'quiet') return { stage() {}, log() {}, end() {} };
  const timings: { name: string; startedMs: number; endedMs?: number }[] = [];
  const startStage = (name: string) => {
    const at = now().getTime();
    const previous = timings.at(-1);
    if (previous) previous.endedMs = at;
    timings.push({ name, startedMs: at });
  };
  const stageTimes = () => {
    const previous = timings.at(-1);
    if (previous && previous.endedMs === undefined) previous.endedMs = now().getTime();
    return timings.map(
      (t) =>
        `  ${t.name.padEnd(28)} ${(((t.endedMs ?? t.startedMs) - t.startedMs) / 1000).toFixed(1)} s`,
    );
  };
  const verbose = options.verbosity === 'verbose';

  if (!stream.isTTY) {
    const line = (text: string) =>
      stream.write(terminalText(`${isoWithZone(now())} run ${options.runId} ${text}\n`));
    return {
      stage(name) {
        startStage(name);
        line(`stage ${Math.min(timings.length, options.stages)}/${options.stages}: ${name}`);
      },
      log: (text) => line(text),
      end() {
        if (verbose) line(`stage times:\n${stageTimes().join('\n')}`);
      },
    };
  }

  const bars = new cliProgress.MultiBar(
    {
      stream,
      format: ' {bar} {value}/{total} {stage} ({duration}s)',
      hideCursor: true,
      clearOnComplete: true,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  const bar = bars.create(options.stages, 0, { stage: `run ${options.runId}` });
  return {
    stage(name) {
      startStage(name);
      bar.update(Math.min(timings.length - 1, options.stages), { stage: name });
    },
    // Above the bar, which is drawn again below it.
    log: (text) => bars.log(`${terminalText(text)}\n`),
    end() {
      bar.update(options.stages);
      bars.stop();
      if (verbose) stream.write(`stage times:\n${stageTimes().join('\n')}\n`);
    },
  };
}
