import { StatementType } from '@duckdb/node-api';

/**
 * Statements that write files (COPY … TO, EXPORT DATABASE), attach other databases or load
 * code (ATTACH, DETACH, COPY FROM DATABASE, INSTALL, LOAD): off unless --allow-writes. The
 * database is opened read-only, but COPY … TO 'out/parquet/…' would replace a published file.
 */
export const GUARDED_STATEMENTS = new Map<StatementType, string>([
  [StatementType.COPY, 'COPY'],
  [StatementType.EXPORT, 'EXPORT'],
  [StatementType.ATTACH, 'ATTACH'],
  [StatementType.DETACH, 'DETACH'],
  [StatementType.COPY_DATABASE, 'COPY FROM DATABASE'],
  [StatementType.LOAD, 'LOAD'],
  [StatementType.EXTENSION, 'INSTALL'],
  [StatementType.UPDATE_EXTENSIONS, 'UPDATE EXTENSIONS'],
]);

/** EXPORT DATABASE makes its folder while it is prepared: it is refused by its words first. */
export const EXPORT_DATABASE = /\bEXPORT\s+DATABASE\b/i;

/** A refused statement: a usage error of `fse sql` (exit 2), not an error of the SQL. */
export class GuardedStatementError extends Error {
  constructor(statement: string) {
    super(
      `fse sql: ${statement} statements are off (they write files, attach databases or load extensions); pass --allow-writes to run them`,
    );
  }
}
