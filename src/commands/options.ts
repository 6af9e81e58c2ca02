import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { DATABASE_FILE_NAME } from '../paths.js';
import { UsageError } from './errors.js';

/**
 * --raw and --out default to RAW / OUT from the environment, then to raw/ and out/ under the
 * working directory: installed as a package, the CLI lives in node_modules/, which is no place
 * for data.
 */
export const defaultRawDir = (): string => process.env.RAW || 'raw';
export const defaultOutDir = (): string => process.env.OUT || 'out';

/**
 * How to build the database, as this run can do it: `make refresh` in a checkout of the project
 * (its Makefile is in the working directory), else the CLI's own refresh.
 */
export function refreshAdvice(outDir: string): string {
  const out = relative(process.cwd(), resolve(outDir)) || '.';
  const makefile = join(process.cwd(), 'Makefile');
  if (existsSync(makefile) && /^refresh:/m.test(readFileSync(makefile, 'utf8'))) {
    return `run "make refresh${out === 'out' ? '' : ` OUT=${out}`}" first`;
  }
  return `run "fse refresh --raw <folder of raw releases> --out ${out}" first (npx fse … where fee-schedule-etl is a dependency)`;
}

/** The published database in an out folder, or a usage error saying how to make one. */
export function publishedDatabase(outDir: string): string {
  const path = join(resolve(outDir), DATABASE_FILE_NAME);
  if (!existsSync(path)) throw new UsageError(`${path} does not exist: ${refreshAdvice(outDir)}`);
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
