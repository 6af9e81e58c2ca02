import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CSV_KEY,
  CSV_NAME,
  makeTempDir,
  REPO_RAW_DIR,
  readFileLines,
  removeTempDirs,
  TXT_KEY,
  TXT_NAME,
} from '../helpers/raw.js';
import { openStagingDatabase, pfsRawFile, stagePfsFile } from '../helpers/staging.js';

afterAll(removeTempDirs);

/**
 * A file whose path holds `[`, `*` or `?` must be read as itself: DuckDB's read_csv expands
 * those even in a bound parameter, so `RVU25[D]/x.csv` read `RVU25D/x.csv` beside it.
 */
async function release(dir: string, name: string, lines: string[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, name), Buffer.from(lines.join(''), 'latin1'));
  return join(dir, name);
}

describe('glob characters in a raw path', () => {
  for (const [format, name, key, header] of [
    ['CSV', CSV_NAME, CSV_KEY, 10],
    ['TXT', TXT_NAME, TXT_KEY, 7],
  ] as const) {
    for (const folder of ['RVU25[D]', 'RVU2*', 'RVU25?']) {
      it(`${format} in a folder named ${folder} reads that file, not RVU25D's`, async () => {
        const all = await readFileLines(join(REPO_RAW_DIR, 'pfs-rvu', 'RVU25D', name));
        const root = await makeTempDir('glob');
        // The decoy the pattern would match: other records.
        await release(join(root, 'RVU25D'), name, [
          ...all.slice(0, header),
          ...all.slice(header + 20, header + 25),
        ]);
        const path = await release(join(root, folder), name, all.slice(0, header + 3));
        const handle = await openStagingDatabase();
        try {
          const result = await stagePfsFile(handle.connection, 'stg', await pfsRawFile(path, key));
          expect(result).toEqual({ rowsStaged: 3, linesRejected: 0 });
          const rows = await handle.connection.runAndReadAll(
            'SELECT source_line::INTEGER FROM stg ORDER BY source_line',
          );
          expect(rows.getRowsJS().map(([line]) => line)).toEqual([
            header + 1,
            header + 2,
            header + 3,
          ]);
        } finally {
          handle.close();
        }
      });
    }
  }
});
