/** Summary statistics the harness reports. Inputs are not modified. */

/** The middle value; the mean of the two middle values for an even count. NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The p-th percentile by the nearest-rank method: the smallest value with at least p % of the
 * values at or below it (p in (0, 100]; p = 0 gives the minimum). NaN when empty.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in [0, 100]`);
  const sorted = [...values].sort((a, b) => a - b);
  // The epsilon keeps p × n / 100 from landing a hair above a whole number (99.9 × 1000).
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100 - 1e-9));
  return sorted[rank - 1] as number;
}
