import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFilesCeiling } from '../../bench/files-ceiling.js';
import { generateMix } from '../../bench/generate-mix.js';
import { parseCsvLine } from '../../bench/generate-releases.js';
import type { MixRelease } from '../../bench/mix/files.js';
import { REAL_HCPCS_FILE } from '../../bench/mix/hcpcs.js';
import { REAL_OPPS_WORKBOOK } from '../../bench/mix/opps.js';
import { REAL_PACKAGE_DIR } from '../../bench/mix/pfs-package.js';
import { PIPELINES } from '../../pipelines/index.js';
import { rawFolderOf } from '../../src/extract/raw-releases.js';

const dirs: string[] = [];
/** Byte equality without vitest's element-by-element diff of large buffers. */
const sameBytes = async (a: string, b: string) => (await readFile(a)).equals(await readFile(b));
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Six quarters: October 2025 to January 2027, so two Januaries and the 2026 layout. */
const QUARTERS = 6;
const OPTIONS = { quarters: QUARTERS, seed: 'mix-test', rowsPerRelease: 300 } as const;
let mix: MixRelease[];

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fse-bench-mix-'));
  dirs.push(dir);
  mix = await generateMix({ rawDir: join(dir, 'raw'), ...OPTIONS });
}, 120_000);

const ids = (folder: string) => mix.filter((r) => r.folderSource === folder).map((r) => r.id);
const release = (folder: string, id: string) =>
  mix.find((r) => r.folderSource === folder && r.id === id) as MixRelease;
const names = (r: MixRelease) => r.files.map((f) => basename(f.path)).sort();

