-- Shared by every source's history: created if missing (a run building on a published database
-- has it already).
CREATE TABLE IF NOT EXISTS release_diff (
  source VARCHAR NOT NULL,
  from_release VARCHAR NOT NULL,
  to_release VARCHAR NOT NULL,
  effective_from DATE NOT NULL,
  change VARCHAR NOT NULL,
  key VARCHAR NOT NULL,
  hcpcs VARCHAR,
  column_name VARCHAR,
  old_value VARCHAR,
  new_value VARCHAR,
  old_label VARCHAR,
  new_label VARCHAR
);
COMMENT ON TABLE release_diff IS 'What changed between each pair of consecutive releases of a source (by effective_from), main fact table only: one row per added or ended key, one row per changed column of a changed key. A partial release ends nothing.';
COMMENT ON COLUMN release_diff.source IS 'Source pipeline.';
COMMENT ON COLUMN release_diff.from_release IS 'The earlier release (release.release_id).';
COMMENT ON COLUMN release_diff.to_release IS 'The next release of the same source.';
COMMENT ON COLUMN release_diff.effective_from IS 'Day the change takes effect: effective_from of to_release.';
COMMENT ON COLUMN release_diff.change IS 'added: the key is in force in to_release only; ended: in from_release only; changed: in both with other values.';
COMMENT ON COLUMN release_diff.key IS 'Key of the row as column=value pairs in key order, NULL as nothing, e.g. hcpcs=38211 modifier=.';
COMMENT ON COLUMN release_diff.hcpcs IS 'The HCPCS/CPT code of the key, for sources keyed by code; else NULL.';
COMMENT ON COLUMN release_diff.column_name IS 'The column that changed (changed rows only).';
COMMENT ON COLUMN release_diff.old_value IS 'Value in from_release, as text.';
COMMENT ON COLUMN release_diff.new_value IS 'Value in to_release, as text.';
COMMENT ON COLUMN release_diff.old_label IS 'Label of old_value in the code table of the column on from_release''s effective date, for indicator columns.';
COMMENT ON COLUMN release_diff.new_label IS 'Label of new_value on to_release''s effective date, for indicator columns.';
