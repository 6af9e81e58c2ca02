import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { takerRound } from '../helpers/lock-takers.js';
import { makeTempDir, removeTempDirs } from '../helpers/raw.js';

afterAll(removeTempDirs);

const ROUNDS = Number(process.env.LOCK_ROUNDS ?? 100);
const TAKERS = 6;

it(`gives a stale lock to exactly one of ${TAKERS} simultaneous takers, ${ROUNDS} rounds`, async () => {
  const outDir = await makeTempDir('lock-race');
  const failures: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Each round starts from a lock left by a process that is gone.
    await writeFile(join(outDir, '.refresh.lock'), '999999\n');
    const { holders, lines } = await takerRound(outDir, TAKERS);
    if (holders !== 1) failures.push(`round ${round}: ${holders} holders ${JSON.stringify(lines)}`);
  }
  console.log(
    `lock race: ${ROUNDS} rounds of ${TAKERS} takers, ${failures.length} without exactly one holder`,
  );
  expect(failures).toEqual([]);
});
