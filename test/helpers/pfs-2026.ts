import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { CSV_NAME, REPO_RAW_DIR, TXT_NAME } from './raw.js';

/**
 * CY2026-layout PPRRVU files (cms-formats.md §11.1) built from rows of the bundled RVU25D: the
 * real 2026 files are not bundled. Each release has a non-QPP and a QPP file (CSV and TXT):
 * the 2026 banner, the header with PRIC IND between TEAM SURG and ENDO BASE, PRIC IND 9 / 1, the
 * conversion factors 33.4009 / 33.5675. The QPP file leaves out codes with no payable amount
 * (here: status J, I, B and X; 00100, status J, is left out of the real one), and gives 71046
 * another facility PE used for OPPS (2.77 for 2.76; the real files differ by a cent the same way).
 * The TXT gets PRIC IND at position 121 (the 2026 fixed-width layout was not obtained).
 */
export const NON_QPP_CF = '33.4009';
export const QPP_CF = '33.5675';
const CF_2025 = '32.3465';
const PRIC_IND_INDEX = 23;
const CF_INDEX_2025 = 24;
const NOT_IN_QPP = new Set(['J', 'I', 'B', 'X']);

const BANNER = [
  '2026 National Physician Fee Schedule Relative Value File January Release',
  'CPT codes and descriptions only are copyright 2026 American Medical Association.  All Rights Reserved.  Applicable FARS/DFARS Apply. ',
  'Dental codes (D codes) are copyright 2025/26 American Dental Association.  All Rights Reserved.',
  ' ',
  'RELEASED 12/29/2025',
];

export interface Pfs2026Options {
  /** Codes of RVU25D to keep (all their rows), in file order; default every code. */
  codes?: ReadonlySet<string>;
  /** Edits of the QPP CSV's data rows (cells, 32 columns), after the layout change. */
  editQppRows?: (rows: string[][]) => void;
  /** Write the TXT variants too (default true). */
  txt?: boolean;
}

export interface Pfs2026Release {
  nonQppRows: number;
  qppRows: number;
  /** Line in the QPP CSV of the first row of a code (global service). */
  qppLineOf: (hcpcs: string) => number;
  /** Line in the non-QPP CSV of the first row of a code (global service). */
  nonQppLineOf: (hcpcs: string) => number;
}

function csvLine(cells: readonly string[]): string {
  return cells.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',');
}

/** The rows of RVU25D's CSV and TXT for the codes asked for: header cells, data cells, records. */
async function rvu25d(codes: ReadonlySet<string> | undefined) {
  const dir = join(REPO_RAW_DIR, 'pfs-rvu', 'RVU25D');
  const csv = parse(await readFile(join(dir, CSV_NAME), 'utf8'), {
    relax_column_count: true,
  }) as string[][];
  const txt = (await readFile(join(dir, TXT_NAME), 'latin1')).split(/\r?\n/).filter(Boolean);
  const data = csv.slice(10);
  const records = txt.slice(7);
  if (data.length !== records.length) throw new Error('RVU25D CSV and TXT differ in rows');
  const kept = data.flatMap((row, i) => (!codes || codes.has(row[0] ?? '') ? [i] : []));
  return {
    header: csv.slice(5, 10),
    rows: kept.map((i) => data[i] as string[]),
    records: kept.map((i) => records[i] as string),
  };
}

