import {
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type DatabaseMetadataOptions,
  DEFAULT_MIGRATION_LOCK_TABLE,
  DEFAULT_MIGRATION_TABLE,
  type Kysely,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely';

interface RawColumn {
  schema_name: string;
  table_name: string;
  is_view: boolean;
  column_name: string;
  data_type: string;
  is_nullable: boolean;
  has_default: boolean;
  comment: string | null;
}

/**
 * Reads DuckDB's `duckdb_*()` catalog functions for the current database only (attached databases
 * and the `temp` / `system` catalogs are left out). Data types are DuckDB's spelling, e.g.
 * `INTEGER`, `VARCHAR`, `DECIMAL(10,4)`.
 */
export class DuckDBIntrospector implements DatabaseIntrospector {
  // biome-ignore lint/suspicious/noExplicitAny: Dialect.createIntrospector passes Kysely<any>.
  readonly #db: Kysely<any>;

  // biome-ignore lint/suspicious/noExplicitAny: Dialect.createIntrospector passes Kysely<any>.
  constructor(db: Kysely<any>) {
    this.#db = db;
  }

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ schema_name: string }>`
      select schema_name
      from duckdb_schemas()
      where database_name = current_database()
      order by schema_name
    `.execute(this.#db);
    return rows.map((row) => ({ name: row.schema_name }));
  }

  async getTables(
    options: DatabaseMetadataOptions = { withInternalKyselyTables: false },
  ): Promise<TableMetadata[]> {
    const kyselyTables = options.withInternalKyselyTables
      ? []
      : [DEFAULT_MIGRATION_TABLE, DEFAULT_MIGRATION_LOCK_TABLE];
    const { rows } = await sql<RawColumn>`
      with relations as (
        select database_name, schema_name, table_name, false as is_view
        from duckdb_tables()
        where not internal
        union all
        select database_name, schema_name, view_name, true
        from duckdb_views()
        where not internal
      )
      select
        r.schema_name,
        r.table_name,
        r.is_view,
        c.column_name,
        c.data_type,
        c.is_nullable,
        c.column_default is not null as has_default,
        c.comment
      from relations r
      join duckdb_columns() c
        on c.database_name = r.database_name
        and c.schema_name = r.schema_name
        and c.table_name = r.table_name
      where r.database_name = current_database()
        and r.table_name not in (${sql.join(kyselyTables.length > 0 ? kyselyTables : [''])})
      order by r.schema_name, r.table_name, c.column_index
    `.execute(this.#db);
    return groupColumns(rows);
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) };
  }
}

function groupColumns(rows: readonly RawColumn[]): TableMetadata[] {
  const tables = new Map<string, TableMetadata>();
  for (const row of rows) {
    const key = JSON.stringify([row.schema_name, row.table_name]);
    let table = tables.get(key);
    if (!table) {
      table = {
        name: row.table_name,
        schema: row.schema_name,
        isView: row.is_view,
        columns: [],
      };
      tables.set(key, table);
    }
    table.columns.push({
      name: row.column_name,
      dataType: row.data_type,
      isNullable: row.is_nullable,
      hasDefaultValue: row.has_default,
      isAutoIncrementing: false,
      comment: row.comment ?? undefined,
    });
  }
  return [...tables.values()];
}
