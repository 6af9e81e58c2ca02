import { beforeAll, describe, expect, it } from 'vitest';
import { fse } from './helpers/cli.js';
import { type FullRefresh, fullRefresh } from './helpers/full-refresh.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

const out = () => shared.outDir;

describe('lookup and diff say what went wrong in an operator’s words', () => {
  it('lookup --as-of a day before every release says no release was in force (exit 1)', async () => {
    const run = await fse('lookup', '38211', '--as-of', '2010-01-01', '--out', out());
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      '38211: no release was in force on 2010-01-01: the earliest loaded, betos 2013, starts 2013-01-01\n',
    );
  });

  it('lookup --as-of a day that does not exist is a usage error (exit 2), not a DuckDB error', async () => {
    for (const day of ['2024-13-45', '2024-02-30']) {
      const run = await fse('lookup', '38211', '--as-of', day, '--out', out());
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`--as-of ${day}: no such day (expected a date YYYY-MM-DD)\n`);
    }
  });

  it('an unknown code is still "no loaded source lists this code"', async () => {
    const run = await fse('lookup', 'ZZZZZ', '--as-of', '2025-12-01', '--out', out());
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('ZZZZZ: no loaded source lists this code\n');
  });

  it('diff with an unknown release lists the loaded ones, per source', async () => {
    const run = await fse('diff', 'RVU99Z', 'RVU25D', '--out', out());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^diff: no release RVU99Z is loaded; loaded releases:\n/);
    expect(run.stderr).toContain('\n  pfs-rvu: RVU25D\n');
    expect(run.stderr).toContain('\n  hcpcs: HCPC2019, HCPC2020\n');
  });

  it('diff --source with an unknown release lists that source’s releases', async () => {
    const run = await fse('diff', 'RVU99Z', 'RVU25D', '--source', 'pfs-rvu', '--out', out());
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'diff: no release RVU99Z is loaded; loaded releases:\n  pfs-rvu: RVU25D\n',
    );
  });
});
