import { defineConfig } from 'vitest/config';

/**
 * The slow packaging test (`make test-package`): npm pack, npm install the tarball into an empty
 * folder, then refresh and lookup with the installed CLI. Not part of `make test`.
 */
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    maxWorkers: 1,
  },
});
