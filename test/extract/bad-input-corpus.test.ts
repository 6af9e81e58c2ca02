/**
 * The bad-input corpus (issue "Reliability"): every reader is fed the ways a published file goes
 * wrong, one small release per case built from the real files in raw/, refreshed into an out dir
 * that already holds a published good run. Each case must either
 *   - block: an error naming the file, the line (null where no line applies) and the rule, and
 *     the out dir byte-identical to before (hashTree), or
 *   - publish (a problem below the pipeline's reject threshold, or input that is fine): a
 *     complete new run, each rejected line in rejected_row (file, line, rule, raw_text) and the
 *     warning check failing,
 * within a timeout. A case that shows a bug in src/ is marked it.fails with the bug named.
 * Part of `make test`: its summary line ends the run (test/global-setup.ts prints it);
 * CORPUS_TABLE=1 prints how each case was handled.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import readXlsxFile from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { betosPipeline } from '../../pipelines/betos/pipeline.js';
import { ccsPipeline } from '../../pipelines/ccs/pipeline.js';
import { hcpcsPipeline } from '../../pipelines/hcpcs/pipeline.js';
import { muePipeline } from '../../pipelines/mue/pipeline.js';
import { oppsAddendumBPipeline } from '../../pipelines/opps-addendum-b/pipeline.js';
import { pfsGpciPipeline } from '../../pipelines/pfs-gpci/pipeline.js';
import { pfsRvuPipeline } from '../../pipelines/pfs-rvu/pipeline.js';
import { rawFolderOf } from '../../src/extract/raw-releases.js';
import type { PipelineDefinition } from '../../src/pipeline-definition.js';
import { RAW_TEXT_MAX_CHARS } from '../../src/reject-rules.js';
import { blameMatches, blamesOf, describeBlames, type ExpectedBlame } from '../helpers/blame.js';
import { openOutDatabase, rowsJson, scalar } from '../helpers/duckdb.js';
import {
  CSV_KEY,
  CSV_NAME,
  hashTree,
  makeTempDir,
  REPO_RAW_DIR,
  removeTempDirs,
  TXT_KEY,
  TXT_NAME,
} from '../helpers/raw.js';
import { type RefreshSummary, refresh } from '../helpers/refresh.js';
import { buildXlsx, type XlsxCell, xlsxParts, zipParts } from '../helpers/xlsx.js';

/**
 * A refresh that takes longer than this is a hang. A case takes 1-4 s on an idle machine and up
 * to ~20 s when other suites load it; the limit leaves room for that.
 */
const HANG_MS = 120_000;
/** Room for the hang limit, a wait for a refresh slot and the checks after the run. */
const TEST_TIMEOUT_MS = HANG_MS + 90_000;
const DATA_LINES = 300;
const TEN_MB = 10 * 1024 * 1024;

type SourceKey = 'pfs-rvu' | 'pfs-gpci' | 'hcpcs' | 'opps-addendum-b' | 'mue' | 'ccs' | 'betos';

const PIPELINE: Record<SourceKey, PipelineDefinition> = {
  'pfs-rvu': pfsRvuPipeline,
  'pfs-gpci': pfsGpciPipeline,
  hcpcs: hcpcsPipeline,
  'opps-addendum-b': oppsAddendumBPipeline,
  mue: muePipeline,
  ccs: ccsPipeline,
  betos: betosPipeline,
};
const RELEASE_FOLDER: Record<SourceKey, string> = {
  'pfs-rvu': 'RVU25D',
  'pfs-gpci': 'RVU25D',
  hcpcs: 'HCPC2019',
  'opps-addendum-b': '2023-01',
  mue: '2025-10',
  ccs: '2016',
  betos: '2014',
};

/** The GPCI file of the RVU package: title, blank line, header (line 3), 109 localities (4-112). */
const GPCI_CSV = 'GPCI2025.csv';
const GPCI_KEY = `pfs-rvu/RVU25D/${GPCI_CSV}`;
const HCPCS_TXT = 'HCPC2019_CONTR_ANWEB.txt';
const HCPCS_XLSX = 'HCPC2019_CONTR_ANWEB.xlsx';
const HCPCS_TXT_KEY = `hcpcs/HCPC2019/${HCPCS_TXT}`;
const HCPCS_XLSX_KEY = `hcpcs/HCPC2019/${HCPCS_XLSX}`;
const OPPS_XLSX = '2023_January_Web_Addendum_B.12212022.xlsx';
const OPPS_CSV = '2023_January_Web_Addendum_B.12212022.csv';
const OPPS_XLSX_KEY = `opps-addendum-b/2023-01/${OPPS_XLSX}`;
const OPPS_CSV_KEY = `opps-addendum-b/2023-01/${OPPS_CSV}`;
const MUE_DIR = new URL('../fixtures/mue/2025-10/', import.meta.url);
const MUE_PRACTITIONER = 'MCR_MUE_PractitionerServices_Eff_10-01-2025.csv';
const MUE_PARTS = [
  'MCR_MUE_DMESupplierServices_Eff_10-01-2025.csv',
  'MCR_MUE_OutpatientHospitalServices_Eff_10-01-2025.csv',
  MUE_PRACTITIONER,
];
const MUE_KEY = `mue/2025-10/${MUE_PRACTITIONER}`;
const CCS_CSV = '2016_ccs_services_procedures.csv';
const CCS_KEY = `ccs/2016/${CCS_CSV}`;
const HCPCS_2020_TXT = 'HCPC2020_ANWEB_w_disclaimer.txt';
const HCPCS_2020_KEY = `hcpcs/HCPC2020/${HCPCS_2020_TXT}`;
const BETOS_TXT = 'betpuf14.txt';
const BETOS_KEY = `betos/2014/${BETOS_TXT}`;

const HTML_PAGE =
  '<!DOCTYPE html>\r\n<html><head><title>503 Service Unavailable</title></head>\r\n' +
  '<body><h1>Service Unavailable</h1><p>The server is temporarily unable to service your request.</p></body></html>\r\n';

/** The small good releases every case starts from, built once from the real files in raw/. */
interface Corpus {
  /** PPRRVU CSV: the 10 header lines and 300 data lines (lines 11-310), CRLF. */
  pfsCsv: Buffer;
  /** PPRRVU TXT: the 7 HDR lines and the same 300 records (lines 8-307). */
  pfsTxt: Buffer;
  /** GPCI2025.csv whole (109 localities, then a note and two footnotes), CRLF. */
  gpciCsv: Buffer;
  /** HCPCS fixed-width, Latin-1: the 8 preamble lines and ~300 records from line 9, whole codes. */
  hcpcsTxt: Buffer;
  /** The rows of the HCPCS workbook for the codes of hcpcsTxt: preamble, header (row 8), data. */
  hcpcsXlsxRows: string[][];
  /** OPPS Addendum B rows: 3 title rows, the header (row 4) and 300 data rows (rows 5-304). */
  oppsRows: string[][];
  /** The three MUE fixture parts (test/fixtures/mue). */
  mue: Map<string, Buffer>;
  /** CCS: the header and 300 data lines (lines 2-301), LF. */
  ccs: Buffer;
  /** HCPCS 2020 (cp1252): the 9 preamble lines and ~300 records from line 10, whole codes, CRLF. */
  hcpcs2020Txt: Buffer;
  /** BETOS 2014: its first 300 records (8, 9 or 17 characters: trailing blanks stripped), LF. */
  betos: Buffer;
}

type Files = Record<string, Buffer>;

type Expectation =
  | { blocks: ExpectedBlame }
  | {
      publishes: {
        /** The lines rejected (below the threshold); none when the input must load cleanly. */
        rejects: { file: string; line: number; rule: string | RegExp; rawText?: string | RegExp }[];
        /** Further checks on the published database. */
        verify?: (connection: DuckDBConnection) => Promise<void>;
      };
    };

/** The query of loadsCleanly() counting pfs_rvu's rows, as { n }. */
const COUNT_PFS_RVU = 'SELECT count(*)::INTEGER AS n FROM pfs_rvu';

/**
 * A case that must publish with no line rejected, and what queries of the published database
 * give then: each SQL with its rows (as rowsJson gives them).
 */
function loadsCleanly(answers: Record<string, unknown[]>): Expectation {
  return {
    publishes: {
      rejects: [],
      verify: async (db) => {
        for (const [sql, rows] of Object.entries(answers)) {
          expect(await rowsJson(db, sql), sql).toEqual(rows);
        }
      },
    },
  };
}

interface CorpusCase {
  name: string;
  source: SourceKey;
  /** The release folder the files go in (default: the source's in RELEASE_FOLDER). */
  folder?: string;
  files: (corpus: Corpus) => Files | Promise<Files>;
  /** The raw folder's name (default raw): a path with glob characters. */
  rawFolder?: string;
  /** Run on the release folder once its files are written (a FIFO, a link to a device). */
  prepare?: (releaseDir: string) => Promise<void>;
  expect: Expectation;
  /**
   * A bug in src/ this case shows: the named tests are it.fails (the suite stays green and
   * starts failing, as a reminder, once the bug is fixed). 'outcome': block/publish and the out
   * dir; 'report': the file, line and rule named, or the rejected rows recorded.
   */
  bug?: { fails: ('outcome' | 'report')[]; note: string };
}

// ---------------------------------------------------------------------------------------------
// Editing helpers: files are handled as Latin-1 strings so every byte round-trips.

