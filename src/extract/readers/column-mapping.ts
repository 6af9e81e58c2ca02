import { InputError } from '../../errors.js';
import type { SourceColumn } from '../../pipeline-definition.js';

export function normaliseHeader(text: string): string {
  // Footnote marks after a name go ("2026 PW GPCI (with 1.0 Floor)***").
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/(?<=\S) ?\*+$/, '')
    .toUpperCase();
}

/** Field index per declared column, or null for an optional column the file lacks. */
export type FieldIndex = Record<string, number | null>;

/**
 * Locates each declared column in a header row by name (or a synonym), never by position: CMS
 * moves and renames columns between years.
 */
export function mapColumns(
  names: readonly string[],
  columns: readonly SourceColumn[],
  file: string,
  headerLine: number,
): FieldIndex {
  const normalised = names.map(normaliseHeader);
  const index: FieldIndex = {};
  for (const column of columns) {
    const hits = normalised.flatMap((n, i) => (namesColumn(n, column) ? [i] : []));
    if (hits.length > 1) {
      throw new InputError(
        file,
        headerLine,
        'ambiguous column',
        `header "${column.header}" appears ${hits.length} times`,
      );
    }
    if (hits.length === 0 && !column.optional) {
      throw new InputError(
        file,
        headerLine,
        'required column missing',
        `no header "${column.header}" (found: ${normalised.filter(Boolean).join(' | ')})`,
      );
    }
    index[column.name] = hits[0] ?? null;
  }
  return index;
}

/** How many declared headers a candidate header row names: used to pick the header rows. */
export function countMatches(names: readonly string[], columns: readonly SourceColumn[]): number {
  const normalised = names.map(normaliseHeader);
  return columns.filter((c) => normalised.some((n) => namesColumn(n, c))).length;
}

/** Whether a normalised header names the column: its header, a synonym, or its pattern. */
function namesColumn(normalised: string, column: SourceColumn): boolean {
  if (column.headerPattern?.test(normalised)) return true;
  return [column.header, ...(column.synonyms ?? [])].some((h) => normaliseHeader(h) === normalised);
}