/** Writes raw/pfs-rvu/<folder>/PPRRVU2026_Jan_{nonQPP,QPP}.{csv,txt} under rawDir. */
export async function writePfs2026Release(
  rawDir: string,
  folder: string,
  options: Pfs2026Options,
): Promise<Pfs2026Release> {
  const { header, rows, records } = await rvu25d(options.codes);
  const dir = join(rawDir, 'pfs-rvu', folder);
  await mkdir(dir, { recursive: true });
  const header2026 = header.map((cells, i) => {
    const out = [...cells];
    out.splice(PRIC_IND_INDEX, 0, i === 3 ? 'PRIC' : i === 4 ? 'IND' : '');
    return out;
  });
  const banner = BANNER.map((text) => csvLine(['', '', text, ...Array(29).fill('')]));
  const basis = (indicator: string, cf: string, keep: (row: string[]) => boolean) => {
    const chosen = rows.flatMap((row, i) => (keep(row) ? [i] : []));
    const data = chosen.map((i) => {
      const cells = [...(rows[i] as string[])];
      cells[CF_INDEX_2025] = cf;
      cells.splice(PRIC_IND_INDEX, 0, indicator);
      return cells;
    });
    const txt = chosen.map((i) => {
      const record = (records[i] as string).padEnd(171, ' ');
      const at = record.indexOf(CF_2025, 127);
      return `${record.slice(0, 120)}${indicator}${record.slice(121, at)}${cf}${record.slice(at + cf.length)}`.trimEnd();
    });
    return { data, txt };
  };
  const nonQpp = basis('9', NON_QPP_CF, () => true);
  const qpp = basis('1', QPP_CF, (row) => !NOT_IN_QPP.has(row[3] ?? ''));
  for (const row of qpp.data) {
    // FACILITY PE USED FOR OPPS PAYMENT AMOUNT: column 31 of 32 (index 30).
    if (row[0] === '71046' && row[1] === '') row[30] = '2.77';
  }
  const qppTxt = qpp.txt.map((r) =>
    // The same in the TXT: positions 159-164.
    r.startsWith('71046  ') ? `${r.slice(0, 158)}  2.77${r.slice(164)}` : r,
  );
  options.editQppRows?.(qpp.data);
  const csvText = (data: string[][]) =>
    `${[...banner, ...header2026.map(csvLine), ...data.map(csvLine)].join('\r\n')}\r\n`;
  const txtText = (lines: string[]) =>
    `${['HDR CPT CODES AND DESCRIPTIONS ONLY ARE COPYRIGHT', 'HDR 2026 AMERICAN MEDICAL ASSOCIATION.', ...lines].join('\r\n')}\r\n`;
  await writeFile(join(dir, 'PPRRVU2026_Jan_nonQPP.csv'), csvText(nonQpp.data));
  await writeFile(join(dir, 'PPRRVU2026_Jan_QPP.csv'), csvText(qpp.data));
  if (options.txt !== false) {
    await writeFile(join(dir, 'PPRRVU2026_Jan_nonQPP.txt'), txtText(nonQpp.txt), 'latin1');
    await writeFile(join(dir, 'PPRRVU2026_Jan_QPP.txt'), txtText(qppTxt), 'latin1');
  }
  return {
    nonQppRows: nonQpp.data.length,
    qppRows: qpp.data.length,
    qppLineOf: (hcpcs) => 11 + qpp.data.findIndex((r) => r[0] === hcpcs && r[1] === ''),
    nonQppLineOf: (hcpcs) => 11 + nonQpp.data.findIndex((r) => r[0] === hcpcs && r[1] === ''),
  };
}

/**
 * Writes raw/pfs-rvu/<folder>/GPCI2026.csv: a GPCI file in the CY2026 layout with one work-GPCI
 * column, "2026 PW GPCI (with 1.0 Floor)" (cms-formats.md §11.1: the files from April 2026 on;
 * January's adds the work GPCI without the floor, which no payment uses). SYNTHETIC: no real 2026
 * GPCI file was obtained, so the title and headers say 2026 and every index value is RVU25D's
 * GPCI2025.csv, line for line (the same line numbers).
 */
