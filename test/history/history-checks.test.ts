import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pfsRvuPipeline } from '../../pipelines/pfs-rvu/pipeline.js';
import { type DuckDBHandle, openDuckDB } from '../../src/db/open-duckdb.js';
import { DATABASE_FILE_NAME } from '../../src/paths.js';
import { historyChecks } from '../../src/transform/history/history-checks.js';
import { rowsJson } from '../helpers/duckdb.js';
import { makeTempDir, removeTempDirs } from '../helpers/raw.js';
import { sharedHistoryBuild } from './releases.js';

// The history checks can only fail on a history that its builder did not write: each test here
// breaks a copy of the five-release build's history and reads what the check names.
let db: DuckDBHandle;

beforeAll(async () => {
  const { outDir } = await sharedHistoryBuild();
  const copy = join(await makeTempDir('history-checks-'), DATABASE_FILE_NAME);
  await copyFile(join(outDir, DATABASE_FILE_NAME), copy);
  db = await openDuckDB(copy);
  // As a full build leaves it: every release was read by the run.
  await db.connection.run(
    `CREATE TEMP TABLE _releases_read AS SELECT source, release_id FROM release`,
  );
});

afterAll(async () => {
  db?.close();
  await removeTempDirs();
});

async function failures(name: string): Promise<string[]> {
  const check = historyChecks(pfsRvuPipeline).find((c) => c.name.startsWith(name));
  if (!check) throw new Error(`no history check named "${name}…"`);
  const rows = await rowsJson(db.connection, `SELECT * FROM (${check.failures}) t(failure)`);
  return rows.map((r) => String(r.failure));
}

/** How the check names a loaded row: file and line, release, key. */
async function loadedRow(release: string, hcpcs: string): Promise<string> {
  const [row] = await rowsJson(
    db.connection,
    `SELECT source_file || ':' || source_line AS at FROM pfs_rvu
     WHERE release_id = '${release}' AND hcpcs = '${hcpcs}' AND modifier IS NULL`,
  );
  if (!row) throw new Error(`${release} has no row ${hcpcs}`);
  return `${row.at} (${release} hcpcs=${hcpcs} modifier=): in no interval with its values`;
}

describe('history has no gaps', () => {
  const check = 'history has no gaps';

  it('passes on the history as built', async () => {
    expect(await failures(check)).toEqual([]);
  });

  it('names the loaded row whose interval is missing: 38211 of RVU26A', async () => {
    // 38211's interval of RVU26A alone (2026-01-01 to 2026-02-15; RVU26AR changed it again).
    await db.connection.run(
      `DELETE FROM pfs_rvu_history
       WHERE hcpcs = '38211' AND modifier IS NULL AND valid_from = DATE '2026-01-01'`,
    );
    expect(await failures(check)).toEqual([await loadedRow('RVU26A', '38211')]);
  });

  it('names a loaded row whose interval holds other values: 38211 of RVU25D', async () => {
    await db.connection.run(
      `UPDATE pfs_rvu_history SET row_hash = row_hash + 1
       WHERE hcpcs = '38211' AND modifier IS NULL AND valid_from = DATE '2025-10-01'`,
    );
    expect((await failures(check)).sort()).toEqual(
      [await loadedRow('RVU25D', '38211'), await loadedRow('RVU26A', '38211')].sort(),
    );
  });
});
