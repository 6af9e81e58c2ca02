import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Tries the out dir lock in a child process (the built dist/), prints `held` or `busy <message>`
 * (and `log <line>` for each takeover line), then holds what it took until its stdin closes.
 */
const TAKER_SCRIPT = `
import { acquireLock } from './dist/src/run/lock.js';
let lock;
try {
  lock = await acquireLock(process.argv[1], (line) => process.stdout.write('log ' + line + '\\n'));
  process.stdout.write('held\\n');
} catch (error) {
  process.stdout.write('busy ' + error.message + '\\n');
}
process.stdin.on('end', async () => { await lock?.release(); process.exit(0); });
process.stdin.resume();
`;

export interface Taker {
  process: ChildProcess;
  /** Resolves with the taker's lines once it printed `held` or `busy …`. */
  outcome: Promise<string[]>;
  /** Closes its stdin: a holder releases the lock and exits. */
  finish(): Promise<void>;
}

/** Spawns a lock taker for `outDir`; `wrap` runs it under another command (e.g. unshare). */
export function spawnTaker(outDir: string, wrap: string[] = []): Taker {
  const argv = [...wrap, process.execPath, '--input-type=module', '-e', TAKER_SCRIPT, outDir];
  const [command, ...args] = argv as [string, ...string[]];
  const child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const outcome = new Promise<string[]>((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let end = buffer.indexOf('\n');
      while (end >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        lines.push(line);
        if (line === 'held' || line.startsWith('busy ')) resolve(lines);
        end = buffer.indexOf('\n');
      }
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`lock taker exited (${code ?? signal}) before an outcome: ${lines}`)),
    );
  });
  outcome.catch(() => {});
  return {
    process: child,
    outcome,
    async finish() {
      child.stdin?.end();
      await exited;
    },
  };
}

/**
 * One round: `count` takers started at once over the same out dir; returns how many held the
 * lock at the same time (all hold until every one has answered) and their lines.
 */
export async function takerRound(
  outDir: string,
  count: number,
): Promise<{ holders: number; lines: string[][] }> {
  const takers = Array.from({ length: count }, () => spawnTaker(outDir));
  try {
    const lines = await Promise.all(takers.map((t) => t.outcome));
    return { holders: lines.filter((l) => l.includes('held')).length, lines };
  } finally {
    await Promise.all(takers.map((t) => t.finish()));
  }
}
