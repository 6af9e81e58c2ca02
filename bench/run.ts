/**
 * make bench: BENCH_SCALES (default 1,10,100; "mix" among them adds the mix of every source at CMS
 * cadence, e.g. BENCH_SCALES=mix or 1,100,mix), BENCH_MIX_QUARTERS (the mix's length, default 40:
 * ten years), BENCH_PACKAGE (1: PFS-only releases carry the RVU package files, so the payment
 * sources and mart are measured; default 0), BENCH_RUNS (default 5), BENCH_SEED, BENCH_ROWS
 * (PFS rows per release, default all), BENCH_LOOKUPS (default 1000), BENCH_DIR (generated data,
 * default <tmp>/fse-bench), OUT (reports go to $OUT/bench/, default ./out).
 */
import { configFromEnv, formatTerminal, runBench, writeReports } from './harness.js';

const config = configFromEnv(process.env);
process.stderr.write(
  `bench: scales ${config.scales.join(', ') || 'none'}${config.package ? ' (with the RVU package files)' : ''}` +
    `${config.mixQuarters !== null ? `, mix of ${config.mixQuarters} quarter(s)` : ''}, ${config.runs} run(s) each, data in ${config.benchDir}\n`,
);
const report = await runBench(config, (line) => process.stderr.write(`${line}\n`));
process.stdout.write(`\n${formatTerminal(report)}\n\n`);
for (const path of await writeReports(report, config.outDir))
  process.stdout.write(`wrote ${path}\n`);
