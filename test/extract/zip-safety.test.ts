import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchRelease, type ReleaseDownload } from '../../src/extract/fetch/fetch-release.js';
import {
  DEFAULT_ZIP_LIMITS,
  extractZipMembers,
  memberPathProblem,
  sanitiseMemberName,
  type ZipLimits,
} from '../../src/extract/fetch/zip.js';
import { makeTempDir, removeTempDirs } from '../helpers/raw.js';
import { buildZip, type TestZipEntry } from '../helpers/zip-writer.js';
import { FixtureServer, send } from './helpers/fixture-server.js';
import { listTree } from './helpers/raw-tree.js';
import { expectFetchError, makeRawDir, pfsZip, testClient } from './helpers/setup.js';

const ZIP_PATH = '/files/zip/rvu25d.zip';
const MiB = 1024 * 1024;

const server = new FixtureServer();
let root: string;
let rawDir: string;
let before: string[];

beforeAll(async () => {
  await server.start();
});
afterAll(async () => {
  await server.close();
  await removeTempDirs();
});
beforeEach(async () => {
  server.reset();
  root = await makeTempDir('zip');
  rawDir = await makeRawDir(root);
  before = await listTree(rawDir);
});

function releaseDownload(): ReleaseDownload {
  return {
    source: 'pfs-rvu',
    release: 'RVU25D',
    downloadUrl: server.url(ZIP_PATH),
    published: null,
    effectiveFrom: '2025-10-01',
    isFull: true,
  };
}

/** Serves the zip and fetches it as release RVU25D. */
async function fetchZip(zip: Buffer, limits?: Partial<ZipLimits>) {
  server.route(ZIP_PATH, send(zip, { 'content-type': 'application/zip' }));
  return fetchRelease({
    rawDir,
    release: releaseDownload(),
    client: testClient({ maxResponseBytes: 8 * MiB }),
    wanted: [/^pprrvu.*\.(csv|txt)$/i],
    license: 'test',
    ...(limits ? { zipLimits: limits } : {}),
  });
}

/** Nothing was written anywhere: raw/ as before, and nothing escaped next to it. */
async function expectNothingWritten(): Promise<void> {
  expect(await listTree(rawDir)).toEqual(before);
  expect((await readdir(root)).sort()).toEqual(['raw']);
}

async function refusedAsUnsafe(entries: TestZipEntry[], pattern: RegExp): Promise<void> {
  const { zip } = await pfsZip(entries);
  const error = await expectFetchError(fetchZip(zip), 'unsafe-zip', ZIP_PATH);
  expect(error.message).toMatch(pattern);
  await expectNothingWritten();
}

describe('zip members: path traversal', () => {
  it('refuses a "../evil" member, even one the pipeline would not keep', async () => {
    await refusedAsUnsafe(
      [{ name: '../evil.sh', data: 'echo pwned\n' }],
      /member "\.\.\/evil\.sh": path traversal/,
    );
  });

  it('refuses a "../" member that would otherwise match the wanted names', async () => {
    await refusedAsUnsafe(
      [{ name: 'RVU25D/../../PPRRVU_evil.csv', data: 'x\n' }],
      /path traversal/,
    );
  });

  it('refuses an absolute member path', async () => {
    await refusedAsUnsafe(
      [{ name: '/tmp/pprrvu_abs.csv', data: 'x\n' }],
      /member "\/tmp\/pprrvu_abs\.csv": absolute path/,
    );
  });

  it('refuses backslashes and drive letters', async () => {
    await refusedAsUnsafe([{ name: '..\\..\\pprrvu_win.csv', data: 'x\n' }], /backslash/);
    await refusedAsUnsafe([{ name: 'C:/pprrvu_drive.csv', data: 'x\n' }], /drive letter/);
  });

  it('lands a member from a folder inside the zip under its base name only', async () => {
    const { zip, csv } = await pfsZip();
    const nested = buildZip([
      { name: 'RVU25D/' },
      { name: 'RVU25D/PPRRVU2025_Oct.csv', data: csv },
    ]);
    expect(zip.length).toBeGreaterThan(0);
    const result = await fetchZip(nested);
    expect(result.status).toBe('fetched');
    if (result.status !== 'fetched') return;
    expect(result.manifest.files.map((f) => [f.path, f.origin])).toEqual([
      ['PPRRVU2025_Oct.csv', `${server.url(ZIP_PATH)}!RVU25D/PPRRVU2025_Oct.csv`],
    ]);
    expect(await readdir(result.dir)).toEqual(['PPRRVU2025_Oct.csv', 'manifest.json']);
  });

  it('refuses a symbolic-link member', async () => {
    await refusedAsUnsafe(
      [{ name: 'PPRRVU_link.csv', data: '/etc/passwd', method: 'store', unixMode: 0o120777 }],
      /symbolic link/,
    );
  });
});

