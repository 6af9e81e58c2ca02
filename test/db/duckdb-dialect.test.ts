import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type Generated, Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBDialect } from '../../src/db/dialect/index.js';

interface FeeTable {
  id: number;
  code: string;
  units: number | null;
  big: bigint | number | null;
  amount: string | number | null;
  effective: string | Date | null;
  loaded_at: Date | null;
  active: boolean | null;
  payload: Uint8Array | null;
  note: string | null;
}

interface LogTable {
  id: Generated<number>;
  message: string;
}

interface Database {
  fee: FeeTable;
  log: LogTable;
}

const INJECTION = "x'; drop table fee; --";

const FEE_DDL = sql`
  create table fee (
    id integer primary key,
    code varchar not null,
    units integer,
    big bigint,
    amount decimal(18, 4),
    effective date,
    loaded_at timestamp,
    active boolean,
    payload blob,
    note varchar
  )
`;

let instance: DuckDBInstance;
let connection: DuckDBConnection;
let db: Kysely<Database>;

async function openDb(): Promise<void> {
  instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  connection = await instance.connect();
  db = new Kysely<Database>({ dialect: new DuckDBDialect({ connection }) });
  await FEE_DDL.execute(db);
  await sql`create sequence log_id start 1`.execute(db);
  await sql`
    create table log (id integer primary key default nextval('log_id'), message varchar not null)
  `.execute(db);
}

async function closeDb(): Promise<void> {
  await db.destroy();
  connection.closeSync();
  instance.closeSync();
}

const rows: FeeTable[] = [
  {
    id: 1,
    code: '99213',
    units: 7,
    big: 10_000_000_000,
    amount: 32.3465,
    effective: new Date('2024-01-15T00:00:00Z'),
    loaded_at: new Date('2024-01-15T10:30:00Z'),
    active: true,
    payload: Buffer.from([0xde, 0xad, 0xbe, 0xef]),
    note: null,
  },
  {
    id: 2,
    code: '99214',
    units: 12,
    big: 5n,
    amount: '12345678901234.5678',
    effective: '2025-07-01',
    loaded_at: new Date('2025-07-01T00:00:00Z'),
    active: false,
    payload: new Uint8Array([1, 2, 3]),
    note: 'second',
  },
  {
    id: 3,
    code: INJECTION,
    units: null,
    big: null,
    amount: null,
    effective: null,
    loaded_at: null,
    active: null,
    payload: null,
    note: 'third',
  },
];

async function insertRows(): Promise<void> {
  await db.insertInto('fee').values(rows).execute();
}

async function idsWhere(
  column: keyof FeeTable,
  op: '=' | '<' | '>' | 'is',
  value: unknown,
): Promise<number[]> {
  const result = await db
    .selectFrom('fee')
    // biome-ignore lint/suspicious/noExplicitAny: exercising every column with one helper.
    .where(column, op, value as any)
    .select('id')
    .orderBy('id')
    .execute();
  return result.map((r) => r.id);
}

