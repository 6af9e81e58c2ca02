/** What every source pipeline declares: the seam between a source and the shared machinery. */

export type FileFormat = 'csv' | 'fixed-width';

/** One column of a source file, named once here and read by every stage. */
export interface SourceColumn {
  /** Column name in the staging and normalised tables. */
  name: string;
  /** Header text in the CSV after the multi-line header is joined. */
  header: string;
  /** 1-based inclusive character positions in the fixed-width variant. */
  position?: readonly [number, number];
  /** A blank value is a rejected row. */
  required?: boolean;
  /** The value must cast to this DECIMAL. */
  decimal?: { precision: number; scale: number };
  /** The indicator system (code table) that decodes the value. */
  system?: string;
  /** A regular expression (RE2, anchored by the checker) the value must match. */
  pattern?: string;
}

export interface FileRule {
  /** Matches the file name inside the release folder. */
  pattern: RegExp;
  format: FileFormat;
  /** The primary file is loaded; variants must give identical rows. */
  role: 'primary' | 'variant';
}

export interface ReleaseDates {
  release: string;
  published: string | null;
  effectiveFrom: string | null;
  isFull: boolean;
}

export interface PipelineDefinition {
  /** Folder name under raw/ and value of release.source. */
  source: string;
  title: string;
  cadence: 'quarterly' | 'annual';
  landingPage: string;
  license: string;
  files: readonly FileRule[];
  columns: readonly SourceColumn[];
  /** Text of the first header cell: the header row is found by content, not by line number. */
  headerAnchor: string;
  fixedWidth?: { recordLength: number; skipLinePrefix: string };
  /** Columns that identify a row within one release. */
  naturalKey: readonly string[];
  /** Staging table the readers fill (all text, with file and line). */
  stagingTable: string;
  /** The typed table the models build from the staging table, one row per key and release. */
  factTable: string;
  /** SQL model files under pipelines/<source>/models/, run in this order. */
  models: readonly string[];
  /** Release facts derived from a release folder's name (used when the manifest is silent). */
  releaseFromFolder(folder: string): ReleaseDates;
}
