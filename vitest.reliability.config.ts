import { defineConfig } from 'vitest/config';

/** The slow reliability suites: bad-input corpus and kill -9 during refresh. */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    maxWorkers: 2,
  },
});
