import type { LandingPage } from './extract/discovery/landing-page.js';
import type { SourceCard } from './query/code-card.js';

/** What every source pipeline declares: the seam between a source and the shared machinery. */

export type FileFormat = 'csv' | 'fixed-width' | 'xlsx';
/** A text file's encoding; windows-1252 is read through a UTF-8 copy (DuckDB cannot decode it). */
export type Encoding = 'utf-8' | 'latin-1' | 'windows-1252';

/** One column of a source file, named once here and read by every stage. */
export interface SourceColumn {
  /** Column name in the staging and normalised tables. */
  name: string;
  /** Header text in CSV / XLSX files (a multi-line CSV header is joined with spaces first). */
  header: string;
  /** Other spellings of the header seen in other years (case and spacing are ignored anyway). */
  synonyms?: readonly string[];
  /**
   * A header that changes with the year or a figure (e.g. "2025 PW GPCI (with 1.0 Floor)",
   * "National Anes CF of 20.3178"): a JavaScript regular expression matched against the header
   * upper-cased with its spaces collapsed, beside `header` and `synonyms`.
   */
  headerPattern?: RegExp;
  /** The column is absent from some years' files; it is then read as NULL. */
  optional?: boolean;
  /** 1-based inclusive character positions in the fixed-width variant. */
  position?: readonly [number, number];
  /** A blank value is a rejected row. */
  required?: boolean;
  /** Cell values that mean "no value" (some CMS workbooks write "."), read as NULL. */
  nullValues?: readonly string[];
  /**
   * Characters a file leaves at either end of a value by mistake, trimmed as spaces are (one
   * character each, e.g. "ÿ", the byte 0xFF read as Latin-1). The line keeps them in raw_text.
   */
  strayCharacters?: readonly string[];
  /** The value must cast to this DECIMAL (after removing "$" and thousands separators). */
  decimal?: { precision: number; scale: number };
  /** The indicator system (code table) that decodes the value. */
  system?: string;
  /**
   * Where the code sits in a longer cell (RE2, first capture group), e.g.
   * "2 Date of Service Edit: Policy" holds code 2. Default: the whole value is the code.
   */
  codeRegex?: string;
  /** A regular expression (RE2, matched against the whole value) the value must match. */
  pattern?: string;
  /** Left-pad with zeros to this width (XLSX stores "0010" or an APC "0012" as numbers). */
  zeroPad?: number;
}

export interface FileRule {
  /** Matches the file name inside the release folder. */
  pattern: RegExp;
  format: FileFormat;
  /**
   * primary: the file loaded (rules in order of preference; a file matched by a later primary
   * rule becomes a variant); variant: another format of the same data, compared, not loaded;
   * part: one of several files that together make the release (e.g. one per service type).
   */
  role: 'primary' | 'variant' | 'part';
}

/** Delimited text: the header row is found by its first cell, not by line number. */
export interface CsvLayout {
  /** The header's first cell, or a pattern for it (tested upper-cased, spaces collapsed). */
  headerAnchor: string | RegExp;
  encoding?: Encoding;
  /** The field separator: a comma unless set (a TAB for a text file saved tab-delimited). */
  delimiter?: ',' | '\t';
}

/** Fixed-width text: records recognised by a pattern, preamble lines before the first one. */
export interface FixedWidthLayout {
  /** Characters in a record; shorter lines are padded with spaces (trailing blanks get trimmed). */
  recordLength: number;
  /** A line is a record when it fully matches this (RE2); non-records after the first record are rejected. */
  recordPattern: string;
  encoding?: Encoding;
  /**
   * Whether lines before the first record are a preamble (default true). A file without one
   * (false) has every line a record: a first line that is not one is rejected, not skipped.
   */
  preamble?: boolean;
  /** Lines after the last record that are not records are notes that end the file (default: rejected). */
  trailer?: boolean;
  /** 'skip': blank lines among the records are spacers, not rejects. */
  blankLines?: 'skip';
  /**
   * Other years' layouts of the same file, told apart by their records' length: a file whose
   * records mostly have one of these lengths is read with its positions (by column name; a
   * column not named keeps its own).
   */
  otherLayouts?: readonly {
    recordLength: number;
    positions: Readonly<Record<string, readonly [number, number]>>;
  }[];
}

/** A workbook sheet: the header row is the first whose first cell is the anchor. */
export interface XlsxLayout {
  headerAnchor: string;
}

export interface ReleaseDates {
  release: string;
  published: string | null;
  effectiveFrom: string | null;
  isFull: boolean;
}

/** A check declared by a pipeline: SQL returning one text row per failure. */
export interface DeclaredCheck {
  name: string;
  table: string;
  severity: 'blocking' | 'warning';
  failures: string;
}

export interface FactTable {
  name: string;
  /** Columns that identify a row within one release. */
  key: readonly string[];
  /**
   * With rowPerStagedRow: the table takes staged rows one for one (source_file, source_line), so
   * a staged row may be loaded here rather than in the first table (default: the first only).
   */
  staged?: boolean;
}

/**
 * A view over a source's facts exported as a Parquet dataset beside them, one partition per
 * release (the view has release_id), its files in key order.
 */
