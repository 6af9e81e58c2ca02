-- The outcome of every check of the run: a blocking failure stops the publish.
CREATE TABLE check_result (
  run_id VARCHAR NOT NULL,
  source VARCHAR NOT NULL,
  check_name VARCHAR NOT NULL,
  table_name VARCHAR NOT NULL,
  severity VARCHAR NOT NULL,
  passed BOOLEAN NOT NULL,
  failing_rows BIGINT NOT NULL,
  detail VARCHAR
);
COMMENT ON TABLE check_result IS 'Result of every check of the run that built this database.';
COMMENT ON COLUMN check_result.run_id IS 'Refresh that ran the check (run.run_id).';
COMMENT ON COLUMN check_result.source IS 'Source pipeline the check belongs to.';
COMMENT ON COLUMN check_result.check_name IS 'What was checked.';
COMMENT ON COLUMN check_result.table_name IS 'Table the check is about.';
COMMENT ON COLUMN check_result.severity IS 'blocking: a failure stops publication; warning: reported only.';
COMMENT ON COLUMN check_result.passed IS 'True when no row failed.';
COMMENT ON COLUMN check_result.failing_rows IS 'Number of rows that failed.';
COMMENT ON COLUMN check_result.detail IS 'Examples of failing rows, in words.';
