/**
 * The mix's code pages: each quarter a folder raw/code-pages/<YYYY-MM-01>/ of saved pages, as
 * pipelines/code-pages/saved-page.ts reads them. The only page in raw/ is 38211's
 * (raw/code-pages/2025-11-01/38211.html); a page for another code is that page with the code
 * replaced, so its other fields disagree with CMS's as a third-party page may (reconciliation
 * reports them). Codes are drawn from the real PFS file.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';
import { readRealRelease } from '../generate-releases.js';
import { createRng } from '../prng.js';
import { quarter } from './calendar.js';
import { type MixFile, type MixRelease, writeMixFile } from './files.js';
import type { MixOptions } from './options.js';

const REAL_PAGE = join(PROJECT_ROOT, 'raw', 'code-pages', '2025-11-01', '38211.html');
const PAGE_CODE = '38211';

export async function writeCodePageReleases(
  options: MixOptions,
  pagesPerQuarter: number,
): Promise<MixRelease[]> {
  const page = await readFile(REAL_PAGE, 'utf8');
  const codes = [...new Set((await readRealRelease()).rows.map((r) => r.hcpcs))]
    .filter((c) => /^\d{4}[0-9A-Z]$/.test(c))
    .sort();
  const written: MixRelease[] = [];
  for (let index = options.from; index < options.quarters; index++) {
    const rng = createRng(`${options.seed}/code-pages/${index}`);
    const picked = [
      PAGE_CODE,
      ...rng.sample(codes.length, pagesPerQuarter - 1).map((i) => codes[i] as string),
    ];
    const day = quarter(index).firstDay;
    const files: MixFile[] = [];
    for (const code of [...new Set(picked)].sort()) {
      const bytes = Buffer.from(page.replaceAll(PAGE_CODE, code), 'utf8');
      files.push(
        await writeMixFile(options.rawDir, 'code-pages', day, `${code}.html`, bytes, {
          rows: 1,
          format: 'html',
          group: 'code-pages',
          skip: 0,
          fields: 1,
        }),
      );
    }
    written.push({ folderSource: 'code-pages', id: day, quarter: index, files });
  }
  return written;
}
