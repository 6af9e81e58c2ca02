import { sql } from 'kysely';
import type { FeeSchedule } from '../db/fee-schedule.js';
import type { CardColumn, CodeCardDefinition } from './code-card.js';

export const AMA_NOTICE =
  'CPT codes and descriptions only are copyright American Medical Association. All rights reserved. Applicable FARS/DFARS apply.';

export interface DecodedValue {
  /** The field's name as CMS documents it (indicator_system.name). */
  name: string;
  source: string;
  /** Release consulted; null when no release of the source was in force on the date. */
  release: string | null;
  /** Null when the release has no value for the code. */
  code: string | null;
  label: string | null;
}

/** Everything the loaded sources say about one (code, modifier) as of one date. */
export interface CodeCard {
  hcpcs: string;
  modifier: string | null;
  as_of: string;
  short_description: string | null;
  long_description: string | null;
  indicators: Record<string, DecodedValue>;
  /** The numbers (RVUs) of the card's fee-schedule row, when its release has one. */
  rvu: Record<string, string> | null;
  /** File and line of the card's fee-schedule row (`pfs_row`: the name programs read). */
  pfs_row: { file: string; line: number } | null;
  copyright: string;
}

/** The card's code tables, ready to decode: the name of each system, the label of each code. */
interface CodeTables {
  nameOf: Map<string, string>;
  labelOf: Map<string, string>;
}

/** Code tables do not change within a published database: read them once per open schedule. */
const codeTableCache = new WeakMap<FeeSchedule, Promise<CodeTables>>();

function codeTables(schedule: FeeSchedule, card: CodeCardDefinition): Promise<CodeTables> {
  let cached = codeTableCache.get(schedule);
  if (!cached) {
    const { db } = schedule;
    const systems = card.fields.flatMap((f) => (f.system ? [f.system] : []));
    // The maps too are built once: rebuilding them cost a lookup about as much as its read.
    cached = Promise.all([
      db
        .selectFrom('indicator_system')
        .select(['system', 'name'])
        .where('system', 'in', systems)
        .execute(),
      db
        .selectFrom('indicator_code')
        .select(['system', 'code', 'label'])
        .where('system', 'in', systems)
        .execute(),
    ]).then(([names, codes]) => ({
      nameOf: new Map(names.map((n) => [n.system, n.name])),
      labelOf: new Map(codes.map((c) => [codeKey(c.system, c.code), c.label])),
    }));
    codeTableCache.set(schedule, cached);
  }
  return cached;
}

function codeKey(system: string, code: string): string {
  return `${system}\u0000${code}`;
}

/** The code_card columns a card reads: what it shows and the release of each source. */
function cardColumns(card: CodeCardDefinition): CardColumn[] {
  return [
    ...new Set<CardColumn>([
      'as_of',
      'hcpcs',
      'modifier',
      'short_description',
      'long_description',
      ...card.fields.flatMap((f) => [
        f.column,
        f.releaseColumn,
        ...(f.sourceColumn ? [f.sourceColumn] : []),
      ]),
      ...card.row.numbers,
      card.row.file,
      card.row.line,
    ]),
  ];
}

/**
 * Cards for a code as of a date (default: the newest release date that knows the code): the
 * global service and each modifier, or just the modifier asked for. Labels come from the code
 * tables, so a label lives only there.
 */
export async function lookupCode(
  schedule: FeeSchedule,
  card: CodeCardDefinition,
  hcpcs: string,
  options: { modifier?: string; asOf?: string } = {},
): Promise<CodeCard[]> {
  const code = hcpcs.trim().toUpperCase();
  const modifier = options.modifier?.trim().toUpperCase();
  const rows =
    options.asOf === undefined
      ? await currentRows(schedule, code, modifier)
      : await rowsAsOf(schedule, card, code, modifier, options.asOf);
  const newest = rows.reduce<string | null>(
    (max, r) => (max === null || r.as_of > max ? r.as_of : max),
    null,
  );
  const current = rows.filter((r) => r.as_of === newest).sort(byModifier);
  if (current.length === 0) return [];

  const { nameOf, labelOf } = await codeTables(schedule, card);
  const decode = (system: string | undefined, value: string | null): string | null => {
    if (value === null || !system) return null;
    // A code may carry several values (TOS "1,5"): decode each.
    return value
      .split(',')
      .map((v) => labelOf.get(codeKey(system, v)) ?? `${v}: not in the code table`)
      .join('; ');
  };

  return current.map((record) => {
    const indicators: Record<string, DecodedValue> = {};
    for (const field of card.fields) {
      const raw = record[field.column];
      const value = raw === null || raw === undefined ? null : String(raw);
      indicators[field.column] = {
        name: (field.system && nameOf.get(field.system)) || field.name || field.column,
        source:
          (field.sourceColumn && (record[field.sourceColumn] as string | null)) || field.source,
        release: (record[field.releaseColumn] as string | null) ?? null,
        code: value,
        label: decode(field.system, value),
      };
    }
    const rowFile = record[card.row.file] as string | null;
    return {
      hcpcs: code,
      modifier: record.modifier,
      as_of: record.as_of,
      short_description: record.short_description as string | null,
      long_description: record.long_description as string | null,
      indicators,
      rvu:
        rowFile === null
          ? null
          : Object.fromEntries(
              card.row.numbers
                // A number the release does not have (a second conversion factor before 2026).
                .filter((c) => record[c] !== null && record[c] !== undefined)
                .map((c) => [c, String(record[c])]),
            ),
      pfs_row: rowFile === null ? null : { file: rowFile, line: Number(record[card.row.line]) },
      copyright: AMA_NOTICE,
    };
  });
}

