/**
 * make bench: BENCH_SCALES (default 1,10,100), BENCH_RUNS (default 5), BENCH_SEED, BENCH_ROWS
 * (rows per release, default all), BENCH_LOOKUPS (default 1000), BENCH_DIR (generated data,
 * default <tmp>/fse-bench), OUT (reports go to $OUT/bench/, default ./out).
 */
import { configFromEnv, formatTerminal, runBench, writeReports } from './harness.js';

const config = configFromEnv(process.env);
process.stderr.write(
  `bench: scales ${config.scales.join(', ')}, ${config.runs} run(s) each, data in ${config.benchDir}\n`,
);
const report = await runBench(config, (line) => process.stderr.write(`${line}\n`));
process.stdout.write(`\n${formatTerminal(report)}\n\n`);
for (const path of await writeReports(report, config.outDir))
  process.stdout.write(`wrote ${path}\n`);
