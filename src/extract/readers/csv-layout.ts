import { open } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { InputError } from '../../errors.js';
import type { SourceColumn } from '../../pipeline-definition.js';
import { countMatches, type FieldIndex, mapColumns, normaliseHeader } from './column-mapping.js';

/** Where the header of a published CSV sits and which field holds each declared column. */
export interface DetectedCsvLayout {
  /** Line number (1-based) of the last header line; data starts on the next line. */
  headerEndLine: number;
  /** CSV records up to and including the header (a quoted cell may span lines). */
  headerRecords: number;
  /** Number of fields on the header line. */
  fieldCount: number;
  fieldIndex: FieldIndex;
  /** The field separator the header was read with. */
  delimiter: ',' | '\t';
}

const HEADER_SCAN_BYTES = 256 * 1024;
const MAX_HEADER_LINES = 6;

interface ParsedRecord {
  record: string[];
  info: { bytes: number };
}

/**
 * Finds the header by content: the first row whose first cell is the anchor, joined with the
 * rows above it that complete the column names (CMS spreads PPRRVU's header over five lines).
 * Columns are then located by name, never by position.
 */
export async function detectCsvLayout(
  path: string,
  displayPath: string,
  anchor: string | RegExp,
  columns: readonly SourceColumn[],
  delimiter: ',' | '\t' = ',',
): Promise<DetectedCsvLayout> {
  const read = await readHead(path, HEADER_SCAN_BYTES);
  // Lines ended by CR alone are read as the LF lines the reader's copy has.
  const head = read.includes('\n') ? read : read.replaceAll('\r', '\n');
  const lastNewline = head.lastIndexOf('\n');
  const text = lastNewline === -1 ? head : head.slice(0, lastNewline + 1);
  if (text.trim() === '') throw new InputError(displayPath, null, 'empty file', 'no header found');

  let records: ParsedRecord[];
  try {
    records = parse(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      info: true,
      to: 200,
    }) as unknown as ParsedRecord[];
  } catch (error) {
    throw new InputError(displayPath, null, 'unreadable CSV header', (error as Error).message);
  }
  const isAnchor = (cell: string) =>
    typeof anchor === 'string'
      ? normaliseHeader(cell) === normaliseHeader(anchor)
      : anchor.test(normaliseHeader(cell));
  const anchorIndex = records.findIndex((r) => isAnchor(r.record[0] ?? ''));
  if (anchorIndex === -1) {
    throw new InputError(
      displayPath,
      null,
      'header not found',
      `no row in the first ${records.length} rows starts with ${typeof anchor === 'string' ? `"${anchor}"` : anchor}`,
    );
  }
  const anchorRecord = records[anchorIndex] as ParsedRecord;

  // Join 1..MAX_HEADER_LINES rows ending at the anchor row; keep the join naming most columns.
  let best: { names: string[]; matched: number } | null = null;
  for (let depth = 0; depth < MAX_HEADER_LINES && depth <= anchorIndex; depth++) {
    const rows = records.slice(anchorIndex - depth, anchorIndex + 1).map((r) => r.record);
    const names = anchorRecord.record.map((_, i) => rows.map((row) => row[i] ?? '').join(' '));
    const matched = countMatches(names, columns);
    if (!best || matched > best.matched) best = { names, matched };
  }
  // csv-parse's own line count takes a CRLF inside a quoted cell for two lines; count the line
  // feeds up to the end of the header record instead (the text is decoded one byte per char).
  const headerEndLine = text.slice(0, anchorRecord.info.bytes).split('\n').length - 1;
  return {
    headerEndLine,
    headerRecords: anchorIndex + 1,
    fieldCount: anchorRecord.record.length,
    fieldIndex: mapColumns(
      (best as { names: string[] }).names,
      columns,
      displayPath,
      headerEndLine,
    ),
    delimiter,
  };
}

/**
 * A text file saved tab-delimited rather than by position: most of its first lines hold TABs
 * (a file laid out by position holds none).
 */
export async function looksTabDelimited(path: string): Promise<boolean> {
  const lines = (await readHead(path, 64 * 1024)).split('\n').filter((l) => l.trim() !== '');
  const tabbed = lines.filter((l) => l.includes('\t')).length;
  return tabbed >= 3 && tabbed * 2 >= lines.length;
}

async function readHead(path: string, bytes: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('latin1');
  } finally {
    await handle.close();
  }
}
