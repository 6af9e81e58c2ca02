import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DATABASE_FILE_NAME, DEFAULT_OUT_DIR, DEFAULT_RAW_DIR } from '../paths.js';
import { UsageError } from './errors.js';

/** --raw and --out default to RAW / OUT from the environment, then to the project's folders. */
export const defaultRawDir = (): string => process.env.RAW || DEFAULT_RAW_DIR;
export const defaultOutDir = (): string => process.env.OUT || DEFAULT_OUT_DIR;

/** The published database in an out folder, or a usage error saying how to make one. */
export function publishedDatabase(outDir: string): string {
  const path = join(resolve(outDir), DATABASE_FILE_NAME);
  if (!existsSync(path)) throw new UsageError(`${path} does not exist: run "make refresh" first`);
  return path;
}

/**
 * A date option must be a day of the calendar, YYYY-MM-DD: 2024-13-45 is refused here, as a
 * usage error, not later by DuckDB as a conversion error.
 */
export function checkDate(option: string, value: string | undefined): void {
  if (value === undefined) return;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new UsageError(`${option} ${value}: expected a date YYYY-MM-DD`);
  }
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw new UsageError(`${option} ${value}: no such day (expected a date YYYY-MM-DD)`);
  }
}
