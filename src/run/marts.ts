import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Catalog, Mart } from '../catalog.js';
import { runSqlFiles } from '../db/run-sql-files.js';
import { MARTS_DIR, PIPELINES_DIR } from '../paths.js';
import { inheritComments } from '../transform/inherit-comments.js';

/**
 * The tables and views across sources whose sources are all part of the run, then each
 * source's own marts, then the comments their columns inherit. A run building on the published
 * database keeps a mart across sources as published when none of its sources has a new release
 * (`unchanged`: the sources taken over as published): the copy holds it, built by the same code
 * from the same rows (the payment table alone took 2 s of such a run).
 */
export async function buildMarts(
  connection: DuckDBConnection,
  catalog: Catalog,
  log: (line: string) => void,
  unchanged: ReadonlySet<string> = new Set(),
): Promise<void> {
  await runMarts(connection, catalog, log, (mart) => {
    if (mart.after !== undefined) return false;
    if (mart.sources.length > 0 && mart.sources.every((source) => unchanged.has(source))) {
      log(`${mart.file}: kept as published, none of its sources has a new release`);
      return false;
    }
    return true;
  });
  for (const pipeline of catalog.pipelines) {
    if (pipeline.marts) {
      await runSqlFiles(connection, join(PIPELINES_DIR, pipeline.source, 'marts'), pipeline.marts);
    }
  }
  await inheritComments(connection, derivedRelations(catalog));
}

/** The marts across sources that add to what the page sources loaded. */
export async function buildMartsAfterPages(
  connection: DuckDBConnection,
  catalog: Catalog,
  log: (line: string) => void,
): Promise<void> {
  await runMarts(connection, catalog, log, (mart) => mart.after === 'page-sources');
}

async function runMarts(
  connection: DuckDBConnection,
  catalog: Catalog,
  log: (line: string) => void,
  wanted: (mart: Mart) => boolean,
): Promise<void> {
  const sources = new Set(catalog.pipelines.map((p) => p.source));
  for (const mart of catalog.marts.filter(wanted)) {
    if (mart.sources.every((source) => sources.has(source))) {
      await runSqlFiles(connection, MARTS_DIR, [mart.file]);
    } else {
      log(`${mart.file}: skipped, it needs the sources ${mart.sources.join(', ')}`);
    }
  }
}

/** Views and derived tables with the relations they inherit column comments from, in order. */
export function derivedRelations(catalog: Catalog): [string, readonly string[]][] {
  return [
    ...catalog.pipelines.flatMap((p) => Object.entries(p.commentsFrom ?? {})),
    ...catalog.marts.flatMap((m) =>
      m.commentsFrom
        ? [[m.file.replace(/\.sql$/, ''), m.commentsFrom] as [string, readonly string[]]]
        : [],
    ),
  ];
}