describe('zip members: decompression bombs', () => {
  const zeros = Buffer.alloc(3 * MiB);

  it('refuses a member whose declared size passes the per-member cap', async () => {
    const { zip } = await pfsZip([{ name: 'PPRRVU_big.csv', data: zeros }]);
    const error = await expectFetchError(
      fetchZip(zip, { maxMemberBytes: 2 * MiB, maxCompressionRatio: 10_000 }),
      'unsafe-zip',
      ZIP_PATH,
    );
    expect(error.message).toMatch(/declares 3145728 bytes uncompressed, over the per-member cap/);
    await expectNothingWritten();
  });

  it('refuses a member that would inflate past the compression-ratio cap', async () => {
    const { zip } = await pfsZip([{ name: 'PPRRVU_bomb.csv', data: zeros }]);
    const error = await expectFetchError(fetchZip(zip), 'unsafe-zip', ZIP_PATH);
    expect(error.message).toMatch(/compression-ratio cap of 200/);
    await expectNothingWritten();
  });

  it('stops a member that lies about its size once it inflates past what it declared', async () => {
    const { zip } = await pfsZip([{ name: 'PPRRVU_liar.csv', data: zeros, declaredSize: 1000 }]);
    const error = await expectFetchError(fetchZip(zip), 'unsafe-zip', ZIP_PATH);
    expect(error.message).toMatch(/PPRRVU_liar\.csv/);
    await expectNothingWritten();
  });

  it('extractZipMembers alone refuses a lying member and leaves its folder empty', async () => {
    const zip = buildZip([{ name: 'PPRRVU_liar.csv', data: zeros, declaredSize: 1000 }]);
    const zipPath = join(root, 'liar.zip');
    await writeFile(zipPath, zip);
    const dest = join(root, 'out');
    await mkdir(dest);
    const error = await expectFetchError(
      extractZipMembers(zipPath, dest, /^pprrvu/i, { label: 'liar.zip' }),
      'unsafe-zip',
    );
    expect(error.message).toMatch(/PPRRVU_liar\.csv" does not match its declared size/);
    expect(await readdir(dest)).toEqual([]);
  });

  it('refuses selected members that together pass the total cap', async () => {
    const text = Buffer.from('x,'.repeat(300 * 1024));
    const { zip } = await pfsZip([
      { name: 'PPRRVU_part1.csv', data: text },
      { name: 'PPRRVU_part2.csv', data: text },
    ]);
    const error = await expectFetchError(
      fetchZip(zip, { maxTotalBytes: MiB, maxCompressionRatio: 10_000 }),
      'unsafe-zip',
      ZIP_PATH,
    );
    expect(error.message).toMatch(/over the total cap of 1048576/);
    await expectNothingWritten();
  });

  it('does not inflate members the pipeline does not want', async () => {
    const { zip } = await pfsZip([{ name: 'GPCI_bomb.csv', data: zeros }]);
    const result = await fetchZip(zip);
    expect(result.status).toBe('fetched');
  });
});

describe('zip: not a zip, nothing wanted', () => {
  it('refuses a .zip URL whose body is not a zip', async () => {
    const error = await expectFetchError(
      fetchZip(Buffer.from('HCPCS,MOD\n0001F,\n')),
      'bad-zip',
      ZIP_PATH,
    );
    expect(error.message).toMatch(/does not start with PK/);
    await expectNothingWritten();
  });

  it('refuses a truncated zip', async () => {
    const { zip } = await pfsZip();
    await expectFetchError(fetchZip(zip.subarray(0, zip.length - 30)), 'bad-zip', ZIP_PATH);
    await expectNothingWritten();
  });

  it('refuses a zip with none of the wanted files, naming what it has', async () => {
    const zip = buildZip([{ name: 'GPCI2025.csv', data: 'x\n' }]);
    const error = await expectFetchError(fetchZip(zip), 'no-wanted-files', ZIP_PATH);
    expect(error.message).toMatch(/none of the wanted files .*pprrvu.*; it has: GPCI2025\.csv/);
    await expectNothingWritten();
  });

  it('refuses two members that would land under one name', async () => {
    const zip = buildZip([
      { name: 'a/PPRRVU2025_Oct.csv', data: 'x\n' },
      { name: 'b/pprrvu2025_oct.csv', data: 'y\n' },
    ]);
    const error = await expectFetchError(fetchZip(zip), 'unsafe-zip', ZIP_PATH);
    expect(error.message).toMatch(/would both land as/);
    await expectNothingWritten();
  });
});

describe('member names', () => {
  it('finds every unsafe shape', () => {
    expect(memberPathProblem('PPRRVU2025_Oct.csv')).toBeNull();
    expect(memberPathProblem('RVU25D/PPRRVU2025_Oct.csv')).toBeNull();
    expect(memberPathProblem('a..b.csv')).toBeNull();
    expect(memberPathProblem('../evil')).toMatch(/traversal/);
    expect(memberPathProblem('a/../../evil')).toMatch(/traversal/);
    expect(memberPathProblem('..')).toMatch(/traversal/);
    expect(memberPathProblem('/etc/passwd')).toMatch(/absolute/);
    expect(memberPathProblem('C:/Windows/x')).toMatch(/drive letter/);
    expect(memberPathProblem('c:evil')).toMatch(/drive letter/);
    expect(memberPathProblem('..\\evil')).toMatch(/backslash/);
    expect(memberPathProblem('evil\u0000.csv')).toMatch(/control/);
    expect(memberPathProblem('')).toMatch(/empty/);
  });

  it('sanitises a base name before it touches disk', () => {
    expect(sanitiseMemberName('PPRRVU2025_Oct.csv')).toBe('PPRRVU2025_Oct.csv');
    expect(sanitiseMemberName('PPRRVU 2025 (Oct).csv')).toBe('PPRRVU 2025 (Oct).csv');
    expect(sanitiseMemberName('PPRRVU:2025?*.csv')).toBe('PPRRVU_2025__.csv');
    expect(sanitiseMemberName('..hidden.csv')).toBe('hidden.csv');
    expect(sanitiseMemberName('.')).toBeNull();
    expect(sanitiseMemberName('manifest.json')).toBeNull();
    expect(sanitiseMemberName('MANIFEST.JSON')).toBeNull();
    expect(sanitiseMemberName('файл.csv')).toBe('____.csv');
    expect(sanitiseMemberName('x'.repeat(300))).toHaveLength(200);
  });

  it('defaults: caps far above a real PFS release, ratio far below a bomb', () => {
    expect(DEFAULT_ZIP_LIMITS.maxMemberBytes).toBeGreaterThan(50 * MiB);
    expect(DEFAULT_ZIP_LIMITS.maxCompressionRatio).toBeLessThan(1000);
  });

  it('a sanitised member name never escapes the destination folder', async () => {
    const zip = buildZip([{ name: 'sub/PPRRVU<x>|.csv', data: 'ok\n' }]);
    const zipPath = join(root, 'odd.zip');
    await writeFile(zipPath, zip);
    const dest = join(root, 'dest');
    await mkdir(dest);
    const { members } = await extractZipMembers(zipPath, dest, /^pprrvu/i, { label: 'odd.zip' });
    expect(members.map((m) => [m.member, m.name])).toEqual([
      ['sub/PPRRVU<x>|.csv', 'PPRRVU_x__.csv'],
    ]);
    expect(await readFile(join(dest, 'PPRRVU_x__.csv'), 'utf8')).toBe('ok\n');
    expect(dirname(join(dest, members[0]?.name ?? ''))).toBe(dest);
  });
});
