/**
 * The row-count drift checks compare each release this run read with the release before it
 * (issue "Performance": a run that adds a release counts two releases, not all of them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pfsRvuPipeline } from '../../pipelines/pfs-rvu/pipeline.js';
import { type DuckDBHandle, openDuckDB } from '../../src/db/open-duckdb.js';
import { RELEASES_READ } from '../../src/extract/raw-releases.js';
import { pipelineChecks } from '../../src/transform/checks.js';

let db: DuckDBHandle;

const drift = (severity: 'blocking' | 'warning') => {
  const check = pipelineChecks(pfsRvuPipeline).find(
    (c) => c.severity === severity && c.name.startsWith('row count within'),
  );
  if (!check) throw new Error(`no ${severity} drift check`);
  return check;
};

async function failures(severity: 'blocking' | 'warning', read: string[]): Promise<string[]> {
  const { connection } = db;
  await connection.run(`DELETE FROM ${RELEASES_READ}`);
  for (const release of read) {
    await connection.run(`INSERT INTO ${RELEASES_READ} VALUES ('pfs-rvu', '${release}')`);
  }
  const reader = await connection.runAndReadAll(drift(severity).failures);
  return reader
    .getRowsJS()
    .map(([text]) => String(text))
    .sort();
}

beforeAll(async () => {
  db = await openDuckDB(':memory:');
  // A 100 rows, B 60 (-40 %), C 60 (0 %), D 80 (+33.3 %), E none loaded (-100 %).
  await db.connection.run(`
    CREATE TABLE release AS SELECT * FROM (VALUES
      ('pfs-rvu', 'A', DATE '2025-01-01'), ('pfs-rvu', 'B', DATE '2025-04-01'),
      ('pfs-rvu', 'C', DATE '2025-07-01'), ('pfs-rvu', 'D', DATE '2025-10-01'),
      ('pfs-rvu', 'E', DATE '2026-01-01'), ('hcpcs', 'D', DATE '2025-10-01'))
      t(source, release_id, effective_from);
    CREATE TABLE pfs_rvu AS
      SELECT release_id FROM (VALUES ('A', 100), ('B', 60), ('C', 60), ('D', 80)) t(release_id, n),
             range(n);
    CREATE TEMP TABLE ${RELEASES_READ} (source VARCHAR, release_id VARCHAR);`);
});

afterAll(() => db.close());

describe('row count drift', () => {
  it('compares every release with the one before it when the run read them all', async () => {
    expect(await failures('blocking', ['A', 'B', 'C', 'D', 'E'])).toEqual([
      'B: 60 rows against 100 in A (-40.0 %)',
      'D: 80 rows against 60 in C (33.3 %)',
      'E: 0 rows against 80 in D (-100.0 %)',
    ]);
  });

  it('compares only the releases a run read, each with the release before it', async () => {
    expect(await failures('blocking', ['D'])).toEqual(['D: 80 rows against 60 in C (33.3 %)']);
    expect(await failures('warning', ['C'])).toEqual([]);
    expect(await failures('warning', ['B', 'E'])).toEqual([
      'B: 60 rows against 100 in A (-40.0 %)',
      'E: 0 rows against 80 in D (-100.0 %)',
    ]);
  });
});
