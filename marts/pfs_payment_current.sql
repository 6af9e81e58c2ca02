-- pfs_payment_current: the payment amounts of the newest PFS release, the payment dataset of the
-- Parquet contract. pfs_payment (a view) gives every release, two million rows each; the Parquet
-- export of every release would multiply the full refresh's export (one release's rows take as
-- long to write as a hundred releases of pfs_rvu), so the contract carries the newest release,
-- partitioned by release_id as the facts are. An earlier release's amounts are the pfs_payment
-- formula over the pfs_rvu and pfs_gpci datasets, or the pfs_payment view in DuckDB.
--
-- Only what a reader of amounts needs: the key, the amounts, the OPPS caps and the lines they
-- came from (the RVU, GPCI and OPPSCAP rows, whose values the pfs_rvu, pfs_gpci and pfs_opps_cap
-- datasets hold; a release has one file of each, and pfs_payment_basis names the PPRRVU file of
-- each basis). Rows of status codes with no fee schedule amount (pfs_payment.has_amount false,
-- half the rows, every amount NULL) are left out: their status is in pfs_rvu.
--
-- A view, computed when read: stored, its million rows cost a refresh more than computing them
-- (RVU25D: 1.3-1.7 s to store them, then 0.4-0.5 s to write its Parquet file from the table,
-- against 0.85-0.95 s for the file computed and sorted by the export; the files are the same
-- bytes). Read by code, it answers in a few milliseconds; every row, in about half a second.
CREATE OR REPLACE VIEW pfs_payment_current AS
SELECT release_id, hcpcs, modifier, basis, mac, locality_number,
       non_facility_amount, facility_amount, opps_cap_non_facility, opps_cap_facility,
       non_facility_payment, facility_payment,
       rvu_source_line, gpci_source_line, opps_cap_source_line
FROM pfs_payment_of(newest_release('pfs-rvu'))
WHERE has_amount;

COMMENT ON VIEW pfs_payment_current IS 'pfs_payment for the newest PFS release (by effective date), the codes with a fee schedule amount only (status A or T; the others are in pfs_rvu with their status): per payment basis, locality (mac, locality_number), code and modifier, the non-facility and facility amounts, the OPPS caps and what Medicare pays, each traced to its RVU, GPCI and OPPSCAP rows. Earlier releases: the pfs_payment view, or its formula over pfs_rvu and pfs_gpci. CPT codes are copyright American Medical Association.';
