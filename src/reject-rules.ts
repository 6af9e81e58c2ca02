/**
 * Rules a rejected line can break that block a run whatever their number; every other rule
 * counts toward the pipeline's reject-rate threshold.
 */
export const UNKNOWN_CODE = 'unknown code';
export const TRUNCATED_FILE = 'truncated file';
/** A value holding a NUL byte: rejected (it counts toward the threshold). */
export const NUL_BYTE = 'NUL byte';

/**
 * A code of its code table used on a day outside the dates the table gives it (CMS's 2020 HCPCS
 * file still gives G9949 the type of service B, "obsolete 1/1/98"): the publisher's own data
 * contradicts its documentation, so the row is kept, its value decoded without a label that
 * day, and the run warns.
 */
export const CODE_OUT_OF_DATE = 'code used outside its dates';

/**
 * rejected_row.raw_text keeps at most this many characters of a line: enough to read any real
 * record, and what DuckDB keeps of a line its CSV reader rejects. A 10 MB line is cut to this.
 */
export const RAW_TEXT_MAX_CHARS = 10_000;
