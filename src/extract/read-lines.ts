import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** The text of the given 1-based lines of a file, read in one streaming pass. */
export async function readLines(
  path: string,
  lines: ReadonlySet<number>,
): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  if (lines.size === 0) return found;
  const last = Math.max(...lines);
  const input = createReadStream(path, { encoding: 'latin1' });
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let number = 0;
  for await (const text of reader) {
    number++;
    if (lines.has(number)) found.set(number, text);
    if (number >= last) break;
  }
  reader.close();
  input.destroy();
  return found;
}