export async function writeGpci2026(
  rawDir: string,
  folder: string,
  options: { tabDelimitedTxt?: boolean } = {},
): Promise<void> {
  const text = await readFile(join(REPO_RAW_DIR, 'pfs-rvu', 'RVU25D', 'GPCI2025.csv'), 'utf8');
  const lines = text.split('\r\n');
  // Line 1: "ADDENDUM E. FINAL CY 2025 …"; line 3: the header, "2025 PW GPCI (with 1.0 Floor)",
  // written with the footnote mark RVU26D's header has ("(with 1.0 Floor)***", a public build
  // spec that downloaded it).
  const layout2026 = lines.map((line, i) =>
    i === 0 || i === 2
      ? line.replaceAll('2025', '2026').replace('(with 1.0 Floor)', '(with 1.0 Floor)***')
      : line,
  );
  await writeFile(join(rawDir, 'pfs-rvu', folder, 'GPCI2026.csv'), layout2026.join('\r\n'));
  if (options.tabDelimitedTxt) {
    // GPCI2026.txt as a public RVU26B loader reads it: tab-separated, the header on line 3 (not
    // laid out by position as GPCI2025.txt is). The same cells, unquoted.
    const rows = parse(layout2026.join('\r\n'), { relax_column_count: true }) as string[][];
    await writeFile(
      join(rawDir, 'pfs-rvu', folder, 'GPCI2026.txt'),
      `${rows.map((cells) => cells.join('\t')).join('\r\n')}\r\n`,
    );
  }
}

/**
 * Writes raw/pfs-rvu/<folder>/ANES2026.csv in the CY2026 layout: two factors per locality, the
 * qualifying APM participants' first ("Qualifying APM National Anes CF (with 2.5% statutory
 * increase) of 20.599835", then "Non-Qualifying APM National Anes CF (with 2.5% Statutory
 * increase)  of 20.49754", two spaces as published: the header as alex-bea/cms_api's parser tests
 * quote ANES2026.csv). SYNTHETIC values: the non-qualifying factor is ANES2025.csv's, the
 * qualifying one 0.10 more; the lines are ANES2025.csv's.
 */
export async function writeAnes2026(rawDir: string, folder: string): Promise<void> {
  const text = await readFile(join(REPO_RAW_DIR, 'pfs-rvu', 'RVU25D', 'ANES2025.csv'), 'utf8');
  const [, ...rows] = text.split('\r\n');
  const header =
    'Contractor,Locality,Locality Name,' +
    'Qualifying APM National Anes CF (with 2.5% statutory increase) of 20.599835,' +
    'Non-Qualifying APM National Anes CF (with 2.5% Statutory increase)  of 20.49754';
  const layout2026 = rows.map((line) => {
    // The factor is the last cell ("01212 ,01 ,\"HAWAII, GUAM\",20.24 ").
    const cells = line.split(',');
    const cf = cells.at(-1)?.trim() ?? '';
    // The empty row at the end (",,,") gains the fifth column's comma.
    if (!/^[0-9]+\.[0-9]+$/.test(cf)) return /^,+$/.test(line) ? `${line},` : line;
    return [...cells.slice(0, -1), (Number(cf) + 0.1).toFixed(2), cf].join(',');
  });
  await mkdir(join(rawDir, 'pfs-rvu', folder), { recursive: true });
  await writeFile(
    join(rawDir, 'pfs-rvu', folder, 'ANES2026.csv'),
    [header, ...layout2026].join('\r\n'),
  );
}

/**
 * Writes raw/pfs-rvu/<folder>/26LOCCO.csv (25LOCCO.csv's lines) and 26LOCCO.txt, the same cells
 * tab-delimited: the TXT as a public loader of RVU26B reads it ("Tab-separated. 3 header rows").
 */
export async function writeLocco2026(rawDir: string, folder: string): Promise<void> {
  const csv = await readFile(join(REPO_RAW_DIR, 'pfs-rvu', 'RVU25D', '25LOCCO.csv'), 'latin1');
  const dir = join(rawDir, 'pfs-rvu', folder);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, '26LOCCO.csv'), csv, 'latin1');
  const rows = parse(csv, { relax_column_count: true }) as string[][];
  await writeFile(
    join(dir, '26LOCCO.txt'),
    `${rows.map((cells) => cells.join('\t')).join('\r\n')}\r\n`,
    'latin1',
  );
}
