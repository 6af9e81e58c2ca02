import type { DuckDBConnection } from '@duckdb/node-api';
import { readLines } from '../extract/read-lines.js';

/** Fills rejected_row.raw_text from the files for rejects found after reading (validation). */
export async function attachRawText(
  connection: DuckDBConnection,
  filesByLineageKey: ReadonlyMap<string, string>,
): Promise<void> {
  const reader = await connection.runAndReadAll(
    'SELECT DISTINCT source_file, source_line FROM rejected_row WHERE raw_text IS NULL ORDER BY ALL',
  );
  const wanted = new Map<string, Set<number>>();
  for (const [file, line] of reader.getRowsJS() as [string, bigint | number][]) {
    const lines = wanted.get(file) ?? new Set<number>();
    lines.add(Number(line));
    wanted.set(file, lines);
  }
  if (wanted.size === 0) return;
  await connection.run(
    'CREATE OR REPLACE TABLE _reject_text (source_file VARCHAR, source_line BIGINT, raw_text VARCHAR)',
  );
  const appender = await connection.createAppender('_reject_text');
  for (const [file, lines] of wanted) {
    const path = filesByLineageKey.get(file);
    if (!path) continue;
    for (const [line, text] of await readLines(path, lines)) {
      appender.appendVarchar(file);
      appender.appendBigInt(BigInt(line));
      appender.appendVarchar(text);
      appender.endRow();
    }
  }
  appender.closeSync();
  await connection.run(`
    UPDATE rejected_row j SET raw_text = t.raw_text FROM _reject_text t
    WHERE j.source_file = t.source_file AND j.source_line = t.source_line AND j.raw_text IS NULL;
    DROP TABLE _reject_text`);
}
