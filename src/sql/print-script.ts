import { terminalJson, terminalText } from '../terminal-text.js';
import { type OutputFormat, renderResult } from './render.js';
import { type SqlSession, SqlStatementError } from './session.js';

/** Output with control characters escaped (JSON stays JSON). */
export function forTerminal(output: string, format: OutputFormat): string {
  return format === 'json' ? terminalJson(output) : terminalText(output);
}

/**
 * Prints the result of every statement of a script as it comes, tables and CSV apart by a blank
 * line; a capped result says on stderr how many rows it left out. An error of the SQL goes to
 * stderr, never into the output, and ends the script: false. A refused statement
 * (GuardedStatementError) is thrown for the caller to judge.
 */
export async function printScript(
  session: SqlSession,
  script: string,
  format: OutputFormat,
  maxRows: number | undefined,
): Promise<boolean> {
  let printed = 0;
  try {
    for await (const result of session.run(script, maxRows)) {
      if (printed++ > 0 && format !== 'json') process.stdout.write('\n');
      process.stdout.write(forTerminal(renderResult(result, format), format));
      if (result.rowsLeftOut > 0) {
        process.stderr.write(`… ${result.rowsLeftOut} more rows; --max-rows 0 for all\n`);
      }
    }
    return true;
  } catch (error) {
    if (!(error instanceof SqlStatementError)) throw error;
    process.stderr.write(terminalText(`error: ${error.message}\n`));
    return false;
  }
}
