-- pfs_gpci: the geographic practice cost indices of each Medicare locality, as the RVU package
-- of the release gives them (Addendum E). A locality is (mac, locality_number).
CREATE TABLE IF NOT EXISTS pfs_gpci (
  release_id VARCHAR NOT NULL,
  mac VARCHAR NOT NULL,
  locality_number VARCHAR NOT NULL,
  state VARCHAR NOT NULL,
  locality_name VARCHAR NOT NULL,
  pw_gpci DECIMAL(5, 3) NOT NULL,
  pw_gpci_without_floor DECIMAL(5, 3),
  pe_gpci DECIMAL(5, 3) NOT NULL,
  mp_gpci DECIMAL(5, 3) NOT NULL,
  source_file VARCHAR NOT NULL,
  source_line INTEGER NOT NULL
);

INSERT INTO pfs_gpci
SELECT
  release_id, mac, locality_number, state, locality_name,
  CAST(pw_gpci AS DECIMAL(5, 3)),
  CAST(pw_gpci_without_floor AS DECIMAL(5, 3)),
  CAST(pe_gpci AS DECIMAL(5, 3)),
  CAST(mp_gpci AS DECIMAL(5, 3)),
  source_file, source_line
FROM stg_pfs_gpci
ORDER BY release_id, source_line;

COMMENT ON TABLE pfs_gpci IS 'CMS geographic practice cost indices (GPCIs) by Medicare locality, from the GPCI file of each PFS release (Addendum E). One row per release and locality (mac, locality_number).';
COMMENT ON COLUMN pfs_gpci.release_id IS 'PFS release the file ships in (release.release_id where source = pfs-gpci; the same ids as pfs-rvu), e.g. RVU25D.';
COMMENT ON COLUMN pfs_gpci.mac IS 'Medicare Administrative Contractor (carrier) number, 5 digits with leading zeros restored.';
COMMENT ON COLUMN pfs_gpci.locality_number IS 'Locality number within the contractor, 2 digits with leading zeros restored.';
COMMENT ON COLUMN pfs_gpci.state IS 'Two-letter state (or territory) code.';
COMMENT ON COLUMN pfs_gpci.locality_name IS 'Locality name as published; * and ** mark the footnoted floors (Alaska work GPCI 1.5, frontier-state PE GPCI 1.0).';
COMMENT ON COLUMN pfs_gpci.pw_gpci IS 'Physician work GPCI, with the 1.0 floor where the law gives one (PW GPCI (with 1.0 Floor)).';
COMMENT ON COLUMN pfs_gpci.pw_gpci_without_floor IS 'Physician work GPCI without the 1.0 floor, where the file gives it (January 2026); NULL otherwise.';
COMMENT ON COLUMN pfs_gpci.pe_gpci IS 'Practice expense GPCI.';
COMMENT ON COLUMN pfs_gpci.mp_gpci IS 'Malpractice (professional liability) GPCI.';
COMMENT ON COLUMN pfs_gpci.source_file IS 'File the row was read from (source_file.source_file).';
COMMENT ON COLUMN pfs_gpci.source_line IS 'Line of the row in that file.';
