import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding package.json, found from this module whether it runs from src/ or dist/. */
function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the running module');
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findProjectRoot();
export const CODE_TABLES_DIR = join(PROJECT_ROOT, 'code-tables');
export const PIPELINES_DIR = join(PROJECT_ROOT, 'pipelines');
/** SQL of the tables and views across sources. */
export const MARTS_DIR = join(PROJECT_ROOT, 'marts');
/** SQL of the tables every run has (run, release, code tables, rejects, checks, history). */
export const MODELS_DIR = join(PROJECT_ROOT, 'src', 'models');
export const DATABASE_FILE_NAME = 'fee_schedule.duckdb';
export const PARQUET_DIR_NAME = 'parquet';
