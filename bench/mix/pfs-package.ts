/**
 * The files every RVU zip ships beside PPRRVU (GPCIyyyy, yyLOCCO, ANESyyyy, OPPSCAP_<Mon>), made
 * from RVU25D's real files in raw/pfs-rvu/RVU25D/ (shapes: SOURCES.md, cms-formats.md §11.2).
 * Quarter 0 is RVU25D's files unchanged; later releases carry the release year in names, titles and
 * headers, and small deterministic changes: a few GPCIs and the anesthesia conversion factors move
 * once a year (as CMS sets them yearly), a few OPPS cap prices every quarter.
 */
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';
import { formatCsvLine, parseCsvLine } from '../csv-line.js';
import { createRng } from '../prng.js';
import { quarter } from './calendar.js';
import { type FileDescription, joinLines, readLines, type TextLines } from './files.js';

export const REAL_PACKAGE_DIR = join(PROJECT_ROOT, 'raw', 'pfs-rvu', 'RVU25D');
const REAL_YEAR = '2025';

export const REAL_PACKAGE_FILES = {
  gpci: 'GPCI2025.csv',
  locality: '25LOCCO.csv',
  anesthesia: 'ANES2025.csv',
  oppsCap: 'OPPSCAP_Oct.csv',
} as const;

export interface PackageFile {
  name: string;
  bytes: Buffer;
  description: FileDescription;
}

interface RealPackage {
  gpci: TextLines;
  locality: TextLines;
  anesthesia: TextLines;
  oppsCap: TextLines;
}

let real: Promise<RealPackage> | undefined;

function readRealPackage(): Promise<RealPackage> {
  real ??= (async () => ({
    gpci: await readLines(join(REAL_PACKAGE_DIR, REAL_PACKAGE_FILES.gpci)),
    locality: await readLines(join(REAL_PACKAGE_DIR, REAL_PACKAGE_FILES.locality)),
    anesthesia: await readLines(join(REAL_PACKAGE_DIR, REAL_PACKAGE_FILES.anesthesia)),
    oppsCap: await readLines(join(REAL_PACKAGE_DIR, REAL_PACKAGE_FILES.oppsCap)),
  }))();
  return real;
}

/** A record starts with a MAC number; titles, headers, blank lines and footnotes do not. */
const isRecord = (line: string): boolean => /^\d/.test(line);

/** Lines before the first record (the ceiling skips them). */
const preamble = (lines: readonly string[]): number => lines.findIndex(isRecord);

/** The year in titles and headers ("2025 PE GPCI", "COUNTIES INCLUDED IN 2025 LOCALITIES"). */
function retitle(lines: readonly string[], year: string): string[] {
  const first = preamble(lines);
  return lines.map((l, i) => (i < first ? l.replaceAll(REAL_YEAR, year) : l));
}

/** Excel's way with a GPCI: "1" for 1.000, "0.87" for 0.870. */
const gpciText = (value: number): string => String(Number(value.toFixed(3)));

/** GPCI fields 4–6 (work, PE, MP): a tenth of the localities get a PE or MP index moved. */
function gpciFile(lines: readonly string[], year: number, seed: string): string[] {
  const rng = createRng(`${seed}/gpci/${year}`);
  return retitle(lines, String(year)).map((line) => {
    if (!isRecord(line) || rng.next() >= 0.1) return line;
    const fields = parseCsvLine(line);
    const field = 5 + rng.int(2);
    const old = Number(fields[field]);
    const step = (1 + rng.int(9)) / 1000;
    fields[field] = gpciText(Math.max(0.3, old + (rng.next() < 0.5 ? -step : step)));
    return formatCsvLine(fields);
  });
}

/** Every locality's anesthesia CF and the national one in the header move by one yearly factor. */
function anesthesiaFile(lines: readonly string[], year: number, seed: string): string[] {
  const factor = createRng(`${seed}/anesthesia/${year}`).between(0.99, 1.025);
  return lines.map((line) => {
    if (!isRecord(line)) {
      return line.replace(
        /(National Anes CF of )([0-9.]+)/,
        (_, label: string, cf: string) => `${label}${(Number(cf) * factor).toFixed(4)}`,
      );
    }
    const fields = parseCsvLine(line);
    // Cells carry a trailing space, as in the real file.
    fields[3] = `${(Number(fields[3]) * factor).toFixed(2)} `;
    return formatCsvLine(fields);
  });
}

/** 3 % of the capped prices (facility and non-facility) move by up to ±5 %. */
function oppsCapFile(lines: readonly string[], index: number, seed: string): string[] {
  const rng = createRng(`${seed}/opps-cap/${index}`);
  return lines.map((line, i) => {
    // The header, and the blank line after the records (",,,,,,"), stay as they are.
    if (i === 0 || !/^[0-9A-Z]/.test(line) || rng.next() >= 0.03) return line;
    const fields = parseCsvLine(line);
    const factor = rng.between(0.95, 1.05);
    for (const f of [5, 6]) fields[f] = (Number(fields[f]) * factor).toFixed(2);
    return formatCsvLine(fields);
  });
}

function describe(
  group: string,
  lines: readonly string[],
  skip: number,
  fields: number,
): FileDescription {
  return {
    rows: lines.filter(isRecord).length,
    format: 'csv',
    group,
    skip,
    fields,
  };
}

/** The four package files of the PFS release of quarter `index`. */
export async function packageFiles(index: number, seed: string): Promise<PackageFile[]> {
  const pkg = await readRealPackage();
  const q = quarter(index);
  const real = index === 0;
  const yy = String(q.year).slice(2);
  const gpci = real ? pkg.gpci.lines : gpciFile(pkg.gpci.lines, q.year, seed);
  const locality = real ? pkg.locality.lines : retitle(pkg.locality.lines, String(q.year));
  const anesthesia = real
    ? pkg.anesthesia.lines
    : anesthesiaFile(pkg.anesthesia.lines, q.year, seed);
  const oppsCap = real ? pkg.oppsCap.lines : oppsCapFile(pkg.oppsCap.lines, index, seed);
  return [
    {
      name: real ? REAL_PACKAGE_FILES.gpci : `GPCI${q.year}.csv`,
      bytes: joinLines(gpci, pkg.gpci.eol),
      description: describe('pfs-gpci', gpci, preamble(gpci), 7),
    },
    {
      name: real ? REAL_PACKAGE_FILES.locality : `${yy}LOCCO.csv`,
      bytes: joinLines(locality, pkg.locality.eol),
      description: describe('pfs-locality', locality, preamble(locality), 5),
    },
    {
      name: real ? REAL_PACKAGE_FILES.anesthesia : `ANES${q.year}.csv`,
      bytes: joinLines(anesthesia, pkg.anesthesia.eol),
      description: describe('pfs-anesthesia', anesthesia, preamble(anesthesia), 4),
    },
    {
      name: real ? REAL_PACKAGE_FILES.oppsCap : `OPPSCAP_${q.mon}.csv`,
      bytes: joinLines(oppsCap, pkg.oppsCap.eol),
      description: describe('pfs-opps-cap', oppsCap, 1, 7),
    },
  ];
}
