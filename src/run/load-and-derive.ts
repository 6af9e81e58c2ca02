import type { DuckDBConnection } from '@duckdb/node-api';
import type { Catalog } from '../catalog.js';
import type { DuckDBHandle } from '../db/open-duckdb.js';
import type { RawRelease } from '../extract/raw-releases.js';
import type { CheckOutcome } from '../transform/checks.js';
import { deriveSources } from './derive.js';
import { type LoadedSource, loadSource } from './load-sources.js';
import { buildMarts } from './marts.js';
import { withConnections } from './run-database.js';
import { allOrFirstFailure } from './settle.js';

/**
 * Loads each source's new releases (`toRead`, in catalog order), then derives what spans
 * releases and checks every source, with the marts built beside on a connection of their own:
 * they read the loaded tables only, so they start once the last source with data to load has
 * run its models, while the rest (staging checks, histories, checks) writes other tables. The
 * changes between releases are derived on a third connection beside the checks.
 */
export async function loadAndDerive(
  db: DuckDBHandle,
  runId: string,
  catalog: Catalog,
  toRead: readonly (readonly RawRelease[])[],
  options: {
    extending: boolean;
    groupBytes: number;
    log: (line: string) => void;
    stage?: (name: string) => void;
  },
): Promise<{ loaded: LoadedSource[]; checks: CheckOutcome[] }> {
  const { connection } = db;
  const { extending, log } = options;
  const stage = options.stage ?? (() => {});
  const lastLoading = extending
    ? toRead.reduce((last, r, i) => (r.length > 0 ? i : last), -1)
    : catalog.pipelines.length - 1;
  const loaded: LoadedSource[] = [];
  const checks = await withConnections(db, 2, async (connections) => {
    const [martsConnection, changesConnection] = connections as [
      DuckDBConnection,
      DuckDBConnection,
    ];
    let marts: Promise<void> | null = null;
    // On the published run: the sources with no release to read are as published.
    const unchanged = new Set(
      extending ? catalog.pipelines.filter((_, i) => !toRead[i]?.length).map((p) => p.source) : [],
    );
    const startMarts = () => {
      marts ??= buildMarts(martsConnection, catalog, log, unchanged);
    };
    try {
      for (const [i, pipeline] of catalog.pipelines.entries()) {
        stage(`load ${pipeline.source}`);
        loaded.push(
          await loadSource(
            connection,
            runId,
            pipeline,
            toRead[i] ?? [],
            options,
            log,
            i === lastLoading ? startMarts : null,
          ),
        );
      }
      startMarts();
      stage('histories, diffs and checks');
      const [outcomes] = await allOrFirstFailure([
        deriveSources(connection, changesConnection, runId, loaded, extending),
        marts ?? Promise.resolve(),
      ]);
      return outcomes;
    } finally {
      // Never close a connection a statement still runs on: a failure above waits for the marts.
      await (marts as Promise<void> | null)?.catch(() => {});
    }
  });
  return { loaded, checks };
}
