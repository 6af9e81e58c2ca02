import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fse } from './helpers/cli.js';
import { type FullRefresh, fullRefresh } from './helpers/full-refresh.js';
import { makeTempDir, removeTempDirs } from './helpers/raw.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

afterAll(removeTempDirs);

describe('fse sql refuses writing files and attaching databases unless --allow-writes', () => {
  const out = () => shared.outDir;

  it('refuses COPY … TO (it could replace a published Parquet file) and writes nothing', async () => {
    const target = join(await makeTempDir('sql-guard'), 'copied.parquet');
    const run = await fse('sql', `COPY (SELECT 1 AS x) TO '${target}'`, '--out', out());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('COPY statements are off');
    expect(run.stderr).toContain('--allow-writes');
    expect(existsSync(target)).toBe(false);
  });

  it('refuses ATTACH and EXPORT DATABASE', async () => {
    const dir = await makeTempDir('sql-guard');
    const attach = await fse(
      'sql',
      `ATTACH '${join(dir, 'other.duckdb')}' AS other`,
      '--out',
      out(),
    );
    expect(attach.code).toBe(2);
    expect(attach.stderr).toContain('ATTACH statements are off');
    expect(existsSync(join(dir, 'other.duckdb'))).toBe(false);
    const exported = await fse('sql', `EXPORT DATABASE '${join(dir, 'export')}'`, '--out', out());
    expect(exported.code).toBe(2);
    expect(existsSync(join(dir, 'export'))).toBe(false);
  });

  it('refuses a COPY that follows a harmless statement', async () => {
    const target = join(await makeTempDir('sql-guard'), 'second.csv');
    const run = await fse('sql', `SELECT 1; COPY (SELECT 2) TO '${target}'`, '--out', out());
    expect(run.code).toBe(2);
    expect(existsSync(target)).toBe(false);
  });

  it('runs queries as before (several statements: each one shown), and COPY with the flag', async () => {
    const run = await fse('sql', 'SELECT 1 AS a; SELECT 2 AS b', '--format', 'csv', '--out', out());
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('a\n1\n\nb\n2\n');
    const target = join(await makeTempDir('sql-guard'), 'allowed.csv');
    const allowed = await fse(
      'sql',
      `COPY (SELECT 1 AS x) TO '${target}'`,
      '--allow-writes',
      '--out',
      out(),
    );
    expect(allowed.code).toBe(0);
    expect(existsSync(target)).toBe(true);
  });
});
