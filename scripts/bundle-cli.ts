/**
 * Bundles the command line (dist/src/cli.js, as tsc wrote it) into one file in its place, with
 * what a command loads only when it runs in chunks beside it (dist/src/cli-chunks/).
 *
 * Why: Node loads an ES module graph file by file, and the CLI's graph is about a thousand files
 * (kysely alone is 280, @duckdb/node-api 181): loading them was most of `fse lookup`'s time
 * (docs/performance.md). The library (dist/src/index.js) stays unbundled: a program importing
 * it shares its own copies of kysely and @duckdb/node-api.
 *
 *   node dist/scripts/bundle-cli.js   (make build runs it after tsc)
 */
import { build } from 'rolldown';

await build({
  input: 'dist/src/cli.js',
  platform: 'node',
  // The native DuckDB library is loaded by its package from the platform's own package.
  external: [/^@duckdb\/node-bindings/],
  logLevel: 'warn',
  output: {
    dir: 'dist/src',
    format: 'esm',
    entryFileNames: 'cli.js',
    chunkFileNames: 'cli-chunks/[name]-[hash].js',
  },
});
