-- One row per refresh: what ran, from which folders, and how it ended.
CREATE TABLE run (
  run_id VARCHAR PRIMARY KEY,
  started_at TIMESTAMP NOT NULL,
  raw_dir VARCHAR NOT NULL,
  pipeline_version VARCHAR NOT NULL
);
COMMENT ON TABLE run IS 'One row per refresh that built this database.';
COMMENT ON COLUMN run.run_id IS 'Identifier of the refresh (UTC start time and process id).';
COMMENT ON COLUMN run.started_at IS 'When the refresh started (UTC).';
COMMENT ON COLUMN run.raw_dir IS 'The raw/ folder the refresh read.';
COMMENT ON COLUMN run.pipeline_version IS 'Version of this pipeline (package.json) that built the database.';
