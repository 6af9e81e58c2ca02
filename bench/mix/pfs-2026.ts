/**
 * A PFS release from CY2026 on, in the layout cms-formats.md §11.1 describes: two PPRRVU files,
 * PPRRVU<yyyy>_<Mon>_nonQPP.csv and _QPP.csv, 32 columns (PRIC IND inserted at index 23), the
 * 2026 banner, CF 33.4009 / PRIC IND 9 on every non-QPP row and 33.5675 / 1 on every QPP row.
 * The QPP file leaves out codes with no payable amount (here statuses J, I, B and X, as
 * test/helpers/pfs-2026.ts does; 00100, status J, is left out of the real one).
 */
import { formatCsvLine, parseCsvLine } from '../csv-line.js';
import type { Row } from '../generate-releases.js';
import type { Quarter } from './calendar.js';

export const NON_QPP = { conversionFactor: '33.4009', pricingIndicator: '9' } as const;
export const QPP = { conversionFactor: '33.5675', pricingIndicator: '1' } as const;
const PRIC_IND_INDEX = 23;
/** CONV FACTOR in the 31-column layout (before PRIC IND is inserted). */
const CF_INDEX_31 = 24;
const STATUS_INDEX = 3;
const NOT_IN_QPP = new Set(['J', 'I', 'B', 'X']);
export const PFS_2026_FIELDS = 32;

export function is2026Layout(q: Quarter): boolean {
  return q.year >= 2026;
}

/** Banner (cells in the third column) and the header with PRIC / IND, from the 2025 header. */
function header2026(header2025: string, q: Quarter, released: string): string {
  const lines = header2025.split('\r\n').filter((l) => l !== '');
  const banner = [
    `${q.year} National Physician Fee Schedule Relative Value File ${q.monthName} Release`,
    `CPT codes and descriptions only are copyright ${q.year} American Medical Association.  All Rights Reserved.  Applicable FARS/DFARS Apply. `,
    `Dental codes (D codes) are copyright ${q.year - 1}/${String(q.year).slice(2)} American Dental Association.  All Rights Reserved.`,
    ' ',
    `RELEASED ${released}`,
  ].map((text) => formatCsvLine(['', '', text, ...Array(PFS_2026_FIELDS - 3).fill('')]));
  const columns = lines.slice(5).map((line, i) => {
    const cells = parseCsvLine(line);
    cells.splice(PRIC_IND_INDEX, 0, i === 3 ? 'PRIC' : i === 4 ? 'IND' : '');
    return formatCsvLine(cells);
  });
  return [...banner, ...columns].map((l) => `${l}\r\n`).join('');
}

export interface PfsFile {
  name: string;
  bytes: Buffer;
  rows: number;
}

/** The two files of one release, from its rows in the 31-column layout. */
export function pfs2026Files(header2025: string, rows: readonly Row[], q: Quarter): PfsFile[] {
  // CMS publishes about six weeks before the quarter starts (RVU26A: 12/29/2025 for January).
  const released = `${String(q.month === 1 ? 12 : q.month - 2).padStart(2, '0')}/15/${q.month === 1 ? q.year - 1 : q.year}`;
  const header = header2026(header2025, q, released);
  const basis = (b: typeof NON_QPP | typeof QPP, suffix: string, keep: (r: Row) => boolean) => {
    const lines: string[] = [];
    for (const row of rows) {
      if (!keep(row)) continue;
      const cells = [...row.fields];
      cells[CF_INDEX_31] = b.conversionFactor;
      cells.splice(PRIC_IND_INDEX, 0, b.pricingIndicator);
      lines.push(`${formatCsvLine(cells)}\r\n`);
    }
    return {
      name: `PPRRVU${q.year}_${q.mon}_${suffix}.csv`,
      bytes: Buffer.from(header + lines.join(''), 'latin1'),
      rows: lines.length,
    };
  };
  return [
    basis(NON_QPP, 'nonQPP', () => true),
    basis(QPP, 'QPP', (r) => !NOT_IN_QPP.has(r.fields[STATUS_INDEX] ?? '')),
  ];
}
