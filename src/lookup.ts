import { PIPELINES } from '../pipelines/index.js';
import type { FeeSchedule } from './db/fee-schedule.js';
import type { PfsRvuTable } from './db/schema.js';

export const AMA_NOTICE =
  'CPT codes and descriptions only are copyright American Medical Association. All rights reserved. Applicable FARS/DFARS apply.';

export interface DecodedValue {
  /** The indicator's name as CMS documents it. */
  name: string;
  code: string | null;
  label: string | null;
}

/** Everything the fee schedule says about one (code, modifier) in one release. */
export interface CodeCard {
  hcpcs: string;
  modifier: string | null;
  description: string | null;
  release: { id: string; effective_from: string | null; effective_to: string | null };
  indicators: Record<string, DecodedValue>;
  rvu: Record<string, string>;
  source: { file: string; line: number };
  copyright: string;
}

const pfs = PIPELINES.find((p) => p.source === 'pfs-rvu');

/**
 * Cards for a code from the newest release that has it (the global service and each modifier,
 * or just the modifier asked for). Indicators are decoded from the code tables, so a label
 * lives only there.
 */
export async function lookupCode(
  { db }: FeeSchedule,
  hcpcs: string,
  options: { modifier?: string } = {},
): Promise<CodeCard[]> {
  if (!pfs) throw new Error('the pfs-rvu pipeline is not registered');
  const code = hcpcs.trim().toUpperCase();
  let query = db
    .selectFrom('pfs_rvu')
    .innerJoin('release', 'release.release_id', 'pfs_rvu.release_id')
    .selectAll('pfs_rvu')
    .select(['release.effective_from', 'release.effective_to'])
    .where('pfs_rvu.hcpcs', '=', code);
  if (options.modifier !== undefined) {
    query = query.where('pfs_rvu.modifier', '=', options.modifier.trim().toUpperCase());
  }
  const rows = await query
    .orderBy('release.effective_from', 'desc')
    .orderBy('pfs_rvu.source_line')
    .execute();
  const newest = rows[0]?.release_id;
  const current = rows.filter((r) => r.release_id === newest);
  if (current.length === 0) return [];

  const indicatorColumns = pfs.columns.filter((c) => c.system);
  const systems = indicatorColumns.map((c) => c.system as string);
  const [names, codes] = await Promise.all([
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
  ]);
  const nameOf = new Map(names.map((n) => [n.system, n.name]));
  const labelOf = new Map(codes.map((c) => [`${c.system}\u0000${c.code}`, c.label]));

  return current.map((row) => {
    const record = row as unknown as Record<string, unknown>;
    const indicators: Record<string, DecodedValue> = {};
    for (const column of indicatorColumns) {
      const system = column.system as string;
      const raw = record[column.name];
      const value =
        typeof raw === 'boolean'
          ? raw
            ? codeForFlag(codes, system)
            : null
          : (raw as string | null);
      const shared = indicatorColumns.filter((c) => c.system === system).length > 1;
      indicators[column.name] = {
        name: shared
          ? `${nameOf.get(system) ?? system}: ${column.header}`
          : (nameOf.get(system) ?? system),
        code: value,
        label: value === null ? null : (labelOf.get(`${system}\u0000${value}`) ?? null),
      };
    }
    const rvu: Record<string, string> = {};
    for (const column of pfs.columns.filter((c) => c.decimal)) {
      rvu[column.name] = String(record[column.name]);
    }
    return {
      hcpcs: row.hcpcs,
      modifier: row.modifier,
      description: row.description,
      release: {
        id: row.release_id,
        effective_from: row.effective_from,
        effective_to: row.effective_to,
      },
      indicators,
      rvu,
      source: { file: row.source_file, line: Number((row as PfsRvuTable).source_line) },
      copyright: AMA_NOTICE,
    };
  });
}

/** Flag columns (NA, +) are stored as booleans; their code is the one the code table lists. */
function codeForFlag(codes: { system: string; code: string }[], system: string): string | null {
  return codes.find((c) => c.system === system)?.code ?? null;
}

export function formatCard(card: CodeCard): string {
  const width = Math.max(...Object.values(card.indicators).map((i) => i.name.length));
  const lines = [
    `${card.hcpcs}${card.modifier ? `-${card.modifier}` : ''}  ${card.description ?? ''}`,
    `release ${card.release.id} (effective ${card.release.effective_from ?? 'unknown'}), ${card.source.file} line ${card.source.line}`,
    '',
    ...Object.values(card.indicators).map(
      (i) =>
        `  ${i.name.padEnd(width)}  ${(i.code ?? '').padEnd(3)}  ${i.label ?? (i.code === null ? '' : '(unknown code)')}`,
    ),
    '',
    `  RVUs: ${Object.entries(card.rvu)
      .map(([k, v]) => `${k} ${v}`)
      .join(' · ')}`,
    '',
    card.copyright,
  ];
  return lines.join('\n');
}
