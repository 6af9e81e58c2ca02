import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier } from '../db/sql.js';
import { literalPath } from '../extract/readers/literal-path.js';
import type { PipelineDefinition } from '../pipeline-definition.js';

const SYSTEMS_FILE = 'indicator_system.csv';

/**
 * Loads code-tables/*.csv, the one place indicator meanings live, into indicator_system and
 * indicator_code. Types are explicit: codes such as "09" and "000" must stay text.
 */
export async function loadCodeTables(
  connection: DuckDBConnection,
  codeTablesDir: string,
  pipelines: readonly PipelineDefinition[],
): Promise<{ systems: number; codes: number }> {
  const codeFiles = (await readdir(codeTablesDir))
    .filter((name) => name.endsWith('.csv') && name !== SYSTEMS_FILE)
    .sort()
    .map((name) => join(codeTablesDir, name));

  const systems = await connection.prepare(`
    INSERT INTO indicator_system SELECT * FROM read_csv($1, header = true, auto_detect = false,
      delim = ',', quote = '"', escape = '"', strict_mode = true,
      columns = {'system': 'VARCHAR', 'source': 'VARCHAR', 'name': 'VARCHAR', 'description': 'VARCHAR',
                 'source_column': 'VARCHAR', 'source_document': 'VARCHAR'})`);
  systems.bind([literalPath(join(codeTablesDir, SYSTEMS_FILE))]);
  await runWithContext(() => systems.run(), join(codeTablesDir, SYSTEMS_FILE));

  for (const file of codeFiles) {
    const codes = await connection.prepare(`
      INSERT INTO indicator_code SELECT * FROM read_csv($1, header = true, auto_detect = false,
        delim = ',', quote = '"', escape = '"', strict_mode = true,
        columns = {'system': 'VARCHAR', 'code': 'VARCHAR', 'label': 'VARCHAR', 'definition': 'VARCHAR',
                   'payment_rule': 'VARCHAR', 'valid_from': 'DATE', 'valid_to': 'DATE',
                   'source_document': 'VARCHAR'})`);
    codes.bind([literalPath(file)]);
    await runWithContext(() => codes.run(), file);
  }

  const declared = new Set(
    pipelines.flatMap((p) => p.columns.flatMap((c) => (c.system ? [c.system] : []))),
  );
  const reader = await connection.runAndReadAll(
    `SELECT s.system, count(c.code) FROM indicator_system s LEFT JOIN indicator_code c USING (system) GROUP BY ALL`,
  );
  const counts = new Map(reader.getRows().map(([system, n]) => [String(system), Number(n)]));
  for (const system of declared) {
    if (!counts.get(system)) {
      throw new Error(
        `code tables: system ${identifier(system)} is used by a pipeline but has no codes in ${codeTablesDir}`,
      );
    }
  }
  return {
    systems: counts.size,
    codes: [...counts.values()].reduce((a, b) => a + b, 0),
  };
}

async function runWithContext(run: () => Promise<unknown>, file: string): Promise<void> {
  try {
    await run();
  } catch (error) {
    throw new Error(`code table ${file}: ${(error as Error).message}`);
  }
}
