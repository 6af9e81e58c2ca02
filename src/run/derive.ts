import type { DuckDBConnection } from '@duckdb/node-api';
import { type CheckOutcome, runChecks } from '../transform/checks.js';
import { buildHistory, deriveChanges } from '../transform/history/build-history.js';
import type { LoadedSource } from './load-sources.js';

/**
 * What spans releases, per source in order: its history, then its changes between releases
 * (on `changesConnection`, in source order) beside its checks (on `connection`), which read
 * the history and not the changes. On a published run (`extending`), what spans releases changes
 * from the earliest added release on.
 */
export async function deriveSources(
  connection: DuckDBConnection,
  changesConnection: DuckDBConnection,
  runId: string,
  sources: readonly LoadedSource[],
  extending: boolean,
): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  let changes: Promise<void> = Promise.resolve();
  // Handled at once (awaited below): a failure while the checks run is not an unhandled rejection.
  changes.catch(() => {});
  try {
    for (const { pipeline, staged, stagedOutcomes, loaded, carriedOutcomes } of sources) {
      if (carriedOutcomes) {
        outcomes.push(...carriedOutcomes);
        continue;
      }
      if (loaded) {
        const days = staged.map((s) => s.raw.manifest.effective_from).filter((d) => d !== null);
        const since = days.sort()[0];
        const built = await buildHistory(
          connection,
          pipeline,
          extending && since && days.length === staged.length
            ? { since, releases: staged.map((s) => s.raw.release) }
            : null,
        );
        changes = changes.then(() => deriveChanges(changesConnection, built));
        changes.catch(() => {});
      }
      const drop = await connection.prepare('DELETE FROM check_result WHERE source = $1');
      drop.bind([pipeline.source]);
      await drop.run();
      outcomes.push(...(await runChecks(connection, runId, pipeline, stagedOutcomes)));
    }
  } finally {
    // Never leave a statement running on the other connection: its caller closes it.
    await changes.catch(() => {});
  }
  await changes;
  return outcomes;
}
