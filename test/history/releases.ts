import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pfsRvuPipeline } from '../../pipelines/pfs-rvu/pipeline.js';
import { makeTempDir, REPO_RAW_DIR } from '../helpers/raw.js';
import { type RefreshSummary, refresh } from '../helpers/refresh.js';
import { sharedBuild } from '../helpers/shared-build.js';

/**
 * Later PFS releases made from the one real release, by documented, deterministic edits of
 * raw/pfs-rvu/RVU25D/PPRRVU2025_Oct.csv (19,090 rows, conversion factor 32.3465 on every row):
 *
 * - RVU26A  (folder name: 2026-01-01, full; no manifest, the refresh writes one)
 *     = RVU25D without the rows of 0001F, 0005F and A2001 (one row each);
 *       plus ZZ001 (a copy of the 99213 row) and ZZ002 (a copy of the 38211 row);
 *       38211 status code I → A; 99213 work RVU 1.30 → 1.40.               19,089 rows
 * - RVU26AR (correction, effective 2026-02-15 from its manifest, full)
 *     = RVU26A with conversion factor 32.3465 → 33.4009 on every row.        19,089 rows
 * - RVU26B  (manifest: effective 2026-04-01, is_full false: a partial release)
 *     = RVU26AR without every 10th data row and without the three 71046 rows;
 *       38211 listed unchanged; 99213 work RVU 1.40 → 1.50;
 *       0001F back (its RVU25D row with the new conversion factor).
 * - RVU26C  (folder name: 2026-07-01, full; no manifest)
 *     = RVU26AR with 99213 as in RVU26B and 0001F back, without 71046-TC.   19,089 rows
 *
 * Only CSVs are loaded: RVU25D's fixed-width variant is left out of the copy.
 */
export const EDITS = {
  removedInA: ['0001F', '0005F', 'A2001'],
  addedInA: { ZZ001: '99213', ZZ002: '38211' } as Record<string, string>,
  oldConversionFactor: '32.3465',
  newConversionFactor: '33.4009',
  correctionEffective: '2026-02-15',
} as const;

/** The PPRRVU preamble and header: 10 lines before the first data row. */
const PREAMBLE_LINES = 10;

interface Row {
  /** The line as in the file, without its CRLF. */
  text: string;
  hcpcs: string;
  modifier: string;
}

function parse(line: string): Row {
  const text = line.replace(/\r?\n$/, '');
  const [hcpcs = '', modifier = ''] = text.split(',', 2);
  return { text, hcpcs, modifier };
}

/**
 * Sets a field counted from the right of the line (1 = last): the description, the only quoted
 * field, comes before every field edited here, so counting from the right is exact.
 */
function setFromRight(row: Row, fromRight: number, expected: string, value: string): Row {
  const fields = row.text.split(',');
  const index = fields.length - fromRight;
  if (fields[index] !== expected) {
    throw new Error(
      `${row.hcpcs} ${row.modifier}: expected ${expected} at -${fromRight}, found ${fields[index]}`,
    );
  }
  fields[index] = value;
  return { ...row, text: fields.join(',') };
}

/** Right-hand positions of the edited PPRRVU columns (31 columns). */
const STATUS = 28;
const WORK_RVU = 26;
const CONVERSION_FACTOR = 7;

function setHcpcs(row: Row, hcpcs: string): Row {
  return { ...row, hcpcs, text: hcpcs + row.text.slice(row.hcpcs.length) };
}

function newFactor(row: Row): Row {
  return setFromRight(row, CONVERSION_FACTOR, EDITS.oldConversionFactor, EDITS.newConversionFactor);
}

const isKey = (row: Row, hcpcs: string, modifier = '') =>
  row.hcpcs === hcpcs && row.modifier === modifier;

export interface HistoryRaw {
  rawDir: string;
  /** Data rows written per release. */
  rows: Record<string, number>;
}

async function writeRelease(
  rawDir: string,
  release: string,
  fileName: string,
  preamble: string[],
  rows: Row[],
  manifest?: { effective_from: string; is_full: boolean },
): Promise<void> {
  const dir = join(rawDir, 'pfs-rvu', release);
  await mkdir(dir, { recursive: true });
  const text = preamble.join('') + rows.map((r) => `${r.text}\r\n`).join('');
  await writeFile(join(dir, fileName), Buffer.from(text, 'latin1'));
  if (manifest) {
    // files: [] — the refresh adds the files it finds, with their sha256.
    await writeFile(
      join(dir, 'manifest.json'),
      `${JSON.stringify(
        {
          source: 'pfs-rvu',
          release,
          published: null,
          ...manifest,
          origin: 'local',
          license: 'test release derived from RVU25D',
          fetched_at: null,
          files: [],
        },
        null,
        2,
      )}\n`,
    );
  }
}

