-- mue: NCCI Medically Unlikely Edits of the practitioner, outpatient hospital and DME supplier
-- tables in one table, one row per (release, service type, code). The service type comes from
-- the file name, as CMS publishes one file per type.
CREATE OR REPLACE MACRO mue_service_type(path) AS CASE
  WHEN regexp_matches(path, '(?i)practitioner') THEN 'practitioner'
  WHEN regexp_matches(path, '(?i)outpatient') THEN 'outpatient_hospital'
  WHEN regexp_matches(path, '(?i)dme') THEN 'dme_supplier'
END;
COMMENT ON MACRO mue_service_type IS 'mue_service_type(path): the MUE service type of a file from its name, as CMS publishes one file per type: practitioner, outpatient_hospital or dme_supplier; NULL for another name.';

CREATE TABLE IF NOT EXISTS mue (
  release_id VARCHAR NOT NULL,
  service_type VARCHAR NOT NULL,
  hcpcs VARCHAR NOT NULL,
  mue_value INTEGER NOT NULL,
  adjudication_indicator VARCHAR NOT NULL,
  adjudication_indicator_text VARCHAR NOT NULL,
  rationale VARCHAR,
  source_file VARCHAR NOT NULL,
  source_line INTEGER NOT NULL
);

INSERT INTO mue
SELECT
  release_id,
  mue_service_type(source_file),
  hcpcs,
  CAST(mue_value AS INTEGER),
  regexp_extract(adjudication_indicator, '^([0-9])', 1),
  adjudication_indicator,
  rationale,
  source_file, source_line
FROM stg_mue s
WHERE mue_service_type(s.source_file) IS NOT NULL
ORDER BY release_id, source_file, source_line;

COMMENT ON TABLE mue IS 'CMS NCCI Medically Unlikely Edits: the most units of service of a code reported by one provider for one beneficiary on one date of service, per service type. CPT codes are copyright American Medical Association.';
COMMENT ON COLUMN mue.release_id IS 'Release (release.release_id where source = mue): the quarter it takes effect, YYYY-MM.';
COMMENT ON COLUMN mue.service_type IS 'practitioner, outpatient_hospital or dme_supplier, from the file name. Code table mue_service_type.';
COMMENT ON COLUMN mue.hcpcs IS 'HCPCS/CPT code (HCPCS/CPT Code).';
COMMENT ON COLUMN mue.mue_value IS 'Maximum units of service (… Services MUE Values).';
COMMENT ON COLUMN mue.adjudication_indicator IS 'MUE adjudication indicator: the leading digit of the published cell (MUE Adjudication Indicator). Code table mue_adjudication_indicator.';
COMMENT ON COLUMN mue.adjudication_indicator_text IS 'The adjudication indicator cell as published, e.g. "2 Date of Service Edit: Policy".';
COMMENT ON COLUMN mue.rationale IS 'MUE rationale as published (MUE Rationale). Code table mue_rationale.';
COMMENT ON COLUMN mue.source_file IS 'File the row was read from (source_file.source_file).';
COMMENT ON COLUMN mue.source_line IS 'Line of the row in that file.';
