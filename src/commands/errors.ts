/** A command used wrongly or configured wrongly: exit code 2. */
export class UsageError extends Error {}

/** Exit codes, documented in the README. */
export const EXIT = {
  ok: 0,
  /** Blocked by bad input or a failed check (nothing published), or nothing found. */
  blocked: 1,
  usage: 2,
  /** A source could not be reached, or its landing page changed shape (online refresh). */
  sourceUnavailable: 3,
  /** The out/ filesystem is full: nothing was published. */
  diskFull: 4,
} as const;
