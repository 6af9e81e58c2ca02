import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, literal } from '../db/sql.js';

/**
 * Derived tables and views repeat columns of the tables they read. Rather than type each
 * description twice, a column without a comment takes the comment of the same-named column in
 * the relations it is built from (`derived`: each relation with those it reads, in order), and a
 * `*_label` column says it labels the code in the column before it.
 */
export async function inheritComments(
  connection: DuckDBConnection,
  derived: readonly (readonly [string, readonly string[]])[],
): Promise<void> {
  const reader = await connection.runAndReadAll(`
    SELECT table_name, column_name, comment,
           lag(column_name) OVER (PARTITION BY table_name ORDER BY column_index) AS previous
    FROM duckdb_columns()
    WHERE schema_name = 'main' AND database_name = current_database()`);
  const comments = new Map<string, string | null>();
  const previousColumn = new Map<string, string | null>();
  const present = new Set<string>();
  for (const [table, column, comment, previous] of reader.getRowsJS() as [
    string,
    string,
    string | null,
    string | null,
  ][]) {
    comments.set(`${table}.${column}`, comment);
    previousColumn.set(`${table}.${column}`, previous);
    present.add(table);
  }
  const statements: string[] = [];
  for (const [relation, sources] of derived) {
    if (!present.has(relation)) continue;
    for (const [key, comment] of comments) {
      if (!key.startsWith(`${relation}.`) || comment) continue;
      const column = key.slice(relation.length + 1);
      const inherited = sources.map((s) => comments.get(`${s}.${column}`)).find(Boolean);
      // A label column sits right after the code it decodes.
      const decoded = column.endsWith('_label') ? previousColumn.get(key) : null;
      const text =
        inherited ??
        (decoded ? `CMS label of ${decoded}, from its code table (indicator_code).` : null);
      if (text) {
        comments.set(key, text); // relations later in the list may inherit it in turn
        statements.push(
          `COMMENT ON COLUMN ${identifier(relation)}.${identifier(column)} IS ${literal(text)}`,
        );
      }
    }
  }
  // One commit for all: a commit per COMMENT costs more than the statement itself.
  if (statements.length === 0) return;
  try {
    await connection.run(`BEGIN TRANSACTION;\n${statements.join(';\n')};\nCOMMIT`);
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => {});
    throw error;
  }
}
