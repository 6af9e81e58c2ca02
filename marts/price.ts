import { sql } from 'kysely';
import type { FeeSchedule } from '../src/db/fee-schedule.js';
import {
  KNOWN_MODIFIERS,
  LINE_RULES,
  MULTIPLE_PROCEDURE_RANKS,
  MULTIPLE_PROCEDURE_SYSTEM,
  ROW_MODIFIERS,
} from './price-rules.js';

export const PRICE_COPYRIGHT =
  'CPT codes and descriptions only are copyright American Medical Association. All rights reserved. Applicable FARS/DFARS apply.';

/** One line of a claim: a code and its modifiers (26/TC/53 choose the row, others adjust). */
export interface ClaimLine {
  hcpcs: string;
  modifiers?: readonly string[];
}

export interface PriceRequest {
  lines: readonly ClaimLine[];
  /** "MAC-locality" (01112-05) or "state-locality" (CA-05). */
  locality: string;
  /** The facility amount; default non-facility. */
  facility?: boolean;
  /** The PFS release in force on this day (YYYY-MM-DD); default the newest. */
  asOf?: string;
  /** Only this payment basis (all, non_qpp, qpp); default every basis of the release. */
  basis?: string;
}

export interface AppliedRule {
  /** The indicator (code table) that decided it, its value and the code table's label. */
  system: string;
  code: string;
  label: string;
  modifier: string | null;
  /** Percent of the amount paid, or null when the rule leaves no amount. */
  percent: number | null;
  authority: string;
}

export interface PricedLine {
  hcpcs: string;
  modifiers: string[];
  status_code: string;
  status_label: string;
  /** Fee schedule amount of the setting before the OPPS cap (dollars, two places), or null. */
  fee_schedule_amount: string | null;
  opps_cap: string | null;
  /** The lesser of the two: the amount the rules start from. */
  base_amount: string | null;
  rules: AppliedRule[];
  /** What the line pays, or null with the reason. */
  amount: string | null;
  no_amount_reason: string | null;
  formula: string | null;
  sources: { rvu: string; gpci: string; opps_cap: string | null };
}

export interface PriceResult {
  release_id: string;
  effective_from: string | null;
  basis: string;
  conversion_factor: string;
  setting: 'facility' | 'non-facility';
  locality: { mac: string; locality_number: string; state: string; name: string };
  lines: PricedLine[];
  /**
   * Sum of the amounts of the lines that have one; null when no line has one. The lines left
   * out are in `not_in_total`.
   */
  total: string | null;
  /** The lines with no amount (a status with no payment, a rule by report), not in the total. */
  not_in_total: LineWithoutAmount[];
  copyright: string;
}

/** A line of the claim the total leaves out, named by position, code and status, and why. */
export interface LineWithoutAmount {
  /** 1-based position of the line in the claim. */
  line: number;
  hcpcs: string;
  modifiers: string[];
  status_code: string;
  status_label: string;
  reason: string;
}

/** A request that names no code, locality or release the database has. */
export class PriceError extends Error {}

interface PaymentRow {
  basis: string;
  hcpcs: string;
  modifier: string | null;
  status_code: string;
  has_amount: boolean;
  conversion_factor: string;
  work_rvu: string;
  pe_rvu: string;
  mp_rvu: string;
  pw_gpci: string;
  pe_gpci: string;
  mp_gpci: string;
  amount: string | null;
  opps_cap: string | null;
  payment: string | null;
  rvu_source_file: string;
  rvu_source_line: number;
  gpci_source_file: string;
  gpci_source_line: number;
  opps_cap_source_file: string | null;
  opps_cap_source_line: number | null;
  bilateral_surgery: string;
  co_surgeons: string;
  assistant_surgery: string;
  team_surgery: string;
  multiple_procedure: string;
  pctc_indicator: string;
}

/**
 * What Medicare pays for the lines of one claim in one locality, per payment basis of the PFS
 * release in force: each line's amount (pfs_payment, the OPPS cap applied), then the rules its
 * modifiers call for, then multiple-procedure ranking across the lines.
 */
