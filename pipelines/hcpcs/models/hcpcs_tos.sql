-- hcpcs_tos: the type-of-service codes of each HCPCS code, one row per code and position
-- (TOS1..TOS5): a code may carry several, so they form a bridge table, not a joined string.
CREATE TABLE IF NOT EXISTS hcpcs_tos (
  release_id VARCHAR NOT NULL,
  hcpcs VARCHAR NOT NULL,
  position TINYINT NOT NULL,
  type_of_service VARCHAR NOT NULL,
  source_file VARCHAR NOT NULL,
  source_line INTEGER NOT NULL
);

INSERT INTO hcpcs_tos
SELECT release_id, hcpcs, CAST(right(slot, 1) AS TINYINT), type_of_service, source_file, source_line
FROM (
  SELECT * FROM stg_hcpcs
  WHERE record_id IN ('3', '7')
)
UNPIVOT (type_of_service FOR slot IN (
  type_of_service_1, type_of_service_2, type_of_service_3, type_of_service_4, type_of_service_5
))
ORDER BY release_id, source_line, 3;

COMMENT ON TABLE hcpcs_tos IS 'Type of service (TOS) codes of each HCPCS Level II code: one row per code and TOS position (positions 261-265, TOS1..TOS5).';
COMMENT ON COLUMN hcpcs_tos.release_id IS 'Release (release.release_id where source = hcpcs).';
COMMENT ON COLUMN hcpcs_tos.hcpcs IS 'HCPCS Level II code (hcpcs_code.hcpcs).';
COMMENT ON COLUMN hcpcs_tos.position IS 'Which of the five TOS fields (1-5) the code came from.';
COMMENT ON COLUMN hcpcs_tos.type_of_service IS 'Type of service code. Code table hcpcs_type_of_service.';
COMMENT ON COLUMN hcpcs_tos.source_file IS 'File the record was read from.';
COMMENT ON COLUMN hcpcs_tos.source_line IS 'Line of the record in that file.';
