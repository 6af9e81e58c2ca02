import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type FetchReleaseOptions,
  fetchRelease,
  type ReleaseDownload,
} from '../../src/extract/fetch/fetch-release.js';
import { FETCH_STATE_FILE_NAME, readFetchState } from '../../src/extract/fetch/fetch-state.js';
import { DEFAULT_USER_AGENT, type HttpClient } from '../../src/extract/fetch/http-client.js';
import { HostRateLimiter } from '../../src/extract/fetch/rate-limit.js';
import { TEMP_PREFIX } from '../../src/extract/fetch/temp-files.js';
import { makeTempDir, removeTempDirs } from '../helpers/raw.js';
import { FixtureServer, send } from './helpers/fixture-server.js';
import { listTree } from './helpers/raw-tree.js';
import { expectFetchError, makeRawDir, type PfsZip, pfsZip, testClient } from './helpers/setup.js';

const ZIP_PATH = '/files/zip/rvu25d.zip';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const server = new FixtureServer();
let fixture: PfsZip;
let rawDir: string;
let before: string[];

beforeAll(async () => {
  await server.start();
  fixture = await pfsZip();
});
afterAll(async () => {
  await server.close();
  await removeTempDirs();
});
beforeEach(async () => {
  server.reset();
  rawDir = await makeRawDir(await makeTempDir('fetch'));
  before = await listTree(rawDir);
});

function release(url = server.url(ZIP_PATH)): ReleaseDownload {
  return {
    source: 'pfs-rvu',
    release: 'RVU25D',
    downloadUrl: url,
    pageUrl: server.url(
      '/medicare/payment/fee-schedules/physician/pfs-relative-value-files/rvu25d',
    ),
    published: null,
    effectiveFrom: '2025-10-01',
    isFull: true,
  };
}

function fetchOptions(
  client: HttpClient = testClient(),
  overrides: Partial<FetchReleaseOptions> = {},
): FetchReleaseOptions {
  return {
    rawDir,
    release: release(),
    client,
    wanted: [/^pprrvu.*\.(csv|txt)$/i],
    license: 'CMS public data (test)',
    ...overrides,
  };
}

/** Nothing half-written: raw/ is exactly as before (no temp file, no release folder, no state). */
async function expectRawUntouched(): Promise<void> {
  expect(await listTree(rawDir)).toEqual(before);
}