export async function price(schedule: FeeSchedule, request: PriceRequest): Promise<PriceResult[]> {
  const { db } = schedule;
  if (request.lines.length === 0) throw new PriceError('no code to price');
  for (const line of request.lines) {
    for (const modifier of line.modifiers ?? []) {
      if (!KNOWN_MODIFIERS.includes(modifier)) {
        throw new PriceError(
          `modifier ${modifier} of ${line.hcpcs}: not one price applies (${KNOWN_MODIFIERS.join(', ')})`,
        );
      }
    }
    if ((line.modifiers ?? []).filter((m) => ROW_MODIFIERS.includes(m)).length > 1) {
      throw new PriceError(`${line.hcpcs}: at most one of ${ROW_MODIFIERS.join(', ')}`);
    }
  }
  const release = await releaseInForce(schedule, request.asOf);
  const locality = await findLocality(schedule, release.release_id, request.locality);
  const facility = request.facility === true;
  const setting = facility ? 'facility' : 'non_facility';
  const labels = await codeLabels(schedule);

  const rowsByLine: PaymentRow[][] = [];
  for (const line of request.lines) {
    const rowModifier = (line.modifiers ?? []).find((m) => ROW_MODIFIERS.includes(m)) ?? null;
    const { rows } = await sql<PaymentRow>`
      SELECT p.basis, p.hcpcs, p.modifier, p.status_code, p.has_amount,
             p.conversion_factor::VARCHAR AS conversion_factor,
             p.work_rvu::VARCHAR AS work_rvu,
             ${sql.ref(`p.${setting}_pe_rvu`)}::VARCHAR AS pe_rvu,
             p.mp_rvu::VARCHAR AS mp_rvu,
             p.pw_gpci::VARCHAR AS pw_gpci, p.pe_gpci::VARCHAR AS pe_gpci,
             p.mp_gpci::VARCHAR AS mp_gpci,
             ${sql.ref(`p.${setting}_amount`)}::VARCHAR AS amount,
             ${sql.ref(`p.opps_cap_${setting}`)}::VARCHAR AS opps_cap,
             ${sql.ref(`p.${setting}_payment`)}::VARCHAR AS payment,
             p.rvu_source_file, p.rvu_source_line, p.gpci_source_file, p.gpci_source_line,
             p.opps_cap_source_file, p.opps_cap_source_line,
             r.bilateral_surgery, r.co_surgeons, r.assistant_surgery, r.team_surgery,
             r.multiple_procedure, r.pctc_indicator
      FROM pfs_payment p
      JOIN pfs_rvu r ON r.release_id = p.release_id AND r.hcpcs = p.hcpcs
       AND r.modifier IS NOT DISTINCT FROM p.modifier
      WHERE p.release_id = ${release.release_id} AND p.mac = ${locality.mac}
        AND p.locality_number = ${locality.locality_number}
        AND p.hcpcs = ${line.hcpcs.toUpperCase()}
        AND p.modifier IS NOT DISTINCT FROM ${rowModifier}
        AND (${request.basis ?? null}::VARCHAR IS NULL OR p.basis = ${request.basis ?? null})
      ORDER BY p.basis`.execute(db);
    if (rows.length === 0) {
      throw new PriceError(await noRowReason(schedule, release.release_id, line, rowModifier));
    }
    rowsByLine.push(rows);
  }

  const bases = [...new Set(rowsByLine.flatMap((rows) => rows.map((r) => r.basis)))].sort();
  return bases.map((basis) => {
    const rows = rowsByLine.map((lineRows) => lineRows.find((r) => r.basis === basis) ?? null);
    const lines = request.lines.map((line, i) => {
      const row = rows[i];
      if (!row) {
        throw new PriceError(`${line.hcpcs}: no ${basis} row in ${release.release_id}`);
      }
      return priceLine(line, row, labels);
    });
    applyMultipleProcedureRanking(lines, rows as PaymentRow[], labels);
    const amounts = lines.flatMap((l) => (l.amount === null ? [] : [l.amount]));
    const first = rows[0] as PaymentRow;
    return {
      release_id: release.release_id,
      effective_from: release.effective_from,
      basis,
      conversion_factor: first.conversion_factor,
      setting: facility ? 'facility' : 'non-facility',
      locality,
      lines,
      total: amounts.length > 0 ? centsText(sumCents(amounts)) : null,
      not_in_total: lines.flatMap((l, i) =>
        l.amount === null
          ? [
              {
                line: i + 1,
                hcpcs: l.hcpcs,
                modifiers: l.modifiers,
                status_code: l.status_code,
                status_label: l.status_label,
                reason: l.no_amount_reason ?? 'no amount',
              },
            ]
          : [],
      ),
      copyright: PRICE_COPYRIGHT,
    };
  });
}

