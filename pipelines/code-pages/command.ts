import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Catalog } from '../../src/catalog.js';
import { EXIT, UsageError } from '../../src/commands/errors.js';
import { writeJson } from '../../src/commands/json-output.js';
import { checkDate, defaultOutDir, defaultRawDir } from '../../src/commands/options.js';
import { DATABASE_FILE_NAME } from '../../src/paths.js';
import { terminalText } from '../../src/terminal-text.js';
import { CodePageRefusedError } from './code-page-refused-error.js';
import { codeTablesFor } from './code-tables-for-decoding.js';
import { type CodeTables, type DecodedCodePage, decodeCodePage } from './decode-code-page.js';
import {
  baseUrlProblem,
  CODE_PATTERN,
  type FetchedCodePage,
  fetchCodePages,
} from './fetch-code-pages.js';
import { parseCodePage } from './parse-code-page.js';
import { CODE_PAGES_DIR, listPageFiles, readSavedPage } from './saved-page.js';

interface ParseOptions {
  raw: string;
  out: string;
  date?: string;
  json?: boolean;
}

interface FetchOptions extends ParseOptions {
  baseUrl: string;
  force?: boolean;
  intervalMs: string;
}

interface Refusal {
  page: string;
  rule: string;
  detail: string;
}

export function registerCodePages(program: Command, catalog: Catalog): void {
  const group = program
    .command('code-pages')
    .description('third-party code pages: parse saved pages, fetch pages for codes');

  group
    .command('parse')
    .description(
      'parse saved code pages (HTML) and print each decoded record; pages that are not code pages are refused with the rule',
    )
    .argument('[paths...]', `HTML files or folders (default: <raw>/${CODE_PAGES_DIR}/)`)
    .option('--raw <dir>', 'raw folder (default location of the pages)', defaultRawDir())
    .option(
      '--out <dir>',
      'output folder whose fee_schedule.duckdb holds the code tables (else code-tables/ is read)',
      defaultOutDir(),
    )
    .option(
      '--date <date>',
      'decode as of this day (default: the page folder date, else the file date)',
    )
    .option('--json', 'print JSON for programs')
    .action(async (paths: string[], options: ParseOptions) => {
      checkDate('--date', options.date);
      const targets = paths.length > 0 ? paths : [join(options.raw, CODE_PAGES_DIR)];
      const files: string[] = [];
      for (const target of targets) {
        if (!existsSync(target)) throw new UsageError(`${target}: no such file or folder`);
        files.push(...(statSync(target).isDirectory() ? await listPageFiles(target) : [target]));
      }
      if (files.length === 0) {
        process.stderr.write(`no .html pages under ${targets.join(', ')}\n`);
        process.exitCode = EXIT.blocked;
        return;
      }
      const tables = await readTables(options.out, catalog);
      const pages: DecodedCodePage[] = [];
      const refused: Refusal[] = [];
      for (const path of files) {
        const saved = await readSavedPage(path, resolve(options.raw));
        try {
          const parsed = parseCodePage(saved.html, saved.file, {
            expectedCode: saved.expectedCode,
          });
          pages.push(decodeCodePage(parsed, tables, options.date ?? saved.pageDate));
        } catch (error) {
          if (!(error instanceof CodePageRefusedError)) throw error;
          refused.push(refusalOf(error));
        }
      }
      print(options.json, { pages, refused }, pages.map(formatPage), refused);
      if (refused.length > 0) process.exitCode = EXIT.blocked;
    });

  group
    .command('fetch')
    .description(
      `fetch the code page of each code from a base URL into <raw>/${CODE_PAGES_DIR}/<date>/<code>.html, then parse it; only the base URL's host is contacted`,
    )
    .argument('<codes...>', 'HCPCS/CPT codes, e.g. 38211 G0105')
    .requiredOption(
      '--base-url <url>',
      'page URL template with {code}, e.g. https://example.com/cpt/{code}',
    )
    .option('--raw <dir>', 'raw folder to save the pages under', defaultRawDir())
    .option(
      '--out <dir>',
      'output folder whose fee_schedule.duckdb holds the code tables (else code-tables/ is read)',
      defaultOutDir(),
    )
    .option('--date <date>', 'folder date YYYY-MM-DD (default: today, UTC)')
    .option('--force', 'fetch again a page already saved under that date')
    .option('--interval-ms <ms>', 'least time between two requests to the host', '1000')
    .option('--json', 'print JSON for programs')
    .action(async (codes: string[], options: FetchOptions) => {
      checkDate('--date', options.date);
      const problem = baseUrlProblem(options.baseUrl);
      if (problem) throw new UsageError(problem);
      const bad = codes.filter((c) => !CODE_PATTERN.test(c.trim().toUpperCase()));
      if (bad.length > 0) {
        throw new UsageError(`not HCPCS/CPT codes (5 letters or digits): ${bad.join(', ')}`);
      }
      const interval = Number(options.intervalMs);
      if (!Number.isInteger(interval) || interval < 0) {
        throw new UsageError(`--interval-ms ${options.intervalMs}: expected a whole number >= 0`);
      }
      const results = await fetchCodePages({
        codes,
        baseUrl: options.baseUrl,
        rawDir: options.raw,
        ...(options.date ? { date: options.date } : {}),
        ...(options.force ? { force: true } : {}),
        http: { minRequestIntervalMs: interval },
        log: (line) => process.stderr.write(`${line}\n`),
      });
      const tables = results.some((r) => r.status === 'saved' || r.status === 'already-saved')
        ? await readTables(options.out, catalog)
        : null;
      const report = results.map((r) => reportOf(r, tables));
      const refused = results.flatMap((r) => (r.status === 'refused' ? [refusalOf(r.error)] : []));
      const text = report.map((r) =>
        r.page
          ? `${r.code}: ${r.status} ${r.page.page}\n${formatPage(r.page)}`
          : `${r.code}: ${r.status}: ${r.reason}`,
      );
      print(options.json, { results: report }, text, []);
      const failed = results.filter((r) => r.status === 'failed');
      if (failed.some((r) => ['timeout', 'network', 'http'].includes(r.error.kind))) {
        process.exitCode = EXIT.sourceUnavailable;
      } else if (failed.length > 0 || refused.length > 0) {
        process.exitCode = EXIT.blocked;
      }
    });
}

