import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { REPO_RAW_DIR } from './raw.js';

/**
 * The RVU25D package's files read straight from raw/ with a plain CSV parser, never through the
 * pipeline: the values the payment tests work their expected amounts out from.
 */
const RELEASE = join(REPO_RAW_DIR, 'pfs-rvu', 'RVU25D');

function csvLines(name: string): string[][] {
  return parse(readFileSync(join(RELEASE, name)), { relaxColumnCount: true }) as string[][];
}

export interface RvuLine {
  line: number;
  status: string;
  work: string;
  nonFacilityPe: string;
  facilityPe: string;
  mp: string;
  conversionFactor: string;
}

/** PPRRVU2025_Oct.csv: the row of a code and modifier, with its 1-based line number. */
export function rvuLine(hcpcs: string, modifier = ''): RvuLine {
  const lines = csvLines('PPRRVU2025_Oct.csv');
  const index = lines.findIndex((f) => f[0] === hcpcs && f[1] === modifier);
  const f = lines[index];
  if (!f) throw new Error(`no ${hcpcs} ${modifier} in PPRRVU2025_Oct.csv`);
  // HCPCS, MOD, DESCRIPTION, STATUS CODE, …, WORK RVU (5), NON-FAC PE RVU (6), FACILITY PE RVU (8),
  // MP RVU (10), … CONV FACTOR (24).
  return {
    line: index + 1,
    status: f[3] as string,
    work: f[5] as string,
    nonFacilityPe: f[6] as string,
    facilityPe: f[8] as string,
    mp: f[10] as string,
    conversionFactor: f[24] as string,
  };
}

export interface GpciLine {
  line: number;
  pw: string;
  pe: string;
  mp: string;
}

/** GPCI2025.csv: the indices of a MAC and locality (as the file writes them). */
export function gpciLine(mac: string, locality: string): GpciLine {
  const lines = csvLines('GPCI2025.csv');
  const index = lines.findIndex((f) => f[0] === mac && f[2] === locality);
  const f = lines[index];
  if (!f) throw new Error(`no ${mac} ${locality} in GPCI2025.csv`);
  return { line: index + 1, pw: f[4] as string, pe: f[5] as string, mp: f[6] as string };
}

/** Lines of a package file split on commas, as written (trailing spaces kept). */
export function packageLines(name: string): string[][] {
  return csvLines(name);
}

/** A decimal text as an integer scaled by 10^places ("1.5", 3 → 1500n). */
export function scaled(text: string, places: number): bigint {
  const [whole = '0', fraction = ''] = text.trim().split('.');
  return BigInt(whole) * 10n ** BigInt(places) + BigInt(fraction.padEnd(places, '0') || '0');
}

/** Cents as dollars text (133981n → "1339.81"). */
export function dollars(cents: bigint): string {
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
}

/**
 * The fee schedule amount, worked out by hand: (work RVU × work GPCI + PE RVU × PE GPCI + MP RVU
 * × MP GPCI) × conversion factor, rounded half up to the cent (cms-formats.md §11.2). RVUs have
 * two places, GPCIs three, the conversion factor four: exact in integers scaled by 10^9.
 */
export function feeCents(rvu: RvuLine, gpci: GpciLine, facility = false): bigint {
  const pe = facility ? rvu.facilityPe : rvu.nonFacilityPe;
  const sum =
    scaled(rvu.work, 2) * scaled(gpci.pw, 3) +
    scaled(pe, 2) * scaled(gpci.pe, 3) +
    scaled(rvu.mp, 2) * scaled(gpci.mp, 3);
  const exact = sum * scaled(rvu.conversionFactor, 4); // scale 10^9
  return (exact + 5_000_000n) / 10_000_000n;
}

/** percent % of an amount in cents, half up. */
export function percentCents(cents: bigint, percent: string): bigint {
  const basisPoints = scaled(percent, 2);
  return (cents * basisPoints + 5000n) / 10000n;
}