describe('fetchRelease over HTTP', () => {
  it('downloads the zip, keeps the wanted members and writes the manifest', async () => {
    server.route(ZIP_PATH, send(fixture.zip, { 'content-type': 'application/zip', etag: '"v1"' }));
    const result = await fetchRelease(fetchOptions());
    expect(result.status).toBe('fetched');
    if (result.status !== 'fetched') return;
    const dir = join(rawDir, 'pfs-rvu', 'RVU25D');
    expect(result.dir).toBe(dir);
    expect(await readFile(join(dir, 'PPRRVU2025_Oct.csv'))).toEqual(fixture.csv);
    expect(await readFile(join(dir, 'PPRRVU2025_Oct.txt'))).toEqual(fixture.txt);
    expect(result.skipped.sort()).toEqual(['ANES2025.csv', 'GPCI2025.csv', 'RVU25D.pdf']);

    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      source: 'pfs-rvu',
      release: 'RVU25D',
      effective_from: '2025-10-01',
      is_full: true,
      origin: server.url(ZIP_PATH),
      license: 'CMS public data (test)',
    });
    expect(manifest.fetched_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(manifest.files).toEqual([
      {
        path: 'PPRRVU2025_Oct.csv',
        sha256: sha256(fixture.csv),
        bytes: fixture.csv.length,
        origin: `${server.url(ZIP_PATH)}!PPRRVU2025_Oct.csv`,
      },
      {
        path: 'PPRRVU2025_Oct.txt',
        sha256: sha256(fixture.txt),
        bytes: fixture.txt.length,
        origin: `${server.url(ZIP_PATH)}!PPRRVU2025_Oct.txt`,
      },
    ]);
    expect(result.download.sha256).toBe(sha256(fixture.zip));

    // Only the release folder and the state file are new; no temporaries remain.
    const after = await listTree(rawDir);
    expect(after.filter((p) => !before.includes(p))).toEqual([
      `${FETCH_STATE_FILE_NAME} ${(await readFile(join(rawDir, FETCH_STATE_FILE_NAME))).length}`,
      'pfs-rvu/RVU25D/',
      `pfs-rvu/RVU25D/PPRRVU2025_Oct.csv ${fixture.csv.length}`,
      `pfs-rvu/RVU25D/PPRRVU2025_Oct.txt ${fixture.txt.length}`,
      expect.stringMatching(/^pfs-rvu\/RVU25D\/manifest\.json \d+$/),
    ]);
    const state = await readFetchState(join(rawDir, FETCH_STATE_FILE_NAME));
    expect(state.urls[server.url(ZIP_PATH)]).toMatchObject({
      etag: '"v1"',
      sha256: sha256(fixture.zip),
      bytes: fixture.zip.length,
      release: 'RVU25D',
    });
  });

  it('sends a clear User-Agent naming the project and its version', async () => {
    server.route(ZIP_PATH, send(fixture.zip));
    await fetchRelease(fetchOptions());
    const agent = server.hits(ZIP_PATH)[0]?.headers['user-agent'];
    expect(agent).toBe(DEFAULT_USER_AGENT);
    expect(agent).toMatch(/^fee-schedule-etl\/\d+\.\d+\.\d+ \(\+https:\/\/\S+\)$/);
  });

  it('retries a 500 and then lands the release cleanly', async () => {
    let calls = 0;
    server.route(ZIP_PATH, (req, res) => {
      calls++;
      if (calls === 1) return send('temporarily broken', {}, 500)(req, res);
      return send(fixture.zip)(req, res);
    });
    const lines: string[] = [];
    const result = await fetchRelease(fetchOptions(testClient({ log: (l) => lines.push(l) })));
    expect(result.status).toBe('fetched');
    expect(server.hits(ZIP_PATH)).toHaveLength(2);
    expect(lines.join('\n')).toMatch(/HTTP 500.*retry 1 of 2/);
    const after = await listTree(rawDir);
    expect(after.filter((p) => p.includes('.fse-fetch-'))).toEqual([]);
  });

  it('gives up after the retries on a persistent 503, leaving nothing behind', async () => {
    server.route(ZIP_PATH, send('down for maintenance', {}, 503));
    const error = await expectFetchError(fetchRelease(fetchOptions()), 'http', ZIP_PATH);
    expect(error.status).toBe(503);
    expect(server.hits(ZIP_PATH)).toHaveLength(3);
    await expectRawUntouched();
  });

  it('does not retry a 404', async () => {
    const error = await expectFetchError(fetchRelease(fetchOptions()), 'http', ZIP_PATH);
    expect(error.status).toBe(404);
    expect(error.message).toMatch(/HTTP 404.*not retried/);
    expect(server.hits(ZIP_PATH)).toHaveLength(1);
    await expectRawUntouched();
  });

  it('times out when the response headers never come (connect timeout), retrying once', async () => {
    server.route(ZIP_PATH, () => {
      /* never answers */
    });
    const started = performance.now();
    const error = await expectFetchError(
      fetchRelease(fetchOptions(testClient({ retries: 1, connectTimeoutMs: 100 }))),
      'timeout',
      ZIP_PATH,
    );
    expect(error.message).toMatch(/no response headers within 100 ms/);
    expect(server.hits(ZIP_PATH)).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(2_000);
    await expectRawUntouched();
  });

  it('times out when the body stalls (read timeout), leaving no partial file', async () => {
    server.route(ZIP_PATH, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/zip' });
      res.write(fixture.zip.subarray(0, 100)); // then silence
    });
    const error = await expectFetchError(
      fetchRelease(fetchOptions(testClient({ retries: 0, idleTimeoutMs: 100 }))),
      'timeout',
      ZIP_PATH,
    );
    expect(error.message).toMatch(/stalled for more than 100 ms/);
    await expectRawUntouched();
  });

  it('gives up on a body trickled in under the idle timeout (response deadline)', async () => {
    // A byte every 20 ms for 4 s: never idle for 400 ms (room for a loaded machine's stalls,
    // which once let a 100 ms idle timeout fire first), so only the total deadline stops it.
    server.route(ZIP_PATH, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/zip' });
      let sent = 0;
      const timer = setInterval(() => {
        if (sent >= 200 || res.destroyed) {
          clearInterval(timer);
          res.end();
          return;
        }
        res.write(fixture.zip.subarray(sent, sent + 1));
        sent++;
      }, 20);
      res.on('close', () => clearInterval(timer));
    });
    const started = performance.now();
    const error = await expectFetchError(
      fetchRelease(
        fetchOptions(testClient({ retries: 0, idleTimeoutMs: 400, responseDeadlineMs: 1_000 })),
      ),
      'timeout',
      ZIP_PATH,
    );
    expect(error.message).toMatch(/deadline of 1000 ms/);
    expect(performance.now() - started).toBeLessThan(3_000);
    await expectRawUntouched();
  });

  it('refuses an oversized response by its Content-Length without reading it or retrying', async () => {
    server.route(ZIP_PATH, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': '50000000' });
      res.write(fixture.zip.subarray(0, 10));
    });
    const error = await expectFetchError(
      fetchRelease(fetchOptions(testClient({ maxResponseBytes: 64 * 1024 }))),
      'too-large',
      ZIP_PATH,
    );
    expect(error.message).toMatch(/Content-Length 50000000 bytes exceeds the maximum .* 65536/);
    expect(server.hits(ZIP_PATH)).toHaveLength(1);
    await expectRawUntouched();
  });

  it('aborts an oversized chunked response (no Content-Length) once it passes the cap', async () => {
    let sent = 0;
    server.route(ZIP_PATH, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/zip' });
      const chunk = Buffer.alloc(16 * 1024, 0x41);
      const pump = () => {
        while (!res.destroyed && sent < 4 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const error = await expectFetchError(
      fetchRelease(fetchOptions(testClient({ maxResponseBytes: 64 * 1024 }))),
      'too-large',
      ZIP_PATH,
    );
    expect(error.message).toMatch(/passed the maximum response size of 65536 bytes/);
    expect(sent).toBeLessThan(4 * 1024 * 1024);
    expect(server.hits(ZIP_PATH)).toHaveLength(1);
    await expectRawUntouched();
  });

  it('refuses an HTML page served as text/html where the zip was expected', async () => {
    server.route(
      ZIP_PATH,
      send('<!DOCTYPE html><html><body>Page not found</body></html>', {
        'content-type': 'text/html; charset=UTF-8',
      }),
    );
    const error = await expectFetchError(
      fetchRelease(fetchOptions()),
      'html-instead-of-data',
      ZIP_PATH,
    );
    expect(error.message).toMatch(/expected a data file .* HTML page/);
    await expectRawUntouched();
  });

  it('refuses an HTML body even when the server labels it a zip', async () => {
    server.route(
      ZIP_PATH,
      send('\n  <html lang="en"><head><title>Access Denied</title></head></html>', {
        'content-type': 'application/zip',
      }),
    );
    await expectFetchError(fetchRelease(fetchOptions()), 'html-instead-of-data', ZIP_PATH);
    await expectRawUntouched();
  });

  it('refuses a redirect to a host that is not on the allowlist, before contacting it', async () => {
    server.route(
      ZIP_PATH,
      send('', { location: `http://localhost:${server.port}/elsewhere/rvu25d.zip` }, 302),
    );
    server.route('/elsewhere/rvu25d.zip', send(fixture.zip));
    const error = await expectFetchError(
      fetchRelease(fetchOptions()),
      'not-allowed',
      '/elsewhere/rvu25d.zip',
    );
    expect(error.message).toMatch(/redirect from .*rvu25d\.zip refused: host localhost:\d+ is not/);
    expect(server.hits('/elsewhere/rvu25d.zip')).toHaveLength(0);
    await expectRawUntouched();
  });

  it('follows redirects within the allowlist and records the original URL as origin', async () => {
    server.route(ZIP_PATH, send('', { location: '/files/zip/rvu25d-updated.zip' }, 301));
    server.route('/files/zip/rvu25d-updated.zip', send('', { location: '/cdn/rvu25d.zip' }, 307));
    server.route('/cdn/rvu25d.zip', send(fixture.zip));
    const result = await fetchRelease(fetchOptions());
    expect(result.status).toBe('fetched');
    if (result.status !== 'fetched') return;
    expect(result.download.finalUrl).toBe(server.url('/cdn/rvu25d.zip'));
    expect(result.manifest.origin).toBe(server.url(ZIP_PATH));
    expect(result.manifest.notes).toContain(server.url('/cdn/rvu25d.zip'));
  });

  it('follows at most five redirects', async () => {
    for (let i = 0; i < 8; i++) {
      server.route(`/loop/${i}`, send('', { location: `/loop/${i + 1}` }, 302));
    }
    const error = await expectFetchError(
      fetchRelease(fetchOptions(testClient(), { release: release(server.url('/loop/0')) })),
      'too-many-redirects',
      '/loop/0',
    );
    expect(error.message).toMatch(/more than 5 redirects/);
    expect(server.requests.map((r) => r.path)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `/loop/${i}`));
    await expectRawUntouched();
  });

  it('refuses a URL off the allowlist, and plain http unless allowed, without a request', async () => {
    await expectFetchError(
      fetchRelease(
        fetchOptions(testClient(), {
          release: release('https://www.cms.gov/files/zip/rvu25d.zip'),
        }),
      ),
      'not-allowed',
      'https://www.cms.gov/files/zip/rvu25d.zip',
    );
    const error = await expectFetchError(
      fetchRelease(fetchOptions(testClient({ allowInsecureHttp: false }))),
      'not-allowed',
      ZIP_PATH,
    );
    expect(error.message).toMatch(/scheme http: is not allowed/);
    expect(server.requests).toHaveLength(0);
    await expectRawUntouched();
  });

  it('reports a refused connection as a network error after retrying', async () => {
    const closed = await new FixtureServer().start();
    const url = closed.url(ZIP_PATH);
    await closed.close();
    const error = await expectFetchError(
      fetchRelease(fetchOptions(testClient({ retries: 1 }), { release: release(url) })),
      'network',
      ZIP_PATH,
    );
    expect(error.message).toMatch(/network error: ECONNREFUSED/);
    await expectRawUntouched();
  });
});

