import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { MANIFEST_FILE_NAME } from '../extract/manifest.js';
import { CODE_TABLES_DIR, PIPELINES_DIR, PROJECT_ROOT } from '../paths.js';
import type { PipelineDefinition } from '../pipeline-definition.js';

export const INPUTS_FILE = 'inputs.json';

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * What a refresh's outputs depend on, without reading a data file: the pipeline's own code,
 * code tables and SQL (read: they are small), and for raw data each release's manifest (its
 * sha256 per file) plus each data file's size and modification time. Equal fingerprints mean
 * a refresh would rebuild the same outputs.
 */
export async function inputsFingerprint(
  rawDir: string,
  pipelines: readonly PipelineDefinition[],
): Promise<string> {
  const hash = createHash('sha256');
  const code = [
    ...(await walk(join(PROJECT_ROOT, 'src'))),
    ...(await walk(PIPELINES_DIR)),
    ...(await walk(CODE_TABLES_DIR)),
    join(PROJECT_ROOT, 'package-lock.json'),
  ].filter((p) => /\.(ts|sql|csv|json)$/.test(p));
  for (const path of code) {
    hash.update(`${relative(PROJECT_ROOT, path)}\0`);
    hash.update(await readFile(path));
  }
  // Each source's folder, and the saved third-party code pages.
  for (const folder of [...pipelines.map((p) => p.source), 'code-pages']) {
    hash.update(`folder ${folder}\0`);
    for (const path of await walk(join(rawDir, folder))) {
      const name = relative(rawDir, path);
      if (name.split('/').some((part) => part.startsWith('.'))) continue;
      if (path.endsWith(`/${MANIFEST_FILE_NAME}`)) {
        hash.update(`${name}\0`);
        hash.update(await readFile(path));
      } else {
        const { size, mtimeMs } = await stat(path);
        hash.update(`${name}\0${size}\0${mtimeMs}\0`);
      }
    }
  }
  return hash.digest('hex');
}

export async function publishedFingerprint(outDir: string): Promise<string | null> {
  const text = await readFile(join(outDir, '.current', INPUTS_FILE), 'utf8').catch(() => null);
  return text === null
    ? null
    : ((JSON.parse(text) as { fingerprint?: string }).fingerprint ?? null);
}
