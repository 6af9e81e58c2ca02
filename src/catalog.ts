import type { DuckDBConnection } from '@duckdb/node-api';
import type { Command } from 'commander';
import type { PipelineDefinition } from './pipeline-definition.js';
import type { CodeCardDefinition } from './query/code-card.js';

/** A table or view built across sources once every source it reads is loaded. */
export interface Mart {
  /** SQL file under marts/, named after what it builds. */
  file: string;
  /** The sources it reads: it is built only when all of them are part of the run. */
  sources: readonly string[];
  /** Columns that identify a row. */
  key: readonly string[];
  /** Relations whose column comments it inherits (see PipelineDefinition.commentsFrom). */
  commentsFrom?: readonly string[];
  /**
   * 'page-sources': built after the page sources are loaded (it adds rows to a table of theirs);
   * default: beside the sources' histories and checks.
   */
  after?: 'page-sources';
  /** Exported as a Parquet dataset (whatever it is, a table or a view): how. */
  export?: MartExport;
}

/** How a mart is exported: one file in key order, or one partition per release of a source. */
export interface MartExport {
  /** One partition per release of this source (the relation has release_id). */
  releasesOf?: string;
  /** Columns never NULL: DuckDB says every column of a view may be; the tests hold the data to it. */
  notNull?: readonly string[];
  /** A view whose files take long to compute: they are written first (ParquetTable.writeFirst). */
  writeFirst?: boolean;
  /** It holds the newest release of `releasesOf` only (ParquetTable.newestOnly). */
  newestOnly?: boolean;
}

/** A table a source builds that is exported as one Parquet dataset (not per release). */
export interface SourceTable {
  name: string;
  key: readonly string[];
}

/** What a page source's load step gets from the run. */
export interface PageLoadContext {
  connection: DuckDBConnection;
  rawDir: string;
  log: (line: string) => void;
}

/**
 * A source that is not a set of release files but saved web pages: its folder under
 * raw/ is one input, read after the marts (it is reconciled against them).
 */
export interface PageSourceDefinition {
  /** Folder name under raw/ and pipelines/. */
  source: string;
  /** Its tables, in export order. */
  tables: readonly SourceTable[];
  /** Creates its tables (empty when there are no pages) and loads the pages. */
  load(context: PageLoadContext): Promise<void>;
  /** Commands of its own on the command line. */
  registerCommands?(program: Command, catalog: Catalog): void;
}

/** Everything the run knows about sources: passed down from the command line, never imported. */
export interface Catalog {
  /** Sources read from release files, in load order. */
  pipelines: readonly PipelineDefinition[];
  /** Sources read from saved pages, after the marts. */
  pageSources: readonly PageSourceDefinition[];
  /** Tables and views across sources. */
  marts: readonly Mart[];
  /** The code card `lookup` shows. */
  card: CodeCardDefinition;
  /** Commands the marts add to the command line (`fse price`). */
  commands?: readonly ((program: Command, catalog: Catalog) => void)[];
}
