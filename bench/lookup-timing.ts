/**
 * Lookup latency alone, without a refresh: `lookupCode` on N codes drawn from pfs_rvu of an
 * existing out/ (default out/fee_schedule.duckdb), in-process, after 20 warm-up lookups; and, with
 * LOOKUP_AS_OF=YYYY-MM-DD, the same as of that day (the computed code_card view). Prints p50, p95,
 * max and the process's CPU time a lookup, in ms.
 *
 *   npx tsc -p bench/tsconfig.json && node dist-bench/bench/lookup-timing.js [database] [count]
 */
import { sql } from 'kysely';
import { openFeeSchedule } from '../src/db/fee-schedule.js';
import { lookupCode } from '../src/index.js';
import { createRng } from './prng.js';
import { percentile } from './stats.js';

const database = process.argv[2] ?? 'out/fee_schedule.duckdb';
const count = Number(process.argv[3] ?? 1000);
const asOf = process.env.LOOKUP_AS_OF;

const schedule = await openFeeSchedule(database);
try {
  const { rows } = await sql<{ hcpcs: string }>`
    SELECT DISTINCT hcpcs FROM pfs_rvu ORDER BY hcpcs`.execute(schedule.db);
  const codes = rows.map((r) => r.hcpcs);
  const rng = createRng('lookup-timing');
  const options = asOf ? { asOf } : {};
  for (let i = 0; i < 20; i++) {
    await lookupCode(schedule, codes[rng.int(codes.length)] as string, options);
  }
  const times: number[] = [];
  let misses = 0;
  // CPU time of the process (DuckDB's threads included) says less about other load than wall time.
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const code = codes[rng.int(codes.length)] as string;
    const started = performance.now();
    const cards = await lookupCode(schedule, code, options);
    times.push(performance.now() - started);
    if (cards.length === 0) misses++;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const ms = (v: number) => v.toFixed(3);
  console.log(
    `${count} lookups${asOf ? ` as of ${asOf}` : ''} over ${codes.length} codes: p50 ${ms(percentile(times, 50))} ms, p95 ${ms(percentile(times, 95))} ms, max ${ms(Math.max(...times))} ms, CPU ${ms((cpu.user + cpu.system) / 1000 / count)} ms a lookup, misses ${misses}`,
  );
} finally {
  await schedule.close();
}
