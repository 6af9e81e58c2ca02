/**
 * Quoting for SQL text built from names this project declares (table and column names, code
 * system ids, paths under its own folders). Values read from data files are never spliced into
 * SQL: they travel as prepared-statement parameters or through the appender.
 */
export function identifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new Error(`refusing unsafe SQL identifier ${JSON.stringify(name)}`);
  }
  return `"${name}"`;
}

export function literal(text: string): string {
  if (text.includes('\0')) throw new Error('refusing a SQL literal with a NUL byte');
  return `'${text.replaceAll("'", "''")}'`;
}
