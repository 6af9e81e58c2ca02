/**
 * Rules a rejected line can break that block a run whatever their number; every other rule
 * counts toward the pipeline's reject-rate threshold.
 */
export const UNKNOWN_CODE = 'unknown code';
export const TRUNCATED_FILE = 'truncated file';