function linesOf(bytes: Buffer): string[] {
  return bytes.toString('latin1').match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function bytesOf(lines: readonly string[]): Buffer {
  return Buffer.from(lines.join(''), 'latin1');
}

/** A copy of the file with its lines edited (index 0 is line 1). */
function editLines(bytes: Buffer, edit: (lines: string[]) => void): Buffer {
  const lines = linesOf(bytes);
  edit(lines);
  return bytesOf(lines);
}

function lineAt(lines: readonly string[], line: number): string {
  const text = lines[line - 1];
  if (text === undefined) throw new Error(`no line ${line}`);
  return text;
}

function ending(line: string): string {
  return /\r?\n$/.exec(line)?.[0] ?? '';
}

function body(line: string): string {
  return line.slice(0, line.length - ending(line).length);
}

/** Splits one CSV line into fields, quotes kept (enough for the edits below). */
function csvFields(line: string): string[] {
  return (
    body(line)
      .match(/("([^"]|"")*"|[^,]*)(,|$)/g)
      ?.map((f) => f.replace(/,$/, '')) ?? []
  );
}

/** Replaces field `index` of CSV line `line`. */
function setCsvField(bytes: Buffer, line: number, index: number, value: string): Buffer {
  return editLines(bytes, (lines) => {
    const text = lineAt(lines, line);
    const fields = csvFields(text);
    expect(fields.length).toBeGreaterThan(index);
    fields[index] = value;
    lines[line - 1] = `${fields.slice(0, -1).join(',')},${fields.at(-1)}${ending(text)}`;
  });
}

/** Replaces the characters of a fixed-width line at 1-based positions from..from+value.length-1. */
function setPositions(bytes: Buffer, line: number, from: number, value: string): Buffer {
  return editLines(bytes, (lines) => {
    const text = lineAt(lines, line);
    lines[line - 1] =
      text.slice(0, from - 1) + value + text.slice(from - 1 + value.length, text.length);
  });
}

/** The file cut inside its last line: the line's end and its line ending are gone. */
function cutLastLine(bytes: Buffer, keep: (last: string) => number): Buffer {
  return editLines(bytes, (lines) => {
    const last = body(lines.at(-1) as string);
    lines[lines.length - 1] = last.slice(0, keep(last));
  });
}

/** Only the first `count` lines. */
function firstLines(bytes: Buffer, count: number): Buffer {
  return bytesOf(linesOf(bytes).slice(0, count));
}

/** Line endings turned into LF on every other line (CRLF stays on the rest), or the reverse. */
function mixEndings(bytes: Buffer, from: number): Buffer {
  return editLines(bytes, (lines) => {
    for (let i = from - 1; i < lines.length; i += 2) {
      const text = lines[i] as string;
      lines[i] = text.endsWith('\r\n') ? `${body(text)}\n` : `${body(text)}\r\n`;
    }
  });
}

function csvText(rows: readonly (readonly string[])[]): Buffer {
  const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
  const text = rows.map((row) => `${row.map(quote).join(',')}\r\n`).join('');
  // Latin-1 as declared; characters beyond it (a curly quote in the preamble) become '?'.
  const latin1 = Array.from(text, (ch) => ((ch.codePointAt(0) ?? 0) > 0xff ? '?' : ch)).join('');
  return Buffer.from(latin1, 'latin1');
}

function copyRows(rows: readonly (readonly string[])[]): XlsxCell[][] {
  return rows.map((row) => [...row]);
}

/** OPPS rows with an edit, as the primary workbook. */
function oppsXlsx(corpus: Corpus, edit?: (rows: XlsxCell[][]) => void): Files {
  const rows = copyRows(corpus.oppsRows);
  edit?.(rows);
  return { [OPPS_XLSX]: buildXlsx(rows, '2023 January Addendum B') };
}

/** OPPS rows as the primary CSV (the "508" CSV CMS adds in later years), with an edit. */
function oppsCsv(corpus: Corpus, edit?: (bytes: Buffer) => Buffer): Files {
  const bytes = csvText(corpus.oppsRows);
  return { [OPPS_CSV]: edit ? edit(bytes) : bytes };
}

/** HCPCS: the fixed-width file and a workbook variant of the same codes, with an edit. */
function hcpcsWithXlsx(corpus: Corpus, edit?: (rows: XlsxCell[][]) => Buffer | undefined): Files {
  const rows = copyRows(corpus.hcpcsXlsxRows);
  const built = edit?.(rows);
  return { [HCPCS_TXT]: corpus.hcpcsTxt, [HCPCS_XLSX]: built ?? buildXlsx(rows, 'A') };
}

/** Digit-only text cells of the given columns (data rows) turned into numeric cells. */
function numbersIn(rows: XlsxCell[][], columns: readonly number[]): undefined {
  for (const row of rows.slice(8)) {
    for (const index of columns) {
      const cell = row[index];
      if (typeof cell === 'string' && /^[0-9]+$/.test(cell)) row[index] = Number(cell);
    }
  }
  return undefined;
}

function mueWith(corpus: Corpus, practitioner: Buffer): Files {
  return { ...Object.fromEntries(corpus.mue), [MUE_PRACTITIONER]: practitioner };
}

function mueCsv(corpus: Corpus): Buffer {
  return corpus.mue.get(MUE_PRACTITIONER) as Buffer;
}

const BIG = 'x'.repeat(TEN_MB);

// Line numbers of the small releases.
const PFS_HEADER_END = 10;
const PFS_LAST = PFS_HEADER_END + DATA_LINES; // 310
const PFS_TXT_LAST = 7 + DATA_LINES; // 307
const OPPS_HEADER_ROW = 4;
const MUE_HEADER_END = 6;
const MUE_LAST = 14;
const CCS_LAST = 1 + DATA_LINES; // 301
const HCPCS_LAST = 8 + DATA_LINES; // 308: line 309 starts the next code
const HCPCS_2020_LAST = 9 + DATA_LINES; // 309: line 310 starts the next code

const REJECTED_WARNING = /^rejected lines \(below the threshold/;
const REJECT_RATE = /^rejected lines at most/;
const INVALID_ENCODING = /^unreadable row: invalid (unicode|encoding)/;
/** The text of a row as a person reads it: printable ASCII and tabs, not zip bytes. */
const READABLE_TEXT = /^[ -~\t]+$/;

/**
 * Sources whose small good release fails to publish because of a known bug in src/: their
 * good-run test is marked it.fails and their cases are skipped. None today (a refresh without
 * pfs-rvu once failed in the run report, which queried pfs_rvu unconditionally).
 */
const GOOD_RUN_BUG: { sources: readonly SourceKey[] } = {
  sources: [],
};

// ---------------------------------------------------------------------------------------------
// The corpus.

const CASES: CorpusCase[] = [
  // PFS GPCI (the RVU package's GPCI2025.csv): every locality counts, so one bad row blocks.
  {
    name: 'pfs-gpci CSV: a locality number missing',
    source: 'pfs-gpci',
    files: (c) => ({ [GPCI_CSV]: setCsvField(c.gpciCsv, 8, 2, '') }),
    expect: { blocks: { file: GPCI_KEY, line: 8, rule: 'required value missing' } },
  },
  {
    name: 'pfs-gpci CSV: a GPCI that is not a number',
    source: 'pfs-gpci',
    files: (c) => ({ [GPCI_CSV]: setCsvField(c.gpciCsv, 20, 5, '0.9l7') }),
    expect: { blocks: { file: GPCI_KEY, line: 20, rule: /^not a decimal/ } },
  },
  {
    name: 'pfs-gpci CSV: a (MAC, locality) listed twice',
    source: 'pfs-gpci',
    files: (c) => ({
      [GPCI_CSV]: editLines(c.gpciCsv, (lines) => {
        lines.splice(30, 0, lineAt(lines, 30));
      }),
    }),
    expect: { blocks: { file: GPCI_KEY, line: 31, rule: /^unique key/ } },
  },
  // PFS RVU, CSV reader (Windows-1252 declared). The empty CSV and the renamed WORK column are in
  // test/pfs-rvu.bad-input.test.ts and not repeated here.
  {
    name: 'pfs-rvu CSV: header only',
    source: 'pfs-rvu',
    files: (c) => ({ [CSV_NAME]: firstLines(c.pfsCsv, PFS_HEADER_END) }),
    expect: { blocks: { file: CSV_KEY, line: 10, rule: 'no records' } }, // the header line
  },
  {
    name: 'pfs-rvu CSV: truncated mid-line',
    source: 'pfs-rvu',
    files: (c) => ({ [CSV_NAME]: cutLastLine(c.pfsCsv, (last) => last.length - 20) }),
    expect: { blocks: { file: CSV_KEY, line: PFS_LAST, rule: 'truncated file' } },
  },
  {
    name: 'pfs-rvu CSV: truncated mid-quote',
    source: 'pfs-rvu',
    files: (c) => {
      const quoted = setCsvField(c.pfsCsv, PFS_LAST, 2, '"Anesth, cut inside this quote"');
      return { [CSV_NAME]: cutLastLine(quoted, (last) => last.indexOf('cut inside') + 4) };
    },
    expect: { blocks: { file: CSV_KEY, line: PFS_LAST, rule: 'truncated file' } },
  },
  {
    name: 'pfs-rvu CSV: ragged row, one field short (below threshold)',
    source: 'pfs-rvu',
    files: (c) => ({
      [CSV_NAME]: editLines(c.pfsCsv, (lines) => {
        const text = lineAt(lines, 100);
        lines[99] = `${body(text).replace(/,[^,]*$/, '')}${ending(text)}`;
      }),
    }),
    expect: {
      publishes: {
        rejects: [{ file: CSV_KEY, line: 100, rule: 'unreadable row: missing columns' }],
      },
    },
  },
  {
    name: 'pfs-rvu CSV: ragged row, one field too many (below threshold)',
    source: 'pfs-rvu',
    files: (c) => ({
      [CSV_NAME]: editLines(c.pfsCsv, (lines) => {
        const text = lineAt(lines, 120);
        lines[119] = `${body(text)},EXTRA${ending(text)}`;
      }),
    }),
    expect: {
      publishes: {
        rejects: [{ file: CSV_KEY, line: 120, rule: 'unreadable row: too many columns' }],
      },
    },
  },
  {
    name: 'pfs-rvu CSV: ragged rows above the reject threshold',
    source: 'pfs-rvu',
    files: (c) => ({
      [CSV_NAME]: editLines(c.pfsCsv, (lines) => {
        for (const line of [50, 60, 70, 80, 90]) {
          const text = lineAt(lines, line);
          lines[line - 1] = `${body(text).replace(/,[^,]*,[^,]*$/, '')}${ending(text)}`;
        }
      }),
    }),
    expect: { blocks: { file: CSV_KEY, line: null, rule: REJECT_RATE } },
  },
  {
    name: 'pfs-rvu CSV: a column missing (PCTC IND removed from header and rows)',
    source: 'pfs-rvu',
    files: (c) => ({
      [CSV_NAME]: editLines(c.pfsCsv, (lines) => {
        for (let i = 0; i < lines.length; i++) {
          const text = lines[i] as string;
          const fields = csvFields(text);
          fields.splice(13, 1);
          lines[i] = `${fields.join(',')}${ending(text)}`;
        }
      }),
    }),
    expect: {
      blocks: { file: CSV_KEY, line: PFS_HEADER_END, rule: 'required column missing' },
    },
  },
  {
    name: 'pfs-rvu CSV: duplicate key (a row repeated)',
    source: 'pfs-rvu',
    files: (c) => ({
      [CSV_NAME]: editLines(c.pfsCsv, (lines) => {
        lines.splice(51, 0, lineAt(lines, 51));
        lines.pop();
      }),
    }),
    expect: { blocks: { file: CSV_KEY, line: 52, rule: /^unique key/ } },
  },
  {
    name: "pfs-rvu CSV: unknown indicator value (PCTC IND 'X')",
    source: 'pfs-rvu',
    files: (c) => ({ [CSV_NAME]: setCsvField(c.pfsCsv, 200, 13, 'X') }),
    expect: { blocks: { file: CSV_KEY, line: 200, rule: 'unknown code' } },
  },
  {
    name: 'pfs-rvu CSV: Windows-1252 bytes 0xA0 and 0xFF in a description keep reading',
    source: 'pfs-rvu',
    files: (c) => ({ [CSV_NAME]: setCsvField(c.pfsCsv, 60, 2, 'Heart\xa0failure \xff') }),
    expect: loadsCleanly({
      'SELECT description FROM pfs_rvu WHERE source_line = 60': [
        { description: 'Heart\u00a0failure \u00ff' },
      ],
    }),
  },
  {
    name: 'pfs-rvu CSV: Windows-1252 text (é as 0xE9, ’ as 0x92) keeps reading',
    source: 'pfs-rvu',
    files: (c) => ({ [CSV_NAME]: setCsvField(c.pfsCsv, 70, 2, 'Anesth\xe9sie\x92s salivary') }),
    expect: loadsCleanly({
      'SELECT description FROM pfs_rvu WHERE source_line = 70': [
        { description: 'Anesth\u00e9sie\u2019s salivary' },
      ],
    }),
  },
  {
    name: 'pfs-rvu CSV: a 10 MB single line',
    source: 'pfs-rvu',
    files: (c) => ({ [CSV_NAME]: setCsvField(c.pfsCsv, 150, 2, BIG) }),
    expect: { publishes: { rejects: [{ file: CSV_KEY, line: 150, rule: /^unreadable row/ }] } },
  },
  {
    name: 'pfs-rvu CSV: CRLF and LF mixed',
    source: 'pfs-rvu',
    files: (c) => ({ [CSV_NAME]: mixEndings(c.pfsCsv, 12) }),
    expect: loadsCleanly({ [COUNT_PFS_RVU]: [{ n: DATA_LINES }] }),
  },
  {
    // A DOS end-of-file mark: RVU24A-C's OPPSCAP members end with a row of one 0x1A
    // (andrewallenbruce's loaders filter HCPCS != "\u001a").
    name: 'pfs-rvu CSV: a DOS end-of-file mark (0x1A) after the last line',
    source: 'pfs-rvu',
    files: (c) => ({ [CSV_NAME]: Buffer.concat([c.pfsCsv, Buffer.from([0x1a])]) }),
    expect: loadsCleanly({
      [COUNT_PFS_RVU]: [{ n: DATA_LINES }],
      "SELECT lines::INTEGER AS lines FROM source_file WHERE file_name LIKE '%.csv'": [
        { lines: 310 },
      ],
    }),
  },
  {
    name: 'pfs-rvu TXT variant: a DOS end-of-file mark (0x1A) on a line of its own',
    source: 'pfs-rvu',
    files: (c) => ({
      [CSV_NAME]: c.pfsCsv,
      [TXT_NAME]: Buffer.concat([c.pfsTxt, Buffer.from('\x1a\r\n', 'latin1')]),
    }),
    expect: { publishes: { rejects: [] } },
  },
  {
    // Saved the old Mac way: a Go loader of PPRRVU17_V0209.csv turns every CR into LF because
    // "someone at CMS decided to change how they save their CSV's".
    name: 'pfs-rvu CSV: CR-only line endings (old Mac) read as lines',
    source: 'pfs-rvu',
    files: (c) => ({
      [CSV_NAME]: Buffer.from(c.pfsCsv.toString('latin1').replace(/\r\n/g, '\r'), 'latin1'),
    }),
    // The same line numbers as with CRLF: the first data line is line 11.
    expect: loadsCleanly({
      'SELECT count(*)::INTEGER AS n, min(source_line)::INTEGER AS first FROM pfs_rvu': [
        { n: DATA_LINES, first: 11 },
      ],
    }),
  },
  {
    name: 'pfs-rvu CSV and TXT: CR-only line endings in both, read alike',
    source: 'pfs-rvu',
    files: (c) => ({
      [CSV_NAME]: Buffer.from(c.pfsCsv.toString('latin1').replace(/\r\n/g, '\r'), 'latin1'),
      [TXT_NAME]: Buffer.from(c.pfsTxt.toString('latin1').replace(/\r\n/g, '\r'), 'latin1'),
    }),
    expect: loadsCleanly({
      "SELECT file_name, rows_staged::INTEGER AS n FROM source_file WHERE source = 'pfs-rvu' ORDER BY 1":
        [
          { file_name: CSV_NAME, n: DATA_LINES },
          { file_name: TXT_NAME, n: DATA_LINES },
        ],
    }),
  },
  {
    name: 'pfs-rvu CSV: CR-only line endings, cut inside the last line',
    source: 'pfs-rvu',
    files: (c) => ({
      [CSV_NAME]: Buffer.from(
        c.pfsCsv.toString('latin1').replace(/\r\n/g, '\r').slice(0, -20),
        'latin1',
      ),
    }),
    expect: { blocks: { file: CSV_KEY, line: 310, rule: 'truncated file' } },
  },
  {
    name: 'pfs-rvu CSV: an HTML error page saved as the CSV',
    source: 'pfs-rvu',
    files: () => ({ [CSV_NAME]: Buffer.from(HTML_PAGE) }),
    expect: { blocks: { file: CSV_KEY, line: 1, rule: 'HTML instead of data' } },
  },

  // PFS RVU, fixed-width reader: the TXT variant beside a good CSV.
  {
    name: 'pfs-rvu TXT variant: empty file',
    source: 'pfs-rvu',
    files: (c) => ({ [CSV_NAME]: c.pfsCsv, [TXT_NAME]: Buffer.alloc(0) }),
    expect: { blocks: { file: TXT_KEY, line: null, rule: 'empty file' } },
  },
  {
    name: 'pfs-rvu TXT variant: header (HDR lines) only',
    source: 'pfs-rvu',
    files: (c) => ({ [CSV_NAME]: c.pfsCsv, [TXT_NAME]: firstLines(c.pfsTxt, 7) }),
    expect: { blocks: { file: TXT_KEY, line: null, rule: 'no records' } },
  },
  {
    name: 'pfs-rvu TXT variant: truncated mid-line',
    source: 'pfs-rvu',
    files: (c) => ({
      [CSV_NAME]: c.pfsCsv,
      [TXT_NAME]: cutLastLine(c.pfsTxt, () => 60),
    }),
    expect: { blocks: { file: TXT_KEY, line: PFS_TXT_LAST, rule: 'truncated file' } },
  },
  {
    name: 'pfs-rvu TXT variant: ragged record (longer than the layout)',
    source: 'pfs-rvu',
    files: (c) => ({
      [CSV_NAME]: c.pfsCsv,
      [TXT_NAME]: editLines(c.pfsTxt, (lines) => {
        const text = lineAt(lines, 100);
        lines[99] = `${body(text)}  EXTRA${ending(text)}`;
      }),
    }),
    expect: { blocks: { file: TXT_KEY, line: 100, rule: 'record length' } },
  },
  {
    name: "pfs-rvu TXT variant: unknown indicator value (status 'Q')",
    source: 'pfs-rvu',
    files: (c) => ({ [CSV_NAME]: c.pfsCsv, [TXT_NAME]: setPositions(c.pfsTxt, 40, 58, 'Q') }),
    expect: { blocks: { file: TXT_KEY, line: 40, rule: 'unknown code' } },
  },
  {
    name: 'pfs-rvu CSV and TXT: the same Windows-1252 bytes in a description read alike',
    source: 'pfs-rvu',
    files: (c) => {
      // TXT line 30 is CSV line 33 (7 and 10 lines before the records): the description at
      // positions 8-57 begins "Hea\xa0\xff" in both.
      const txt = setPositions(c.pfsTxt, 30, 8, 'Hea\xa0\xff');
      const record = lineAt(txt.toString('latin1').split(/(?<=\n)/), 30);
      const description = record.slice(7, 57).trimEnd();
      return {
        [CSV_NAME]: setCsvField(c.pfsCsv, 33, 2, `"${description.replaceAll('"', '""')}"`),
        [TXT_NAME]: txt,
      };
    },
    expect: loadsCleanly({
      'SELECT left(description, 5) AS head FROM pfs_rvu WHERE source_line = 33': [
        { head: 'Hea\u00a0\u00ff' },
      ],
    }),
  },
  {
    name: 'pfs-rvu TXT variant: a 10 MB single line',
    source: 'pfs-rvu',
    files: (c) => ({
      [CSV_NAME]: c.pfsCsv,
      [TXT_NAME]: editLines(c.pfsTxt, (lines) => {
        const text = lineAt(lines, 150);
        lines[149] = `${body(text)}${BIG}${ending(text)}`;
      }),
    }),
    expect: { blocks: { file: TXT_KEY, line: 150, rule: 'record length' } },
  },
  {
    name: 'pfs-rvu TXT variant: CRLF and LF mixed',
    source: 'pfs-rvu',
    files: (c) => ({ [CSV_NAME]: c.pfsCsv, [TXT_NAME]: mixEndings(c.pfsTxt, 9) }),
    expect: { publishes: { rejects: [] } },
  },
  {
    name: 'pfs-rvu TXT variant: an HTML error page saved as the TXT',
    source: 'pfs-rvu',
    files: (c) => ({ [CSV_NAME]: c.pfsCsv, [TXT_NAME]: Buffer.from(HTML_PAGE) }),
    expect: { blocks: { file: TXT_KEY, line: 1, rule: 'HTML instead of data' } },
  },

  // HCPCS, fixed-width reader (Latin-1 declared), primary.
  {
    name: 'hcpcs TXT: empty file',
    source: 'hcpcs',
    files: () => ({ [HCPCS_TXT]: Buffer.alloc(0) }),
    expect: { blocks: { file: HCPCS_TXT_KEY, line: null, rule: 'empty file' } },
  },
  {
    name: 'hcpcs TXT: preamble only',
    source: 'hcpcs',
    files: (c) => ({ [HCPCS_TXT]: firstLines(c.hcpcsTxt, 8) }),
    expect: { blocks: { file: HCPCS_TXT_KEY, line: null, rule: 'no records' } },
  },
  {
    name: 'hcpcs TXT: truncated mid-line',
    source: 'hcpcs',
    files: (c) => ({ [HCPCS_TXT]: cutLastLine(c.hcpcsTxt, () => 100) }),
    expect: { blocks: { file: HCPCS_TXT_KEY, line: HCPCS_LAST, rule: 'truncated file' } },
  },
  {
    name: 'hcpcs 2020 TXT: cut mid-record',
    source: 'hcpcs',
    folder: 'HCPC2020',
    files: (c) => ({ [HCPCS_2020_TXT]: cutLastLine(c.hcpcs2020Txt, () => 40) }),
    expect: { blocks: { file: HCPCS_2020_KEY, line: HCPCS_2020_LAST, rule: 'truncated file' } },
  },
  {
    name: 'hcpcs 2020 TXT: as published (cp1252 preamble, continuations ending at column 91)',
    source: 'hcpcs',
    folder: 'HCPC2020',
    files: (c) => ({ [HCPCS_2020_TXT]: c.hcpcs2020Txt }),
    expect: { publishes: { rejects: [] } },
  },
  {
    name: 'betos TXT: a malformed record (no BETOS code) blocks: every code counts',
    source: 'betos',
    files: (c) => ({
      [BETOS_TXT]: editLines(c.betos, (lines) => {
        const text = lineAt(lines, 150);
        lines[149] = `${body(text).slice(0, 5)} 9${ending(text)}`;
      }),
    }),
    expect: { blocks: { file: BETOS_KEY, line: 150, rule: 'not a record' } },
  },
  {
    name: 'betos TXT: a first line that is not a record is refused, not taken for a preamble',
    source: 'betos',
    files: (c) => ({ [BETOS_TXT]: Buffer.concat([Buffer.from('BETOS 2014\n'), c.betos]) }),
    expect: { blocks: { file: BETOS_KEY, line: 1, rule: 'not a record' } },
  },
  {
    name: 'betos TXT: a BETOS code not in the code table',
    source: 'betos',
    files: (c) => ({ [BETOS_TXT]: setPositions(c.betos, 20, 7, 'Q9Z') }),
    expect: { blocks: { file: BETOS_KEY, line: 20, rule: 'unknown code' } },
  },
  {
    name: 'hcpcs TXT: ragged record (longer than 320 characters, below threshold)',
    source: 'hcpcs',
    files: (c) => ({
      [HCPCS_TXT]: editLines(c.hcpcsTxt, (lines) => {
        const text = lineAt(lines, 100);
        lines[99] = `${body(text)}EXTRA${ending(text)}`;
      }),
    }),
    expect: { publishes: { rejects: [{ file: HCPCS_TXT_KEY, line: 100, rule: 'record length' }] } },
  },
  {
    name: 'hcpcs TXT: duplicate key (the first record of AD repeated)',
    source: 'hcpcs',
    files: (c) => ({
      [HCPCS_TXT]: editLines(c.hcpcsTxt, (lines) => {
        expect(lineAt(lines, 19).slice(0, 11)).toBe('   AD001007');
        lines.splice(19, 0, lineAt(lines, 19));
      }),
    }),
    expect: { blocks: { file: HCPCS_TXT_KEY, line: 20, rule: /^unique key/ } },
  },
  {
    name: 'hcpcs TXT: duplicate key (a continuation record of AD repeated)',
    source: 'hcpcs',
    files: (c) => ({
      [HCPCS_TXT]: editLines(c.hcpcsTxt, (lines) => {
        expect(lineAt(lines, 20).slice(0, 11)).toBe('   AD002008');
        lines.splice(20, 0, lineAt(lines, 20));
      }),
    }),
    expect: { blocks: { file: HCPCS_TXT_KEY, line: 21, rule: /^unique key|sequence/ } },
  },
  {
    name: "hcpcs TXT: unknown indicator value (coverage code 'Q')",
    source: 'hcpcs',
    files: (c) => ({ [HCPCS_TXT]: setPositions(c.hcpcsTxt, 40, 230, 'Q') }),
    expect: { blocks: { file: HCPCS_TXT_KEY, line: 40, rule: 'unknown code' } },
  },
  {
    name: 'hcpcs TXT: Latin-1 bytes 0xA0 and 0xFF in a description keep reading',
    source: 'hcpcs',
    files: (c) => ({ [HCPCS_TXT]: setPositions(c.hcpcsTxt, 9, 12, 'Dressing\xa0for\xffone') }),
    expect: {
      publishes: {
        rejects: [],
        verify: async (db) => {
          const [row] = await rowsJson(
            db,
            "SELECT long_description FROM hcpcs_code WHERE hcpcs = 'A1'",
          );
          expect(row?.long_description).toMatch(/^Dressing\u00a0for\u00ffone/);
        },
      },
    },
  },
  {
    name: 'hcpcs TXT: a 10 MB single line',
    source: 'hcpcs',
    files: (c) => ({
      [HCPCS_TXT]: editLines(c.hcpcsTxt, (lines) => {
        const text = lineAt(lines, 150);
        lines[149] = `${body(text)}${BIG}${ending(text)}`;
      }),
    }),
    expect: {
      publishes: {
        rejects: [
          {
            file: HCPCS_TXT_KEY,
            line: 150,
            rule: 'record length',
            // The record, then as much of the 10 MB as raw_text keeps (RAW_TEXT_MAX_CHARS).
            rawText: /^[ A-Z0-9]{5}[0-9]{5}[3478][^\n]{300,}x{9000,}$/,
          },
        ],
        verify: async (db) => {
          const length = await scalar(
            db,
            'SELECT length(raw_text) FROM rejected_row WHERE source_line = 150',
          );
          expect(length).toBeLessThanOrEqual(RAW_TEXT_MAX_CHARS);
        },
      },
    },
  },
  {
    name: 'hcpcs TXT: CRLF and LF mixed',
    source: 'hcpcs',
    files: (c) => ({ [HCPCS_TXT]: mixEndings(c.hcpcsTxt, 10) }),
    expect: { publishes: { rejects: [] } },
  },
  {
    name: 'hcpcs TXT: an HTML error page saved as the TXT',
    source: 'hcpcs',
    files: () => ({ [HCPCS_TXT]: Buffer.from(HTML_PAGE) }),
    expect: { blocks: { file: HCPCS_TXT_KEY, line: 1, rule: 'HTML instead of data' } },
  },

  // HCPCS, XLSX reader: the workbook variant beside a good fixed-width file.
  {
    name: 'hcpcs XLSX variant: the same codes, a tiny workbook written by the test',
    source: 'hcpcs',
    files: (c) => hcpcsWithXlsx(c),
    expect: { publishes: { rejects: [] } },
  },
  {
    name: 'hcpcs XLSX variant: dates stored as numbers (20020701)',
    source: 'hcpcs',
    files: (c) => hcpcsWithXlsx(c, (rows) => numbersIn(rows, [44, 45, 46])),
    expect: { publishes: { rejects: [] } },
  },
  {
    name: 'hcpcs XLSX variant: SEQNUM stored as numbers (0010 → 10): every row rejected',
    source: 'hcpcs',
    files: (c) => hcpcsWithXlsx(c, (rows) => numbersIn(rows, [1])),
    expect: { blocks: { file: HCPCS_XLSX_KEY, line: null, rule: REJECT_RATE } },
  },
  {
    name: 'hcpcs XLSX variant: header only',
    source: 'hcpcs',
    files: (c) => hcpcsWithXlsx(c, (rows) => buildXlsx(rows.slice(0, 8), 'A')),
    expect: { blocks: { file: HCPCS_XLSX_KEY, line: 8, rule: 'no records' } }, // the header line
  },
  {
    name: 'hcpcs XLSX variant: a renamed column (PRICE1 → PRICE 1)',
    source: 'hcpcs',
    files: (c) =>
      hcpcsWithXlsx(c, (rows) => {
        (rows[7] as XlsxCell[])[5] = 'PRICE 1';
        return undefined;
      }),
    expect: { blocks: { file: HCPCS_XLSX_KEY, line: 8, rule: 'required column missing' } },
  },
  {
    name: 'hcpcs XLSX variant: truncated workbook (zip cut in half)',
    source: 'hcpcs',
    files: (c) =>
      hcpcsWithXlsx(c, (rows) => {
        const zip = buildXlsx(rows, 'A');
        return zip.subarray(0, Math.floor(zip.length / 2));
      }),
    expect: { blocks: { file: HCPCS_XLSX_KEY, line: null, rule: 'unreadable workbook' } },
  },
  {
    name: 'hcpcs XLSX variant: empty file',
    source: 'hcpcs',
    files: (c) => hcpcsWithXlsx(c, () => Buffer.alloc(0)),
    expect: { blocks: { file: HCPCS_XLSX_KEY, line: null, rule: 'empty file' } },
  },
  {
    name: 'hcpcs XLSX variant: an HTML error page saved as the XLSX',
    source: 'hcpcs',
    files: (c) => hcpcsWithXlsx(c, () => Buffer.from(HTML_PAGE)),
    expect: { blocks: { file: HCPCS_XLSX_KEY, line: 1, rule: 'HTML instead of data' } },
  },

  // OPPS Addendum B, XLSX reader, primary.
  {
    name: 'opps XLSX: empty file',
    source: 'opps-addendum-b',
    files: () => ({ [OPPS_XLSX]: Buffer.alloc(0) }),
    expect: { blocks: { file: OPPS_XLSX_KEY, line: null, rule: 'empty file' } },
  },
  {
    name: 'opps XLSX: header only',
    source: 'opps-addendum-b',
    files: (c) => oppsXlsx(c, (rows) => rows.splice(OPPS_HEADER_ROW)),
    expect: { blocks: { file: OPPS_XLSX_KEY, line: 4, rule: 'no records' } }, // the header line
  },
  {
    name: 'opps XLSX: truncated workbook (zip cut in half)',
    source: 'opps-addendum-b',
    files: (c) => {
      const zip = oppsXlsx(c)[OPPS_XLSX] as Buffer;
      return { [OPPS_XLSX]: zip.subarray(0, Math.floor(zip.length / 2)) };
    },
    expect: { blocks: { file: OPPS_XLSX_KEY, line: null, rule: 'unreadable workbook' } },
  },
  {
    name: 'opps XLSX: ragged row, SI cell missing (below threshold)',
    source: 'opps-addendum-b',
    files: (c) =>
      oppsXlsx(c, (rows) => {
        (rows[99] as XlsxCell[]).splice(2);
      }),
    expect: {
      publishes: {
        rejects: [
          {
            file: OPPS_XLSX_KEY,
            line: 100,
            rule: 'required value missing',
            rawText: READABLE_TEXT,
          },
        ],
      },
    },
  },
  {
    name: 'opps XLSX: ragged row near the top, SI cell missing (below threshold)',
    source: 'opps-addendum-b',
    files: (c) =>
      oppsXlsx(c, (rows) => {
        (rows[6] as XlsxCell[]).splice(2);
      }),
    expect: {
      publishes: {
        rejects: [
          { file: OPPS_XLSX_KEY, line: 7, rule: 'required value missing', rawText: READABLE_TEXT },
        ],
      },
    },
  },
  {
    name: 'opps XLSX: ragged row, cells beyond the header',
    source: 'opps-addendum-b',
    files: (c) =>
      oppsXlsx(c, (rows) => {
        const row = rows[119] as XlsxCell[];
        while (row.length < 11) row.push(null);
        row.push('stray cell', 'another');
      }),
    expect: {
      publishes: {
        rejects: [
          {
            file: OPPS_XLSX_KEY,
            line: 120,
            rule: /too many|beyond/,
            rawText: /^[^\t]+\t.*\tstray cell\tanother$/,
          },
        ],
      },
    },
  },
  {
    name: "opps XLSX: a renamed column ('Payment Rate' → 'Payment Rates')",
    source: 'opps-addendum-b',
    files: (c) =>
      oppsXlsx(c, (rows) => {
        (rows[OPPS_HEADER_ROW - 1] as XlsxCell[])[5] = 'Payment Rates';
      }),
    expect: {
      blocks: { file: OPPS_XLSX_KEY, line: OPPS_HEADER_ROW, rule: 'required column missing' },
    },
  },
  {
    name: 'opps XLSX: duplicate key (a row repeated)',
    source: 'opps-addendum-b',
    files: (c) =>
      oppsXlsx(c, (rows) => {
        rows.splice(50, 0, [...(rows[49] as XlsxCell[])]);
      }),
    expect: { blocks: { file: OPPS_XLSX_KEY, line: 51, rule: /^unique key/ } },
  },
  {
    name: "opps XLSX: unknown indicator value (SI 'Z9')",
    source: 'opps-addendum-b',
    files: (c) =>
      oppsXlsx(c, (rows) => {
        (rows[199] as XlsxCell[])[2] = 'Z9';
      }),
    expect: { blocks: { file: OPPS_XLSX_KEY, line: 200, rule: 'unknown code' } },
  },
  {
    name: "opps XLSX: numbers where text is expected (APC 12 → '0012', HCPCS 10004 → '10004')",
    source: 'opps-addendum-b',
    files: (c) =>
      oppsXlsx(c, (rows) => {
        const row = rows[9] as XlsxCell[];
        row[0] = 10004;
        row[3] = 12;
        (rows[10] as XlsxCell[])[3] = 5012;
      }),
    expect: {
      publishes: {
        rejects: [],
        verify: async (db) => {
          const rows = await rowsJson(
            db,
            'SELECT hcpcs, apc, source_line FROM opps_addendum_b WHERE source_line IN (10, 11) ORDER BY 3',
          );
          expect(rows).toEqual([
            { hcpcs: '10004', apc: '0012', source_line: 10 },
            expect.objectContaining({ apc: '5012', source_line: 11 }),
          ]);
        },
      },
    },
  },
  {
    name: "opps XLSX: a code with leading zeros stored as a number (0001F stays text; '00099' → 99)",
    source: 'opps-addendum-b',
    files: (c) =>
      oppsXlsx(c, (rows) => {
        (rows[11] as XlsxCell[])[0] = 99; // CPT-style 00099, a code the sample does not hold
      }),
    expect: loadsCleanly({
      'SELECT hcpcs FROM opps_addendum_b WHERE source_line = 12': [{ hcpcs: '00099' }],
    }),
  },
  {
    name: 'opps XLSX: a 10 MB cell',
    source: 'opps-addendum-b',
    files: (c) =>
      oppsXlsx(c, (rows) => {
        (rows[149] as XlsxCell[])[1] = BIG;
      }),
    expect: loadsCleanly({
      'SELECT length(short_descriptor)::INTEGER AS n FROM opps_addendum_b WHERE source_line = 150':
        [{ n: TEN_MB }],
    }),
  },
  {
    name: 'opps XLSX: bytes that are not UTF-8 inside the XML',
    source: 'opps-addendum-b',
    files: (c) => {
      const parts = xlsxParts(copyRows(c.oppsRows), '2023 January Addendum B');
      const strings = (parts.get('xl/sharedStrings.xml') as Buffer).toString('latin1');
      parts.set(
        'xl/sharedStrings.xml',
        Buffer.from(strings.replace('Heart failure composite', 'Heart\xa0failure \xff'), 'latin1'),
      );
      return { [OPPS_XLSX]: zipParts(parts) };
    },
    expect: {
      publishes: {
        rejects: [
          {
            file: OPPS_XLSX_KEY,
            line: 6,
            rule: INVALID_ENCODING,
            rawText: /\tHeart\uFFFDfailure \uFFFD\t/,
          },
        ],
      },
    },
  },
  {
    name: "opps XLSX: an APC longer than 4 digits (12345) is not cut to '1234'",
    source: 'opps-addendum-b',
    files: (c) =>
      oppsXlsx(c, (rows) => {
        (rows[19] as XlsxCell[])[3] = 12345;
      }),
    expect: {
      publishes: {
        rejects: [
          {
            file: OPPS_XLSX_KEY,
            line: 20,
            rule: 'value does not match pattern',
            rawText: /^[^\t]+\t[^\t]*\t[^\t]*\t12345(\t|$)/,
          },
        ],
        verify: async (db) => {
          expect(await scalar(db, "SELECT value FROM rejected_row WHERE column_name = 'apc'")).toBe(
            '12345',
          );
        },
      },
    },
  },
  {
    name: 'opps XLSX: an HTML error page saved as the XLSX',
    source: 'opps-addendum-b',
    files: () => ({ [OPPS_XLSX]: Buffer.from(HTML_PAGE) }),
    expect: { blocks: { file: OPPS_XLSX_KEY, line: 1, rule: 'HTML instead of data' } },
  },

  // OPPS Addendum B, CSV reader (Latin-1 declared), primary.
  {
    name: 'opps CSV: the same rows as CSV load',
    source: 'opps-addendum-b',
    files: (c) => oppsCsv(c),
    expect: { publishes: { rejects: [] } },
  },
  {
    name: 'opps CSV: header only',
    source: 'opps-addendum-b',
    files: (c) => oppsCsv(c, (bytes) => firstLines(bytes, OPPS_HEADER_ROW)),
    expect: { blocks: { file: OPPS_CSV_KEY, line: 4, rule: 'no records' } }, // the header line
  },
  {
    name: 'opps CSV: truncated mid-quote',
    source: 'opps-addendum-b',
    files: (c) =>
      oppsCsv(c, (bytes) =>
        cutLastLine(setCsvField(bytes, 304, 1, '"Drug, cut inside the quote"'), (last) =>
          last.indexOf('cut inside'),
        ),
      ),
    expect: { blocks: { file: OPPS_CSV_KEY, line: 304, rule: 'truncated file' } },
  },
  {
    name: 'opps CSV: Latin-1 bytes 0xA0 and 0xE9 in a descriptor keep reading',
    source: 'opps-addendum-b',
    files: (c) => oppsCsv(c, (bytes) => setCsvField(bytes, 6, 1, 'Heart\xa0failure compos\xe9')),
    expect: loadsCleanly({
      'SELECT short_descriptor FROM opps_addendum_b WHERE source_line = 6': [
        { short_descriptor: 'Heart\u00a0failure compos\u00e9' },
      ],
    }),
  },
  {
    name: 'opps CSV: ragged row, one field short (below threshold)',
    source: 'opps-addendum-b',
    files: (c) =>
      oppsCsv(c, (bytes) =>
        editLines(bytes, (lines) => {
          const text = lineAt(lines, 100);
          lines[99] = `${body(text).replace(/,[^,]*$/, '')}${ending(text)}`;
        }),
      ),
    expect: {
      publishes: {
        rejects: [{ file: OPPS_CSV_KEY, line: 100, rule: 'unreadable row: missing columns' }],
      },
    },
  },
  {
    name: 'opps CSV: a 10 MB single line',
    source: 'opps-addendum-b',
    files: (c) => oppsCsv(c, (bytes) => setCsvField(bytes, 150, 1, BIG)),
    expect: {
      publishes: { rejects: [{ file: OPPS_CSV_KEY, line: 150, rule: /^unreadable row/ }] },
    },
  },
  {
    name: 'opps CSV: CRLF and LF mixed',
    source: 'opps-addendum-b',
    files: (c) => oppsCsv(c, (bytes) => mixEndings(bytes, 5)),
    expect: { publishes: { rejects: [] } },
  },

  // NCCI MUE, CSV reader (Latin-1 declared), three part files; the practitioner part is edited.
  {
    name: 'mue CSV part: empty file',
    source: 'mue',
    files: (c) => mueWith(c, Buffer.alloc(0)),
    expect: { blocks: { file: MUE_KEY, line: null, rule: 'empty file' } },
  },
  {
    name: 'mue CSV part: header only',
    source: 'mue',
    files: (c) => mueWith(c, firstLines(mueCsv(c), MUE_HEADER_END)),
    expect: { blocks: { file: MUE_KEY, line: 6, rule: 'no records' } }, // the header line
  },
  {
    name: 'mue CSV part: truncated mid-line',
    source: 'mue',
    files: (c) =>
      mueWith(
        c,
        cutLastLine(mueCsv(c), () => 12),
      ),
    expect: { blocks: { file: MUE_KEY, line: MUE_LAST, rule: 'truncated file' } },
  },
  {
    name: 'mue CSV part: truncated inside the quoted copyright notice (at a line end)',
    source: 'mue',
    files: (c) => mueWith(c, firstLines(mueCsv(c), 2)),
    expect: { blocks: { file: MUE_KEY, line: null, rule: 'unreadable CSV header' } },
  },
  {
    name: 'mue CSV part: ragged row (above the threshold of a small file)',
    source: 'mue',
    files: (c) =>
      mueWith(
        c,
        editLines(mueCsv(c), (lines) => {
          const text = lineAt(lines, 9);
          lines[8] = `${body(text).replace(/,[^,]*$/, '')}${ending(text)}`;
        }),
      ),
    expect: { blocks: { file: MUE_KEY, line: null, rule: REJECT_RATE } },
  },
  {
    name: 'mue CSV part: a renamed column (MUE Adjudication Indicator → MUE Indicator)',
    source: 'mue',
    files: (c) =>
      mueWith(
        c,
        editLines(mueCsv(c), (lines) => {
          lines[5] = lineAt(lines, 6).replace('MUE Adjudication Indicator', 'MUE Indicator');
        }),
      ),
    expect: { blocks: { file: MUE_KEY, line: MUE_HEADER_END, rule: 'required column missing' } },
  },
  {
    name: 'mue CSV part: duplicate key (a row repeated)',
    source: 'mue',
    files: (c) =>
      mueWith(
        c,
        editLines(mueCsv(c), (lines) => {
          lines.splice(9, 0, lineAt(lines, 9));
        }),
      ),
    expect: { blocks: { file: MUE_KEY, line: 10, rule: /^unique key/ } },
  },
  {
    name: "mue CSV part: unknown indicator value ('7 Never Edit')",
    source: 'mue',
    files: (c) => mueWith(c, setCsvField(mueCsv(c), 8, 2, '"7 Never Edit"')),
    expect: { blocks: { file: MUE_KEY, line: 8, rule: 'unknown code' } },
  },
  {
    name: 'mue CSV part: CRLF and LF mixed (the multi-line quoted header too)',
    source: 'mue',
    files: (c) => mueWith(c, mixEndings(mueCsv(c), 2)),
    expect: { publishes: { rejects: [] } },
  },
  {
    name: 'mue CSV part: the code header on one line ("HCPCS/CPT Code", as other readers name it)',
    source: 'mue',
    files: (c) =>
      mueWith(
        c,
        Buffer.from(
          mueCsv(c).toString('latin1').replace('"HCPCS/\r\nCPT Code"', '"HCPCS/CPT Code"'),
          'latin1',
        ),
      ),
    // The practitioner table's rows, a line earlier each: 0001U on line 6.
    expect: loadsCleanly({
      "SELECT hcpcs, source_line::INTEGER AS line FROM mue WHERE service_type = 'practitioner' ORDER BY source_line LIMIT 1":
        [{ hcpcs: '0001U', line: 6 }],
    }),
  },
  {
    name: 'mue: a quarter with two of its three tables (the DME supplier one not posted yet)',
    source: 'mue',
    files: (c) => Object.fromEntries([...c.mue].filter(([name]) => !name.includes('DMESupplier'))),
    expect: loadsCleanly({
      "SELECT severity, passed, detail FROM check_result WHERE check_name = 'a quarter has the table of every service type'":
        [
          {
            severity: 'warning',
            passed: false,
            detail: '2025-10: no DME Supplier Services table (dme_supplier)',
          },
        ],
      "SELECT count(*)::INTEGER AS n FROM mue WHERE service_type = 'dme_supplier'": [{ n: 0 }],
    }),
  },
  {
    name: 'mue CSV part: an HTML error page saved as a part',
    source: 'mue',
    files: (c) => mueWith(c, Buffer.from(HTML_PAGE)),
    expect: { blocks: { file: MUE_KEY, line: 1, rule: 'HTML instead of data' } },
  },

  // AHRQ CCS, CSV reader (UTF-8 declared), LF.
  {
    name: 'ccs CSV: empty file',
    source: 'ccs',
    files: () => ({ [CCS_CSV]: Buffer.alloc(0) }),
    expect: { blocks: { file: CCS_KEY, line: null, rule: 'empty file' } },
  },
  {
    name: 'ccs CSV: header only',
    source: 'ccs',
    files: (c) => ({ [CCS_CSV]: firstLines(c.ccs, 1) }),
    expect: { blocks: { file: CCS_KEY, line: 1, rule: 'no records' } }, // the header line
  },
  {
    name: 'ccs CSV: truncated mid-line',
    source: 'ccs',
    files: (c) => ({ [CCS_CSV]: cutLastLine(c.ccs, () => 18) }),
    expect: { blocks: { file: CCS_KEY, line: CCS_LAST, rule: 'truncated file' } },
  },
  {
    name: 'ccs CSV: truncated mid-quote',
    source: 'ccs',
    files: (c) => {
      const quoted = setCsvField(c.ccs, CCS_LAST, 2, '"Incision, cut inside the quote"');
      return { [CCS_CSV]: cutLastLine(quoted, (last) => last.indexOf('cut inside')) };
    },
    expect: { blocks: { file: CCS_KEY, line: CCS_LAST, rule: 'truncated file' } },
  },
  {
    name: 'ccs CSV: ragged row, label missing (below threshold)',
    source: 'ccs',
    files: (c) => ({
      [CCS_CSV]: editLines(c.ccs, (lines) => {
        const text = lineAt(lines, 100);
        lines[99] = `${csvFields(text).slice(0, 2).join(',')}${ending(text)}`;
      }),
    }),
    expect: {
      publishes: {
        rejects: [{ file: CCS_KEY, line: 100, rule: 'unreadable row: missing columns' }],
      },
    },
  },
  {
    name: "ccs CSV: a renamed column ('CCS Label' → 'CCS Description')",
    source: 'ccs',
    files: (c) => ({
      [CCS_CSV]: editLines(c.ccs, (lines) => {
        lines[0] = lineAt(lines, 1).replace('CCS Label', 'CCS Description');
      }),
    }),
    expect: { blocks: { file: CCS_KEY, line: 1, rule: 'required column missing' } },
  },
  {
    name: 'ccs CSV: duplicate key (a range repeated)',
    source: 'ccs',
    files: (c) => ({
      [CCS_CSV]: editLines(c.ccs, (lines) => {
        lines.splice(10, 0, lineAt(lines, 10));
      }),
    }),
    expect: { blocks: { file: CCS_KEY, line: 11, rule: /^unique key|overlap/ } },
  },
  {
    name: 'ccs CSV: unknown indicator value (CCS category 999)',
    source: 'ccs',
    files: (c) => ({ [CCS_CSV]: setCsvField(c.ccs, 50, 1, '999') }),
    expect: { blocks: { file: CCS_KEY, line: 50, rule: 'unknown code' } },
  },
  {
    name: 'ccs CSV: byte 0xFF (not UTF-8) in a label',
    source: 'ccs',
    files: (c) => ({ [CCS_CSV]: setCsvField(c.ccs, 60, 2, 'Incision \xff excision') }),
    expect: {
      publishes: {
        rejects: [{ file: CCS_KEY, line: 60, rule: INVALID_ENCODING }],
      },
    },
  },
  {
    name: 'ccs CSV: a NUL byte in a label',
    source: 'ccs',
    files: (c) => ({ [CCS_CSV]: setCsvField(c.ccs, 70, 2, 'Incision \x00 excision') }),
    expect: { publishes: { rejects: [{ file: CCS_KEY, line: 70, rule: 'NUL byte' }] } },
  },
  {
    name: 'hcpcs TXT: a NUL byte in a description',
    source: 'hcpcs',
    files: (c) => {
      const lines = linesOf(c.hcpcsTxt);
      const line = lines[19] as string;
      lines[19] = `${line.slice(0, 20)}\x00${line.slice(21)}`;
      return { [HCPCS_TXT]: Buffer.from(lines.join(''), 'latin1') };
    },
    expect: { publishes: { rejects: [{ file: HCPCS_TXT_KEY, line: 20, rule: 'NUL byte' }] } },
  },
  {
    name: 'ccs CSV: a 10 MB single line',
    source: 'ccs',
    files: (c) => ({ [CCS_CSV]: setCsvField(c.ccs, 150, 2, BIG) }),
    expect: { publishes: { rejects: [{ file: CCS_KEY, line: 150, rule: /^unreadable row/ }] } },
  },
  {
    name: 'ccs CSV: CRLF and LF mixed',
    source: 'ccs',
    files: (c) => ({ [CCS_CSV]: mixEndings(c.ccs, 3) }),
    expect: { publishes: { rejects: [] } },
  },
  {
    name: 'ccs CSV: an HTML error page saved as the CSV',
    source: 'ccs',
    files: () => ({ [CCS_CSV]: Buffer.from(HTML_PAGE) }),
    expect: { blocks: { file: CCS_KEY, line: 1, rule: 'HTML instead of data' } },
  },
  {
    name: 'pfs-rvu: the raw folder named raw[1] (a glob character in the path)',
    source: 'pfs-rvu',
    rawFolder: 'raw[1]',
    files: (c) => ({ [CSV_NAME]: c.pfsCsv }),
    expect: { publishes: { rejects: [] } },
  },
  {
    name: 'hcpcs: the raw folder named raw[1]*? (glob characters in the path)',
    source: 'hcpcs',
    rawFolder: 'raw[1]*?',
    files: (c) => ({ [HCPCS_TXT]: c.hcpcsTxt }),
    expect: { publishes: { rejects: [] } },
  },
  {
    name: 'pfs-rvu: a FIFO (named pipe) where the CSV should be',
    source: 'pfs-rvu',
    files: () => ({}),
    prepare: async (dir) => {
      execFileSync('mkfifo', [join(dir, CSV_NAME)]);
    },
    expect: { blocks: { file: CSV_KEY, line: null, rule: 'not a regular file' } },
  },
  {
    name: 'ccs: the CSV a link to /dev/zero (a device that never ends)',
    source: 'ccs',
    files: () => ({}),
    prepare: async (dir) => {
      await symlink('/dev/zero', join(dir, CCS_CSV));
    },
    expect: { blocks: { file: CCS_KEY, line: null, rule: 'not a regular file' } },
  },
];

// ---------------------------------------------------------------------------------------------
// Building the corpus and the good out dirs.

async function readSheet(path: string): Promise<string[][]> {
  const sheets = await readXlsxFile(path, { trim: false, parseNumber: (text: string) => text });
  const rows = (sheets[0]?.data ?? []) as unknown[][];
  return rows.map((row) =>
    row.map((cell) =>
      cell === null || cell === undefined
        ? ''
        : cell instanceof Date
          ? cell.toISOString().slice(0, 10)
          : String(cell),
    ),
  );
}

async function buildCorpus(): Promise<Corpus> {
  const raw = (source: string, folder: string, name: string) =>
    readFile(join(REPO_RAW_DIR, source, folder, name));
  const pfsCsv = firstLines(await raw('pfs-rvu', 'RVU25D', CSV_NAME), PFS_LAST);
  const pfsTxt = firstLines(await raw('pfs-rvu', 'RVU25D', TXT_NAME), PFS_TXT_LAST);
  const gpciCsv = await raw('pfs-rvu', 'RVU25D', GPCI_CSV);

  // HCPCS: 300 records, then on to the end of the last code (continuation records 4 and 8).
  const hcpcsLines = linesOf(await raw('hcpcs', 'HCPC2019', HCPCS_TXT));
  let hcpcsEnd = 8 + DATA_LINES;
  while ('48'.includes((hcpcsLines[hcpcsEnd] as string).charAt(10))) hcpcsEnd++;
  if (hcpcsEnd !== HCPCS_LAST) throw new Error(`the HCPCS sample ends on line ${hcpcsEnd}`);
  const hcpcsTxt = bytesOf(hcpcsLines.slice(0, hcpcsEnd));
  const codes = new Set(hcpcsLines.slice(8, hcpcsEnd).map((l) => l.slice(0, 5).trim()));
  const hcpcsSheet = await readSheet(join(REPO_RAW_DIR, 'hcpcs', 'HCPC2019', HCPCS_XLSX));
  const hcpcsXlsxRows = [
    ...hcpcsSheet.slice(0, 8),
    ...hcpcsSheet.slice(8).filter((row) => codes.has((row[0] ?? '').trim())),
  ];

  const oppsSheet = await readSheet(join(REPO_RAW_DIR, 'opps-addendum-b', '2023-01', OPPS_XLSX));
  const oppsRows = oppsSheet.slice(0, OPPS_HEADER_ROW + DATA_LINES);

  const mue = new Map<string, Buffer>();
  for (const name of MUE_PARTS) mue.set(name, await readFile(new URL(name, MUE_DIR)));
  const ccs = firstLines(await raw('ccs', '2016', CCS_CSV), CCS_LAST);
  const hcpcs2020Lines = linesOf(await raw('hcpcs', 'HCPC2020', HCPCS_2020_TXT));
  let hcpcs2020End = 9 + DATA_LINES;
  while ('48'.includes((hcpcs2020Lines[hcpcs2020End] as string).charAt(10))) hcpcs2020End++;
  if (hcpcs2020End !== HCPCS_2020_LAST) {
    throw new Error(`the HCPCS 2020 sample ends on line ${hcpcs2020End}`);
  }
  const hcpcs2020Txt = bytesOf(hcpcs2020Lines.slice(0, hcpcs2020End));
  const betos = firstLines(await raw('betos', '2014', BETOS_TXT), DATA_LINES);
  return {
    pfsCsv,
    pfsTxt,
    gpciCsv,
    hcpcsTxt,
    hcpcsXlsxRows,
    oppsRows,
    mue,
    ccs,
    hcpcs2020Txt,
    betos,
  };
}

function baseFiles(source: SourceKey, corpus: Corpus): Files {
  switch (source) {
    case 'pfs-rvu':
      return { [CSV_NAME]: corpus.pfsCsv };
    case 'pfs-gpci':
      return { [GPCI_CSV]: corpus.gpciCsv };
    case 'hcpcs':
      return { [HCPCS_TXT]: corpus.hcpcsTxt };
    case 'opps-addendum-b':
      return oppsXlsx(corpus);
    case 'mue':
      return Object.fromEntries(corpus.mue);
    case 'ccs':
      return { [CCS_CSV]: corpus.ccs };
    case 'betos':
      return { [BETOS_TXT]: corpus.betos };
  }
}

/** A raw dir holding one release of `source` with exactly these files (no manifest). */
async function writeRelease(
  source: SourceKey,
  files: Files,
  tempDir?: string,
  c?: CorpusCase,
): Promise<string> {
  const rawDir = join(tempDir ?? (await makeTempDir('corpus-raw')), c?.rawFolder ?? 'raw');
  // A source shipped in another's releases (GPCI in the RVU package) lands in that one's folder.
  const dir = join(rawDir, rawFolderOf(PIPELINE[source]), c?.folder ?? RELEASE_FOLDER[source]);
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
  await c?.prepare?.(dir);
  return rawDir;
}

// ---------------------------------------------------------------------------------------------
// Running a case.

type Reject = {
  source_file: string;
  source_line: number;
  rule: string;
  raw_text: string | null;
  row_kept: boolean;
};

interface Run {
  /** What the refresh threw; undefined when it published. */
  error: unknown;
  summary: RefreshSummary | null;
  hung: boolean;
  seconds: number;
  outDir: string;
  /** hashTree of the out dir before the refresh (the good run it is a copy of). */
  before: Record<string, string>;
  /** hashTree of the out dir after a refresh that failed; after one that published, .current only. */
  after: Record<string, string>;
  /** What a published run holds, read once for both tests of the case. */
  published?: { mainRows: number; rejects: Reject[]; warnings: string[] };
}

interface CaseResult {
  run?: Run;
  outcomeOk: boolean;
  reportOk: boolean;
}

let corpus: Corpus;
/** Per source: the out dir holding its published good run and its hashTree, or why it failed. */
const goodOut = new Map<
  SourceKey,
  { outDir: string; tree: Record<string, string> } | { error: unknown }
>();
const runs = new Map<string, Promise<Run>>();
const results = new Map<string, CaseResult>(
  CASES.map((c) => [c.name, { outcomeOk: false, reportOk: false }]),
);

/** Per case: its temp folder (raw and out dirs), removed once both of its tests are done. */
const caseDirs = new Map<string, string>();
const testsDone = new Map<string, number>();

async function execute(c: CorpusCase): Promise<Run> {
  const dir = await makeTempDir('corpus-case');
  caseDirs.set(c.name, dir);
  const rawDir = await writeRelease(c.source, await c.files(corpus), dir, c);
  const outDir = join(dir, 'out');
  const good = goodOut.get(c.source);
  if (!good || 'error' in good) throw new Error(`no good ${c.source} run to start from`);
  // A faithful copy (links verbatim), so its tree is the good run's tree.
  await cp(good.outDir, outDir, { recursive: true, verbatimSymlinks: true });
  const before = good.tree;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), HANG_MS);
  });
  const outcome = await Promise.race([
    refresh({ rawDir, outDir, pipelines: [PIPELINE[c.source]] }).then(
      (summary) => ({ summary, error: undefined }),
      (error: unknown) => ({ summary: null, error }),
    ),
    hang,
  ]);
  clearTimeout(timer);
  const seconds = (performance.now() - started) / 1000;
  let run: Run;
  if (outcome === 'hung') {
    run = {
      error: new Error('hung'),
      summary: null,
      hung: true,
      seconds,
      outDir,
      before,
      after: {},
    };
  } else if (outcome.error !== undefined) {
    run = { ...outcome, hung: false, seconds, outDir, before, after: await hashTree(outDir) };
  } else {
    const current = `-> ${await readlink(join(outDir, '.current'))}`;
    const published = await readPublished(outDir, c.source);
    run = {
      ...outcome,
      hung: false,
      seconds,
      outDir,
      before,
      after: { '.current': current },
      published,
    };
  }
  (results.get(c.name) as CaseResult).run = run;
  return run;
}

