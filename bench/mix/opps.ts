/**
 * The mix's OPPS Addendum B releases: one a quarter (folder YYYY-MM), each a workbook
 * <yyyy>_<Month>_Web_Addendum_B.xlsx. Quarter 0 is the real January 2023 workbook in raw/; each
 * later quarter is the one before with the sheet XML edited in place (every other part of the zip
 * kept byte for byte): 3 % of the code rows get their relative weight, payment rate and copayments
 * (columns E–H, numeric cells) moved by one factor of up to ±5 %.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { PROJECT_ROOT } from '../../src/paths.js';
import { buildZip } from '../../test/helpers/zip-writer.js';
import { createRng, type Rng } from '../prng.js';
import { quarter } from './calendar.js';
import { type MixRelease, writeMixFile } from './files.js';
import type { MixOptions } from './options.js';

export const REAL_OPPS_WORKBOOK = join(
  PROJECT_ROOT,
  'raw',
  'opps-addendum-b',
  '2023-01',
  '2023_January_Web_Addendum_B.12212022.xlsx',
);
const SHEET = 'xl/worksheets/sheet1.xml';
/** The header is row 4 of the 2023 workbook (cms-formats.md §4.2): code rows start at 5. */
const HEADER_ROW = 4;
/** Columns E–H: relative weight (4 places), payment rate and two copayments (cents). */
const NUMERIC_CELL = /<c r="([E-H])(\d+)"((?: s="\d+")?)><v>(-?[0-9.]+(?:E-?\d+)?)<\/v><\/c>/g;

interface ZipPart {
  name: string;
  data: Buffer;
}

/** Every part of a zip, in the archive's order. */
function readZip(path: string): Promise<ZipPart[]> {
  return new Promise((done, fail) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return fail(error);
      const parts: ZipPart[] = [];
      zip.on('error', fail);
      zip.on('end', () => done(parts));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return fail(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', fail);
          stream.on('end', () => {
            parts.push({ name: entry.fileName, data: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

const ROW = /<row r="(\d+)"[^>]*>[\s\S]*?<\/row>/g;

function nextQuarter(sheet: string, rng: Rng): string {
  return sheet.replace(ROW, (row, r: string) => {
    if (Number(r) <= HEADER_ROW || rng.next() >= 0.03) return row;
    const factor = rng.between(0.95, 1.05);
    return row.replace(
      NUMERIC_CELL,
      (_, column: string, line: string, style: string, v: string) => {
        const places = column === 'E' ? 4 : 2;
        const value = Number((Number(v) * factor).toFixed(places));
        return `<c r="${column}${line}"${style}><v>${value}</v></c>`;
      },
    );
  });
}

function codeRows(sheet: string): number {
  let rows = 0;
  for (const match of sheet.matchAll(/<row r="(\d+)"/g)) if (Number(match[1]) > HEADER_ROW) rows++;
  return rows;
}

export async function writeOppsReleases(options: MixOptions): Promise<MixRelease[]> {
  const parts = await readZip(REAL_OPPS_WORKBOOK);
  const sheetPart = parts.find((p) => p.name === SHEET);
  if (!sheetPart) throw new Error(`${REAL_OPPS_WORKBOOK}: no ${SHEET}`);
  let sheet = sheetPart.data.toString('utf8');
  const written: MixRelease[] = [];
  for (let index = 0; index < options.quarters; index++) {
    if (index > 0) sheet = nextQuarter(sheet, createRng(`${options.seed}/opps/${index}`));
    if (index < options.from) continue;
    const q = quarter(index);
    const bytes =
      index === 0
        ? await readFile(REAL_OPPS_WORKBOOK)
        : buildZip(
            parts.map((p) => ({
              name: p.name,
              data: p.name === SHEET ? Buffer.from(sheet, 'utf8') : p.data,
            })),
          );
    const file = await writeMixFile(
      options.rawDir,
      'opps-addendum-b',
      q.yyyymm,
      `${q.year}_${q.monthName}_Web_Addendum_B.xlsx`,
      bytes,
      {
        rows: codeRows(sheet),
        format: 'xlsx',
        group: 'opps-addendum-b',
        skip: HEADER_ROW,
        fields: 11,
      },
    );
    written.push({ folderSource: 'opps-addendum-b', id: q.yyyymm, quarter: index, files: [file] });
  }
  return written;
}
