import { CommanderError } from 'commander';
import {
  BlockedRunError,
  DiskFullError,
  type FailingCheck,
  InputError,
  isOutOfMemory,
  LockBusyError,
} from '../errors.js';
import { DiscoveryError, SourcesFailedError } from '../extract/discovery/errors.js';
import { FetchError } from '../extract/fetch/errors.js';
import { refreshMemoryLimit } from '../run/run-database.js';
import type { RunOutcome } from '../run/run-log.js';
import { EXIT, UsageError } from './errors.js';

/** What a command's error means: its exit code, the run log's outcome and what stderr says. */
export interface Failure {
  /** null: not a refresh outcome (a usage error: no run was attempted). */
  outcome: RunOutcome | null;
  exitCode: number;
  /** One line for the run log. */
  summary: string;
  /** What stderr says (several lines for a blocked run); empty when commander already said it. */
  message: string;
  failingChecks: FailingCheck[];
}

/**
 * The one table from an error to its exit code (README, "Exit codes"). Unreachable or failing
 * sources and pages that changed shape are 3; a download refused by a safety rule blocks (1).
 */
export function failureOf(error: unknown): Failure {
  const plain = (outcome: RunOutcome | null, exitCode: number, summary: string, message = '') => ({
    outcome,
    exitCode,
    summary,
    message: message || `${summary}\n`,
    failingChecks: [],
  });
  if (error instanceof CommanderError) {
    return {
      ...plain(null, error.exitCode === 0 ? EXIT.ok : EXIT.usage, error.message),
      message: '',
    };
  }
  if (error instanceof BlockedRunError) {
    return {
      outcome: 'blocked',
      exitCode: EXIT.blocked,
      summary: error.message,
      message: `\n${error.message}\n${error.details.map((d) => `  ${d}`).join('\n')}\n`,
      failingChecks: error.checks,
    };
  }
  if (error instanceof InputError) {
    const summary = `refresh blocked, nothing was published: ${error.message}`;
    return {
      ...plain('blocked', EXIT.blocked, summary, `\n${summary}\n`),
      failingChecks: [{ name: error.rule, table: null, failing: 1 }],
    };
  }
  if (
    error instanceof FetchError ||
    error instanceof DiscoveryError ||
    error instanceof SourcesFailedError
  ) {
    const errors =
      error instanceof SourcesFailedError ? error.failures.map((f) => f.error) : [error];
    const unavailable = errors.some(
      (e) =>
        e instanceof DiscoveryError ||
        (e instanceof FetchError && ['timeout', 'network', 'http'].includes(e.kind)),
    );
    const shape = errors.some((e) => e instanceof DiscoveryError && e.kind === 'changed-shape');
    const summary = `online refresh stopped, nothing was published: ${error.message}`;
    return plain(
      unavailable ? 'source-unavailable' : 'blocked',
      unavailable ? EXIT.sourceUnavailable : EXIT.blocked,
      summary,
      `\n${summary}\n${
        shape
          ? 'A landing page was reached but no longer has the shape its parser expects: see README, "When a CMS page changes shape".\n'
          : ''
      }`,
    );
  }
  if (error instanceof DiskFullError) {
    const summary = `refresh stopped, nothing was published: ${error.message}`;
    return plain('environment-error', EXIT.diskFull, summary, `\n${summary}\n`);
  }
  if (isOutOfMemory(error)) {
    // DuckDB's own limit, not the system's: the run needs more than FSE_MEMORY_LIMIT gives it.
    const summary = `refresh stopped by the environment, nothing was published: DuckDB needed more memory than FSE_MEMORY_LIMIT=${refreshMemoryLimit()} gives it; set FSE_MEMORY_LIMIT higher (e.g. FSE_MEMORY_LIMIT=2GB) and run again (${(error as Error).message.split('\n')[0]})`;
    return plain('environment-error', EXIT.diskFull, summary, `\n${summary}\n`);
  }
  if (isEnvironmentError(error)) {
    const summary = `refresh stopped by the environment, nothing was published: ${(error as Error).message}`;
    return plain('environment-error', EXIT.diskFull, summary, `\n${summary}\n`);
  }
  if (error instanceof LockBusyError) {
    return plain('lock-busy', EXIT.lockBusy, `refresh not started: ${error.message}`);
  }
  if (error instanceof UsageError) return plain(null, EXIT.usage, error.message);
  const message = error instanceof Error ? error.message : String(error);
  return plain(
    'internal-error',
    EXIT.internal,
    `internal error (a bug, exit 70): ${message}`,
    `internal error (a bug, exit 70): ${message}\n(run again with --verbose for the stack trace)\n`,
  );
}

/** The system refused a resource (permission, read-only filesystem, quota, file handles, memory). */
const ENVIRONMENT_CODES = new Set([
  'EACCES',
  'EPERM',
  'EROFS',
  'EDQUOT',
  'EMFILE',
  'ENFILE',
  'ENOMEM',
]);

function isEnvironmentError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  return typeof code === 'string' && ENVIRONMENT_CODES.has(code);
}