describe('the mix at CMS cadence', () => {
  it('names every release as its pipeline does: quarterly, yearly, code pages', () => {
    expect(ids('pfs-rvu')).toEqual(['RVU25D', 'RVU26A', 'RVU26B', 'RVU26C', 'RVU26D', 'RVU27A']);
    expect(ids('hcpcs')).toEqual([
      'HCPC2025_OCT',
      'HCPC2026',
      'HCPC2026_APR',
      'HCPC2026_JUL',
      'HCPC2026_OCT',
      'HCPC2027',
    ]);
    const months = ['2025-10', '2026-01', '2026-04', '2026-07', '2026-10', '2027-01'];
    expect(ids('opps-addendum-b')).toEqual(months);
    expect(ids('mue')).toEqual(months);
    expect(ids('betos')).toEqual(['2025', '2026', '2027']);
    expect(ids('ccs')).toEqual(['2025', '2026', '2027']);
    expect(ids('code-pages')).toEqual(months.map((m) => `${m}-01`));
  });

  it('gives every pipeline release folders it accepts, each file taken by one of its rules', () => {
    for (const pipeline of PIPELINES) {
      const folder = rawFolderOf(pipeline);
      const releases = mix.filter((r) => r.folderSource === folder);
      expect(releases.length, pipeline.source).toBeGreaterThan(0);
      for (const r of releases) {
        expect(pipeline.releaseFromFolder(r.id).release).toBe(r.id);
        const taken = r.files.filter((f) =>
          pipeline.files.some((rule) => rule.pattern.test(basename(f.path))),
        );
        // A PFS package source takes exactly one of the folder's files; PPRRVU is one file
        // before 2026 and two after; every other source takes every file.
        const expected = pipeline.releasesOf
          ? 1
          : pipeline.source === 'pfs-rvu'
            ? r.id === 'RVU25D'
              ? 1
              : 2
            : r.files.length;
        expect(taken.length, `${pipeline.source} ${r.id}`).toBe(expected);
      }
    }
  });

  it('ships the package beside PPRRVU: RVU25D as in raw/, later years renamed and retitled', async () => {
    expect(names(release('pfs-rvu', 'RVU25D'))).toEqual([
      '25LOCCO.csv',
      'ANES2025.csv',
      'GPCI2025.csv',
      'OPPSCAP_Oct.csv',
      'PPRRVU2025_Oct.csv',
    ]);
    for (const f of release('pfs-rvu', 'RVU25D').files.filter((x) => !x.path.includes('PPRRVU'))) {
      expect(await sameBytes(f.path, join(REAL_PACKAGE_DIR, basename(f.path))), f.path).toBe(true);
    }
    expect(names(release('pfs-rvu', 'RVU27A'))).toEqual([
      '27LOCCO.csv',
      'ANES2027.csv',
      'GPCI2027.csv',
      'OPPSCAP_Jan.csv',
      'PPRRVU2027_Jan_QPP.csv',
      'PPRRVU2027_Jan_nonQPP.csv',
    ]);
    const gpci = (
      await readFile(
        release('pfs-rvu', 'RVU26B').files.find((f) => f.path.endsWith('GPCI2026.csv'))
          ?.path as string,
        'latin1',
      )
    ).split(/\r?\n/);
    expect(gpci[2]).toBe(
      'Medicare Administrative Contractor (MAC),State,Locality Number,Locality Name,2026 PW GPCI (with 1.0 Floor),2026 PE GPCI,2026 MP GPCI',
    );
    // 109 localities, as in GPCI2025.
    expect(gpci.filter((l) => /^\d/.test(l))).toHaveLength(109);
  });

  it('writes CY2026 releases as two 32-column files, one conversion factor and PRIC IND each', async () => {
    const files = release('pfs-rvu', 'RVU26A').files;
    const rows = async (suffix: string) => {
      const text = await readFile(
        files.find((f) => f.path.endsWith(suffix))?.path as string,
        'latin1',
      );
      return text.split('\r\n').filter(Boolean).map(parseCsvLine);
    };
    const nonQpp = await rows('_nonQPP.csv');
    const qpp = await rows('_QPP.csv');
    expect(nonQpp[0]?.[2]).toBe(
      '2026 National Physician Fee Schedule Relative Value File January Release',
    );
    expect(nonQpp[8]?.slice(22, 26)).toEqual(['TEAM', 'PRIC', 'ENDO', 'CONV']);
    expect(nonQpp[9]?.slice(22, 26)).toEqual(['SURG', 'IND', 'BASE', 'FACTOR']);
    for (const row of nonQpp.slice(10)) {
      expect(row).toHaveLength(32);
      expect([row[23], row[25]]).toEqual(['9', '33.4009']);
    }
    for (const row of qpp.slice(10)) expect([row[23], row[25]]).toEqual(['1', '33.5675']);
    // The QPP file leaves out the codes with no payable amount (status J, I, B, X).
    const statuses = new Set(qpp.slice(10).map((r) => r[3]));
    for (const s of ['J', 'I', 'B', 'X']) expect(statuses.has(s)).toBe(false);
    expect(qpp.length).toBeLessThan(nonQpp.length);
  });

  it('starts HCPCS and OPPS from the real files, then changes a little each quarter', async () => {
    const hcpcs = mix.filter((r) => r.folderSource === 'hcpcs').map((r) => r.files[0]);
    expect(await sameBytes(hcpcs[0]?.path as string, REAL_HCPCS_FILE)).toBe(true);
    expect(hcpcs[0]?.rows).toBe(12359);
    const a = (await readFile(hcpcs[1]?.path as string, 'latin1')).split('\r\n');
    const b = (await readFile(hcpcs[0]?.path as string, 'latin1')).split('\r\n');
    const before = new Set(b);
    const changed = a.filter((line) => !before.has(line)).length;
    expect(changed).toBeGreaterThan(10);
    expect(changed).toBeLessThan(400);
    expect(a.slice(9, -1).filter((line) => !/^[ A-Z0-9]{5}[0-9]{5}[3478]/.test(line))).toEqual([]);
    const opps = mix.filter((r) => r.folderSource === 'opps-addendum-b').map((r) => r.files[0]);
    expect(await sameBytes(opps[0]?.path as string, REAL_OPPS_WORKBOOK)).toBe(true);
    expect(opps[1]?.rows).toBe(opps[0]?.rows);
  });

  it('writes three MUE tables a quarter, from the fixture shape and real codes', async () => {
    expect(names(release('mue', '2026-04'))).toEqual([
      'MCR_MUE_DMESupplierServices_Eff_04-01-2026.csv',
      'MCR_MUE_OutpatientHospitalServices_Eff_04-01-2026.csv',
      'MCR_MUE_PractitionerServices_Eff_04-01-2026.csv',
    ]);
    const practitioner = release('mue', '2026-04').files.find((f) =>
      f.path.includes('Practitioner'),
    );
    const text = await readFile(practitioner?.path as string, 'latin1');
    expect(text).toContain(
      '"HCPCS/\r\nCPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator","MUE Rationale"\r\n',
    );
    expect(text).toMatch(/\r\n99213,\d+,"\d [^"]+","[^"]+"\r\n/);
  });

  it('is reproducible: the last quarter alone comes out byte for byte the same', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fse-bench-mix-again-'));
    dirs.push(dir);
    const again = await generateMix({ rawDir: join(dir, 'raw'), ...OPTIONS, from: QUARTERS - 1 });
    const last = mix.filter((r) => r.quarter === QUARTERS - 1);
    expect(again.map((r) => `${r.folderSource}/${r.id}`)).toEqual(
      last.map((r) => `${r.folderSource}/${r.id}`),
    );
    expect(again.flatMap((r) => r.files.map((f) => f.sha256))).toEqual(
      last.flatMap((r) => r.files.map((f) => f.sha256)),
    );
  }, 120_000);

  it('ceiling: DuckDB reads exactly the rows the generator wrote (CSV, fixed-width, pages)', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'fse-bench-mix-ceiling-'));
    dirs.push(workDir);
    const files = mix.filter((r) => r.quarter < 2).flatMap((r) => r.files);
    const result = await runFilesCeiling({
      files: files.filter((f) => f.format !== 'xlsx'),
      workDir,
    });
    const byGroup = Object.fromEntries(
      result.groups.map((g) => [g.group, [g.rows, g.expectedRows]]),
    );
    for (const group of [
      'pfs-rvu 31 fields',
      'pfs-rvu 32 fields',
      'hcpcs',
      'mue',
      'betos',
      'ccs',
    ]) {
      const [read, written] = byGroup[group] as [number, number];
      expect(read, group).toBe(written);
    }
    // betpuf14.txt's 16,048 records, twice (2025 and 2026).
    expect(byGroup.betos).toEqual([32096, 32096]);
  }, 120_000);
});
