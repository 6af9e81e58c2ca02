import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { FetchError, type FetchErrorKind } from '../../../src/extract/fetch/errors.js';
import { HttpClient, type HttpClientOptions } from '../../../src/extract/fetch/http-client.js';
import { REPO_RAW_DIR } from '../../helpers/raw.js';
import { buildZip, type TestZipEntry } from '../../helpers/zip-writer.js';

/**
 * Fast, loopback-only client settings. Timeouts are 300 ms at most (the timeout tests use 100):
 * generous enough that a busy CI machine does not trip them on a healthy response.
 */
export const TEST_CLIENT_OPTIONS: HttpClientOptions = {
  allowedHosts: ['127.0.0.1'],
  allowInsecureHttp: true,
  connectTimeoutMs: 300,
  idleTimeoutMs: 300,
  retries: 2,
  backoffBaseMs: 5,
  backoffMaxMs: 20,
  minRequestIntervalMs: 10,
  maxResponseBytes: 1024 * 1024,
};

export function testClient(overrides: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({ ...TEST_CLIENT_OPTIONS, ...overrides });
}

const heads = new Map<string, Promise<Buffer>>();

/** The first `count` lines of a file of the repository's RVU25D release (read only, cached). */
function headOf(name: string, count: number): Promise<Buffer> {
  const key = `${name}:${count}`;
  let head = heads.get(key);
  if (!head) {
    head = readFile(join(REPO_RAW_DIR, 'pfs-rvu', 'RVU25D', name)).then((bytes) => {
      let end = 0;
      for (let i = 0; i < count && end !== -1; i++) end = bytes.indexOf(0x0a, end) + 1 || -1;
      return Buffer.from(end === -1 ? bytes : bytes.subarray(0, end));
    });
    heads.set(key, head);
  }
  return head;
}

export interface PfsZip {
  zip: Buffer;
  csv: Buffer;
  txt: Buffer;
}

/** A small RVU25D-shaped zip: the PPRRVU CSV and TXT the pipeline wants, plus members it skips. */
export async function pfsZip(extra: readonly TestZipEntry[] = []): Promise<PfsZip> {
  const csv = await headOf('PPRRVU2025_Oct.csv', 30);
  const txt = await headOf('PPRRVU2025_Oct.txt', 30);
  const zip = buildZip([
    { name: 'PPRRVU2025_Oct.csv', data: csv },
    { name: 'PPRRVU2025_Oct.txt', data: txt },
    { name: 'GPCI2025.csv', data: 'Medicare Administrative Contractor,State,Locality\n' },
    { name: 'ANES2025.csv', data: 'Contractor,Locality,Conversion Factor\n' },
    { name: 'RVU25D.pdf', data: '%PDF-1.4 not really\n', method: 'store' },
    ...extra,
  ]);
  return { zip, csv, txt };
}

/** A raw/ folder with one earlier release in it, as a refresh would have left it. */
export async function makeRawDir(root: string): Promise<string> {
  const rawDir = join(root, 'raw');
  const earlier = join(rawDir, 'pfs-rvu', 'RVU25C');
  await mkdir(earlier, { recursive: true });
  await writeFile(
    join(earlier, 'manifest.json'),
    '{"source":"pfs-rvu","release":"RVU25C","files":[]}\n',
  );
  return rawDir;
}

/** Awaits a rejection and checks it is a FetchError of the kind, naming the URL. */
export async function expectFetchError(
  promise: Promise<unknown>,
  kind: FetchErrorKind,
  urlPart?: string,
): Promise<FetchError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected a FetchError (${kind}) but the call succeeded`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FetchError);
  const fetchError = error as FetchError;
  expect(fetchError.kind, fetchError.message).toBe(kind);
  if (urlPart) {
    expect(fetchError.url).toContain(urlPart);
    expect(fetchError.message).toContain(urlPart);
  }
  return fetchError;
}