/** A card's row: code_card's columns by name. */
interface CardRow {
  as_of: string;
  modifier: string | null;
  [column: string]: unknown;
}

/** code_card_current's columns in order: the names of the values of code_card_current_json. */
const currentColumnsCache = new WeakMap<FeeSchedule, Promise<string[]>>();

function currentColumns(schedule: FeeSchedule): Promise<string[]> {
  let cached = currentColumnsCache.get(schedule);
  if (!cached) {
    // One table's columns: duckdb_columns() binds every table and view of the database, most
    // of a cold `fse lookup`'s query time (17 ms against 2 ms).
    cached = sql<{ name: string }>`
      SELECT name FROM pragma_table_info('code_card_current') ORDER BY cid`
      .execute(schedule.db)
      .then(({ rows }) => rows.map((r) => r.name));
    currentColumnsCache.set(schedule, cached);
  }
  return cached;
}

/**
 * The current rows of a code: each stored as one JSON text (code_card_current_json), so a
 * lookup reads one column where it read every card column (a point read costs DuckDB about 60 µs
 * a column). Values are text there; the card turns each into text anyway.
 */
async function currentRows(
  schedule: FeeSchedule,
  code: string,
  modifier: string | undefined,
): Promise<CardRow[]> {
  let query = schedule.db
    .selectFrom('code_card_current_json')
    .select('card')
    .where('hcpcs', '=', code);
  if (modifier !== undefined) query = query.where('modifier', '=', modifier);
  const [rows, columns] = await Promise.all([query.execute(), currentColumns(schedule)]);
  return rows.map(({ card }) => {
    const values = JSON.parse(card as string) as (string | null)[];
    // Both come from the one database: a difference is a table built by other code.
    if (values.length !== columns.length) {
      throw new Error(
        `code_card_current_json holds ${values.length} values a row, code_card_current has ${columns.length} columns: refresh the database`,
      );
    }
    return Object.fromEntries(columns.map((column, i) => [column, values[i]])) as CardRow;
  });
}

/** The rows of a code as of a day: computed by the code_card view, only the card's columns. */
async function rowsAsOf(
  schedule: FeeSchedule,
  card: CodeCardDefinition,
  code: string,
  modifier: string | undefined,
  asOf: string,
): Promise<CardRow[]> {
  let query = schedule.db
    .selectFrom('code_card')
    .select(cardColumns(card))
    .where('hcpcs', '=', code)
    .where('as_of', '<=', asOf);
  if (modifier !== undefined) query = query.where('modifier', '=', modifier);
  // Ordered in lookupCode, not by DuckDB: a code has a few rows, and an ORDER BY over the wide
  // rows cost DuckDB up to a millisecond a lookup on a busy machine (bench/lookup-timing.ts).
  return (await query.execute()) as CardRow[];
}

/** The global row (no modifier) last, the others by modifier: DuckDB's ORDER BY modifier. */
function byModifier(a: { modifier: string | null }, b: { modifier: string | null }): number {
  if (a.modifier === b.modifier) return 0;
  if (a.modifier === null) return 1;
  if (b.modifier === null) return -1;
  return a.modifier < b.modifier ? -1 : 1;
}

/** The card as text; `definition` names its row. */
export function formatCard(card: CodeCard, definition: CodeCardDefinition): string {
  const fields = Object.values(card.indicators);
  const width = Math.max(...fields.map((i) => i.name.length));
  const lines = [
    `${card.hcpcs}${card.modifier ? `-${card.modifier}` : ''}  ${card.short_description ?? ''}`,
    ...(card.long_description ? [`  ${card.long_description}`] : []),
    `as of ${card.as_of}${card.pfs_row ? `; ${definition.row.label} ${card.pfs_row.file} line ${card.pfs_row.line}` : ''}`,
    '',
    ...Object.entries(card.indicators).map(([column, i]) => {
      // A field more than one source gives says which one it came from.
      const from = definition.fields.find((f) => f.column === column)?.sourceColumn
        ? `  [${i.source} ${i.release}]`
        : '';
      const value =
        i.release === null
          ? `(no ${i.source} release in force)`
          : i.code === null
            ? `(not in ${i.source} ${i.release})`
            : `${i.code.padEnd(3)}  ${i.label ?? ''}${from}`;
      return `  ${i.name.padEnd(width)}  ${value}`;
    }),
  ];
  if (card.rvu) {
    lines.push(
      '',
      `  RVUs: ${Object.entries(card.rvu)
        .map(([k, v]) => `${k} ${v}`)
        .join(' · ')}`,
    );
  }
  lines.push('', card.copyright);
  return lines.join('\n');
}
