/**
 * Writes synthetic PFS releases shaped like the real PPRRVU file: the real file's 10 preamble and
 * header lines verbatim, CRLF, its 31 columns, and its codes, modifiers and indicator values.
 * Release 0 is the real RVU25D file (or a seeded sample of its codes); each later release is the
 * one before with a few percent of rows changed, a few codes removed and a few added.
 * With `package`, each release folder also gets the GPCI, locality, anesthesia and OPPS cap files
 * every RVU zip ships (mix/pfs-package.ts), which the payment mart reads.
 * Same options, same seed → same bytes.
 *
 *   node dist-bench/bench/generate-releases.js <rawDir> [--count 10] [--seed 1] [--rows 500] [--package]
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../src/paths.js';
import { formatCsvLine, parseCsvLine } from './csv-line.js';
import type { MixFile } from './mix/files.js';
import { writeMixFile } from './mix/files.js';
import { packageFiles } from './mix/pfs-package.js';
import { createRng, type Rng } from './prng.js';

/** Bump when a change to this file changes the bytes it writes (invalidates cached releases). */
export const GENERATOR_VERSION = 1;

export { formatCsvLine, parseCsvLine };

export const REAL_RELEASE_FILE = join(
  PROJECT_ROOT,
  'raw',
  'pfs-rvu',
  'RVU25D',
  'PPRRVU2025_Oct.csv',
);

export interface GenerateOptions {
  /** Writes <rawDir>/pfs-rvu/<release>/PPRRVU<yyyy>_<Mon>.csv (no manifest, no TXT variant). */
  rawDir: string;
  /** Number of releases: RVU25D, RVU26A, RVU26B, … */
  count: number;
  seed?: string | number;
  /** Rows in release 0 (approximately: whole codes are sampled); default every real row. */
  rowsPerRelease?: number;
  /** Share of rows changed between consecutive releases (default 0.03). */
  changeRate?: number;
  /** Share of codes removed, and again of codes added, between consecutive releases (default 0.002). */
  churnRate?: number;
  /** Write only releases with index >= from; earlier ones are computed but not written. */
  from?: number;
  /** The real file the releases are modelled on. */
  sourceFile?: string;
  /** Also write the RVU package's GPCI, locality, anesthesia and OPPS cap files. */
  package?: boolean;
}

export interface ReleaseDiff {
  /** Rows whose (hcpcs, modifier) is in both releases but with different values. */
  changed: number;
  /** Rows of codes new in this release. */
  added: number;
  /** Rows of codes the previous release had and this one has not. */
  removed: number;
}

export interface GeneratedRelease {
  index: number;
  /** Release id and folder name: RVU25D, RVU26A, … */
  id: string;
  fileName: string;
  /** Lineage key as refresh records it: pfs-rvu/<id>/<file>. */
  relativePath: string;
  path: string;
  rows: number;
  bytes: number;
  sha256: string;
  /** Against the previous release (zeros for release 0). */
  diff: ReleaseDiff;
  /** The package files written beside the PPRRVU file (none without `package`). */
  packageFiles?: MixFile[];
}

export const DEFAULTS = { seed: '1', changeRate: 0.03, churnRate: 0.002 } as const;

// Field positions in the PPRRVU CSV (the real header is copied, so these are fixed).
const HCPCS = 0;
const MOD = 1;
const WORK = 5;
const NF_PE = 6;
const F_PE = 8;
const MP = 10;
const NF_TOTAL = 11;
const F_TOTAL = 12;
const RVU_FIELDS = [WORK, NF_PE, F_PE, MP];
/**
 * Indicator fields a release may change: status, not-used flag, NA flags, PC/TC, global days,
 * mult proc, bilat, asst, co-surg, team, supervision, imaging family. The calculation flag is
 * always 0 and stays so.
 */
const INDICATOR_FIELDS = [3, 4, 7, 9, 13, 14, 18, 19, 20, 21, 22, 25, 27];
const QUARTER_MONTH = ['Jan', 'Apr', 'Jul', 'Oct'];

export interface Row {
  /** hcpcs + ' ' + modifier: sorts like the real file (codes are 5 characters). */
  key: string;
  hcpcs: string;
  fields: readonly string[];
  /** The line without its CRLF. */
  line: string;
}

interface Distribution {
  values: string[];
  weights: number[];
}

export interface RealRelease {
  /** The preamble and header lines, CRLFs included, exactly as in the real file. */
  header: string;
  rows: Row[];
  /** Values of each indicator field with their frequency in the real file. */
  distributions: Map<number, Distribution>;
}

function makeRow(fields: readonly string[], line?: string): Row {
  const hcpcs = fields[HCPCS] ?? '';
  return {
    key: `${hcpcs} ${fields[MOD] ?? ''}`,
    hcpcs,
    fields,
    line: line ?? formatCsvLine(fields),
  };
}

const parsed = new Map<string, Promise<RealRelease>>();

