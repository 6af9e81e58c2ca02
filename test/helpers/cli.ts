import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`make test` builds dist/ first) and returns its exit code and output. */
export async function fse(...args: string[]): Promise<CliResult> {
  return fseWith({}, ...args);
}

/** `fse` with text on stdin, variables added to the environment (TZ, HOME, …), in a folder. */
export async function fseWith(
  options: { input?: string; env?: Record<string, string>; cwd?: string; signal?: AbortSignal },
  ...args: string[]
): Promise<CliResult> {
  const child = run('node', [cli, ...args], {
    env: { ...process.env, ...options.env },
    ...(options.cwd ? { cwd: options.cwd } : {}),
    // Aborted: the command gets SIGTERM (a refresh stops and publishes nothing).
    ...(options.signal ? { signal: options.signal } : {}),
  });
  child.child.stdin?.end(options.input ?? '');
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as CliResult;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
