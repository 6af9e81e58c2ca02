/**
 * The mix's MUE releases: one a quarter (folder YYYY-MM), three files, one per service type,
 * MCR_MUE_<Type>Services_Eff_MM-01-YYYY.csv. No real MUE table is bundled: the files take their
 * preamble and header verbatim from test/fixtures/mue/2025-10 (the documented CMS shape, see its
 * README), their (adjudication indicator, rationale) pairs from the fixture rows, and their codes
 * from the real files in raw/: practitioner and outpatient hospital from the PFS codes, DME
 * supplier from the HCPCS Level II codes of the DME families (A, E, K, L). MUE values are
 * illustrative, as the fixtures' are. Each quarter changes 2 % of the values and swaps 0.2 % of
 * the codes for codes not yet listed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';
import { readRealRelease } from '../generate-releases.js';
import { createRng, type Rng } from '../prng.js';
import { quarter } from './calendar.js';
import { type MixFile, type MixRelease, readLines, writeMixFile } from './files.js';
import { REAL_HCPCS_FILE } from './hcpcs.js';
import type { MixOptions } from './options.js';

const FIXTURE_DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'mue', '2025-10');

interface ServiceType {
  /** The file name's service type. */
  type: string;
  /** Share of the candidate codes listed. */
  share: number;
  candidates: 'pfs' | 'dme';
}

const SERVICE_TYPES: readonly ServiceType[] = [
  { type: 'PractitionerServices', share: 0.8, candidates: 'pfs' },
  { type: 'OutpatientHospitalServices', share: 0.7, candidates: 'pfs' },
  { type: 'DMESupplierServices', share: 0.8, candidates: 'dme' },
];

/** Illustrative MUE values, most codes 1 or 2 units a day. */
const VALUES = ['1', '1', '1', '1', '1', '2', '2', '3', '4', '6', '10', '0'];

interface Fixture {
  /** Everything up to and including the header row (its first cell spans two lines). */
  header: string;
  /** The quoted indicator and rationale cells of each fixture row. */
  tails: string[];
}

async function readFixture(type: string): Promise<Fixture> {
  const text = await readFile(join(FIXTURE_DIR, `MCR_MUE_${type}_Eff_10-01-2025.csv`), 'latin1');
  const end = text.indexOf('\r\n', text.indexOf('CPT Code"')) + 2;
  const rows = text.slice(end).split('\r\n').filter(Boolean);
  // A row is code,value,"indicator","rationale": keep the two quoted cells as written.
  const tails = rows.map((row) => row.slice(row.indexOf(',', row.indexOf(',') + 1) + 1));
  return { header: text.slice(0, end), tails: [...new Set(tails)].sort() };
}

async function candidateCodes(kind: ServiceType['candidates']): Promise<string[]> {
  if (kind === 'pfs') {
    return [...new Set((await readRealRelease()).rows.map((r) => r.hcpcs))].sort();
  }
  const { lines } = await readLines(REAL_HCPCS_FILE);
  const codes = lines.filter((l) => /^[AEKL]\d{4}\d{5}3/.test(l)).map((l) => l.slice(0, 5));
  return [...new Set(codes)].sort();
}

type Table = Map<string, string>;

function firstTable(
  candidates: readonly string[],
  share: number,
  tails: readonly string[],
  rng: Rng,
): Table {
  const table: Table = new Map();
  for (const code of candidates) {
    if (rng.next() < share) table.set(code, row(code, rng, tails));
  }
  return table;
}

function row(code: string, rng: Rng, tails: readonly string[]): string {
  return `${code},${VALUES[rng.int(VALUES.length)]},${tails[rng.int(tails.length)]}`;
}

function nextTable(
  previous: Table,
  candidates: readonly string[],
  tails: readonly string[],
  rng: Rng,
): Table {
  const table: Table = new Map(previous);
  const codes = [...previous.keys()];
  for (const i of rng.sample(codes.length, Math.round(codes.length * 0.02))) {
    const code = codes[i] as string;
    table.set(code, row(code, rng, tails));
  }
  const churn = Math.max(1, Math.round(codes.length * 0.002));
  for (const i of rng.sample(codes.length, churn)) table.delete(codes[i] as string);
  const unlisted = candidates.filter((c) => !previous.has(c));
  for (const i of rng.sample(unlisted.length, churn)) {
    const code = unlisted[i] as string;
    table.set(code, row(code, rng, tails));
  }
  return table;
}

export async function writeMueReleases(options: MixOptions): Promise<MixRelease[]> {
  const perType = await Promise.all(
    SERVICE_TYPES.map(async (s) => ({
      ...s,
      fixture: await readFixture(s.type),
      codes: await candidateCodes(s.candidates),
    })),
  );
  const tables = perType.map((s) =>
    firstTable(s.codes, s.share, s.fixture.tails, createRng(`${options.seed}/mue/${s.type}/0`)),
  );
  const written: MixRelease[] = [];
  for (let index = 0; index < options.quarters; index++) {
    if (index > 0) {
      for (const [t, s] of perType.entries()) {
        const rng = createRng(`${options.seed}/mue/${s.type}/${index}`);
        tables[t] = nextTable(tables[t] as Table, s.codes, s.fixture.tails, rng);
      }
    }
    if (index < options.from) continue;
    const q = quarter(index);
    const eff = `${String(q.month).padStart(2, '0')}-01-${q.year}`;
    const files: MixFile[] = [];
    for (const [t, s] of perType.entries()) {
      const table = tables[t] as Table;
      const lines = [...table.keys()].sort().map((code) => `${table.get(code)}\r\n`);
      const bytes = Buffer.from(s.fixture.header + lines.join(''), 'latin1');
      files.push(
        await writeMixFile(
          options.rawDir,
          'mue',
          q.yyyymm,
          `MCR_MUE_${s.type}_Eff_${eff}.csv`,
          bytes,
          {
            rows: lines.length,
            format: 'csv',
            group: 'mue',
            // CSV rows before the data (DuckDB's skip counts rows): the notice, whose quoted cell
            // spans four lines, and the header.
            skip: 2,
            fields: 4,
          },
        ),
      );
    }
    written.push({ folderSource: 'mue', id: q.yyyymm, quarter: index, files });
  }
  return written;
}
