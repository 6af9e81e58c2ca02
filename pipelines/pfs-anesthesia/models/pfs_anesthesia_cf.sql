-- pfs_anesthesia_cf: the anesthesia conversion factor of each locality (from CY2026 two: non-QPP
-- and QPP, as the PPRRVU files). Anesthesia services are paid on base and time units times this
-- factor, not on RVUs times the PFS conversion factor.
CREATE TABLE IF NOT EXISTS pfs_anesthesia_cf (
  release_id VARCHAR NOT NULL,
  mac VARCHAR NOT NULL,
  locality_number VARCHAR NOT NULL,
  locality_name VARCHAR NOT NULL,
  anesthesia_cf DECIMAL(7, 4) NOT NULL,
  anesthesia_cf_qpp DECIMAL(7, 4),
  source_file VARCHAR NOT NULL,
  source_line INTEGER NOT NULL
);

INSERT INTO pfs_anesthesia_cf
SELECT release_id, mac, locality_number, locality_name,
       CAST(anesthesia_cf AS DECIMAL(7, 4)), CAST(anesthesia_cf_qpp AS DECIMAL(7, 4)),
       source_file, source_line
FROM stg_pfs_anesthesia
ORDER BY release_id, source_line;

COMMENT ON TABLE pfs_anesthesia_cf IS 'CMS anesthesia conversion factor per Medicare locality, from the ANES file of each PFS release. One row per release and locality.';
COMMENT ON COLUMN pfs_anesthesia_cf.release_id IS 'PFS release the file ships in (the same ids as pfs-rvu), e.g. RVU25D.';
COMMENT ON COLUMN pfs_anesthesia_cf.mac IS 'Medicare Administrative Contractor number, 5 digits (Contractor).';
COMMENT ON COLUMN pfs_anesthesia_cf.locality_number IS 'Locality number, 2 digits (Locality).';
COMMENT ON COLUMN pfs_anesthesia_cf.locality_name IS 'Locality name as published.';
COMMENT ON COLUMN pfs_anesthesia_cf.anesthesia_cf IS 'Anesthesia conversion factor of the locality in dollars per unit (the header names the national factor, e.g. "National Anes CF of 20.3178"). From CY2026 the factor of the non-qualifying APM participants (the non-QPP basis of pfs_payment_basis).';
COMMENT ON COLUMN pfs_anesthesia_cf.anesthesia_cf_qpp IS 'From CY2026: the anesthesia conversion factor of qualifying APM participants (the QPP basis of pfs_payment_basis), in dollars per unit. NULL before 2026, when one factor applies to all.';
COMMENT ON COLUMN pfs_anesthesia_cf.source_file IS 'File the row was read from (source_file.source_file).';
COMMENT ON COLUMN pfs_anesthesia_cf.source_line IS 'Line of the row in that file.';