function priceLine(
  line: ClaimLine,
  row: PaymentRow,
  labels: ReadonlyMap<string, string>,
): PricedLine {
  const label = (system: string, code: string) =>
    labels.get(`${system}\0${code}`) ?? `${code} (not in the code table)`;
  const modifiers = [...(line.modifiers ?? [])];
  const statusLabel = label('pfs_status_code', row.status_code);
  const priced: PricedLine = {
    hcpcs: row.hcpcs,
    modifiers,
    status_code: row.status_code,
    status_label: statusLabel,
    fee_schedule_amount: row.amount,
    opps_cap: row.opps_cap,
    base_amount: row.payment,
    rules: [],
    amount: row.payment,
    no_amount_reason: null,
    formula: row.has_amount
      ? `round((${row.work_rvu} × ${row.pw_gpci} + ${row.pe_rvu} × ${row.pe_gpci} + ${row.mp_rvu} × ${row.mp_gpci}) × ${row.conversion_factor}, 2)`
      : null,
    sources: {
      rvu: `${row.rvu_source_file}:${row.rvu_source_line}`,
      gpci: `${row.gpci_source_file}:${row.gpci_source_line}`,
      opps_cap: row.opps_cap_source_file
        ? `${row.opps_cap_source_file}:${row.opps_cap_source_line}`
        : null,
    },
  };
  if (!row.has_amount) {
    // The status decides: no fee schedule amount, and the status's own words say why.
    priced.amount = null;
    priced.no_amount_reason = `status ${row.status_code}: ${statusLabel}`;
    return priced;
  }
  const indicator: Record<string, string> = {
    pfs_bilateral_surgery: row.bilateral_surgery,
    pfs_co_surgeons: row.co_surgeons,
    pfs_assistant_surgery: row.assistant_surgery,
    pfs_team_surgery: row.team_surgery,
  };
  for (const modifier of modifiers) {
    const rule = LINE_RULES.find((r) => r.modifiers.includes(modifier));
    if (!rule) continue;
    const code = indicator[rule.system] as string;
    const effect = rule.effects[code];
    const applied: AppliedRule = {
      system: rule.system,
      code,
      label: label(rule.system, code),
      modifier,
      percent: effect && 'percent' in effect ? effect.percent : null,
      authority: rule.authority,
    };
    priced.rules.push(applied);
    if (priced.amount === null) continue;
    if (!effect || 'noAmount' in effect) {
      priced.amount = null;
      priced.no_amount_reason = `modifier ${modifier}: ${applied.label}`;
    } else {
      priced.amount = percentOf(priced.amount, effect.percent);
    }
  }
  return priced;
}

/**
 * Lines with a multiple-procedure indicator that ranks (1, 2, 3) are ranked by their amount
 * and reduced by rank; a single line with modifier 51 is a procedure after the first.
 */
function applyMultipleProcedureRanking(
  lines: PricedLine[],
  rows: readonly PaymentRow[],
  labels: ReadonlyMap<string, string>,
): void {
  const ranked = lines
    .map((line, i) => ({ line, row: rows[i] as PaymentRow }))
    .filter(
      ({ line, row }) => line.amount !== null && row.multiple_procedure in MULTIPLE_PROCEDURE_RANKS,
    );
  const claimRanks = ranked.length > 1;
  ranked.sort((a, b) => Number(b.line.amount) - Number(a.line.amount));
  ranked.forEach(({ line, row }, rank) => {
    const position = claimRanks ? rank : line.modifiers.includes('51') ? 1 : 0;
    if (position === 0) return;
    const percents = MULTIPLE_PROCEDURE_RANKS[row.multiple_procedure] as readonly number[];
    const code = row.multiple_procedure;
    const label =
      labels.get(`${MULTIPLE_PROCEDURE_SYSTEM}\0${code}`) ?? `${code} (not in the code table)`;
    const percent = percents[position] ?? null;
    line.rules.push({
      system: MULTIPLE_PROCEDURE_SYSTEM,
      code,
      label,
      modifier: line.modifiers.includes('51') ? '51' : null,
      percent,
      authority: `CMS PFS relative value file record layout, MULT PROC ${code}: procedure ranked ${position + 1} by fee schedule amount`,
    });
    if (percent === null) {
      line.amount = null;
      line.no_amount_reason = `multiple procedure ranked ${position + 1}: by report`;
    } else {
      line.amount = percentOf(line.amount as string, percent);
    }
  });
}

