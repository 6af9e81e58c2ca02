import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CodePageRefusedError } from '../../pipelines/code-pages/code-page-refused-error.js';
import {
  codePageUrl,
  type FetchCodePagesOptions,
  fetchCodePages,
} from '../../pipelines/code-pages/fetch-code-pages.js';
import { FetchError } from '../../src/extract/fetch/errors.js';
import { FixtureServer, send } from '../extract/helpers/fixture-server.js';
import { listTree } from '../extract/helpers/raw-tree.js';
import { makeTempDir, removeTempDirs } from '../helpers/raw.js';
import { fixture, MARKUPS } from './fixtures.js';

const HTML = { 'content-type': 'text/html; charset=utf-8' };
const DATE = '2025-11-15';
const server = new FixtureServer();
let rawDir: string;
let template: string;

beforeAll(async () => {
  await server.start();
  template = server.url('/cpt/codes/{code}');
});
afterAll(async () => {
  await server.close();
  await removeTempDirs();
});
beforeEach(async () => {
  server.reset();
  rawDir = await makeTempDir('code-page-fetch');
});

function options(codes: string[], overrides: Partial<FetchCodePagesOptions> = {}) {
  return {
    codes,
    baseUrl: template,
    rawDir,
    date: DATE,
    http: { minRequestIntervalMs: 0, retries: 0, connectTimeoutMs: 2_000, idleTimeoutMs: 2_000 },
    now: () => new Date('2025-11-15T09:30:00Z'),
    ...overrides,
  };
}

