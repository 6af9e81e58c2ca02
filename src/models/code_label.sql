-- True when a code table row is valid on the day (any day when the day is NULL).
CREATE MACRO code_valid_on(valid_from, valid_to, on_day) AS
  (valid_from IS NULL OR on_day IS NULL OR valid_from <= on_day)
  AND (valid_to IS NULL OR on_day IS NULL OR on_day < valid_to);
COMMENT ON MACRO code_valid_on IS 'code_valid_on(valid_from, valid_to, on_day): true when a code table row is valid on on_day (valid_from <= on_day < valid_to, a missing bound or day allowing any); the rule code_label applies.';

-- The label of a code on a given day; NULL when the value is not a code of the system then.
CREATE MACRO code_label(code_system, code_value, on_day) AS (
  SELECT label FROM indicator_code c
  WHERE c.system = code_system AND c.code = code_value
    AND code_valid_on(c.valid_from, c.valid_to, on_day)
);
COMMENT ON MACRO code_label IS 'code_label(code_system, code_value, on_day): the label (indicator_code.label) of code_value in code table code_system, valid on on_day (any day when NULL); NULL when the value is not a code of the system then. DuckDB only: the decoded Parquet datasets carry the labels as columns.';
