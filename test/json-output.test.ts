import { beforeAll, describe, expect, it } from 'vitest';
import { snakeCaseKeys } from '../src/commands/json-output.js';
import { fse } from './helpers/cli.js';
import { type FullRefresh, fullRefresh } from './helpers/full-refresh.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

const out = () => shared.outDir;

/** Every key of a parsed JSON value, at any depth. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
}
const CAMEL = /^[a-z][a-z0-9]*[A-Z]/;

describe('--json output has snake_case keys, whatever the command', () => {
  it('snakeCaseKeys rewrites lowerCamel keys at any depth and leaves data keys alone', () => {
    expect(
      snakeCaseKeys({
        rowsLoaded: 1,
        releases: [{ effectiveFrom: '2025-10-01', isFull: true }],
        columns: { work_rvu: 2 },
        byRelease: { RVU25D: 3, '99213': 4 },
      }),
    ).toEqual({
      rows_loaded: 1,
      releases: [{ effective_from: '2025-10-01', is_full: true }],
      columns: { work_rvu: 2 },
      by_release: { RVU25D: 3, '99213': 4 },
    });
  });

  it.each([
    ['diff', ['diff', 'RVU25D', 'RVU25D', '--source', 'pfs-rvu', '--json'], 'changed_values'],
    ['lookup', ['lookup', '38211', '--json'], 'as_of'],
    ['status', ['status', '--json', '--today', '2025-12-01'], 'newest_release'],
  ])('%s --json', async (_name, args, expected) => {
    const run = await fse(...args, '--out', out());
    const keys = keysOf(JSON.parse(run.stdout));
    expect(keys).toContain(expected);
    expect(keys.filter((k) => CAMEL.test(k))).toEqual([]);
  });

  it('refresh --json (nothing new: the published run) gives run_id, database_path, parquet_dir', async () => {
    const run = await fse('refresh', '--raw', shared.rawDir, '--json', '--out', out());
    // Nothing new since the published run: exit 6 (README, exit codes).
    expect(run.code, run.stderr).toBe(6);
    const keys = keysOf(JSON.parse(run.stdout));
    expect(keys).toEqual(expect.arrayContaining(['run_id', 'database_path', 'parquet_dir']));
    expect(keys.filter((k) => CAMEL.test(k))).toEqual([]);
  });
});
