/** Bad input: names the file, the line (when one is to blame) and the rule it broke. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly rule: string,
    readonly detail: string,
  ) {
    super(`${file}${line === null ? '' : `:${line}`}: ${rule}: ${detail}`);
    this.name = 'InputError';
  }
}

/** The most of a reader's error message an InputError repeats. */
const MESSAGE_MAX_CHARS = 2_000;

/**
 * DuckDB's "Out of Memory Error", as thrown or wrapped in another message: a statement needed
 * more than the database's memory_limit. The environment's failure, never the input's.
 */
export function isOutOfMemory(error: unknown): boolean {
  return error instanceof Error && error.message.includes('Out of Memory Error');
}

/**
 * A file no reader could read at all, with the reader's message. DuckDB may quote the offending
 * line in it; a 10 MB line is no use in an error, so the message is cut. DuckDB running out of
 * memory while reading it is no fault of the file: that error is given back as it is.
 */
export function unreadableFile(file: string, error: unknown): Error {
  if (isOutOfMemory(error)) return error as Error;
  const message = error instanceof Error ? error.message : String(error);
  return new InputError(
    file,
    null,
    'unreadable file',
    message.length > MESSAGE_MAX_CHARS
      ? `${message.slice(0, MESSAGE_MAX_CHARS)}… (${message.length} characters)`
      : message,
  );
}

/** A check that failed, by name, with how many rows it found. */
export interface FailingCheck {
  name: string;
  /** The table checked; null for a rule broken while reading (an InputError). */
  table: string | null;
  failing: number;
}

/** A run stopped by blocking checks or rejected rows; its outputs were not published. */
export class BlockedRunError extends Error {
  constructor(
    message: string,
    readonly details: string[],
    /** The blocking checks that failed, and the rejected lines whatever check they made fail. */
    readonly checks: FailingCheck[] = [],
  ) {
    super(message);
    this.name = 'BlockedRunError';
  }
}

/** The filesystem of out/ ran out of space during a run; the build was removed. */
export class DiskFullError extends Error {
  constructor(
    readonly outDir: string,
    /** About how much the run needs: the published run's size, or the raw files' size twice. */
    readonly neededBytes: number,
    readonly reason: unknown,
  ) {
    const mb = Math.max(1, Math.ceil(neededBytes / 1024 / 1024));
    super(
      `no space left on the out/ filesystem (${outDir}): need about ${mb} MB free; free some and run again (${reason instanceof Error ? reason.message : String(reason)})`,
    );
    this.name = 'DiskFullError';
  }
}

/** Another refresh holds the lock of the out/ folder: the run did nothing. */
export class LockBusyError extends Error {
  constructor(
    readonly outDir: string,
    readonly holderPid: number | null,
    readonly lockPath: string,
  ) {
    super(
      `another refresh (pid ${holderPid ?? '?'}) is writing to ${outDir}; wait for it to finish (lock: ${lockPath})`,
    );
    this.name = 'LockBusyError';
  }
}

/** Whether an error (Node's or DuckDB's) says a disk is full. */
export function isDiskFull(error: unknown): boolean {
  if ((error as NodeJS.ErrnoException)?.code === 'ENOSPC') return true;
  return (
    error instanceof Error && /No space left on device|ENOSPC|disk is full/i.test(error.message)
  );
}
