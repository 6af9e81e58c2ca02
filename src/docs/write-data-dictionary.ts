import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CATALOG } from '../../pipelines/index.js';
import { openDuckDB } from '../db/open-duckdb.js';
import { PROJECT_ROOT } from '../paths.js';
import { generateDataDictionary } from './data-dictionary.js';

/** `make docs`: regenerate docs/data-dictionary.md from a published database. */
const databasePath = process.argv[2] ?? join(PROJECT_ROOT, 'out', 'fee_schedule.duckdb');
const handle = await openDuckDB(databasePath, { readOnly: true });
try {
  const text = await generateDataDictionary(handle.connection, CATALOG);
  await mkdir(join(PROJECT_ROOT, 'docs'), { recursive: true });
  await writeFile(join(PROJECT_ROOT, 'docs', 'data-dictionary.md'), text);
  process.stdout.write(`wrote docs/data-dictionary.md from ${databasePath}\n`);
} finally {
  handle.close();
}
