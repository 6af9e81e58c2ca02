-- Rows that could not be read or did not pass validation. Nothing is dropped silently.
CREATE TABLE rejected_row (
  source VARCHAR NOT NULL,
  release_id VARCHAR NOT NULL,
  source_file VARCHAR NOT NULL,
  source_line BIGINT NOT NULL,
  rule VARCHAR NOT NULL,
  column_name VARCHAR,
  value VARCHAR,
  detail VARCHAR,
  raw_text VARCHAR,
  row_kept BOOLEAN NOT NULL DEFAULT false
);
COMMENT ON TABLE rejected_row IS 'One row per (line, rule) a source file broke; such lines are kept out of the fact tables.';
COMMENT ON COLUMN rejected_row.source IS 'Source pipeline of the file.';
COMMENT ON COLUMN rejected_row.release_id IS 'Release of the file.';
COMMENT ON COLUMN rejected_row.source_file IS 'File under raw/ (source_file.source_file).';
COMMENT ON COLUMN rejected_row.source_line IS 'Line number in the file (1-based).';
COMMENT ON COLUMN rejected_row.rule IS 'The rule the line broke (unknown code, required value missing, truncated file, ...).';
COMMENT ON COLUMN rejected_row.column_name IS 'Column at fault, when one is.';
COMMENT ON COLUMN rejected_row.value IS 'Value at fault, as read.';
COMMENT ON COLUMN rejected_row.detail IS 'Explanation in words.';
COMMENT ON COLUMN rejected_row.raw_text IS 'The line as it is in the file (a workbook row: its cells up to the last one not blank, joined by tabs), at most 10,000 characters.';
COMMENT ON COLUMN rejected_row.row_kept IS 'True when the row was still loaded (an unknown code a pipeline accepts with a warning, shown as unknown); false when the line is kept out of the fact tables.';

-- The staged lines that must stay out of the fact tables: they are deleted from staging before
-- the models run, so that models read staging as it is, in file order.
CREATE MACRO kept_out_lines() AS TABLE
  SELECT source_file, source_line FROM rejected_row WHERE NOT row_kept;
COMMENT ON MACRO TABLE kept_out_lines IS 'kept_out_lines(): the (source_file, source_line) of every line kept out of the fact tables (rejected_row where not row_kept), deleted from staging before the models run.';
