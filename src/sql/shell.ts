import { createInterface } from 'node:readline';
import { printScript } from './print-script.js';
import type { OutputFormat } from './render.js';
import type { SqlSession } from './session.js';

export interface ShellOptions {
  format: OutputFormat;
  maxRows?: number;
}

/** The interactive shell: statements ended by ";". */
export async function startShell(session: SqlSession, options: ShellOptions): Promise<void> {
  const input = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  process.stdout.write('fee_schedule (read-only). End statements with ";". .quit leaves.\n');
  let pending = '';
  input.setPrompt('fse> ');
  input.prompt();
  for await (const line of input) {
    if (pending === '' && ['.quit', '.exit'].includes(line.trim())) break;
    pending += `${line}\n`;
    if (line.trim().endsWith(';')) {
      await printScript(session, pending, options.format, options.maxRows);
      pending = '';
    }
    input.setPrompt(pending ? '  ...> ' : 'fse> ');
    input.prompt();
  }
  input.close();
}
