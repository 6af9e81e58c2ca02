import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kysely } from 'kysely';
import { PROJECT_ROOT } from '../paths.js';
import { DuckDBDialect } from './dialect/index.js';
import { openDuckDB } from './open-duckdb.js';
import { generateSchemaSource } from './schema-codegen.js';

/** `make schema`: regenerate src/db/schema.ts from a published database. */
const databasePath = process.argv[2] ?? join(PROJECT_ROOT, 'out', 'fee_schedule.duckdb');
const handle = await openDuckDB(databasePath, { readOnly: true });
const db = new Kysely({ dialect: new DuckDBDialect({ connection: handle.connection }) });
const source = await generateSchemaSource(db);
await db.destroy();
handle.close();
await writeFile(join(PROJECT_ROOT, 'src', 'db', 'schema.ts'), source);
process.stdout.write(`wrote src/db/schema.ts from ${databasePath}\n`);