/** Called when a test of the case ends: the second one removes the case's folder. */
async function testDone(c: CorpusCase): Promise<void> {
  const done = (testsDone.get(c.name) ?? 0) + 1;
  testsDone.set(c.name, done);
  const dir = caseDirs.get(c.name);
  if (done === 2 && dir) await rm(dir, { recursive: true, force: true });
}

/**
 * Refreshes running at once: two keep this file's worker busy through DuckDB waits and file I/O
 * while `make test` runs other files in the second worker; more only adds switching on 2 cores.
 */
const CONCURRENT_RUNS = 2;
let activeRuns = 0;
const waitingRuns: (() => void)[] = [];

async function inSlot<T>(work: () => Promise<T>): Promise<T> {
  while (activeRuns >= CONCURRENT_RUNS) await new Promise<void>((go) => waitingRuns.push(go));
  activeRuns++;
  try {
    return await work();
  } finally {
    activeRuns--;
    waitingRuns.shift()?.();
  }
}

function hasGoodRun(c: CorpusCase): boolean {
  const good = goodOut.get(c.source);
  return good !== undefined && 'outDir' in good;
}

/** The one run of a case, shared by its two tests. */
function runOf(c: CorpusCase): Promise<Run> {
  let run = runs.get(c.name);
  if (!run) {
    run = inSlot(() => execute(c));
    runs.set(c.name, run);
  }
  return run;
}

