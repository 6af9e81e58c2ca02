import { createRequire } from 'node:module';
import type { CheerioAPI } from 'cheerio';

const require = createRequire(import.meta.url);

/**
 * cheerio's load(), with cheerio required on the first page parsed rather than imported by every
 * command at start-up: with undici, parse5 and iconv-lite it was more than half of the CLI's
 * bundled code, and `fse lookup` parses no page (docs/performance.md).
 */
export function loadHtml(html: string): CheerioAPI {
  return (require('cheerio') as typeof import('cheerio')).load(html);
}
