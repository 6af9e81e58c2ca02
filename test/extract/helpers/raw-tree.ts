import { stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { listFolder } from '../../../src/extract/list-folder.js';

/** Every file and folder under dir (hidden ones too) with its size: a snapshot to compare. */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await listFolder(dir, { recursive: true });
  const lines: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry);
    const info = await stat(path);
    lines.push(`${relative(dir, path)}${info.isDirectory() ? '/' : ` ${info.size}`}`);
  }
  return lines.sort();
}
