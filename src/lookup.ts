import { PIPELINES } from '../pipelines/index.js';
import { CARD_FIELDS } from './card-fields.js';
import type { FeeSchedule } from './db/fee-schedule.js';
import type { CodeCardView } from './db/schema.js';

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
  /** RVUs of the PFS row, when the PFS release has one. */
  rvu: Record<string, string> | null;
  /** File and line of the PFS row. */
  pfs_row: { file: string; line: number } | null;
  copyright: string;
}

const CARD_SYSTEMS = CARD_FIELDS.flatMap((f) => (f.system ? [f.system] : []));

interface CodeTables {
  names: { system: string; name: string }[];
  codes: { system: string; code: string; label: string }[];
}

/** Code tables do not change within a published database: read them once per open schedule. */
const codeTableCache = new WeakMap<FeeSchedule, Promise<CodeTables>>();

function codeTables(schedule: FeeSchedule): Promise<CodeTables> {
  let cached = codeTableCache.get(schedule);
  if (!cached) {
    const { db } = schedule;
    cached = Promise.all([
      db
        .selectFrom('indicator_system')
        .select(['system', 'name'])
        .where('system', 'in', CARD_SYSTEMS)
        .execute(),
      db
        .selectFrom('indicator_code')
        .select(['system', 'code', 'label'])
        .where('system', 'in', CARD_SYSTEMS)
        .execute(),
    ]).then(([names, codes]) => ({ names, codes }));
    codeTableCache.set(schedule, cached);
  }
  return cached;
}

/** The PFS row's numbers a card shows: the decimal columns of pfs-rvu. */
const RVU_COLUMNS = (PIPELINES.find((p) => p.source === 'pfs-rvu')?.columns ?? [])
  .filter((c) => c.decimal)
  .map((c) => c.name);

/** The code_card columns a card reads: what it shows and the release of each source. */
const CARD_COLUMNS = [
  ...new Set([
    'as_of',
    'hcpcs',
    'modifier',
    'short_description',
    'long_description',
    ...CARD_FIELDS.flatMap((f) => [f.column, f.releaseColumn]),
    ...RVU_COLUMNS,
    'pfs_source_file',
    'pfs_source_line',
  ]),
] as (keyof CodeCardView & string)[];

/**
 * Cards for a code as of a date (default: the newest release date that knows the code): the
 * global service and each modifier, or just the modifier asked for. Labels come from the code
 * tables, so a label lives only there.
 */
export async function lookupCode(
  schedule: FeeSchedule,
  hcpcs: string,
  options: { modifier?: string; asOf?: string } = {},
): Promise<CodeCard[]> {
  const { db } = schedule;
  const code = hcpcs.trim().toUpperCase();
  // The current card is stored; a card as of another day is computed by the code_card view.
  // Only the columns a card shows are read (labels come from the code tables): a point read
  // costs about what its columns cost.
  const source = options.asOf === undefined ? 'code_card_current' : 'code_card';
  let query = db.selectFrom(source).select(CARD_COLUMNS).where('hcpcs', '=', code);
  if (options.modifier !== undefined) {
    query = query.where('modifier', '=', options.modifier.trim().toUpperCase());
  }
  if (options.asOf !== undefined) query = query.where('as_of', '<=', options.asOf);
  const rows = await query.orderBy('as_of', 'desc').orderBy('modifier').execute();
  const newest = rows[0]?.as_of;
  const current = rows.filter((r) => r.as_of === newest);
  if (current.length === 0) return [];

  const { names, codes } = await codeTables(schedule);
  const nameOf = new Map(names.map((n) => [n.system, n.name]));
  const labelOf = new Map(codes.map((c) => [`${c.system}\u0000${c.code}`, c.label]));
  const decode = (system: string | undefined, value: string | null): string | null => {
    if (value === null || !system) return null;
    // A code may carry several values (TOS "1,5"): decode each.
    return value
      .split(',')
      .map((v) => labelOf.get(`${system}\u0000${v}`) ?? `${v}: not in the code table`)
      .join('; ');
  };

  return current.map((row) => {
    const record = row as unknown as Record<string, unknown>;
    const indicators: Record<string, DecodedValue> = {};
    for (const field of CARD_FIELDS) {
      const raw = record[field.column];
      const value = raw === null || raw === undefined ? null : String(raw);
      indicators[field.column] = {
        name: (field.system && nameOf.get(field.system)) || field.name || field.column,
        source: field.source,
        release: (record[field.releaseColumn] as string | null) ?? null,
        code: value,
        label: decode(field.system, value),
      };
    }
    return {
      hcpcs: code,
      modifier: row.modifier,
      as_of: row.as_of as string,
      short_description: row.short_description,
      long_description: row.long_description,
      indicators,
      rvu:
        row.pfs_source_file === null
          ? null
          : Object.fromEntries(RVU_COLUMNS.map((c) => [c, String(record[c])])),
      pfs_row:
        row.pfs_source_file === null
          ? null
          : { file: row.pfs_source_file, line: Number(row.pfs_source_line) },
      copyright: AMA_NOTICE,
    };
  });
}

export function formatCard(card: CodeCard): string {
  const fields = Object.values(card.indicators);
  const width = Math.max(...fields.map((i) => i.name.length));
  const lines = [
    `${card.hcpcs}${card.modifier ? `-${card.modifier}` : ''}  ${card.short_description ?? ''}`,
    ...(card.long_description ? [`  ${card.long_description}`] : []),
    `as of ${card.as_of}${card.pfs_row ? `; PFS row ${card.pfs_row.file} line ${card.pfs_row.line}` : ''}`,
    '',
    ...fields.map((i) => {
      const value =
        i.release === null
          ? `(no ${i.source} release in force)`
          : i.code === null
            ? `(not in ${i.source} ${i.release})`
            : `${i.code.padEnd(3)}  ${i.label ?? ''}`;
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
