-- Shared by every source's history: created if missing (a run building on a published database
-- has it already).
CREATE TABLE IF NOT EXISTS code_history (
  source VARCHAR NOT NULL,
  hcpcs VARCHAR NOT NULL,
  date DATE NOT NULL,
  release_id VARCHAR NOT NULL,
  action VARCHAR NOT NULL,
  notes VARCHAR
);
COMMENT ON TABLE code_history IS 'What happened to each HCPCS/CPT code in the loaded releases of a source, like the Date | Action | Notes table of a third-party page about a code.';
COMMENT ON COLUMN code_history.source IS 'Source pipeline (sources keyed by hcpcs).';
COMMENT ON COLUMN code_history.hcpcs IS 'The code.';
COMMENT ON COLUMN code_history.date IS 'Day of the event: effective_from of release_id.';
COMMENT ON COLUMN code_history.release_id IS 'Release in which it happened.';
COMMENT ON COLUMN code_history.action IS 'added: first listed; changed: a row of the code changed, or a row (modifier) was added or ended while the code stayed; ended: a full release lists no row of the code; returned: listed again after it ended.';
COMMENT ON COLUMN code_history.notes IS 'In words: the release, and which columns changed from which value to which.';
