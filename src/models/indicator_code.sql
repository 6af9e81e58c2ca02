-- Code tables: the meaning of every indicator value, loaded from code-tables/*.csv.
CREATE TABLE indicator_code (
  system VARCHAR NOT NULL REFERENCES indicator_system (system),
  code VARCHAR NOT NULL,
  label VARCHAR NOT NULL,
  definition VARCHAR,
  payment_rule VARCHAR,
  valid_from DATE,
  valid_to DATE,
  source_document VARCHAR,
  PRIMARY KEY (system, code)
);
COMMENT ON TABLE indicator_code IS 'One row per value of an indicator with its CMS label and definition.';
COMMENT ON COLUMN indicator_code.system IS 'Code system (indicator_system.system).';
COMMENT ON COLUMN indicator_code.code IS 'The value as it appears in the file, padding kept (09, 000).';
COMMENT ON COLUMN indicator_code.label IS 'Short label: CMS''s own where it gives one, else the first sentence of its definition.';
COMMENT ON COLUMN indicator_code.definition IS 'CMS definition, verbatim.';
COMMENT ON COLUMN indicator_code.payment_rule IS 'What CMS says about payment for this value, where it says something.';
COMMENT ON COLUMN indicator_code.valid_from IS 'First day the value is valid, when CMS gives one.';
COMMENT ON COLUMN indicator_code.valid_to IS 'Day the value stops being valid (exclusive), when CMS gives one.';
COMMENT ON COLUMN indicator_code.source_document IS 'Document the row is transcribed from.';
