-- pfs_opps_cap: the OPPS-capped prices of the codes the cap applies to, per carrier and
-- locality. A code absent here is not capped in that release.
CREATE TABLE IF NOT EXISTS pfs_opps_cap (
  release_id VARCHAR NOT NULL,
  hcpcs VARCHAR NOT NULL,
  modifier VARCHAR,
  status_code VARCHAR NOT NULL,
  mac VARCHAR NOT NULL,
  locality_number VARCHAR NOT NULL,
  facility_price DECIMAL(10, 2) NOT NULL,
  non_facility_price DECIMAL(10, 2) NOT NULL,
  source_file VARCHAR NOT NULL,
  source_line INTEGER NOT NULL
);

INSERT INTO pfs_opps_cap
SELECT release_id, hcpcs, modifier, status_code, mac, locality_number,
       CAST(facility_price AS DECIMAL(10, 2)), CAST(non_facility_price AS DECIMAL(10, 2)),
       source_file, source_line
FROM stg_pfs_opps_cap;
-- No ORDER BY, as in pfs_rvu.sql: staging holds each release's lines in file order and a plain
-- scan keeps it; sorting 16,000 rows a release again cost a second at 100 releases.

COMMENT ON TABLE pfs_opps_cap IS 'CMS OPPS payment cap (OPPSCAP file of each PFS release): for imaging services whose PFS payment is capped at the OPPS amount, the capped price per code, modifier, carrier and locality. CPT codes are copyright American Medical Association.';
COMMENT ON COLUMN pfs_opps_cap.release_id IS 'PFS release the file ships in (the same ids as pfs-rvu), e.g. RVU25D.';
COMMENT ON COLUMN pfs_opps_cap.hcpcs IS 'HCPCS or CPT code (HCPCS).';
COMMENT ON COLUMN pfs_opps_cap.modifier IS 'Modifier (MOD): TC or 26 for the component, NULL for the global service.';
COMMENT ON COLUMN pfs_opps_cap.status_code IS 'PFS status code of the code (PROCSTAT). Code table pfs_status_code.';
COMMENT ON COLUMN pfs_opps_cap.mac IS 'Carrier (Medicare Administrative Contractor) number, 5 digits (CARRIER).';
COMMENT ON COLUMN pfs_opps_cap.locality_number IS 'Locality number, 2 digits (LOCALITY).';
COMMENT ON COLUMN pfs_opps_cap.facility_price IS 'OPPS-capped price in a facility setting, in dollars (FACILITY PRICE).';
COMMENT ON COLUMN pfs_opps_cap.non_facility_price IS 'OPPS-capped price in a non-facility setting, in dollars (NON-FACILTY PRICE, as CMS spells it).';
COMMENT ON COLUMN pfs_opps_cap.source_file IS 'File the row was read from (source_file.source_file).';
COMMENT ON COLUMN pfs_opps_cap.source_line IS 'Line of the row in that file.';