/** The real file, parsed once per process (callers must not modify it). */
export function readRealRelease(path = REAL_RELEASE_FILE): Promise<RealRelease> {
  let release = parsed.get(path);
  if (!release) {
    release = parseRealRelease(path);
    parsed.set(path, release);
  }
  return release;
}

async function parseRealRelease(path: string): Promise<RealRelease> {
  const text = await readFile(path, 'latin1');
  const lines = text.split('\r\n');
  if (lines.at(-1) === '') lines.pop();
  const headerEnd = lines.findIndex((l) => l.startsWith('HCPCS,'));
  if (headerEnd === -1) throw new Error(`${path}: no line starts with HCPCS,`);
  const header = lines
    .slice(0, headerEnd + 1)
    .map((l) => `${l}\r\n`)
    .join('');
  const rows = lines.slice(headerEnd + 1).map((line) => makeRow(parseCsvLine(line), line));
  const distributions = new Map<number, Distribution>();
  for (const field of INDICATOR_FIELDS) {
    const counts = new Map<string, number>();
    for (const row of rows) {
      const value = row.fields[field] ?? '';
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    const values = [...counts.keys()].sort();
    distributions.set(field, { values, weights: values.map((v) => counts.get(v) ?? 0) });
  }
  return { header, rows, distributions };
}

/** RVU25D, RVU26A, RVU26B, … and the file name CMS would give each. */
export function releaseName(index: number): { id: string; fileName: string } {
  const quarter = 3 + index; // RVU25D is quarter 3 (D) of 2025
  const year = 25 + Math.floor(quarter / 4);
  if (year > 99) throw new Error(`release ${index} would be past 2099`);
  const q = quarter % 4;
  return {
    id: `RVU${year}${'ABCD'[q]}`,
    fileName: `PPRRVU20${year}_${QUARTER_MONTH[q]}.csv`,
  };
}

function groupFamilies(rows: readonly Row[]): Row[][] {
  const families: Row[][] = [];
  for (const row of rows) {
    const last = families.at(-1);
    if (last && last[0]?.hcpcs === row.hcpcs) last.push(row);
    else families.push([row]);
  }
  return families;
}

function byKey(a: Row, b: Row): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Release 0: every real row, or whole codes drawn with the seed until there are enough rows. */
export function firstRelease(real: RealRelease, seed: string, rowsPerRelease?: number): Row[] {
  if (rowsPerRelease === undefined || rowsPerRelease >= real.rows.length) return real.rows;
  const families = groupFamilies(real.rows);
  const rng = createRng(`${seed}/sample`);
  const picked: number[] = [];
  let rows = 0;
  for (const index of rng.sample(families.length, families.length)) {
    if (rows >= rowsPerRelease) break;
    picked.push(index);
    rows += families[index]?.length ?? 0;
  }
  return picked.sort((a, b) => a - b).flatMap((i) => families[i] ?? []);
}

const cents = (value: string): number => Math.round(Number.parseFloat(value) * 100);
const money = (c: number): string => (c / 100).toFixed(2);

function pickOther(rng: Rng, distribution: Distribution, current: string): string | null {
  let total = 0;
  for (const [i, v] of distribution.values.entries())
    if (v !== current) total += distribution.weights[i] ?? 0;
  if (total === 0) return null;
  let draw = rng.next() * total;
  for (const [i, v] of distribution.values.entries()) {
    if (v === current) continue;
    draw -= distribution.weights[i] ?? 0;
    if (draw < 0) return v;
  }
  return null;
}

/** RVUs move by up to ±8 % (totals follow); rows without RVUs get an indicator change. */
function mutate(row: Row, rng: Rng, distributions: Map<number, Distribution>): Row {
  const fields = [...row.fields];
  const hasRvu = RVU_FIELDS.some((f) => cents(fields[f] ?? '0') !== 0);
  if (hasRvu && rng.next() < 0.7) {
    const delta = new Map<number, number>();
    for (const f of RVU_FIELDS) {
      const old = cents(fields[f] ?? '0');
      if (old === 0) continue;
      const next = Math.max(1, Math.round(old * rng.between(0.92, 1.08)));
      delta.set(f, next - old);
      fields[f] = money(next);
    }
    if ([...delta.values()].every((d) => d === 0)) {
      const f = RVU_FIELDS.find((x) => delta.has(x)) as number;
      delta.set(f, 1);
      fields[f] = money(cents(fields[f] ?? '0') + 1);
    }
    const d = (f: number): number => delta.get(f) ?? 0;
    fields[NF_TOTAL] = money(cents(fields[NF_TOTAL] ?? '0') + d(WORK) + d(NF_PE) + d(MP));
    fields[F_TOTAL] = money(cents(fields[F_TOTAL] ?? '0') + d(WORK) + d(F_PE) + d(MP));
  } else {
    for (;;) {
      const field = INDICATOR_FIELDS[rng.int(INDICATOR_FIELDS.length)] as number;
      const distribution = distributions.get(field) as Distribution;
      const value = pickOther(rng, distribution, fields[field] ?? '');
      if (value === null) continue;
      fields[field] = value;
      break;
    }
  }
  return makeRow(fields);
}

/** A code not in use: the template's code with its last two digits redrawn (then all of them). */
export function newCode(template: string, rng: Rng, used: ReadonlySet<string>): string {
  const digits = [...template].flatMap((ch, i) => (ch >= '0' && ch <= '9' ? [i] : []));
  for (let attempt = 0; attempt < 200; attempt++) {
    const redraw = attempt < 50 ? digits.slice(-2) : digits;
    const chars = [...template];
    for (const i of redraw) chars[i] = String(rng.int(10));
    const code = chars.join('');
    if (!used.has(code)) return code;
  }
  throw new Error(`no free code near ${template}`);
}

export function nextRelease(
  previous: readonly Row[],
  rng: Rng,
  distributions: Map<number, Distribution>,
  changeRate: number,
  churnRate: number,
): { rows: Row[]; diff: ReleaseDiff } {
  const families = groupFamilies(previous);
  const churn = churnRate > 0 ? Math.max(1, Math.round(families.length * churnRate)) : 0;
  const removedFamilies = new Set(rng.sample(families.length, churn));
  const kept = families.filter((_, i) => !removedFamilies.has(i));
  const removed = [...removedFamilies].reduce((n, i) => n + (families[i]?.length ?? 0), 0);

  const rows = kept.flat();
  const changes =
    changeRate > 0 ? Math.min(rows.length, Math.max(1, Math.round(rows.length * changeRate))) : 0;
  for (const i of rng.sample(rows.length, changes)) {
    rows[i] = mutate(rows[i] as Row, rng, distributions);
  }

  const used = new Set(families.map((f) => (f[0] as Row).hcpcs));
  let added = 0;
  for (const t of rng.sample(kept.length, churn)) {
    const template = kept[t] as Row[];
    const code = newCode((template[0] as Row).hcpcs, rng, used);
    used.add(code);
    for (const row of template) {
      const fields = [...row.fields];
      fields[HCPCS] = code;
      rows.push(makeRow(fields));
      added++;
    }
  }
  rows.sort(byKey);
  return { rows, diff: { changed: changes, added, removed } };
}

/** Writes the releases; returns those written (index >= from), in order. */
export async function generateReleases(options: GenerateOptions): Promise<GeneratedRelease[]> {
  const seed = String(options.seed ?? DEFAULTS.seed);
  const changeRate = options.changeRate ?? DEFAULTS.changeRate;
  const churnRate = options.churnRate ?? DEFAULTS.churnRate;
  const from = options.from ?? 0;
  const real = await readRealRelease(options.sourceFile);
  const written: GeneratedRelease[] = [];
  let rows = firstRelease(real, seed, options.rowsPerRelease);
  let diff: ReleaseDiff = { changed: 0, added: 0, removed: 0 };
  for (let index = 0; index < options.count; index++) {
    if (index > 0) {
      const rng = createRng(`${seed}/release/${index}`);
      ({ rows, diff } = nextRelease(rows, rng, real.distributions, changeRate, churnRate));
    }
    if (index < from) continue;
    const { id, fileName } = releaseName(index);
    const dir = join(options.rawDir, 'pfs-rvu', id);
    const path = join(dir, fileName);
    const bytes = Buffer.from(real.header + rows.map((r) => `${r.line}\r\n`).join(''), 'latin1');
    await mkdir(dir, { recursive: true });
    await writeFile(path, bytes);
    const pkg: MixFile[] = [];
    if (options.package) {
      for (const file of await packageFiles(index, seed)) {
        pkg.push(
          await writeMixFile(
            options.rawDir,
            'pfs-rvu',
            id,
            file.name,
            file.bytes,
            file.description,
          ),
        );
      }
    }
    written.push({
      index,
      id,
      fileName,
      relativePath: `pfs-rvu/${id}/${fileName}`,
      path,
      rows: rows.length,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      diff,
      ...(options.package ? { packageFiles: pkg } : {}),
    });
  }
  return written;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      count: { type: 'string', default: '10' },
      seed: { type: 'string', default: DEFAULTS.seed },
      rows: { type: 'string' },
      package: { type: 'boolean', default: false },
    },
  });
  const rawDir = positionals[0];
  if (!rawDir) {
    process.stderr.write(
      'usage: generate-releases <rawDir> [--count N] [--seed S] [--rows rowsPerRelease]\n',
    );
    process.exit(2);
  }
  const releases = await generateReleases({
    rawDir: resolve(rawDir),
    count: Number(values.count),
    seed: values.seed,
    package: values.package,
    ...(values.rows ? { rowsPerRelease: Number(values.rows) } : {}),
  });
  for (const r of releases) {
    process.stdout.write(
      `${r.relativePath}: ${r.rows} rows, ${r.bytes} bytes, ` +
        `${r.diff.changed} changed, ${r.diff.added} added, ${r.diff.removed} removed\n`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main();
}