async function releaseInForce(
  schedule: FeeSchedule,
  asOf: string | undefined,
): Promise<{ release_id: string; effective_from: string | null }> {
  const { rows } = await sql<{ release_id: string; effective_from: string | null }>`
    SELECT release_id, effective_from::VARCHAR AS effective_from FROM release
    WHERE source = 'pfs-rvu'
      AND (${asOf ?? null}::DATE IS NULL
           OR (effective_from <= ${asOf ?? null}::DATE
               AND (effective_to IS NULL OR effective_to >= ${asOf ?? null}::DATE)))
    ORDER BY effective_from DESC NULLS LAST, release_id DESC
    LIMIT 1`.execute(schedule.db);
  const release = rows[0];
  if (!release) {
    throw new PriceError(
      asOf ? `no PFS release was in force on ${asOf}` : 'no PFS release is loaded',
    );
  }
  return release;
}

async function findLocality(
  schedule: FeeSchedule,
  releaseId: string,
  text: string,
): Promise<PriceResult['locality']> {
  const match = /^([0-9]{5}|[A-Za-z]{2})-([0-9]{1,2})$/.exec(text.trim());
  if (!match) {
    throw new PriceError(
      `locality "${text}": expected MAC-locality (01112-05) or state-locality (CA-05)`,
    );
  }
  const [, first, number] = match as unknown as [string, string, string];
  const localityNumber = number.padStart(2, '0');
  const byState = /^[A-Za-z]/.test(first);
  const { rows } = await sql<{ mac: string; locality_number: string; state: string; name: string }>`
    SELECT mac, locality_number, state, locality_name AS name FROM pfs_gpci
    WHERE release_id = ${releaseId} AND locality_number = ${localityNumber}
      AND ${sql.ref(byState ? 'state' : 'mac')} = ${first.toUpperCase()}`.execute(schedule.db);
  if (rows.length === 1) return rows[0] as PriceResult['locality'];
  if (rows.length > 1) {
    throw new PriceError(
      `locality "${text}" names ${rows.length} localities in ${releaseId} (${rows.map((r) => `${r.mac}-${r.locality_number}`).join(', ')}): give the MAC`,
    );
  }
  const known = await sql<{ id: string }>`
    SELECT string_agg(mac || '-' || locality_number || ' ' || state, ', ' ORDER BY state, mac, locality_number) AS id
    FROM pfs_gpci WHERE release_id = ${releaseId}
      AND ${sql.ref(byState ? 'state' : 'mac')} = ${first.toUpperCase()}`.execute(schedule.db);
  const list = known.rows[0]?.id;
  throw new PriceError(
    `no locality "${text}" in the GPCI file of ${releaseId}` +
      (list ? `; ${first.toUpperCase()} has: ${list}` : ''),
  );
}

async function noRowReason(
  schedule: FeeSchedule,
  releaseId: string,
  line: ClaimLine,
  rowModifier: string | null,
): Promise<string> {
  const { rows } = await sql<{ modifier: string | null; pctc_indicator: string }>`
    SELECT modifier, pctc_indicator FROM pfs_rvu
    WHERE release_id = ${releaseId} AND hcpcs = ${line.hcpcs.toUpperCase()}
    ORDER BY modifier NULLS FIRST`.execute(schedule.db);
  if (rows.length === 0) return `${line.hcpcs}: not in the fee schedule of ${releaseId}`;
  const has = rows.map((r) => r.modifier ?? 'no modifier').join(', ');
  return `${line.hcpcs}${rowModifier ? `-${rowModifier}` : ''}: no such row in ${releaseId} (PC/TC indicator ${rows[0]?.pctc_indicator}; rows: ${has})`;
}

async function codeLabels(schedule: FeeSchedule): Promise<Map<string, string>> {
  const rows = await schedule.db
    .selectFrom('indicator_code')
    .select(['system', 'code', 'label'])
    .where('system', 'like', 'pfs_%')
    .execute();
  return new Map(rows.map((r) => [`${r.system}\0${r.code}`, r.label]));
}

/** Dollars as text ("1339.81") to cents, exactly. */
function cents(amount: string): bigint {
  const [whole = '0', fraction = ''] = amount.replace('-', '').split('.');
  const value = BigInt(whole) * 100n + BigInt(`${fraction}00`.slice(0, 2) || '0');
  return amount.startsWith('-') ? -value : value;
}

function centsText(value: bigint): string {
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

function sumCents(amounts: readonly string[]): bigint {
  return amounts.reduce((sum, a) => sum + cents(a), 0n);
}

/** percent % of an amount, to the cent, half up (62.5 % and 13.6 % included: no floats). */
function percentOf(amount: string, percent: number): string {
  const basisPoints = BigInt(Math.round(percent * 100));
  const scaled = cents(amount) * basisPoints;
  return centsText((scaled + 5000n) / 10000n);
}