describe('fetchCodePages against a local server', () => {
  it('saves a good page atomically under raw/code-pages/<date>/<code>.html and parses it', async () => {
    const html = await fixture(MARKUPS[0]);
    server.route('/cpt/codes/38211', send(html, HTML));
    const [result] = await fetchCodePages(options(['38211']));
    expect(result?.status).toBe('saved');
    if (result?.status !== 'saved') return;
    expect(result.saved.file).toBe(`code-pages/${DATE}/38211.html`);
    expect(await readFile(join(rawDir, 'code-pages', DATE, '38211.html'), 'utf8')).toBe(html);
    expect(result.parsed.hcpcs).toBe('38211');
    expect(result.parsed.fields).toHaveLength(18);
    expect(result.parsed.history.map((h) => [h.date, h.action])).toEqual([['2003-01-01', 'Added']]);
    const meta = JSON.parse(
      await readFile(join(rawDir, 'code-pages', DATE, '38211.meta.json'), 'utf8'),
    );
    expect(meta).toMatchObject({
      url: server.url('/cpt/codes/38211'),
      fetched_at: '2025-11-15T09:30:00.000Z',
    });
    // Nothing but the page and its meta file: no temporary left behind.
    expect(await listTree(rawDir)).toEqual([
      'code-pages/',
      `code-pages/${DATE}/`,
      `code-pages/${DATE}/38211.html ${Buffer.byteLength(html)}`,
      expect.stringMatching(new RegExp(`^code-pages/${DATE}/38211\\.meta\\.json \\d+$`)),
    ]);
  });

  it('refuses an HTML quota page and saves nothing', async () => {
    server.route('/cpt/codes/38211', send(await fixture('view-quota.html'), HTML));
    const [result] = await fetchCodePages(options(['38211']));
    expect(result?.status).toBe('refused');
    if (result?.status !== 'refused') return;
    expect(result.error).toBeInstanceOf(CodePageRefusedError);
    expect(result.error.rule).toBe('view-quota');
    expect(result.error.page).toBe(server.url('/cpt/codes/38211'));
    expect(await listTree(rawDir)).toEqual([]);
  });

  it('fetches a good page and refuses a quota page in one run', async () => {
    server.route('/cpt/codes/38211', send(await fixture(MARKUPS[1]), HTML));
    server.route('/cpt/codes/38210', send(await fixture('view-quota.html'), HTML));
    const results = await fetchCodePages(options(['38211', '38210']));
    expect(results.map((r) => [r.code, r.status])).toEqual([
      ['38211', 'saved'],
      ['38210', 'refused'],
    ]);
    const tree = await listTree(rawDir);
    expect(tree.filter((p) => p.endsWith('.html') || p.includes('.html '))).toEqual([
      expect.stringMatching(/^code-pages\/2025-11-15\/38211\.html \d+$/),
    ]);
  });

  it('stops after a quota page: the remaining codes are not requested', async () => {
    server.route('/cpt/codes/38210', send(await fixture('view-quota.html'), HTML));
    server.route('/cpt/codes/38211', send(await fixture(MARKUPS[0]), HTML));
    const results = await fetchCodePages(options(['38210', '38211']));
    expect(results.map((r) => r.status)).toEqual(['refused', 'skipped']);
    expect(server.hits('/cpt/codes/38211')).toHaveLength(0);
  });

  it('refuses a login wall and a page about another code', async () => {
    server.route('/cpt/codes/38212', send(await fixture('login-wall.html'), HTML));
    server.route('/cpt/codes/38213', send(await fixture(MARKUPS[0]), HTML));
    const results = await fetchCodePages(options(['38212', '38213']));
    expect(results.map((r) => (r.status === 'refused' ? r.error.rule : r.status))).toEqual([
      'login-wall',
      'code-mismatch',
    ]);
    expect(await listTree(rawDir)).toEqual([]);
  });

  it('refuses a page of 20,000 nested divs (too-deep) and goes on with the next code', async () => {
    const deep = `<html><head><title>CPT Code 38212</title></head><body>${'<div>'.repeat(20_000)}x${'</div>'.repeat(20_000)}</body></html>`;
    server.route('/cpt/codes/38212', send(deep, HTML));
    server.route('/cpt/codes/38211', send(await fixture(MARKUPS[1]), HTML));
    const results = await fetchCodePages(options(['38212', '38211']));
    expect(results.map((r) => (r.status === 'refused' ? r.error.rule : r.status))).toEqual([
      'too-deep',
      'saved',
    ]);
  });

  it('reports an HTTP 404 as a failed fetch and saves nothing', async () => {
    const results = await fetchCodePages(options(['99999']));
    expect(results[0]?.status).toBe('failed');
    if (results[0]?.status !== 'failed') return;
    expect(results[0].error).toBeInstanceOf(FetchError);
    expect(results[0].error.kind).toBe('http');
    expect(results[0].error.status).toBe(404);
    expect(await listTree(rawDir)).toEqual([]);
  });

  it('allows only the base URL host: a redirect elsewhere is refused', async () => {
    server.route('/cpt/codes/38211', (_req, res) => {
      res.writeHead(302, { location: `http://localhost:${server.port}/cpt/codes/38211` }).end();
    });
    const [result] = await fetchCodePages(options(['38211']));
    expect(result?.status).toBe('failed');
    if (result?.status !== 'failed') return;
    expect(result.error.kind).toBe('not-allowed');
    expect(result.error.message).toContain('not on the allowlist (127.0.0.1:');
  });

  it('does not fetch a page saved that day again unless forced', async () => {
    server.route('/cpt/codes/38211', send(await fixture(MARKUPS[0]), HTML));
    await fetchCodePages(options(['38211']));
    const again = await fetchCodePages(options(['38211']));
    expect(again.map((r) => r.status)).toEqual(['already-saved']);
    expect(server.hits('/cpt/codes/38211')).toHaveLength(1);
    const forced = await fetchCodePages(options(['38211'], { force: true }));
    expect(forced.map((r) => r.status)).toEqual(['saved']);
    expect(server.hits('/cpt/codes/38211')).toHaveLength(2);
  });

  it('rejects a template without {code}, plain http to another host, and bad codes', async () => {
    await expect(
      fetchCodePages(options(['38211'], { baseUrl: server.url('/cpt/') })),
    ).rejects.toThrow('must contain {code}');
    await expect(
      fetchCodePages(options(['38211'], { baseUrl: 'http://example.com/cpt/{code}' })),
    ).rejects.toThrow('https only');
    await expect(fetchCodePages(options(['../../etc']))).rejects.toThrow('not HCPCS/CPT codes');
    expect(codePageUrl('https://example.com/cpt/{code}-cpt-code.html', 'G0105')).toBe(
      'https://example.com/cpt/G0105-cpt-code.html',
    );
  });
});
