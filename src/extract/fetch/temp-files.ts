import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from '../../process-alive.js';
import { listFolder } from '../list-folder.js';

/**
 * Prefix of every temporary file and folder the fetcher makes inside raw/<source>/. The dot
 * hides them from release discovery; the pid lets a later run remove what a dead run left.
 */
export const TEMP_PREFIX = '.fse-fetch-';

export function tempName(release: string, suffix: 'download' | 'staging'): string {
  return `${TEMP_PREFIX}${release}-${process.pid}-${randomBytes(4).toString('hex')}.${suffix}`;
}

/** Removes temporaries under `dir` left by runs whose process is gone. Returns what it removed. */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  const names = await listFolder(dir);
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const pid = Number(/-(\d+)-[0-9a-f]{8}\.(download|staging)$/.exec(name)?.[1] ?? Number.NaN);
    if (Number.isInteger(pid) && (pid === process.pid || isAlive(pid))) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** FileHandle.write may write less than asked: loop until the whole chunk is on disk. */
export async function writeAll(file: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}