describe('DuckDBDialect', () => {
  beforeEach(openDb);
  afterEach(closeDb);

  it('inserts with RETURNING and converts every column type', async () => {
    const returned = await db.insertInto('fee').values(rows).returning(['id', 'code']).execute();
    expect(returned).toEqual([
      { id: 1, code: '99213' },
      { id: 2, code: '99214' },
      { id: 3, code: INJECTION },
    ]);

    const all = await db.selectFrom('fee').selectAll().orderBy('id').execute();
    expect(all[0]).toEqual({
      id: 1,
      code: '99213',
      units: 7,
      big: 10_000_000_000n,
      amount: '32.3465',
      effective: '2024-01-15',
      loaded_at: new Date('2024-01-15T10:30:00Z'),
      active: true,
      payload: Buffer.from([0xde, 0xad, 0xbe, 0xef]),
      note: null,
    });
    expect(all[0]?.payload).toBeInstanceOf(Uint8Array);
    // A DECIMAL wider than a double's precision comes back exact.
    expect(all[1]?.amount).toBe('12345678901234.5678');
    expect(all[1]?.big).toBe(5n);
    expect(all[1]?.effective).toBe('2025-07-01');
    expect(all[1]?.active).toBe(false);
    expect(all[2]).toMatchObject({ units: null, amount: null, effective: null, active: null });
  });

  it('returns a generated key through RETURNING', async () => {
    const first = await db
      .insertInto('log')
      .values({ message: 'a' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const second = await db
      .insertInto('log')
      .values({ message: 'b' })
      .returningAll()
      .executeTakeFirstOrThrow();
    expect(first).toEqual({ id: 1 });
    expect(second).toEqual({ id: 2, message: 'b' });
  });

  describe('parameters in where', () => {
    beforeEach(insertRows);

    it('compares a Date against a DATE column', async () => {
      expect(await idsWhere('effective', '=', new Date('2024-01-15T00:00:00Z'))).toEqual([1]);
      // A Date is a timestamp: noon is not equal to the day, but is after it.
      expect(await idsWhere('effective', '=', new Date('2024-01-15T12:00:00Z'))).toEqual([]);
      expect(await idsWhere('effective', '<', new Date('2024-01-15T12:00:00Z'))).toEqual([1]);
      expect(await idsWhere('effective', '>', new Date('2024-06-01T00:00:00Z'))).toEqual([2]);
    });

    it('compares a Date against a TIMESTAMP column', async () => {
      expect(await idsWhere('loaded_at', '=', new Date('2024-01-15T10:30:00Z'))).toEqual([1]);
      expect(await idsWhere('loaded_at', '=', new Date('2024-01-15T10:30:00.001Z'))).toEqual([]);
      expect(await idsWhere('loaded_at', '>', new Date('2024-01-15T10:29:59Z'))).toEqual([1, 2]);
    });

    it('compares a number against INTEGER, BIGINT and DECIMAL columns', async () => {
      expect(await idsWhere('units', '=', 7)).toEqual([1]);
      expect(await idsWhere('units', '=', 7.5)).toEqual([]);
      expect(await idsWhere('units', '>', 7.5)).toEqual([2]);
      expect(await idsWhere('big', '=', 10_000_000_000)).toEqual([1]);
      expect(await idsWhere('big', '=', 5)).toEqual([2]);
      expect(await idsWhere('amount', '=', 32.3465)).toEqual([1]);
      expect(await idsWhere('amount', '=', 32.3466)).toEqual([]);
    });

    it('compares bigint and exact decimal strings', async () => {
      expect(await idsWhere('big', '=', 10_000_000_000n)).toEqual([1]);
      expect(await idsWhere('amount', '=', '12345678901234.5678')).toEqual([2]);
      expect(await idsWhere('amount', '=', '12345678901234.5679')).toEqual([]);
    });

    it('compares strings, booleans, blobs and null', async () => {
      expect(await idsWhere('code', '=', '99214')).toEqual([2]);
      expect(await idsWhere('active', '=', true)).toEqual([1]);
      expect(await idsWhere('active', '=', false)).toEqual([2]);
      expect(await idsWhere('payload', '=', Buffer.from([0xde, 0xad, 0xbe, 0xef]))).toEqual([1]);
      expect(await idsWhere('payload', '=', new Uint8Array([1, 2, 3]))).toEqual([2]);
      expect(await idsWhere('note', 'is', null)).toEqual([1]);
      const notNull = await db
        .selectFrom('fee')
        .select('id')
        .where('note', 'is not', null)
        .orderBy('id')
        .execute();
      expect(notNull.map((r) => r.id)).toEqual([2, 3]);
    });

    it('keeps a SQL injection attempt a plain value', async () => {
      expect(await idsWhere('code', '=', INJECTION)).toEqual([3]);
      expect(await idsWhere('note', '=', INJECTION)).toEqual([]);
      await db.updateTable('fee').set({ note: INJECTION }).where('id', '=', 1).execute();
      const row = await db
        .selectFrom('fee')
        .select('note')
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      expect(row.note).toBe(INJECTION);
      const count = await db
        .selectFrom('fee')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(count.n).toBe(3n);
    });
  });

  it('reports numAffectedRows for insert, update and delete', async () => {
    const inserted = await db.insertInto('fee').values(rows).executeTakeFirstOrThrow();
    expect(inserted.numInsertedOrUpdatedRows).toBe(3n);

    const updated = await db
      .updateTable('fee')
      .set({ note: 'changed' })
      .where('id', '>=', 2)
      .executeTakeFirstOrThrow();
    expect(updated.numUpdatedRows).toBe(2n);

    const none = await db
      .updateTable('fee')
      .set({ note: 'x' })
      .where('id', '=', 99)
      .executeTakeFirstOrThrow();
    expect(none.numUpdatedRows).toBe(0n);

    const deleted = await db.deleteFrom('fee').where('id', '=', 1).executeTakeFirstOrThrow();
    expect(deleted.numDeletedRows).toBe(1n);

    const deletedReturning = await db.deleteFrom('fee').returning('id').execute();
    expect(deletedReturning.map((r) => r.id).sort()).toEqual([2, 3]);
  });

  describe('transactions', () => {
    it('rolls back when the callback throws', async () => {
      await expect(
        db.transaction().execute(async (trx) => {
          await trx
            .insertInto('fee')
            .values(rows[0] as FeeTable)
            .execute();
          const inside = await trx.selectFrom('fee').select('id').execute();
          expect(inside).toEqual([{ id: 1 }]);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await db.selectFrom('fee').select('id').execute()).toEqual([]);
    });

    it('commits when the callback succeeds', async () => {
      const result = await db.transaction().execute(async (trx) => {
        await trx.insertInto('fee').values(rows).execute();
        await trx.deleteFrom('fee').where('id', '=', 3).execute();
        return 'done';
      });
      expect(result).toBe('done');
      const ids = await db.selectFrom('fee').select('id').orderBy('id').execute();
      expect(ids).toEqual([{ id: 1 }, { id: 2 }]);
    });

    it('refuses to report a commit when DuckDB aborted the transaction', async () => {
      await expect(
        db.transaction().execute(async (trx) => {
          await trx
            .insertInto('fee')
            .values(rows[0] as FeeTable)
            .execute();
          // Swallowed constraint error: DuckDB aborts the transaction, COMMIT would roll back.
          await trx
            .insertInto('fee')
            .values(rows[0] as FeeTable)
            .execute()
            .catch(() => undefined);
        }),
      ).rejects.toThrow(/rolled back instead of committed/);
      expect(await db.selectFrom('fee').select('id').execute()).toEqual([]);
      // The connection is usable again afterwards.
      await db
        .insertInto('fee')
        .values(rows[0] as FeeTable)
        .execute();
      expect(await db.selectFrom('fee').select('id').execute()).toEqual([{ id: 1 }]);
    });

    it('commits after a parser error, which does not abort a DuckDB transaction', async () => {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('fee')
          .values(rows[0] as FeeTable)
          .execute();
        await sql`selec 1`.execute(trx).catch(() => undefined);
      });
      expect(await db.selectFrom('fee').select('id').execute()).toEqual([{ id: 1 }]);
    });

    it('rejects isolation levels, which DuckDB does not support', async () => {
      await expect(
        db
          .transaction()
          .setIsolationLevel('serializable')
          .execute(async () => undefined),
      ).rejects.toThrow(/isolation level/);
      // The failed BEGIN released the connection.
      expect(await db.selectFrom('fee').select('id').execute()).toEqual([]);
    });
  });

  describe('one connection shared by concurrent callers', () => {
    beforeEach(insertRows);

    it('answers 20 concurrent selects correctly', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const id = (i % 3) + 1;
          const row = await db
            .selectFrom('fee')
            .select(['id', 'code', sql<number>`${i}::integer * 2`.as('twice')])
            .where('id', '=', id)
            .executeTakeFirstOrThrow();
          return { i, row };
        }),
      );
      for (const { i, row } of results) {
        const expected = rows[i % 3] as FeeTable;
        expect(row).toEqual({ id: expected.id, code: expected.code, twice: i * 2 });
      }
    });

    it('keeps other queries out of a running transaction', async () => {
      let signalDeleted = () => {};
      const deleted = new Promise<void>((resolve) => {
        signalDeleted = resolve;
      });
      const trx = db.transaction().execute(async (t) => {
        await t.deleteFrom('fee').execute();
        signalDeleted();
        // Without the mutex the selects below would run now, inside this transaction, and see 0.
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw new Error('undo');
      });
      await deleted;
      const counts = Promise.all(
        Array.from({ length: 20 }, () =>
          db
            .selectFrom('fee')
            .select((eb) => eb.fn.countAll<bigint>().as('n'))
            .executeTakeFirstOrThrow(),
        ),
      );
      await expect(trx).rejects.toThrow('undo');
      expect((await counts).map((c) => c.n)).toEqual(Array(20).fill(3n));
    });
  });

  it('streams rows in chunks', async () => {
    await sql`
      insert into log (message) select 'm' || i from range(2500) t(i)
    `.execute(db);
    const sizes: number[] = [];
    let last = 0;
    for await (const row of db.selectFrom('log').select('id').orderBy('id').stream(1000)) {
      expect(row.id).toBe(last + 1);
      last = row.id;
    }
    expect(last).toBe(2500);

    const executor = db.getExecutor();
    const compiled = db.selectFrom('log').select('id').compile();
    await executor.provideConnection(async (c) => {
      for await (const chunk of c.streamQuery<{ id: number }>(compiled, 1000)) {
        sizes.push(chunk.rows.length);
      }
    });
    expect(sizes).toEqual([1000, 1000, 500]);
  });

  it('returns every row of a result of several DuckDB chunks (2048 rows each), in order', async () => {
    // Unprepared (no parameter) and prepared: the two ways a query runs.
    const unprepared = await sql<{ i: bigint }>`select i from range(5000) t(i)`.execute(db);
    const prepared = await sql<{
      i: bigint;
    }>`select i from range(5000) t(i) where i >= ${0}`.execute(db);
    for (const { rows } of [unprepared, prepared]) {
      expect(rows.length).toBe(5000);
      expect(rows.every((row, n) => row.i === BigInt(n))).toBe(true);
    }
  });

  it('names a repeated column as DuckDBResultReader does (name:1)', async () => {
    const { rows } = await sql`select 1 as a, 'x' as a, ${2} as a`.execute(db);
    expect(rows).toEqual([{ a: 1, 'a:1': 'x', 'a:2': 2 }]);
  });

  it('rejects plain objects as parameters', async () => {
    await expect(sql`select ${sql.val({ a: 1 })} as x`.execute(db)).rejects.toThrow(
      /plain arrays and objects/,
    );
  });

  describe('prepared statements reused by SQL text', () => {
    const byCode = (code: string) =>
      db.selectFrom('fee').select(['id', 'code']).where('code', '=', code).execute();

    beforeEach(insertRows);

    it('binds each run its own parameters, never the previous ones', async () => {
      expect(await byCode('99213')).toEqual([{ id: 1, code: '99213' }]);
      expect(await byCode('99214')).toEqual([{ id: 2, code: '99214' }]);
      expect(await byCode('none')).toEqual([]);
      // Same text, a parameter of another type: DuckDB casts it as on a first run.
      const first = await sql<{ id: number }>`select id from fee where id = ${2}`.execute(db);
      const again = await sql<{ id: number }>`select id from fee where id = ${'1'}`.execute(db);
      expect([first.rows, again.rows]).toEqual([[{ id: 2 }], [{ id: 1 }]]);
    });

    it('sees a table changed since the statement was prepared', async () => {
      const select = () =>
        sql<Record<string, unknown>>`select * from fee where id = ${1}`.execute(db);
      expect(Object.keys((await select()).rows[0] ?? {})).not.toContain('extra');
      await sql`alter table fee add column extra varchar default 'x'`.execute(db);
      expect((await select()).rows[0]).toMatchObject({ id: 1, extra: 'x' });
    });

    it('stays correct past the cache size (the least recently used statements are freed)', async () => {
      // Forty texts (a column alias each), run twice with other parameters: more texts than
      // the cache holds, so the second round prepares the evicted ones again.
      for (const offset of [0, 100]) {
        for (let i = 0; i < 40; i++) {
          const column = `n${i}`;
          const { rows } = await sql<Record<string, number>>`
            select ${i + offset}::integer as ${sql.ref(column)}`.execute(db);
          expect(rows).toEqual([{ [column]: i + offset }]);
        }
      }
      expect(await byCode('99213')).toEqual([{ id: 1, code: '99213' }]);
    });
  });

  describe('introspector', () => {
    beforeEach(async () => {
      await sql`comment on column fee.amount is 'allowed amount, USD'`.execute(db);
      await sql`create view active_fee as select id, code, amount from fee where active`.execute(
        db,
      );
    });

    it('lists tables and views with column types, nullability, defaults and comments', async () => {
      const tables = await db.introspection.getTables();
      expect(tables.map((t) => [t.schema, t.name, t.isView])).toEqual([
        ['main', 'active_fee', true],
        ['main', 'fee', false],
        ['main', 'log', false],
      ]);

      const fee = tables.find((t) => t.name === 'fee');
      expect(fee?.columns.map((c) => [c.name, c.dataType, c.isNullable])).toEqual([
        ['id', 'INTEGER', false],
        ['code', 'VARCHAR', false],
        ['units', 'INTEGER', true],
        ['big', 'BIGINT', true],
        ['amount', 'DECIMAL(18,4)', true],
        ['effective', 'DATE', true],
        ['loaded_at', 'TIMESTAMP', true],
        ['active', 'BOOLEAN', true],
        ['payload', 'BLOB', true],
        ['note', 'VARCHAR', true],
      ]);
      expect(fee?.columns.find((c) => c.name === 'amount')).toEqual({
        name: 'amount',
        dataType: 'DECIMAL(18,4)',
        isNullable: true,
        hasDefaultValue: false,
        isAutoIncrementing: false,
        comment: 'allowed amount, USD',
      });
      expect(fee?.columns.find((c) => c.name === 'code')?.comment).toBeUndefined();

      const log = tables.find((t) => t.name === 'log');
      expect(log?.columns.map((c) => [c.name, c.hasDefaultValue])).toEqual([
        ['id', true],
        ['message', false],
      ]);

      const view = tables.find((t) => t.name === 'active_fee');
      expect(view?.columns.map((c) => [c.name, c.dataType])).toEqual([
        ['id', 'INTEGER'],
        ['code', 'VARCHAR'],
        ['amount', 'DECIMAL(18,4)'],
      ]);
    });

    it('lists schemas and metadata, and hides Kysely migration tables by default', async () => {
      await sql`create schema staging`.execute(db);
      await sql`create table staging.kysely_migration (name varchar)`.execute(db);
      const schemas = (await db.introspection.getSchemas()).map((s) => s.name);
      expect(schemas).toEqual(expect.arrayContaining(['main', 'staging']));
      expect(schemas).not.toContain('information_schema');

      const metadata = await db.introspection.getMetadata();
      expect(metadata.tables.map((t) => t.name)).not.toContain('kysely_migration');
      const withInternal = await db.introspection.getTables({ withInternalKyselyTables: true });
      expect(withInternal.map((t) => `${t.schema}.${t.name}`)).toContain(
        'staging.kysely_migration',
      );
    });
  });
});

describe('DuckDBDialect connection ownership', () => {
  it('accepts a connection factory and never closes the caller’s connection', async () => {
    const inst = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const conn = await inst.connect();
    try {
      let calls = 0;
      const first = new Kysely<Database>({
        dialect: new DuckDBDialect({
          connection: async () => {
            calls += 1;
            return conn;
          },
        }),
      });
      await sql`create table t (x integer)`.execute(first);
      await sql`insert into t values (1)`.execute(first);
      expect(calls).toBe(1);
      await first.destroy();
      await expect(sql`select 1`.execute(first)).rejects.toThrow();

      // The raw connection and a new Kysely instance on it still work.
      const raw = await conn.runAndReadAll('select count(*)::integer as n from t');
      expect(raw.getRowObjectsJS()).toEqual([{ n: 1 }]);
      const second = new Kysely<{ t: { x: number } }>({
        dialect: new DuckDBDialect({ connection: conn }),
      });
      expect(await second.selectFrom('t').selectAll().execute()).toEqual([{ x: 1 }]);
      await second.destroy();
    } finally {
      conn.closeSync();
      inst.closeSync();
    }
  });
});
