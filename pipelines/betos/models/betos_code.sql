-- betos_code: every HCPCS and CPT code of a BETOS public-use file with its Berenson-Eggers type
-- of service and, for a discontinued code, the last day Medicare providers may use it.
CREATE TABLE IF NOT EXISTS betos_code (
  release_id VARCHAR NOT NULL,
  hcpcs VARCHAR NOT NULL,
  betos VARCHAR NOT NULL,
  termination_date DATE,
  source_file VARCHAR NOT NULL,
  source_line INTEGER NOT NULL
);

INSERT INTO betos_code
SELECT
  release_id,
  hcpcs,
  betos,
  strptime(termination_date, '%Y%m%d')::DATE,
  source_file, source_line
FROM stg_betos s;

COMMENT ON TABLE betos_code IS 'CMS Berenson-Eggers Type of Service (BETOS) public-use file: one row per release and HCPCS or CPT code with its BETOS code. The only CMS source of a BETOS for CPT codes (the HCPCS Level II file has no CPT rows); CMS withdrew the file after 2014. CPT codes are copyright American Medical Association.';
COMMENT ON COLUMN betos_code.release_id IS 'Release (release.release_id where source = betos): the year of the public-use file, e.g. 2014.';
COMMENT ON COLUMN betos_code.hcpcs IS 'HCPCS or CPT code (positions 1-5).';
COMMENT ON COLUMN betos_code.betos IS 'BETOS code (positions 7-9). Code table hcpcs_betos.';
COMMENT ON COLUMN betos_code.termination_date IS 'Last day Medicare providers may use the code (positions 10-17, YYYYMMDD); NULL for a code in use.';
COMMENT ON COLUMN betos_code.source_file IS 'File under raw/ the row was read from (source_file.source_file).';
COMMENT ON COLUMN betos_code.source_line IS 'Line of the record in source_file (1-based).';
