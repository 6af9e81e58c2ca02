-- Every file a release was read from, identified by its bytes.
CREATE TABLE source_file (
  source_file VARCHAR PRIMARY KEY,
  source VARCHAR NOT NULL,
  release_id VARCHAR NOT NULL,
  file_name VARCHAR NOT NULL,
  format VARCHAR NOT NULL,
  role VARCHAR NOT NULL,
  sha256 VARCHAR NOT NULL,
  bytes BIGINT NOT NULL,
  lines BIGINT NOT NULL,
  rows_staged BIGINT NOT NULL,
  lines_rejected BIGINT NOT NULL,
  lines_skipped BIGINT NOT NULL,
  origin VARCHAR NOT NULL,
  FOREIGN KEY (source, release_id) REFERENCES release (source, release_id)
);
COMMENT ON TABLE source_file IS 'One row per raw file read by the refresh; every fact row points here through source_file.';
COMMENT ON COLUMN source_file.source_file IS 'Path under raw/ (source/release/file): the lineage key in fact tables and rejected_row.';
COMMENT ON COLUMN source_file.source IS 'Source pipeline of the file.';
COMMENT ON COLUMN source_file.release_id IS 'Release the file belongs to.';
COMMENT ON COLUMN source_file.file_name IS 'File name as published.';
COMMENT ON COLUMN source_file.format IS 'How the file was read: csv, fixed-width, xlsx, or tab-delimited (a text file laid out by position elsewhere, saved with TABs).';
COMMENT ON COLUMN source_file.role IS 'primary: loaded into the fact table; variant: another format of the same release, checked to give identical rows.';
COMMENT ON COLUMN source_file.sha256 IS 'SHA-256 of the file bytes.';
COMMENT ON COLUMN source_file.bytes IS 'File size in bytes.';
COMMENT ON COLUMN source_file.lines IS 'Lines in the file, header and preamble included.';
COMMENT ON COLUMN source_file.rows_staged IS 'Data rows read from the file.';
COMMENT ON COLUMN source_file.lines_rejected IS 'Lines the reader could not read (see rejected_row).';
COMMENT ON COLUMN source_file.lines_skipped IS 'Lines among the records that the source declares not records (blank spacer lines, notes such as footnotes), not loaded.';
COMMENT ON COLUMN source_file.origin IS 'Where the file came from (URL, zip member, or local).';
