/**
 * Checks that read only what a run could change (issue "Performance"): the row-count drift
 * checks compare each release the run read with the one before it, and the staged-rows check
 * looks for a staged line's row among the staged releases' rows only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pfsRvuPipeline } from '../../pipelines/pfs-rvu/pipeline.js';
import { type DuckDBHandle, openDuckDB } from '../../src/db/open-duckdb.js';
import { RELEASES_READ } from '../../src/extract/raw-releases.js';
import { pipelineChecks } from '../../src/transform/checks.js';

let db: DuckDBHandle;

function check(name: (name: string) => boolean, severity = 'blocking'): string {
  const found = pipelineChecks(pfsRvuPipeline).find((c) => c.severity === severity && name(c.name));
  if (!found) throw new Error(`no ${severity} check like that`);
  return found.failures;
}

const drift = (severity: 'blocking' | 'warning') =>
  check((name) => name.startsWith('row count within'), severity);

async function texts(sql: string): Promise<string[]> {
  const reader = await db.connection.runAndReadAll(sql);
  return reader
    .getRowsJS()
    .map(([text]) => String(text))
    .sort();
}

async function failures(severity: 'blocking' | 'warning', read: string[]): Promise<string[]> {
  const { connection } = db;
  await connection.run(`DELETE FROM ${RELEASES_READ}`);
  for (const release of read) {
    await connection.run(`INSERT INTO ${RELEASES_READ} VALUES ('pfs-rvu', '${release}')`);
  }
  return texts(drift(severity));
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
      SELECT release_id, 'pfs-rvu/' || release_id || '/f.csv' AS source_file,
             (range + 11)::BIGINT AS source_line
      FROM (VALUES ('A', 100), ('B', 60), ('C', 60), ('D', 80)) t(release_id, n), range(n);
    -- The PFS models' other table of staged rows (a CY2026 QPP file's): empty here.
    CREATE TABLE pfs_rvu_qpp AS SELECT * FROM pfs_rvu WHERE false;
    CREATE TABLE rejected_row (source_file VARCHAR, source_line BIGINT, row_kept BOOLEAN);
    CREATE MACRO kept_out_lines() AS TABLE
      SELECT source_file, source_line FROM rejected_row WHERE NOT row_kept;
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

describe('every staged row is loaded or rejected', () => {
  const staged = () => check((name) => name === 'every staged row is loaded or rejected');

  it('names the staged lines that are in no fact row', async () => {
    // D staged again: its 80 lines (11..90) and line 92, lost; line 91 was rejected, so it left
    // staging before the models ran.
    await db.connection.run(`
      CREATE OR REPLACE TEMP TABLE stg_pfs_rvu AS
        SELECT release_id, source_file, source_line FROM pfs_rvu WHERE release_id = 'D'
        UNION ALL SELECT 'D', 'pfs-rvu/D/f.csv', 92;
      DELETE FROM rejected_row;
      INSERT INTO rejected_row VALUES ('pfs-rvu/D/f.csv', 91, false);`);
    expect(await texts(staged())).toEqual([
      'pfs-rvu/D/f.csv:92: staged but neither loaded nor rejected',
    ]);
  });

  it('finds a staged line loaded under its release, whatever else is loaded', async () => {
    await db.connection.run(`
      CREATE OR REPLACE TEMP TABLE stg_pfs_rvu AS
        SELECT release_id, source_file, source_line FROM pfs_rvu WHERE release_id IN ('B', 'C')`);
    expect(await texts(staged())).toEqual([]);
  });
});
