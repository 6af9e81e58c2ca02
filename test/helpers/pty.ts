import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const driver = fileURLToPath(new URL('./pty-driver.py', import.meta.url));
const cli = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));

/** What to type, or what to wait for (a regular expression over the output since the last match). */
export type PtyStep = { send: string } | { expect: string; timeout?: number };

export interface PtyRun {
  /** Everything the terminal showed, escape sequences included. */
  output: string;
  code: number | null;
  /** Set when a step's expected text never came. */
  error: string | null;
}

/** Runs the built CLI in a pseudo-terminal (python3's pty), typing and waiting step by step. */
export async function fseInTerminal(
  steps: PtyStep[],
  args: string[],
  env: Record<string, string> = {},
): Promise<PtyRun> {
  const { stdout } = await run('python3', [driver, JSON.stringify(steps), 'node', cli, ...args], {
    env: { ...process.env, TERM: 'xterm-256color', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as PtyRun;
}