describe('conditional requests', () => {
  it('asks "changed since?" on the next run and gets 304: unchanged, nothing downloaded', async () => {
    server.route(ZIP_PATH, (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304).end();
      send(fixture.zip, { etag: '"v1"', 'last-modified': 'Thu, 11 Sep 2025 12:00:00 GMT' })(
        req,
        res,
      );
    });
    expect((await fetchRelease(fetchOptions())).status).toBe('fetched');
    const landed = await listTree(rawDir);

    const second = await fetchRelease(fetchOptions());
    expect(second.status).toBe('unchanged');
    const hits = server.hits(ZIP_PATH);
    expect(hits).toHaveLength(2);
    expect(hits[1]?.headers['if-none-match']).toBe('"v1"');
    expect(hits[1]?.headers['if-modified-since']).toBe('Thu, 11 Sep 2025 12:00:00 GMT');
    const afterSecond = await listTree(rawDir);
    // Only the state file's checked_at changed; the release is byte for byte the same.
    expect(afterSecond.filter((p) => !p.startsWith(FETCH_STATE_FILE_NAME))).toEqual(
      landed.filter((p) => !p.startsWith(FETCH_STATE_FILE_NAME)),
    );
  });

  it('uses Last-Modified alone when the server sends no ETag', async () => {
    const stamp = 'Thu, 11 Sep 2025 12:00:00 GMT';
    server.route(ZIP_PATH, (req, res) => {
      if (req.headers['if-modified-since'] === stamp) return void res.writeHead(304).end();
      send(fixture.zip, { 'last-modified': stamp })(req, res);
    });
    await fetchRelease(fetchOptions());
    expect((await fetchRelease(fetchOptions())).status).toBe('unchanged');
    expect(server.hits(ZIP_PATH)[1]?.headers['if-none-match']).toBeUndefined();
  });

  it('makes no request for a release already present when no validators are remembered', async () => {
    server.route(ZIP_PATH, send(fixture.zip));
    await fetchRelease(fetchOptions(testClient(), { stateFile: null }));
    const second = await fetchRelease(fetchOptions(testClient(), { stateFile: null }));
    expect(second.status).toBe('already-present');
    expect(server.hits(ZIP_PATH)).toHaveLength(1);
  });

  it('never overwrites a landed release when the server sends a different file', async () => {
    let version = 1;
    server.route(ZIP_PATH, (req, res) => {
      const body = version === 1 ? fixture.zip : Buffer.concat([fixture.zip, Buffer.from('x')]);
      send(body, { etag: `"v${version}"` })(req, res);
    });
    await fetchRelease(fetchOptions());
    const landed = await listTree(rawDir);
    version = 2;
    const second = await fetchRelease(fetchOptions());
    expect(second.status).toBe('changed-upstream');
    if (second.status !== 'changed-upstream') return;
    expect(second.previousSha256).toBe(sha256(fixture.zip));
    expect(second.download.sha256).not.toBe(second.previousSha256);
    expect(await listTree(rawDir)).toEqual(landed);
  });
});