function summarise(run: Run | undefined): string {
  if (!run) return 'not run';
  if (run.hung) return `HUNG after ${run.seconds.toFixed(1)} s`;
  if (run.error !== undefined) {
    const blames = blamesOf(run.error);
    const shown = blames
      .slice(0, 2)
      .map((b) => `${b.file?.split('/').at(-1) ?? '(no file)'}:${b.line ?? 'null'} [${b.rule}]`);
    const changed =
      JSON.stringify(run.before) === JSON.stringify(run.after) ? '' : ' OUT DIR CHANGED';
    return `blocked: ${shown.join('; ')}${blames.length > 2 ? ` (+${blames.length - 2})` : ''}${changed}`;
  }
  const rejected = (run.summary?.releases ?? [])
    .flatMap((r) => r.files)
    .reduce((n, f) => n + f.rejected, 0);
  const warnings = (run.summary?.checks ?? []).filter((c) => c.failing > 0).map((c) => c.name);
  return `published: ${run.summary?.releases.map((r) => r.rowsLoaded).join('+')} rows, ${rejected} lines unreadable${warnings.length ? `; warnings: ${warnings.join('; ')}` : ''}`;
}

/** The published run's main-table rows, rejected rows and failing warnings. */
async function readPublished(outDir: string, source: SourceKey): Promise<Run['published']> {
  const [main] = PIPELINE[source].factTables;
  const db = await openOutDatabase(outDir);
  try {
    const mainRows = Number(await scalar(db.connection, `SELECT count(*) FROM ${main?.name}`));
    const rejects = (await rowsJson(
      db.connection,
      'SELECT source_file, source_line::INTEGER AS source_line, rule, raw_text, row_kept FROM rejected_row ORDER BY ALL',
    )) as Reject[];
    const warnings = (
      await rowsJson(
        db.connection,
        "SELECT check_name FROM check_result WHERE severity = 'warning' AND NOT passed ORDER BY 1",
      )
    ).map((r) => String(r.check_name));
    return { mainRows, rejects, warnings };
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  corpus = await buildCorpus();
  await Promise.all(
    (Object.keys(PIPELINE) as SourceKey[]).map(async (source) => {
      const outDir = join(await makeTempDir(`corpus-good-${source}`), 'out');
      // A failure here is reported by the source's good-run test, and its cases are skipped.
      await refresh({
        rawDir: await writeRelease(source, baseFiles(source, corpus)),
        outDir,
        pipelines: [PIPELINE[source]],
      }).then(
        async () => goodOut.set(source, { outDir, tree: await hashTree(outDir) }),
        (error: unknown) => goodOut.set(source, { error }),
      );
    }),
  );
}, 180_000);

