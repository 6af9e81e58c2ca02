import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBHandle } from '../../src/db/open-duckdb.js';
import { literal } from '../../src/db/sql.js';
import { openOutDatabase, rowsJson } from '../helpers/duckdb.js';
import { makeTempDir, removeTempDirs } from '../helpers/raw.js';
import { refresh } from '../helpers/refresh.js';
import { runFse } from './fse.js';
import { EDITS, makeHistoryRaw } from './releases.js';

// RVU26A and its correction RVU26AR (effective 2026-02-15 from its manifest), refreshed with
// every pipeline (the other sources have no release here) so that code_card and lookup exist.
let outDir: string;
let db: DuckDBHandle;

beforeAll(async () => {
  const { rawDir } = await makeHistoryRaw(['RVU26A', 'RVU26AR']);
  outDir = await makeTempDir('as-of-out');
  await refresh({ rawDir, outDir });
  db = await openOutDatabase(outDir);
});

afterAll(async () => {
  db?.close();
  await removeTempDirs();
});

describe('the release in force on the boundary days of a correction release', () => {
  it('ends RVU26A the day before RVU26AR starts', async () => {
    const inForce = async (day: string) =>
      rowsJson(
        db.connection,
        `SELECT release_id FROM release WHERE source = 'pfs-rvu'
           AND effective_from <= DATE ${literal(day)}
           AND (effective_to IS NULL OR DATE ${literal(day)} <= effective_to)`,
      );
    expect(await inForce('2026-02-14')).toEqual([{ release_id: 'RVU26A' }]);
    expect(await inForce(EDITS.correctionEffective)).toEqual([{ release_id: 'RVU26AR' }]);
  });

  it('has fse lookup --as-of read RVU26A on 2026-02-14 and RVU26AR on 2026-02-15', async () => {
    const asOf = async (day: string) => {
      const result = await runFse(outDir, 'lookup', '38211', '--as-of', day, '--json');
      expect(result.exitCode).toBe(0);
      const cards = JSON.parse(result.stdout) as {
        as_of: string;
        indicators: { status_code: { release: string; code: string } };
        rvu: Record<string, string> | null;
      }[];
      expect(cards).toHaveLength(1);
      return cards[0];
    };
    const before = await asOf('2026-02-14');
    expect(before?.as_of).toBe('2026-01-01');
    expect(before?.indicators.status_code).toMatchObject({ release: 'RVU26A', code: 'A' });
    const after = await asOf('2026-02-15');
    expect(after?.as_of).toBe('2026-02-15');
    expect(after?.indicators.status_code).toMatchObject({ release: 'RVU26AR', code: 'A' });
  });
});
