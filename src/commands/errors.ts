/** A command used wrongly or configured wrongly: exit code 2. */
export class UsageError extends Error {}

/**
 * Exit codes, one per outcome, documented in the README's table. `bin/refresh` passes them
 * through unchanged (make turns every failure into 2).
 */
export const EXIT = {
  /** Published (refresh), or found (lookup, status). */
  ok: 0,
  /** Blocked by bad input or a failed check (nothing published), or nothing found. */
  blocked: 1,
  /** The command was used wrongly: an unknown option, a bad value. */
  usage: 2,
  /** A source could not be reached, or its landing page changed shape (online refresh). */
  sourceUnavailable: 3,
  /** The environment failed the run, such as the out/ filesystem being full: nothing published. */
  diskFull: 4,
  /** Another refresh holds the out/ folder's lock: nothing was done. */
  lockBusy: 5,
  /** Nothing new since the published run, which stays as it is (a refresh without --force). */
  nothingNew: 6,
  /** A fault of the program itself (a bug): sysexits' EX_SOFTWARE. */
  internal: 70,
  /** Stopped by SIGINT / SIGTERM (128 + the signal's number). */
  sigint: 130,
  sigterm: 143,
} as const;
