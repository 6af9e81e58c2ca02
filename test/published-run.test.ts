import { mkdir, rename, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openFeeSchedule } from '../src/db/fee-schedule.js';
import { openDuckDB } from '../src/db/open-duckdb.js';
import { fse } from './helpers/cli.js';
import { makeTempDir, removeTempDirs } from './helpers/raw.js';

afterAll(removeTempDirs);

/** An out/ shaped as a refresh leaves it: two runs, out/.current at the first. */
async function outWithTwoRuns(): Promise<string> {
  const out = join(await makeTempDir('published-run'), 'out');
  for (const run of ['A', 'B']) {
    await mkdir(join(out, '.runs', run), { recursive: true });
    const db = await openDuckDB(join(out, '.runs', run, 'fee_schedule.duckdb'));
    await db.connection.run(`CREATE TABLE which_run AS SELECT '${run}' AS run`);
    db.close();
  }
  await symlink('.runs/A', join(out, '.current'));
  await symlink('.current/fee_schedule.duckdb', join(out, 'fee_schedule.duckdb'));
  return out;
}

/** What a refresh's publish does: out/.current swapped to another run by one rename. */
async function publish(out: string, run: string): Promise<void> {
  await symlink(`.runs/${run}`, join(out, '.current.new'));
  await rename(join(out, '.current.new'), join(out, '.current'));
}

describe('readers resolve the published run once and read that run', () => {
  it('the typed client keeps reading the run published when it opened', async () => {
    const out = await outWithTwoRuns();
    const schedule = await openFeeSchedule(join(out, 'fee_schedule.duckdb'));
    try {
      expect(schedule.runDir).toBe(join(out, '.runs', 'A'));
      await publish(out, 'B');
      const rows = await sql<{ run: string }>`SELECT run FROM which_run`.execute(schedule.db);
      expect(rows.rows).toEqual([{ run: 'A' }]);
      expect(schedule.runDir).toBe(join(out, '.runs', 'A'));
    } finally {
      await schedule.close();
    }
  });

  it('fse sql opens the run folder itself, not the path through out/.current', async () => {
    const out = await outWithTwoRuns();
    await publish(out, 'B');
    const run = await fse(
      'sql',
      'SELECT run, path FROM which_run, duckdb_databases() WHERE database_name = current_database()',
      '--format',
      'csv',
      '--out',
      out,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`run,path\nB,${join(out, '.runs', 'B', 'fee_schedule.duckdb')}\n`);
  });
});
