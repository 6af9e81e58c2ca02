import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Maps items to results on several connections at once, each item on the first connection free,
 * results in item order. A connection runs one statement at a time: one per core keeps both busy
 * where statements are small. After a failure no item starts; the running ones finish before the
 * first failure is thrown, so no statement still runs when the caller closes a connection.
 */
export async function mapOnConnections<T, R>(
  connections: readonly DuckDBConnection[],
  items: readonly T[],
  task: (item: T, connection: DuckDBConnection) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const settled = await Promise.allSettled(
    connections.map(async (connection) => {
      while (next < items.length) {
        const index = next++;
        try {
          results[index] = await task(items[index] as T, connection);
        } catch (error) {
          next = items.length;
          throw error;
        }
      }
    }),
  );
  const failure = settled.find((s) => s.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
  return results;
}