describe('leftovers of an interrupted run', () => {
  it('removes temporaries of dead runs and keeps those of live ones', async () => {
    const sourceDir = join(rawDir, 'pfs-rvu');
    // Above Linux's largest pid_max: no process can have it.
    const dead = `${TEMP_PREFIX}RVU25D-4194305-deadbeef.staging`;
    const live = `${TEMP_PREFIX}RVU25D-${process.pid}-0123abcd.download`;
    await mkdir(join(sourceDir, dead));
    await writeFile(join(sourceDir, dead, 'PPRRVU2025_Oct.csv'), 'half a file');
    await writeFile(join(sourceDir, live), 'in progress');
    server.route(ZIP_PATH, send(fixture.zip));
    expect((await fetchRelease(fetchOptions())).status).toBe('fetched');
    const names = await readdir(sourceDir);
    expect(names).not.toContain(dead);
    expect(names).toContain(live);
  });
});

describe('per-host request rate', () => {
  it('spaces requests to one host by the configured interval', async () => {
    // Timed where the client sends, not where the server receives: connection set-up on a busy
    // machine can bunch arrivals together even when the sends were spaced.
    class RecordingLimiter extends HostRateLimiter {
      readonly granted: number[] = [];
      override async acquire(host: string): Promise<void> {
        await super.acquire(host);
        this.granted.push(performance.now());
      }
    }
    server.route('/a', send('a'));
    const limiter = new RecordingLimiter(40);
    const client = testClient({ rateLimiter: limiter });
    const started = performance.now();
    await Promise.all([1, 2, 3].map(() => client.getText(server.url('/a'))));
    expect(server.hits('/a')).toHaveLength(3);
    expect(limiter.granted).toHaveLength(3);
    // A late event loop can delay a grant but never bring one forward: the third request may
    // not go out before two intervals have passed since the first was asked for.
    expect((limiter.granted[2] as number) - started).toBeGreaterThanOrEqual(2 * 40 - 2);
  });

  it('counts every redirect hop and retry against the host rate', async () => {
    class CountingLimiter extends HostRateLimiter {
      calls = 0;
      override async acquire(host: string): Promise<void> {
        this.calls++;
        await super.acquire(host);
      }
    }
    let calls = 0;
    server.route('/hop', send('', { location: '/flaky' }, 302));
    server.route('/flaky', (req, res) => send('x', {}, ++calls === 1 ? 503 : 200)(req, res));
    const limiter = new CountingLimiter(1);
    await testClient({ rateLimiter: limiter }).getText(server.url('/hop'));
    expect(limiter.calls).toBe(4); // /hop, /flaky (503), then again /hop, /flaky
  });

  it('keeps one queue per host: another host is not held up', async () => {
    let now = 0;
    const limiter = new HostRateLimiter(1_000, () => now);
    await limiter.acquire('www.cms.gov');
    const started = performance.now();
    await limiter.acquire('example.org');
    expect(performance.now() - started).toBeLessThan(500); // a wait would be 1000 ms
    now = 1_000;
    await limiter.acquire('WWW.CMS.GOV');
    expect(performance.now() - started).toBeLessThan(500); // a wait would be 1000 ms
  });
});

afterEach(() => {
  server.reset();
});
