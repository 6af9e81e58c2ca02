import { Command } from 'commander';
import { vi } from 'vitest';
import { CATALOG } from '../../pipelines/index.js';
import { registerDiff } from '../../src/commands/diff-command.js';
import { registerLookup } from '../../src/commands/lookup-command.js';

/**
 * Runs `fse <args> --out <outDir>` (lookup and diff, the commands of src/commands/) in this
 * process, without a build, and returns what it printed on stdout and its exit code.
 */
export async function runFse(
  outDir: string,
  ...args: string[]
): Promise<{ stdout: string; exitCode: number }> {
  const program = new Command().exitOverride();
  registerLookup(program, CATALOG);
  registerDiff(program, CATALOG);
  let stdout = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const previous = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'fse', ...args, '--out', outDir]);
    return { stdout, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    write.mockRestore();
    process.exitCode = previous;
  }
}
