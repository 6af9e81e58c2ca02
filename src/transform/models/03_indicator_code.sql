-- Code tables: the meaning of every indicator value, loaded from code-tables/*.csv.
CREATE TABLE indicator_system (
  system VARCHAR PRIMARY KEY,
  source VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  description VARCHAR,
  source_column VARCHAR,
  source_document VARCHAR
);
COMMENT ON TABLE indicator_system IS 'One row per indicator (code system) a source file carries, e.g. pfs_status_code.';
COMMENT ON COLUMN indicator_system.system IS 'Code system identifier, used by indicator_code.system.';
COMMENT ON COLUMN indicator_system.source IS 'Source pipeline whose files carry the indicator.';
COMMENT ON COLUMN indicator_system.name IS 'Name of the field as CMS documents it.';
COMMENT ON COLUMN indicator_system.description IS 'CMS description of the field.';
COMMENT ON COLUMN indicator_system.source_column IS 'Column header (and fixed-width positions) in the source file.';
COMMENT ON COLUMN indicator_system.source_document IS 'Document the definitions are transcribed from.';

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

-- Numbers as CMS writes them ("$3,307.24", " 1.42") made castable to DECIMAL (the cast itself
-- allows spaces). Most values have neither sign nor comma: testing first is three times faster.
CREATE MACRO clean_number(text) AS CASE
  WHEN contains(text, '$') OR contains(text, ',') THEN replace(replace(trim(text), '$', ''), ',', '')
  ELSE text END;

-- True when a code table row is valid on the day (any day when the day is NULL).
CREATE MACRO code_valid_on(valid_from, valid_to, on_day) AS
  (valid_from IS NULL OR on_day IS NULL OR valid_from <= on_day)
  AND (valid_to IS NULL OR on_day IS NULL OR on_day < valid_to);

-- The label of a code on a given day; NULL when the value is not a code of the system then.
CREATE MACRO code_label(code_system, code_value, on_day) AS (
  SELECT label FROM indicator_code c
  WHERE c.system = code_system AND c.code = code_value
    AND code_valid_on(c.valid_from, c.valid_to, on_day)
);
