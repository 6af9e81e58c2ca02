import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { runSqlFiles } from '../../src/db/run-sql-files.js';
import { identifier, literal } from '../../src/db/sql.js';
import { PIPELINES_DIR } from '../../src/paths.js';
import { CodePageRefusedError } from './code-page-refused-error.js';
import { CodeTables, type DecodedCodePage, decodeCodePage } from './decode-code-page.js';
import { parseCodePage } from './parse-code-page.js';
import { reconciliationSql } from './reconcile.js';
import { CODE_PAGES_DIR, listPageFiles, readSavedPage, type SavedPage } from './saved-page.js';

/** The source's tables, one SQL file each (created empty when there are no pages). */
export const CODE_PAGE_MODELS = [
  'code_page.sql',
  'code_page_history.sql',
  'code_page_refused.sql',
  'reconciliation.sql',
];

const MODELS_DIR = join(PIPELINES_DIR, 'code-pages', 'models');

type Cell = string | number | null;

/**
 * Loads raw/code-pages/**\/*.html into code_page, code_page_history and code_page_refused, and
 * fills reconciliation against code_card. Creates the (empty) tables when there are no pages.
 * Runs after the marts: it reads indicator_code, indicator_system and code_card.
 */
export async function loadCodePages(
  connection: DuckDBConnection,
  rawDir: string,
  log: (line: string) => void,
): Promise<void> {
  await runSqlFiles(connection, MODELS_DIR, CODE_PAGE_MODELS);
  const files = await listPageFiles(join(rawDir, CODE_PAGES_DIR));
  if (files.length === 0) {
    log(`code pages: none under ${join(rawDir, CODE_PAGES_DIR)}`);
    return;
  }
  const tables = await CodeTables.read(connection);
  const pages: { saved: SavedPage; decoded: DecodedCodePage }[] = [];
  const refused: Cell[][] = [];
  for (const path of files) {
    const saved = await readSavedPage(path, rawDir);
    for (const warning of saved.warnings) log(`code pages: ${warning}`);
    try {
      const parsed = parseCodePage(saved.html, saved.file, { expectedCode: saved.expectedCode });
      for (const warning of parsed.warnings) log(`code pages: ${saved.file}: ${warning}`);
      pages.push({ saved, decoded: decodeCodePage(parsed, tables, saved.pageDate) });
    } catch (error) {
      if (!(error instanceof CodePageRefusedError)) throw error;
      log(`code pages: ${error.message}`);
      refused.push([saved.file, saved.url, error.rule, error.detail]);
    }
  }

  const fieldRows: Cell[][] = [];
  const historyRows: Cell[][] = [];
  for (const { saved, decoded } of pages) {
    const url = saved.url ?? decoded.canonicalUrl;
    for (const f of decoded.fields) {
      fieldRows.push([
        saved.file,
        url,
        hostOf(url),
        saved.meta?.fetched_at ?? null,
        saved.pageDate,
        decoded.hcpcs,
        f.position,
        f.key,
        f.label,
        f.value,
        f.valueLabel,
        f.code,
        f.system,
        f.cmsLabel,
        f.status,
        f.note,
        decoded.copyright,
      ]);
    }
    for (const h of decoded.history) {
      historyRows.push([
        saved.file,
        url,
        decoded.hcpcs,
        h.position,
        h.date,
        h.dateText,
        h.action,
        h.notes,
      ]);
    }
  }
  await insertRows(connection, 'code_page', fieldRows);
  await insertRows(connection, 'code_page_history', historyRows);
  await insertRows(connection, 'code_page_refused', refused);

  if (await relationExists(connection, 'code_card')) {
    await reconcile(
      connection,
      pages.map((p) => ({ hcpcs: p.decoded.hcpcs, pageDate: p.saved.pageDate })),
    );
  } else {
    log('code pages: code_card does not exist; reconciliation left empty');
  }
  const unmatched = pages
    .flatMap((p) => p.decoded.fields)
    .filter((f) => f.status === 'unmatched' || f.status === 'ambiguous').length;
  const disagreements = await connection.runAndReadAll('SELECT count(*) FROM reconciliation');
  log(
    `code pages: ${pages.length} page(s) loaded, ${refused.length} refused; ${fieldRows.length} field(s), ${unmatched} not decoded; ${Number(disagreements.getRows()[0]?.[0] ?? 0)} disagreement(s) with the CMS files`,
  );
}

function hostOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}

/**
 * Codes per read of their cards. Every date's cards of a thousand codes are a few tens of
 * thousands of rows, and each source's rows of those codes over ten years; more codes are read
 * a thousand at a time, within the run's memory limit.
 */
const CARD_CHUNK = 1000;

/**
 * Fills reconciliation from the cards of the pages' codes on every date (code_card_of, the
 * codes bound, never spliced), copied once into a temporary table; the reconciliation picks each
 * page's card: the newest on or before the page's date that lists the code, else the code's
 * newest. One read for every date: a date at a time cost about 0.3 s a date over ten years of
 * releases whatever the codes, ten seconds for pages saved every quarter.
 */
async function reconcile(
  connection: DuckDBConnection,
  pages: readonly { hcpcs: string; pageDate: string }[],
): Promise<void> {
  const cards = 'temp.main.code_page_card';
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE code_page_card AS SELECT * FROM code_card WHERE false`,
  );
  try {
    const codes = [...new Set(pages.map((p) => p.hcpcs))].sort();
    for (let i = 0; i < codes.length; i += CARD_CHUNK) {
      const chunk = codes.slice(i, i + CARD_CHUNK);
      const insert = await connection.prepare(
        `INSERT INTO ${cards} SELECT * FROM code_card_of([${chunk
          .map((_, n) => `$${n + 1}`)
          .join(', ')}]) WHERE modifier IS NULL`,
      );
      insert.bind(chunk);
      await insert.run();
    }
    await connection.run(reconciliationSql(cards));
  } finally {
    await connection.run(`DROP TABLE IF EXISTS ${cards}`);
  }
}

/** Whether a table or view exists (code_card is a view). */
async function relationExists(connection: DuckDBConnection, name: string): Promise<boolean> {
  const prepared = await connection.prepare(`
    SELECT count(*) FROM (
      SELECT table_name AS name, schema_name, database_name FROM duckdb_tables()
      UNION ALL SELECT view_name, schema_name, database_name FROM duckdb_views()
    ) WHERE name = $1 AND schema_name = 'main' AND database_name = current_database()`);
  prepared.bind([name]);
  const reader = await prepared.runAndReadAll();
  return Number(reader.getRows()[0]?.[0] ?? 0) > 0;
}

/**
 * Appends rows (values in the table's column order) through a text staging table, so values
 * from the pages never travel inside SQL; DuckDB casts them to the table's types on insert.
 */
async function insertRows(
  connection: DuckDBConnection,
  table: string,
  rows: readonly Cell[][],
): Promise<void> {
  if (rows.length === 0) return;
  const reader = await connection.runAndReadAll(
    `SELECT column_name FROM duckdb_columns() WHERE table_name = ${literal(table)} AND schema_name = 'main' AND database_name = current_database() ORDER BY column_index`,
  );
  const columns = reader.getRows().map(([name]) => identifier(String(name)));
  const staging = identifier(`stg_${table}`);
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE ${staging} (${columns.map((c) => `${c} VARCHAR`).join(', ')})`,
  );
  try {
    const appender = await connection.createAppender(`stg_${table}`, 'main', 'temp');
    for (const row of rows) {
      if (row.length !== columns.length) {
        throw new Error(`${table}: ${row.length} values for ${columns.length} columns`);
      }
      for (const value of row) {
        if (value === null) appender.appendNull();
        else appender.appendVarchar(String(value));
      }
      appender.endRow();
    }
    appender.flushSync();
    appender.closeSync();
    await connection.run(`INSERT INTO ${identifier(table)} SELECT * FROM temp.main.${staging}`);
  } finally {
    await connection.run(`DROP TABLE IF EXISTS temp.main.${staging}`);
  }
}