export interface ExportedView {
  name: string;
  /** Columns that identify a row within one release. */
  key: readonly string[];
  /** Columns never NULL: DuckDB says every column of a view may be; the tests hold the data to it. */
  notNull?: readonly string[];
  /**
   * The view is a fact table with its codes decoded, built from this declaration; a column the
   * table declares NOT NULL is never NULL in the view either (the contract says so).
   */
  decodes?: DecodedView;
}

/**
 * A fact table with its codes decoded: release_id, the release's effective_from, then the
 * columns listed, each code column followed by its label in the column's code table (its
 * SourceColumn.system) as of effective_from. src/transform/decoded-view.ts builds it after the
 * source's models.
 */
export interface DecodedView {
  /** The fact table shown. */
  table: string;
  /** The view's COMMENT. */
  description: string;
  /** The table's columns after release_id, in order; a code with its label's name (<code>_label). */
  columns: readonly (string | { code: string; label?: string })[];
}

/**
 * Lines among the records that are not records: spacer lines with every cell blank, and notes
 * (a footnote, "MAC Assignments as of …") with text in the first column only. They are not
 * loaded and not rejected: each file's count is in source_file.lines_skipped.
 */
export interface NonRecordLines {
  blank?: boolean;
  /** A regular expression (RE2, matched anywhere) the first column's text of a note matches. */
  notes?: string;
}

export interface PipelineDefinition {
  /** Value of release.source; also the folder under raw/ unless `releasesOf` names another. */
  source: string;
  /**
   * Another source whose release folders also hold this source's files: CMS ships the GPCI,
   * locality and OPPS-cap files in the same RVU zip as the PPRRVU file. This source reads
   * raw/<releasesOf>/<release>/ (a folder with none of its files is not a release of it), its
   * releases are named and dated as that source's, and that source's discovery fetches them.
   */
  releasesOf?: string;
  title: string;
  /** How often the publisher issues a release; 'withdrawn': never again (the last one stays). */
  cadence: 'quarterly' | 'annual' | 'withdrawn';
  /** The page CMS (or AHRQ) lists the source's releases on, for people. */
  landingPage: string;
  /** How `refresh --online` finds and fetches new releases; a source without it is not fetched. */
  discovery?: LandingPage;
  license: string;
  files: readonly FileRule[];
  columns: readonly SourceColumn[];
  csv?: CsvLayout;
  fixedWidth?: FixedWidthLayout;
  nonRecords?: NonRecordLines;
  xlsx?: XlsxLayout;
  /** Staging table the readers fill (all text, with file and line). */
  stagingTable: string;
  /** Typed tables the models build, each with its key; the first is the main one. */
  factTables: readonly FactTable[];
  /**
   * Columns that identify a staged line within a release where the models combine lines, so
   * that no fact key sees a repeated line (HCPCS: a continuation record repeated would be
   * joined into the long description twice). A repeat blocks the run, named by file and line.
   */
  stagedKey?: readonly string[];
  /**
   * True when each staged row becomes one row of a fact table (the first, or one marked
   * `staged`); false when the models combine rows (HCPCS continuation records).
   */
  rowPerStagedRow: boolean;
  /** How variant files are compared: staged rows as typed values, or by the pipeline's own checks. */
  variantComparison: 'staged-rows' | 'declared-checks';
  /** SQL model files under pipelines/<source>/models/, run in this order. */
  models: readonly string[];
  /** Checks beyond the standard ones (rejects, keys, variants, drift). */
  checks?: readonly DeclaredCheck[];
  /**
   * A value missing from its code table blocks the run (default), or, with 'warn', the row is
   * kept with the value marked unknown and the run says so.
   */
  unknownCodes?: 'block' | 'warn';
  /** Share of a file's lines that may be rejected before the run is blocked (default 0.005). */
  maxRejectRate?: number;
  /** Row-count change against the previous release that warns / blocks (default 0.15 / 0.30). */
  rowCountDrift?: { warn: number; block: number };
  /** The source's fields on the code card, and the card column naming its release. */
  card?: SourceCard;
  /**
   * Views and tables the source builds once every source is loaded, beside the cross-source
   * marts (files under pipelines/<source>/marts/, run in this order).
   */
  marts?: readonly string[];
  /** Views (models or marts of the source) exported as Parquet datasets, like the facts. */
  exportedViews?: readonly ExportedView[];
  /**
   * Views whose columns without a comment take the comment of the same-named column of these
   * relations (a view repeats columns of the tables it reads: a description is written once).
   */
  commentsFrom?: Readonly<Record<string, readonly string[]>>;
  /**
   * What a release is as a whole, beside its rows (its files, say, each with its conversion
   * factor): `diff` shows these lines of both releases, so that a change of
   * layout reads as a fact of the release, not as a change of every row. `describe` is a SQL
   * expression over a row of `table` (which has release_id).
   */
  releaseFacts?: { table: string; describe: string };
  /** A chart of the run report: rows of a fact table per value of a column, across releases. */
  reportChart?: { title: string; table: string; column: string };
  /** Release facts derived from a release folder's name (used when the manifest is silent). */
  releaseFromFolder(folder: string): ReleaseDates;
  /**
   * Release facts by release folder that the folder name cannot give (a correction release such
   * as RVU25AR starts on a day CMS announces separately): they beat releaseFromFolder when the
   * refresh writes a manifest; an existing manifest's own values win.
   */
  releaseOverrides?: Record<string, Partial<ReleaseDates>>;
}
