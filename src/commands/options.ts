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

export function checkDate(option: string, value: string | undefined): void {
  if (value !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new UsageError(`${option} ${value}: expected a date YYYY-MM-DD`);
  }
}
