-- Code tables: the meaning of every indicator value, loaded from code-tables/*.csv.
CREATE TABLE indicator_system (
  system VARCHAR PRIMARY KEY,
  source VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  description VARCHAR,
  source_column VARCHAR,
  source_document VARCHAR
);
COMMENT ON TABLE indicator_system IS 'One row per indicator (code system) a source file carries, such as the status code of the fee schedule file.';
COMMENT ON COLUMN indicator_system.system IS 'Code system identifier, used by indicator_code.system.';
COMMENT ON COLUMN indicator_system.source IS 'Source pipeline whose files carry the indicator.';
COMMENT ON COLUMN indicator_system.name IS 'Name of the field as CMS documents it.';
COMMENT ON COLUMN indicator_system.description IS 'CMS description of the field.';
COMMENT ON COLUMN indicator_system.source_column IS 'Column header (and fixed-width positions) in the source file.';
COMMENT ON COLUMN indicator_system.source_document IS 'Document the definitions are transcribed from.';
