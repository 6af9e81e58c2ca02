import { terminalJson } from '../terminal-text.js';

/** A lowerCamel name (`rowsLoaded`): program-side names, not data such as RVU25D or 99213. */
const CAMEL = /^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$/;

function snakeCase(key: string): string {
  return CAMEL.test(key) ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key;
}

/**
 * The value with every lowerCamel key written snake_case (`rowsLoaded` → `rows_loaded`), as the
 * tables' columns are: the one JSON shape of every --json output. Keys that are data (release
 * ids, codes, column names) are left as they are.
 */
export function snakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCaseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [snakeCase(key), snakeCaseKeys(v)]),
  );
}

/** Writes a command's --json output: snake_case keys, two-space indent, control characters escaped. */
export function writeJson(value: unknown): void {
  process.stdout.write(terminalJson(`${JSON.stringify(snakeCaseKeys(value), null, 2)}\n`));
}
