import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { listFolder } from '../../src/extract/list-folder.js';
import { isoDate } from './parse-code-page.js';

/** Folder under raw/ holding code pages: raw/code-pages/<YYYY-MM-DD>/<code>.html. */
export const CODE_PAGES_DIR = 'code-pages';

/** What the fetcher records beside a page (<code>.meta.json): where and when it came from. */
export interface CodePageMeta {
  url: string;
  final_url: string;
  fetched_at: string;
  content_type: string | null;
  sha256: string;
}

/** A saved page with what its location says about it. */
export interface SavedPage {
  path: string;
  /** Path under the raw folder with forward slashes (code-pages/2025-11-15/38211.html). */
  file: string;
  html: string;
  meta: CodePageMeta | null;
  /** URL from the meta file; null for a page saved by hand. */
  url: string | null;
  /** The <date> folder it sits in, else the fetch date, else the file's modification date. */
  pageDate: string;
  /** The code its file name names (38211.html), if it is shaped like a code. */
  expectedCode: string | null;
  warnings: string[];
}

const CODE_SHAPE = /^(?:\d{4}[0-9A-Z]|[A-Z]\d{4})$/;

export function metaPathFor(htmlPath: string): string {
  return htmlPath.replace(/\.html?$/i, '.meta.json');
}

/** The code a file name names ("38211.html" → 38211), or null. */
export function codeOfFileName(path: string): string | null {
  const stem = basename(path)
    .replace(/\.html?$/i, '')
    .toUpperCase();
  return CODE_SHAPE.test(stem) ? stem : null;
}

/** Every .html file under dir (hidden files and folders, such as fetch temporaries, skipped). */
export async function listPageFiles(dir: string): Promise<string[]> {
  const entries = await listFolder(dir, { recursive: true });
  return entries
    .filter((entry) => /\.html?$/i.test(entry) && !entry.split(sep).some((p) => p.startsWith('.')))
    .sort()
    .map((entry) => join(dir, entry));
}

/** Reads a saved page and its meta file; `rawDir` names the file relative to raw/. */
export async function readSavedPage(path: string, rawDir: string | null): Promise<SavedPage> {
  const html = await readFile(path, 'utf8');
  const warnings: string[] = [];
  let meta: CodePageMeta | null = null;
  try {
    meta = JSON.parse(await readFile(metaPathFor(path), 'utf8')) as CodePageMeta;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      warnings.push(
        `${metaPathFor(path)}: unreadable meta file ignored: ${(error as Error).message}`,
      );
    }
  }
  const relativePath = rawDir ? relative(rawDir, path) : path;
  const file = relativePath.startsWith('..') ? path : relativePath.split(sep).join('/');
  const fetchedDay = meta?.fetched_at ? isoDate(meta.fetched_at.slice(0, 10)) : null;
  const pageDate =
    dateFolderOf(path) ?? fetchedDay ?? (await stat(path)).mtime.toISOString().slice(0, 10);
  return {
    path,
    file,
    html,
    meta,
    url: meta?.url ?? null,
    pageDate,
    expectedCode: codeOfFileName(path),
    warnings,
  };
}

/** The nearest folder above the file named like a date (2025-11-15), up to code-pages/. */
function dateFolderOf(path: string): string | null {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const name = basename(dir);
    if (/^\d{4}-\d{2}-\d{2}$/.test(name) && isoDate(name)) return name;
    if (name === CODE_PAGES_DIR || dirname(dir) === dir) return null;
  }
}
