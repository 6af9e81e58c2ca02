import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FetchError } from '../../src/extract/fetch/errors.js';
import { HttpClient, type HttpClientOptions } from '../../src/extract/fetch/http-client.js';
import { removeStaleTemps, tempName, writeAll } from '../../src/extract/fetch/temp-files.js';
import { CodePageRefusedError } from './code-page-refused-error.js';
import { type ParsedCodePage, parseCodePage } from './parse-code-page.js';
import {
  CODE_PAGES_DIR,
  type CodePageMeta,
  metaPathFor,
  readSavedPage,
  type SavedPage,
} from './saved-page.js';

/** A code as the fetcher accepts it: five letters and digits (also keeps file names safe). */
export const CODE_PATTERN = /^[0-9A-Z]{5}$/;
export const CODE_PLACEHOLDER = '{code}';

export interface FetchCodePagesOptions {
  codes: readonly string[];
  /** URL template with {code}, e.g. https://case2code.codingahead.com/cpt/codes/{code}. */
  baseUrl: string;
  rawDir: string;
  /** Folder date (YYYY-MM-DD); default today (UTC). */
  date?: string;
  /** Fetch again a page already saved under that date (default: parse the saved one). */
  force?: boolean;
  /** Client settings beyond the allowlist (tests shorten timeouts and the request interval). */
  http?: Omit<HttpClientOptions, 'allowedHosts' | 'allowInsecureHttp'>;
  log?: (line: string) => void;
  now?: () => Date;
}

export type FetchedCodePage =
  | {
      code: string;
      url: string;
      status: 'saved' | 'already-saved';
      saved: SavedPage;
      parsed: ParsedCodePage;
    }
  | { code: string; url: string; status: 'refused'; error: CodePageRefusedError }
  | { code: string; url: string; status: 'failed'; error: FetchError }
  | { code: string; url: string; status: 'skipped'; reason: string };

/** The page URL of a code: the template with {code} replaced. */
export function codePageUrl(template: string, code: string): string {
  return template.split(CODE_PLACEHOLDER).join(encodeURIComponent(code));
}

/** Why a base URL template cannot be used, or null. */
export function baseUrlProblem(template: string): string | null {
  if (!template.includes(CODE_PLACEHOLDER)) {
    return `--base-url ${template}: the template must contain ${CODE_PLACEHOLDER}, e.g. https://example.com/cpt/${CODE_PLACEHOLDER}`;
  }
  let url: URL;
  try {
    url = new URL(codePageUrl(template, '00000'));
  } catch {
    return `--base-url ${template}: not an absolute URL`;
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    return `--base-url ${template}: https only (plain http is allowed for 127.0.0.1 and localhost)`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `--base-url ${template}: scheme ${url.protocol} is not allowed`;
  }
  return null;
}

function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/**
 * An HttpClient whose allowlist is the base URL's host (and port): code pages are fetched from
 * that host only, redirects included. Plain http only for a loopback host (tests).
 */
export function codePageClient(
  baseUrl: string,
  options: FetchCodePagesOptions['http'] = {},
): HttpClient {
  const problem = baseUrlProblem(baseUrl);
  if (problem) throw new Error(problem);
  const url = new URL(codePageUrl(baseUrl, '00000'));
  return new HttpClient({
    ...options,
    allowedHosts: [url.host],
    allowInsecureHttp: url.protocol === 'http:' && isLoopback(url.hostname),
  });
}

/**
 * Fetches the code page of each code from the base URL, refuses what is not a code page (saving
 * nothing), and saves the others atomically (temporary file, then rename) under
 * raw/code-pages/<date>/<code>.html with <code>.meta.json beside. After a view-quota page the
 * remaining codes are skipped: the site would only show the banner again.
 */
export async function fetchCodePages(options: FetchCodePagesOptions): Promise<FetchedCodePage[]> {
  const log = options.log ?? (() => {});
  const codes = options.codes.map((c) => c.trim().toUpperCase());
  const bad = codes.filter((c) => !CODE_PATTERN.test(c));
  if (bad.length > 0)
    throw new Error(`not HCPCS/CPT codes (5 letters or digits): ${bad.join(', ')}`);
  const now = options.now ?? (() => new Date());
  const date = options.date ?? now().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`date ${date}: expected YYYY-MM-DD`);
  const client = codePageClient(options.baseUrl, { ...options.http, log });
  const dir = join(options.rawDir, CODE_PAGES_DIR, date);

  const results: FetchedCodePage[] = [];
  let quota: string | null = null;
  for (const code of codes) {
    const url = codePageUrl(options.baseUrl, code);
    if (quota) {
      results.push({
        code,
        url,
        status: 'skipped',
        reason: `not fetched after a view-quota page (${quota})`,
      });
      continue;
    }
    const path = join(dir, `${code}.html`);
    if (!options.force) {
      const existing = await readSavedPage(path, options.rawDir).catch(() => null);
      if (existing) {
        log(`${code}: ${existing.file} already saved on ${date}; not fetched again (--force to)`);
        try {
          const parsed = parseCodePage(existing.html, existing.file, { expectedCode: code });
          results.push({ code, url, status: 'already-saved', saved: existing, parsed });
        } catch (error) {
          if (!(error instanceof CodePageRefusedError)) throw error;
          results.push({ code, url, status: 'refused', error });
        }
        continue;
      }
    }
    let page: Awaited<ReturnType<HttpClient['getText']>>;
    try {
      page = await client.getText(url);
    } catch (error) {
      if (!(error instanceof FetchError)) throw error;
      log(`${code}: ${error.message}`);
      results.push({ code, url, status: 'failed', error });
      continue;
    }
    let parsed: ParsedCodePage;
    try {
      parsed = parseCodePage(page.text, page.finalUrl, { expectedCode: code });
    } catch (error) {
      if (!(error instanceof CodePageRefusedError)) throw error;
      log(`${code}: ${error.message}; nothing saved`);
      results.push({ code, url, status: 'refused', error });
      if (error.rule === 'view-quota') quota = error.detail;
      continue;
    }
    await mkdir(dir, { recursive: true });
    await removeStaleTemps(dir);
    const meta: CodePageMeta = {
      url,
      final_url: page.finalUrl,
      fetched_at: now().toISOString(),
      content_type: page.contentType,
      sha256: createHash('sha256').update(page.text, 'utf8').digest('hex'),
    };
    await writeAtomically(metaPathFor(path), `${JSON.stringify(meta, null, 2)}\n`, code);
    await writeAtomically(path, page.text, code);
    const saved = await readSavedPage(path, options.rawDir);
    log(`${code}: saved ${saved.file}`);
    results.push({ code, url, status: 'saved', saved, parsed: { ...parsed, page: saved.file } });
  }
  return results;
}

/** Writes a temporary file beside the target, syncs it, then renames it over the target. */
async function writeAtomically(path: string, text: string, code: string): Promise<void> {
  const dir = join(path, '..');
  const temp = join(dir, tempName(code, 'download'));
  try {
    const file = await open(temp, 'wx');
    try {
      await writeAll(file, Buffer.from(text, 'utf8'));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
