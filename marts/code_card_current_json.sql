-- code_card_current_json: each row of code_card_current as one JSON text, for `lookup`. A point
-- read costs DuckDB about 60 µs per column it fetches: the card's ~45 columns cost 2.5-3.4 ms a
-- lookup at 100 releases, one text column a fraction of that, and JSON.parse takes microseconds.
-- A JSON array of the row's values in code_card_current's column order (a reader names them from
-- the catalog): DuckDB builds it in about half the CPU time of an object naming them in every row.
-- Every value as text (VARCHAR): a DECIMAL keeps its scale ("0.00"), a DATE its day. Not
-- exported: code_card_current holds the same values for Parquet readers.
CREATE OR REPLACE TABLE code_card_current_json AS
SELECT hcpcs, modifier, to_json(list_value(*COLUMNS(*)))::VARCHAR AS card
FROM (SELECT COLUMNS(*)::VARCHAR FROM code_card_current);
-- A lookup reads one code's few rows (see code_card_current's index).
CREATE INDEX code_card_current_json_hcpcs ON code_card_current_json (hcpcs);

COMMENT ON TABLE code_card_current_json IS 'code_card_current, each row as one JSON array of its values as text: what `lookup` reads (one column per point read instead of every card column). Not exported to Parquet. CPT descriptors are copyright American Medical Association.';
COMMENT ON COLUMN code_card_current_json.card IS 'The values of the row of code_card_current as a JSON array, in the order of its columns (duckdb_columns().column_index): each as text (VARCHAR cast; a DECIMAL with its scale, a DATE as YYYY-MM-DD) or null.';
