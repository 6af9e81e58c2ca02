import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureServer, send } from '../extract/helpers/fixture-server.js';
import { fse } from '../helpers/cli.js';
import { type FullRefresh, fullRefresh } from '../helpers/full-refresh.js';
import { makeTempDir, removeTempDirs } from '../helpers/raw.js';
import { FIXTURES_DIR, fixture, fixturePath, MARKUPS } from './fixtures.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

const HTML = { 'content-type': 'text/html; charset=utf-8' };
const server = new FixtureServer();
type Run = Awaited<ReturnType<typeof fse>>;
let parseJson: Run;
let parseText: Run;
let fetched: Run;
let rawDir: string;

/** The three CLI runs start together: each pays for a node start-up. */
beforeAll(async () => {
  await server.start();
  server.route('/cpt/38211', send(await fixture(MARKUPS[0]), HTML));
  server.route('/cpt/38210', send(await fixture('view-quota.html'), HTML));
  rawDir = await makeTempDir('code-pages-cli');
  [parseJson, parseText, fetched] = await Promise.all([
    fse(
      'code-pages',
      'parse',
      FIXTURES_DIR,
      '--json',
      '--date',
      '2025-11-15',
      '--out',
      shared.outDir,
    ),
    // No database under --out: the code tables are read from code-tables/.
    fse('code-pages', 'parse', fixturePath(MARKUPS[2]), '--out', '/nonexistent'),
    fse(
      'code-pages',
      'fetch',
      '38211',
      '38210',
      '--base-url',
      server.url('/cpt/{code}'),
      '--raw',
      rawDir,
      '--out',
      '/nonexistent',
      '--date',
      '2025-11-15',
      '--interval-ms',
      '0',
      '--json',
    ),
  ]);
});
afterAll(async () => {
  await server.close();
  await removeTempDirs();
});

describe('fse code-pages parse', () => {
  it('prints the decoded record of each page and refuses the others (exit 1)', () => {
    expect(parseJson.code, parseJson.stderr).toBe(1);
    const { pages, refused } = JSON.parse(parseJson.stdout);
    expect(pages).toHaveLength(3);
    for (const page of pages) {
      expect(page.hcpcs).toBe('38211');
      expect(page.page_date).toBe('2025-11-15');
      const codes = Object.fromEntries(
        page.fields.map((f: { key: string; code: string | null }) => [f.key, f.code]),
      );
      expect(codes).toMatchObject({ status_code: 'I', betos: 'T1G', mue: '0', ccs_category: '64' });
    }
    expect(refused.map((r: { rule: string }) => r.rule).sort()).toEqual([
      'error-page',
      'login-wall',
      'no-fields',
      'view-quota',
    ]);
    expect(parseJson.stderr).toContain('view-quota.html: refused, not a code page (view-quota)');
  });

  it('writes its JSON snake_case, as every --json output (src/commands/json-output.ts)', () => {
    const keys = [...parseJson.stdout.matchAll(/^\s*"([^"]+)":/gm)].map((m) => m[1] as string);
    expect(keys).toContain('page_date');
    expect(keys).toContain('canonical_url');
    expect(keys.filter((k) => /[A-Z]/.test(k) && /[a-z]/.test(k))).toEqual([]);
  });

  it('prints a readable card for one page (exit 0)', () => {
    expect(parseText.code, parseText.stderr).toBe(0);
    expect(parseText.stdout).toMatch(
      /PC \/ TC Indicator \(26, TC\) +9 +\(code\) +9 - Not Applicable/,
    );
    expect(parseText.stdout).toContain('2003-01-01  Added  First appearance in code book in 2003.');
    expect(parseText.stdout).toContain('© Copyright 2025 American Medical Association.');
  });
});

describe('fse code-pages fetch', () => {
  it('fetches, saves and parses a good page; refuses a quota page and saves nothing', () => {
    expect(fetched.code, fetched.stderr).toBe(1);
    const { results } = JSON.parse(fetched.stdout);
    expect(results.map((r: { code: string; status: string }) => [r.code, r.status])).toEqual([
      ['38211', 'saved'],
      ['38210', 'refused'],
    ]);
    expect(results[0].page.fields).toHaveLength(18);
    expect(results[1].reason).toContain('view-quota');
    expect(existsSync(join(rawDir, 'code-pages', '2025-11-15', '38211.html'))).toBe(true);
    expect(existsSync(join(rawDir, 'code-pages', '2025-11-15', '38210.html'))).toBe(false);
  });
});
