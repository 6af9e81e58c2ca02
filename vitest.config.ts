import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The kill -9 trials take minutes: `make test-reliability`; packing and installing the npm
    // package is slow too: `make test-package`. The bad-input corpus
    // (test/extract/bad-input-corpus.test.ts) runs here; its summary line ends the run.
    exclude: ['test/reliability/**', 'test/package/**', '**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // DuckDB work is CPU-bound; two workers match the 2-core machines.
    maxWorkers: 2,
    // A worker keeps its loaded modules from one test file to the next: loading kysely, the DuckDB
    // client and the pipelines again for every file was about half of the suite's time (18 files:
    // 283 s isolated, 125 s not, load 18). No file relies on a fresh module: the few spies are
    // restored and no module state outlives what a test owns.
    isolate: false,
  },
});
