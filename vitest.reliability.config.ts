import { defineConfig } from 'vitest/config';

/** The slow reliability suite: kill -9 during refresh (the bad-input corpus is in `make test`). */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    maxWorkers: 2,
  },
});
