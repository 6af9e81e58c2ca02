import { readdir } from 'node:fs/promises';

/**
 * The names in a folder (with `recursive`, relative paths of everything below it), or none when
 * the folder does not exist: a source or page folder that was never created is simply empty.
 * Other errors (permissions, a file where a folder should be) still throw.
 */
export async function listFolder(
  dir: string,
  options: { recursive?: boolean } = {},
): Promise<string[]> {
  try {
    return await readdir(dir, { recursive: options.recursive ?? false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