async function readTables(outDir: string, catalog: Catalog): Promise<CodeTables> {
  const { tables } = await codeTablesFor(
    join(resolve(outDir), DATABASE_FILE_NAME),
    catalog.pipelines,
  );
  return tables;
}

function refusalOf(error: CodePageRefusedError): Refusal {
  return { page: error.page, rule: error.rule, detail: error.detail };
}

interface FetchReport {
  code: string;
  url: string;
  status: FetchedCodePage['status'];
  page: DecodedCodePage | null;
  reason: string | null;
}

function reportOf(result: FetchedCodePage, tables: CodeTables | null): FetchReport {
  const base = { code: result.code, url: result.url, status: result.status };
  switch (result.status) {
    case 'saved':
    case 'already-saved':
      if (!tables) throw new Error('code tables not read');
      return {
        ...base,
        page: decodeCodePage(result.parsed, tables, result.saved.pageDate),
        reason: null,
      };
    case 'refused':
      return { ...base, page: null, reason: result.error.message };
    case 'failed':
      return { ...base, page: null, reason: result.error.message };
    case 'skipped':
      return { ...base, page: null, reason: result.reason };
  }
}

function print(
  json: boolean | undefined,
  value: unknown,
  text: string[],
  refused: Refusal[],
): void {
  if (json) {
    writeJson(value);
  } else if (text.length > 0) {
    process.stdout.write(terminalText(`${text.join('\n\n')}\n`));
  }
  for (const r of refused) {
    process.stderr.write(
      terminalText(`${r.page}: refused, not a code page (${r.rule}): ${r.detail}\n`),
    );
  }
}

function formatPage(page: DecodedCodePage): string {
  const width = Math.max(...page.fields.map((f) => f.label.length), 10);
  const lines = [
    `${page.hcpcs}  ${page.page}`,
    `as of ${page.pageDate}${page.canonicalUrl ? `; ${page.canonicalUrl}` : ''}`,
    '',
    ...page.fields.map((f) => {
      const decoded = f.code === null ? `(${f.status})` : `${f.code.padEnd(4)} (${f.status})`;
      const shown = f.status === 'text' ? f.value : `${decoded.padEnd(18)} ${f.value}`;
      return `  ${f.label.padEnd(width)}  ${shown}${f.note ? `\n  ${''.padEnd(width)}  note: ${f.note}` : ''}`;
    }),
  ];
  if (page.history.length > 0) {
    lines.push('', '  history');
    for (const h of page.history) {
      lines.push(`    ${h.dateText}  ${h.action}${h.notes ? `  ${h.notes}` : ''}`);
    }
  }
  for (const warning of page.warnings) lines.push(`  warning: ${warning}`);
  if (page.copyright) lines.push('', page.copyright);
  return lines.join('\n');
}
