import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Every file and folder under dir (hidden ones too) with its size: a snapshot to compare. */
export async function listTree(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const lines: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry);
    const info = await stat(path);
    lines.push(`${relative(dir, path)}${info.isDirectory() ? '/' : ` ${info.size}`}`);
  }
  return lines.sort();
}
