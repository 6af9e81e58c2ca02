-- pfs_rvu_qpp: the rows of a CY2026+ QPP file (PPRRVU<yyyy>_<Mon>_QPP), one per (release, hcpcs,
-- modifier), with what the QPP file may give otherwise than the non-QPP one: the OPPS-payment
-- columns (71046: 2.69 in one file, 2.70 in the other). Everything else the two files share is
-- stored once, in pfs_rvu (a check blocks the run where they disagree); the conversion factor and
-- pricing indicator, one per file, are in pfs_payment_basis. A code of pfs_rvu without a row
-- here is one the QPP file leaves out (no payable amount).
CREATE TABLE IF NOT EXISTS pfs_rvu_qpp (
  release_id VARCHAR NOT NULL,
  hcpcs VARCHAR NOT NULL,
  modifier VARCHAR,
  non_facility_pe_opps DECIMAL(8, 2) NOT NULL,
  facility_pe_opps DECIMAL(8, 2) NOT NULL,
  mp_opps DECIMAL(8, 2) NOT NULL,
  source_file VARCHAR NOT NULL,
  source_line INTEGER NOT NULL
);

INSERT INTO pfs_rvu_qpp
SELECT
  release_id, hcpcs, modifier,
  CAST(clean_number(non_facility_pe_opps) AS DECIMAL(8, 2)),
  CAST(clean_number(facility_pe_opps) AS DECIMAL(8, 2)),
  CAST(clean_number(mp_opps) AS DECIMAL(8, 2)),
  source_file, source_line
FROM stg_pfs_rvu s
WHERE pfs_payment_basis(s.source_file) = 'qpp';

COMMENT ON TABLE pfs_rvu_qpp IS 'The rows of a CY2026+ PPRRVU QPP file (qualifying APM participants), one per release, HCPCS code and modifier, with its OPPS-payment columns (which may differ from the non-QPP file). Every other value is the non-QPP file''s, in pfs_rvu; a code of pfs_rvu without a row here is one the QPP file leaves out. CPT codes are copyright American Medical Association.';
COMMENT ON COLUMN pfs_rvu_qpp.release_id IS 'Release (release.release_id where source = pfs-rvu), e.g. RVU26A.';
COMMENT ON COLUMN pfs_rvu_qpp.hcpcs IS 'HCPCS/CPT code.';
COMMENT ON COLUMN pfs_rvu_qpp.modifier IS 'Modifier (26, TC, 53); NULL for the global service.';
COMMENT ON COLUMN pfs_rvu_qpp.non_facility_pe_opps IS 'Non-facility PE RVU used for the OPPS payment amount, in the QPP file.';
COMMENT ON COLUMN pfs_rvu_qpp.facility_pe_opps IS 'Facility PE RVU used for the OPPS payment amount, in the QPP file.';
COMMENT ON COLUMN pfs_rvu_qpp.mp_opps IS 'MP RVU used for the OPPS payment amount, in the QPP file.';
COMMENT ON COLUMN pfs_rvu_qpp.source_file IS 'The QPP file under raw/ (source_file.source_file).';
COMMENT ON COLUMN pfs_rvu_qpp.source_line IS 'Line of the row in source_file (1-based).';
