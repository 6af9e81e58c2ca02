/**
 * A file path as DuckDB's file readers (read_csv, read_parquet) take it: they expand `*`, `?`
 * and `[...]` even in a bound parameter, so a folder `RVU26[A]` would read `RVU26A`'s file and
 * `RVU2*` every release's. Each such character is put in a bracket of its own (`[[]`, `[*]`,
 * `[?]`), which matches that character only: the pattern names exactly the one file.
 */
export function literalPath(path: string): string {
  return path.replace(/[*?[]/g, (c) => `[${c}]`);
}