afterAll(async () => {
  const all = [...results.entries()];
  const tried = all.filter(([, r]) => r.run !== undefined).length;
  const handled = all.filter(([, r]) => r.outcomeOk && r.reportOk).length;
  if (process.env.CORPUS_TABLE) {
    for (const [name, r] of all) {
      const c = CASES.find((x) => x.name === name) as CorpusCase;
      console.log(
        [
          r.outcomeOk && r.reportOk ? 'handled' : 'NOT HANDLED',
          name,
          summarise(r.run),
          r.run ? `${r.run.seconds.toFixed(1)} s` : '',
          c.bug ? `bug: ${c.bug.note}` : '',
        ].join(' | '),
      );
    }
  }
  const broken = [...goodOut].filter(([, good]) => 'error' in good).map(([source]) => source);
  const summary =
    `bad-input corpus: ${tried} tried, ${handled} handled` +
    (broken.length > 0 ? ` (cases of ${broken.join(', ')} skipped: the good run failed)` : '');
  // The global setup prints it after vitest's own summary, the last line of the run.
  const summaryFile = inject('corpusSummaryFile');
  if (summaryFile) await writeFile(summaryFile, `${summary}\n`);
  else console.log(summary);
  await removeTempDirs();
});

// ---------------------------------------------------------------------------------------------
// The tests: two per case, all in one concurrent suite (refreshes overlap, CONCURRENT_RUNS at a
// time: each is mostly waiting on DuckDB and the file system).

