import { BlockedRunError } from '../errors.js';
import type { CheckOutcome } from '../transform/checks.js';

/**
 * Stops the run when a blocking check failed, naming each failing check with its examples (file,
 * line and rule), and the rejected lines whatever check they made fail.
 */
export function throwIfBlocked(checks: readonly CheckOutcome[]): void {
  const failed = checks.filter((c) => c.severity === 'blocking' && c.failing > 0);
  if (failed.length === 0) return;
  const rejected = checks.filter((c) => c.name.startsWith('rejected lines (') && c.failing > 0);
  throw new BlockedRunError(
    `refresh blocked: ${failed.length} blocking check(s) failed; nothing was published`,
    [...failed, ...rejected].flatMap((c) => [
      // The warning that lists rejected lines says they were loaded without: not in a blocked run.
      failed.includes(c)
        ? `${c.name} (${c.table}): ${c.failing} failing`
        : `rejected lines (${c.table}): ${c.failing} failing`,
      ...c.examples.map((e) => `  ${e}`),
      ...(c.failing > c.examples.length ? [`  … and ${c.failing - c.examples.length} more`] : []),
    ]),
    [...failed, ...rejected].map((c) => ({ name: c.name, table: c.table, failing: c.failing })),
  );
}
