import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Catalog } from '../catalog.js';
import type { DuckDBHandle } from '../db/open-duckdb.js';
import { identifier } from '../db/sql.js';
import {
  buildContract,
  type Contract,
  checkContract,
  type ExportedDataset,
  readPublishedContract,
  writeContract,
} from '../load/contract.js';
import { exportParquet, type ReleaseFiles } from '../load/parquet-export.js';
import { type ReportSource, writeReport } from '../load/report.js';
import { CORE_TABLES } from '../models/tables.js';
import { PARQUET_DIR_NAME } from '../paths.js';
import { decodedReleaseRows } from '../transform/decoded-view.js';
import { historyParquetTables } from '../transform/history/build-history.js';
import { PIPELINE_VERSION } from '../version.js';
import type { PublishedRun } from './reuse-published.js';
import { withConnections } from './run-database.js';
import { readRunLog } from './run-log.js';
import { allOrFirstFailure } from './settle.js';

/** What the newest release of a source changed against the one before it. */
export interface ReleaseChanges {
  source: string;
  from: string;
  to: string;
  added: number;
  ended: number;
  changed: number;
}

/** Rows in key order, no modifier before a modifier: a view's files are in a stable order. */
function keyOrder(key: readonly string[]): string {
  return key.map((column) => `${identifier(column)} NULLS FIRST`).join(', ');
}

/**
 * Every exported dataset, in export order, with its key: the page sources' tables, the core
 * tables, each source's facts and exported views, its history, the changes, and the marts
 * declared exported whose sources are all part of the run.
 */
export function exportedTables(catalog: Catalog): ExportedDataset[] {
  const sources = new Set(catalog.pipelines.map((p) => p.source));
  return [
    ...catalog.pageSources.flatMap((s) => s.tables.map((t) => ({ name: t.name, key: t.key }))),
    ...CORE_TABLES.map((t) => ({
      name: t.name,
      key: t.key,
      ...(t.orderBy ? { orderBy: t.orderBy } : {}),
    })),
    ...catalog.pipelines.flatMap((p) => [
      ...p.factTables.map((f) => ({ name: f.name, source: p.source, key: f.key })),
      ...(p.exportedViews ?? []).map((v) => ({
        name: v.name,
        source: p.source,
        key: v.key,
        orderBy: keyOrder(v.key),
        ...(v.notNull ? { notNull: v.notNull } : {}),
        ...(v.decodes
          ? {
              nullableAs: v.decodes.table,
              partitionsFrom: v.decodes.table,
              releaseRows: decodedReleaseRows(p, v.name, v.decodes),
            }
          : {}),
      })),
    ]),
    ...historyParquetTables(catalog.pipelines),
    ...catalog.marts.flatMap((m): ExportedDataset[] => {
      if (!m.export || !m.sources.every((source) => sources.has(source))) return [];
      const { releasesOf, notNull, writeFirst, newestOnly } = m.export;
      // Partitioned: release_id is the partition, the key within a release the rest.
      const key = releasesOf ? m.key.filter((k) => k !== 'release_id') : m.key;
      return [
        {
          name: m.file.replace(/\.sql$/, ''),
          key,
          orderBy: keyOrder(key),
          ...(releasesOf ? { source: releasesOf } : {}),
          ...(notNull ? { notNull } : {}),
          ...(writeFirst ? { writeFirst } : {}),
          ...(releasesOf && newestOnly ? { newestOnly } : {}),
          builtFrom: m.sources,
        },
      ];
    }),
  ];
}

/**
 * The run's outputs beside its database: the Parquet files (two at a time, on two more
 * connections, one per core) and then the contract that reads them back; beside them the final
 * checkpoint on the run's connection (the export only reads) and the report on a fourth.
 */
export async function writeOutputs(
  db: DuckDBHandle,
  buildDir: string,
  catalog: Catalog,
  run: {
    runId: string;
    outDir: string;
    releases: readonly ReleaseFiles[];
    base: PublishedRun | null;
    /** Releases the run took over from the published one ("<source>/<release>"). */
    carried: ReadonlySet<string>;
    /** Effective dates of the releases this run read. */
    addedDays: readonly string[];
  },
): Promise<ReleaseChanges[]> {
  const tables = exportedTables(catalog);
  const publishedContract = await readPublishedContract(run.outDir);
  const runs = await readRunLog(run.outDir);
  const { base } = run;
  const [, contract, changes] = await withConnections(db, 3, (connections) => {
    const [exporter, second, reporter] = connections as [
      DuckDBConnection,
      DuckDBConnection,
      DuckDBConnection,
    ];
    return allOrFirstFailure<[undefined, Contract, ReleaseChanges[]]>([
      db.connection.run('CHECKPOINT').then(() => undefined),
      exportParquet(
        [exporter, second],
        join(buildDir, PARQUET_DIR_NAME),
        tables,
        run.releases,
        PIPELINE_VERSION,
        base
          ? {
              parquetDir: base.parquetDir,
              releases: run.carried,
              since: [...run.addedDays].sort()[0] ?? null,
              addedSources: new Set(
                run.releases
                  .filter((r) => !run.carried.has(`${r.source}/${r.release}`))
                  .map((r) => r.source),
              ),
            }
          : undefined,
      ).then(() =>
        buildContract(
          exporter,
          buildDir,
          join(buildDir, PARQUET_DIR_NAME),
          tables,
          run.runId,
          PIPELINE_VERSION,
          base && publishedContract
            ? { contract: publishedContract, outputDir: dirname(base.databasePath) }
            : undefined,
        ),
      ),
      writeReport(reporter, buildDir, {
        sources: reportSources(catalog),
        runs,
        readNow: new Set(
          run.releases
            .map((r) => `${r.source}/${r.release}`)
            .filter((key) => !run.carried.has(key)),
        ),
      }).then(() => newestChanges(reporter)),
    ]);
  });
  checkContract(publishedContract, contract);
  await writeContract(buildDir, contract);
  return changes;
}

/** Each source as the report shows it: its main table, and its chart named by its code table. */
function reportSources(catalog: Catalog): ReportSource[] {
  return catalog.pipelines.map((p) => ({
    source: p.source,
    cadence: p.cadence,
    table: p.factTables[0]?.name ?? null,
    chart: p.reportChart
      ? {
          source: p.source,
          ...p.reportChart,
          system: p.card?.fields.find((f) => f.column === p.reportChart?.column)?.system ?? null,
        }
      : null,
  }));
}

/** Counts of keys added, ended and changed between each source's two newest releases. */
async function newestChanges(connection: DuckDBConnection): Promise<ReleaseChanges[]> {
  const reader = await connection.runAndReadAll(`
    WITH newest AS (
      SELECT source, arg_max(to_release, effective_from) AS to_release FROM release_diff GROUP BY source
    )
    SELECT d.source, any_value(d.from_release), d.to_release,
           count(DISTINCT d.key) FILTER (WHERE d.change = 'added'),
           count(DISTINCT d.key) FILTER (WHERE d.change = 'ended'),
           count(DISTINCT d.key) FILTER (WHERE d.change = 'changed')
    FROM release_diff d JOIN newest n USING (source, to_release)
    GROUP BY d.source, d.to_release ORDER BY d.source`);
  return reader.getRowsJS().map(([source, from, to, added, ended, changed]) => ({
    source: String(source),
    from: String(from),
    to: String(to),
    added: Number(added),
    ended: Number(ended),
    changed: Number(changed),
  }));
}