describe.concurrent('bad-input corpus', () => {
  for (const source of Object.keys(PIPELINE) as SourceKey[]) {
    // A source whose good run fails has its cases skipped (the summary line says so).
    (GOOD_RUN_BUG.sources.includes(source) ? it.fails : it)(
      `${source}: the small good release publishes (the out dir its cases start from)`,
      () => {
        const good = goodOut.get(source);
        const error = good && 'error' in good ? good.error : undefined;
        expect(error === undefined ? '' : describeBlames(blamesOf(error))).toBe('');
      },
    );
  }

  for (const c of CASES) {
    const fails = (part: 'outcome' | 'report') => c.bug?.fails.includes(part) ?? false;
    const result = results.get(c.name) as CaseResult;

    if ('blocks' in c.expect) {
      const expected = c.expect.blocks;
      (fails('outcome') ? it.fails : it)(
        `${c.name} › blocks in time, the published out dir byte-identical`,
        async ({ skip }) => {
          if (!hasGoodRun(c)) skip();
          try {
            const run = await runOf(c);
            expect(run.hung, 'the refresh hung').toBe(false);
            expect(run.error, 'the refresh published').toBeDefined();
            expect(run.after).toEqual(run.before);
            result.outcomeOk = true;
          } finally {
            await testDone(c);
          }
        },
        TEST_TIMEOUT_MS,
      );
      (fails('report') ? it.fails : it)(
        `${c.name} › names ${expected.file}:${expected.line ?? 'null'} [${String(expected.rule)}]`,
        async ({ skip }) => {
          if (!hasGoodRun(c)) skip();
          try {
            const run = await runOf(c);
            expect(run.error, 'the refresh published').toBeDefined();
            const blames = blamesOf(run.error);
            expect(
              blames.some((b) => blameMatches(b, expected)),
              `no blame of ${expected.file}:${expected.line} [${String(expected.rule)}] in:\n${describeBlames(blames)}`,
            ).toBe(true);
            result.reportOk = true;
          } finally {
            await testDone(c);
          }
        },
        TEST_TIMEOUT_MS,
      );
      continue;
    }

    const expected = c.expect.publishes;
    (fails('outcome') ? it.fails : it)(
      `${c.name} › publishes a complete new run in time`,
      async ({ skip }) => {
        if (!hasGoodRun(c)) skip();
        try {
          const run = await runOf(c);
          expect(run.hung, 'the refresh hung').toBe(false);
          expect(run.error === undefined ? '' : describeBlames(blamesOf(run.error))).toBe('');
          expect(run.after['.current']).toBeDefined();
          expect(run.after['.current']).not.toEqual(run.before['.current']);
          expect(run.published?.mainRows).toBeGreaterThan(0);
          result.outcomeOk = true;
        } finally {
          await testDone(c);
        }
      },
      TEST_TIMEOUT_MS,
    );
    const lines = expected.rejects.map((r) => `${r.file}:${r.line}`);
    (fails('report') ? it.fails : it)(
      expected.rejects.length === 0
        ? `${c.name} › loads every line: no rejected row`
        : `${c.name} › rejects ${lines.join(', ')} (rejected_row, warning check)`,
      async ({ skip }) => {
        if (!hasGoodRun(c)) skip();
        try {
          const run = await runOf(c);
          expect(run.error).toBeUndefined();
          const { rejects, warnings } = run.published ?? { rejects: [], warnings: [] };
          const got = rejects.map((r) => `${r.source_file}:${r.source_line} [${r.rule}]`);
          expect(
            rejects.map((r) => `${r.source_file}:${r.source_line}`),
            got.join('\n'),
          ).toEqual([...new Set(lines)]);
          for (const want of expected.rejects) {
            const found = rejects.filter(
              (r) => r.source_file === want.file && r.source_line === want.line,
            );
            const rules = found.map((r) => r.rule);
            expect(
              rules.some((r) =>
                typeof want.rule === 'string' ? r === want.rule : want.rule.test(r),
              ),
              `rules of ${want.file}:${want.line}: ${rules.join(', ')}`,
            ).toBe(true);
            for (const r of found) {
              expect(r.raw_text, 'raw_text').not.toBeNull();
              if (typeof want.rawText === 'string') expect(r.raw_text).toBe(want.rawText);
              if (want.rawText instanceof RegExp) expect(r.raw_text).toMatch(want.rawText);
            }
          }
          if (expected.rejects.length > 0) {
            expect(warnings.some((w) => REJECTED_WARNING.test(w))).toBe(true);
          }
          // The summary's "N lines rejected": every line kept out, whatever rejected it.
          const keptOut = new Set(
            rejects.filter((r) => !r.row_kept).map((r) => `${r.source_file}:${r.source_line}`),
          );
          expect(
            (run.summary?.releases ?? []).reduce((n, r) => n + r.linesRejected, 0),
            'lines rejected in the summary',
          ).toBe(keptOut.size);
          if (expected.verify) {
            const db = await openOutDatabase(run.outDir);
            try {
              await expected.verify(db.connection);
            } finally {
              db.close();
            }
          }
          result.reportOk = true;
        } finally {
          await testDone(c);
        }
      },
      TEST_TIMEOUT_MS,
    );
  }
});
