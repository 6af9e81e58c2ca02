-- pfs_payment_basis: one row per (release, PPRRVU file): the basis it prices (all before 2026;
-- non_qpp and qpp from CY2026), its conversion factor and pricing indicator (each one value per
-- file: a check blocks the run otherwise), and its rows.
CREATE TABLE IF NOT EXISTS pfs_payment_basis (
  release_id VARCHAR NOT NULL,
  basis VARCHAR NOT NULL,
  conversion_factor DECIMAL(9, 4) NOT NULL,
  pricing_indicator VARCHAR,
  rows BIGINT NOT NULL,
  source_file VARCHAR NOT NULL,
  source_line INTEGER NOT NULL
);

INSERT INTO pfs_payment_basis
SELECT
  release_id,
  pfs_payment_basis(source_file),
  CAST(clean_number(any_value(conversion_factor)) AS DECIMAL(9, 4)),
  any_value(pricing_indicator),
  count(*),
  source_file,
  min(source_line)
FROM stg_pfs_rvu
GROUP BY release_id, source_file
ORDER BY release_id, source_file;

COMMENT ON TABLE pfs_payment_basis IS 'One row per PPRRVU file of a release: the payment basis it prices and its conversion factor. Before CY2026 one file (basis all); from CY2026 two, non_qpp and qpp (qualifying APM participants), each with its own conversion factor (33.4009 and 33.5675 in CY2026).';
COMMENT ON COLUMN pfs_payment_basis.release_id IS 'Release (release.release_id where source = pfs-rvu).';
COMMENT ON COLUMN pfs_payment_basis.basis IS 'all (one file for everyone, before 2026), non_qpp or qpp (from the file name: PPRRVU<yyyy>_<Mon>_nonQPP / _QPP).';
COMMENT ON COLUMN pfs_payment_basis.conversion_factor IS 'The file''s conversion factor in dollars per RVU (CONV FACTOR, one value per file).';
COMMENT ON COLUMN pfs_payment_basis.pricing_indicator IS 'The file''s pricing indicator (PRIC IND, CY2026 on: 9 non-QPP, 1 QPP; NULL before). Code table pfs_pricing_indicator (unverified labels).';
COMMENT ON COLUMN pfs_payment_basis.rows IS 'Rows of the file loaded.';
COMMENT ON COLUMN pfs_payment_basis.source_file IS 'The file under raw/ (source_file.source_file).';
COMMENT ON COLUMN pfs_payment_basis.source_line IS 'Line of the first row of the file loaded.';
