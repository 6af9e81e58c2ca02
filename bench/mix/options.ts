/** What every source generator of the mix is given. */
export interface MixOptions {
  /** Writes raw/<source>/<release>/… under this folder. */
  rawDir: string;
  /** Quarters of the calendar (calendar.ts): 40 is ten years. */
  quarters: number;
  seed: string;
  /** Write only the releases of quarters >= from; earlier ones are computed, not written. */
  from: number;
  /** PFS rows in quarter 0 (whole codes sampled); default every real row. */
  rowsPerRelease?: number;
}
