import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapOnConnections } from '../../src/db/connection-pool.js';
import { type DuckDBHandle, openDuckDB } from '../../src/db/open-duckdb.js';

let db: DuckDBHandle;
let connections: [DuckDBConnection, DuckDBConnection];

beforeAll(async () => {
  db = await openDuckDB(':memory:');
  connections = [await db.instance.connect(), await db.instance.connect()];
});

afterAll(() => {
  for (const c of connections) c.closeSync();
  db.close();
});

const square = async (n: number, c: DuckDBConnection) =>
  Number((await c.runAndReadAll(`SELECT ${n} * ${n}`)).getRowsJS()[0]?.[0]);

describe('mapOnConnections', () => {
  it('gives the results in item order, whichever connection ran each', async () => {
    const used = new Set<DuckDBConnection>();
    const results = await mapOnConnections(connections, [1, 2, 3, 4, 5, 6, 7], async (n, c) => {
      used.add(c);
      // Uneven durations: items finish out of order.
      if (n % 3 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      return square(n, c);
    });
    expect(results).toEqual([1, 4, 9, 16, 25, 36, 49]);
    expect(used.size).toBe(2);
  });

  it('starts no item after a failure, and throws it once the running item has finished', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = mapOnConnections(connections, [1, 2, 3, 4, 5, 6], async (n, c) => {
      started.push(n);
      if (n === 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        finished.push(n);
        return square(n, c);
      }
      if (n === 2) return Promise.reject(new Error('item 2 failed'));
      finished.push(n);
      return square(n, c);
    });
    await expect(run).rejects.toThrow('item 2 failed');
    // Item 1 was running on the other connection when item 2 failed: it finished first.
    expect(finished).toContain(1);
    expect(started).toEqual([1, 2]);
  });

  it('maps no items to no results', async () => {
    expect(await mapOnConnections(connections, [], square)).toEqual([]);
  });
});
