import { PostgresAdapter } from 'kysely';

/**
 * DuckDB speaks the Postgres SQL dialect closely enough for Kysely, supports RETURNING and
 * transactional DDL, but has no advisory locks.
 */
export class DuckDBAdapter extends PostgresAdapter {
  override get supportsReturning(): boolean {
    return true;
  }

  override get supportsTransactionalDdl(): boolean {
    return true;
  }

  // The driver's single connection is held by the migrator from lock to release, so nothing else
  // can run a migration concurrently through this Kysely instance.
  override async acquireMigrationLock(): Promise<void> {}

  override async releaseMigrationLock(): Promise<void> {}
}
