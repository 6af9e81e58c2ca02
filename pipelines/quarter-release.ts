import type { ReleaseDates } from '../src/pipeline-definition.js';

/**
 * Release folders named by the month they take effect, "YYYY-MM" (OPPS Addendum B 2023-01,
 * MUE 2025-10): effective the first day of that month.
 */
export function monthReleaseFromFolder(source: string, folder: string): ReleaseDates {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(folder);
  if (!match) {
    throw new Error(
      `release folder "${folder}" is not a ${source} release id (expected YYYY-MM, the month it takes effect, e.g. 2023-01)`,
    );
  }
  return { release: folder, published: null, effectiveFrom: `${folder}-01`, isFull: true };
}
