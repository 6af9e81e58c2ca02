/**
 * The mix's yearly sources, one release in quarter 0 and in every January quarter (folder YYYY):
 * - BETOS betpufYY.txt from the real betpuf14.txt: each year 1 % of the codes get another BETOS
 *   code the file uses (code, blank, BETOS, termination date; trailing blanks stripped as in the
 *   real file). CMS withdrew BETOS after 2014: the later years are what a yearly file would cost.
 * - CCS <yyyy>_ccs_services_procedures.csv from the real 2016 file: each year 2 % of the ranges
 *   take another range's category and label (ranges never move, so they never overlap).
 */
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';
import { formatCsvLine, parseCsvLine } from '../csv-line.js';
import { createRng } from '../prng.js';
import { quarter, startsYear } from './calendar.js';
import { joinLines, type MixRelease, readLines, writeMixFile } from './files.js';
import type { MixOptions } from './options.js';

const REAL_BETOS = join(PROJECT_ROOT, 'raw', 'betos', '2014', 'betpuf14.txt');
const REAL_CCS = join(PROJECT_ROOT, 'raw', 'ccs', '2016', '2016_ccs_services_procedures.csv');

/** The BETOS code of a record: positions 7–9 (cms-formats.md §11.3). */
const betosOf = (line: string): string => line.slice(6, 9).trimEnd();

function nextBetos(lines: readonly string[], seed: string, year: number): string[] {
  const rng = createRng(`${seed}/betos/${year}`);
  const values = [...new Set(lines.map(betosOf))].sort();
  const out = [...lines];
  for (const i of rng.sample(out.length, Math.round(out.length * 0.01))) {
    const line = out[i] as string;
    const others = values.filter((v) => v !== betosOf(line));
    const betos = others[rng.int(others.length)] as string;
    out[i] = `${line.slice(0, 6)}${betos.padEnd(3)}${line.slice(9)}`.trimEnd();
  }
  return out;
}

function nextCcs(lines: readonly string[], seed: string, year: number): string[] {
  const rng = createRng(`${seed}/ccs/${year}`);
  const out = [...lines];
  const rows = out.length - 1; // the header is line 0
  for (const i of rng.sample(rows, Math.round(rows * 0.02))) {
    const fields = parseCsvLine(out[i + 1] as string);
    const donor = parseCsvLine(out[1 + rng.int(rows)] as string);
    fields[1] = donor[1] as string;
    fields[2] = donor[2] as string;
    out[i + 1] = formatCsvLine(fields);
  }
  return out;
}

export async function writeYearlyReleases(options: MixOptions): Promise<MixRelease[]> {
  const betos = await readLines(REAL_BETOS);
  const ccs = await readLines(REAL_CCS);
  let betosLines = betos.lines;
  let ccsLines = ccs.lines;
  const written: MixRelease[] = [];
  for (let index = 0; index < options.quarters; index++) {
    if (!startsYear(index)) continue;
    const year = quarter(index).year;
    if (index > 0) {
      betosLines = nextBetos(betosLines, options.seed, year);
      ccsLines = nextCcs(ccsLines, options.seed, year);
    }
    if (index < options.from) continue;
    const id = String(year);
    const betosFile = await writeMixFile(
      options.rawDir,
      'betos',
      id,
      `betpuf${id.slice(2)}.txt`,
      joinLines(betosLines, betos.eol),
      { rows: betosLines.length, format: 'fixed-width', group: 'betos', skip: 0, fields: 1 },
    );
    const ccsFile = await writeMixFile(
      options.rawDir,
      'ccs',
      id,
      `${id}_ccs_services_procedures.csv`,
      joinLines(ccsLines, ccs.eol),
      { rows: ccsLines.length - 1, format: 'csv', group: 'ccs', skip: 1, fields: 3 },
    );
    written.push(
      { folderSource: 'betos', id, quarter: index, files: [betosFile] },
      { folderSource: 'ccs', id, quarter: index, files: [ccsFile] },
    );
  }
  return written;
}