/**
 * A temp raw dir with the real RVU25D (its CSV only) and the four derived releases, or only the
 * releases named in `only`; in `parent` when given (a shared build's folder), else in a temp dir.
 */
export async function makeHistoryRaw(
  only?: readonly string[],
  parent?: string,
): Promise<HistoryRaw> {
  const rawDir = join(parent ?? (await makeTempDir('history-raw')), 'raw');
  await cp(join(REPO_RAW_DIR, 'pfs-rvu'), join(rawDir, 'pfs-rvu'), { recursive: true });
  // The fixed-width variant of RVU25D is left out (other suites compare it): a faster refresh.
  const base25 = join(rawDir, 'pfs-rvu', 'RVU25D');
  await rm(join(base25, 'PPRRVU2025_Oct.txt'));
  const manifest = JSON.parse(await readFile(join(base25, 'manifest.json'), 'utf8')) as {
    files: { path: string }[];
  };
  manifest.files = manifest.files.filter((f) => f.path !== 'PPRRVU2025_Oct.txt');
  await writeFile(join(base25, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const text = await readFile(
    join(REPO_RAW_DIR, 'pfs-rvu', 'RVU25D', 'PPRRVU2025_Oct.csv'),
    'latin1',
  );
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const preamble = lines.slice(0, PREAMBLE_LINES);
  const base = lines.slice(PREAMBLE_LINES).map(parse);

  // RVU26A
  const a: Row[] = [];
  for (const row of base) {
    if (EDITS.removedInA.includes(row.hcpcs as (typeof EDITS.removedInA)[number])) continue;
    let edited = row;
    if (isKey(row, '38211')) edited = setFromRight(row, STATUS, 'I', 'A');
    if (isKey(row, '99213')) edited = setFromRight(row, WORK_RVU, '1.30', '1.40');
    a.push(edited);
    for (const [code, from] of Object.entries(EDITS.addedInA)) {
      if (isKey(row, from)) a.push(setHcpcs(row, code));
    }
  }
  // RVU26AR
  const ar = a.map(newFactor);
  // RVU26B (partial)
  const returning = base.find((r) => isKey(r, '0001F'));
  if (!returning) throw new Error('0001F is not in RVU25D');
  const b: Row[] = [];
  ar.forEach((row, i) => {
    if (isKey(row, '38211')) b.push(row);
    else if (isKey(row, '99213')) b.push(setFromRight(row, WORK_RVU, '1.40', '1.50'));
    else if (row.hcpcs === '71046' || i % 10 === 9) return;
    else b.push(row);
  });
  b.unshift(newFactor(returning));
  // RVU26C (full)
  const c: Row[] = [newFactor(returning)];
  for (const row of ar) {
    if (isKey(row, '71046', 'TC')) continue;
    c.push(isKey(row, '99213') ? setFromRight(row, WORK_RVU, '1.40', '1.50') : row);
  }

  await writeRelease(rawDir, 'RVU26A', 'PPRRVU2026_Jan.csv', preamble, a);
  await writeRelease(rawDir, 'RVU26AR', 'PPRRVU2026_Jan_R.csv', preamble, ar, {
    effective_from: EDITS.correctionEffective,
    is_full: true,
  });
  await writeRelease(rawDir, 'RVU26B', 'PPRRVU2026_Apr.csv', preamble, b, {
    effective_from: '2026-04-01',
    is_full: false,
  });
  await writeRelease(rawDir, 'RVU26C', 'PPRRVU2026_Jul.csv', preamble, c);
  for (const release of ['RVU25D', 'RVU26A', 'RVU26AR', 'RVU26B', 'RVU26C']) {
    if (only && !only.includes(release)) {
      await rm(join(rawDir, 'pfs-rvu', release), { recursive: true });
    }
  }
  return {
    rawDir,
    rows: {
      RVU25D: base.length,
      RVU26A: a.length,
      RVU26AR: ar.length,
      RVU26B: b.length,
      RVU26C: c.length,
    },
  };
}

/**
 * The five releases refreshed with the PFS pipeline only, every release in one staging group
 * (the default): history.test.ts reads it, staging-groups.test.ts compares a build of one group
 * per release with it. Built once per run (sharedBuild), read-only.
 */
export async function sharedHistoryBuild(): Promise<{
  rawDir: string;
  outDir: string;
  summary: RefreshSummary;
}> {
  const { dir, value } = await sharedBuild('history-pfs', async (parent) => {
    const { rawDir } = await makeHistoryRaw(undefined, parent);
    return refresh({ rawDir, outDir: join(parent, 'out'), pipelines: [pfsRvuPipeline] });
  });
  return { rawDir: join(dir, 'raw'), outDir: join(dir, 'out'), summary: value };
}
