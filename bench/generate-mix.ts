/**
 * Writes the real work's mix of sources at CMS cadence (issue 22): from October 2025 on, per
 * quarter one PFS release (two PPRRVU files from CY2026, with the GPCI, locality, anesthesia and
 * OPPS cap files), one HCPCS file, one OPPS Addendum B workbook, three MUE tables and a folder of
 * code pages; per year a BETOS and a CCS file. Everything is derived from the real files in raw/
 * (and, for MUE, the fixture's documented shape) with small deterministic changes (prng.ts).
 * Same options, same seed → same bytes. 40 quarters is ten years.
 *
 *   node dist-bench/bench/generate-mix.js <rawDir> [--quarters 40] [--seed 1] [--rows 500]
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULTS } from './generate-releases.js';
import { writeCodePageReleases } from './mix/code-pages.js';
import type { MixRelease } from './mix/files.js';
import { writeHcpcsReleases } from './mix/hcpcs.js';
import { writeMueReleases } from './mix/mue.js';
import { writeOppsReleases } from './mix/opps.js';
import type { MixOptions } from './mix/options.js';
import { writePfsReleases } from './mix/pfs.js';
import { writeYearlyReleases } from './mix/yearly.js';

/** Bump when a change under bench/mix/ changes the bytes it writes (invalidates cached mixes). */
export const MIX_GENERATOR_VERSION = 2;
export const DEFAULT_MIX_QUARTERS = 40;
/** Saved code pages per quarter (38211's and others). */
export const CODE_PAGES_PER_QUARTER = 5;

export interface MixGenerateOptions {
  rawDir: string;
  quarters: number;
  seed?: string;
  rowsPerRelease?: number;
  /** Write only quarters >= from (the +1 quarter set writes its last quarter only). */
  from?: number;
}

/** Every release of the mix's quarters [from, quarters), source by source. */
export async function generateMix(options: MixGenerateOptions): Promise<MixRelease[]> {
  const mix: MixOptions = {
    rawDir: options.rawDir,
    quarters: options.quarters,
    seed: String(options.seed ?? DEFAULTS.seed),
    from: options.from ?? 0,
    ...(options.rowsPerRelease ? { rowsPerRelease: options.rowsPerRelease } : {}),
  };
  return [
    ...(await writePfsReleases(mix)),
    ...(await writeHcpcsReleases(mix)),
    ...(await writeOppsReleases(mix)),
    ...(await writeMueReleases(mix)),
    ...(await writeYearlyReleases(mix)),
    ...(await writeCodePageReleases(mix, CODE_PAGES_PER_QUARTER)),
  ];
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      quarters: { type: 'string', default: String(DEFAULT_MIX_QUARTERS) },
      seed: { type: 'string', default: DEFAULTS.seed },
      rows: { type: 'string' },
    },
  });
  const rawDir = positionals[0];
  if (!rawDir) {
    process.stderr.write(
      'usage: generate-mix <rawDir> [--quarters N] [--seed S] [--rows pfsRows]\n',
    );
    process.exit(2);
  }
  const releases = await generateMix({
    rawDir: resolve(rawDir),
    quarters: Number(values.quarters),
    seed: values.seed,
    ...(values.rows ? { rowsPerRelease: Number(values.rows) } : {}),
  });
  for (const r of releases) {
    const rows = r.files.reduce((n, f) => n + f.rows, 0);
    const bytes = r.files.reduce((n, f) => n + f.bytes, 0);
    process.stdout.write(
      `${r.folderSource}/${r.id}: ${r.files.length} file(s), ${rows} rows, ${bytes} bytes\n`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main();
}
