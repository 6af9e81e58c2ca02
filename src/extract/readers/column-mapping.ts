import { InputError } from '../../errors.js';
import type { SourceColumn } from '../../pipeline-definition.js';

export function normaliseHeader(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toUpperCase();
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
    const accepted = [column.header, ...(column.synonyms ?? [])].map(normaliseHeader);
    const hits = normalised.flatMap((n, i) => (accepted.includes(n) ? [i] : []));
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
  const normalised = new Set(names.map(normaliseHeader));
  return columns.filter((c) =>
    [c.header, ...(c.synonyms ?? [])].some((h) => normalised.has(normaliseHeader(h))),
  ).length;
}
