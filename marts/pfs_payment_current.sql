-- pfs_payment_current: the payment amounts of the newest PFS release, stored: the payment dataset
-- of the Parquet contract. pfs_payment (a view) gives every release, two million rows each; the
-- Parquet export of every release would multiply the full refresh's export (one release's rows
-- take as long to write as a hundred releases of pfs_rvu), so the contract carries the newest
-- release, partitioned by release_id as the facts are. An earlier release's amounts are the
-- pfs_payment formula over the pfs_rvu and pfs_gpci datasets, or the pfs_payment view in DuckDB.
--
-- Only what a reader of amounts needs: the key, the amounts, the OPPS caps and the lines they
-- came from (the RVU, GPCI and OPPSCAP rows, whose values the pfs_rvu, pfs_gpci and pfs_opps_cap
-- datasets hold; a release has one file of each, and pfs_payment_basis names the PPRRVU file of
-- each basis). The file names, a text per row, are left out: with them the table did not fit in
-- 200MB of DuckDB memory, the refresh has 600MB for everything running beside it. Rows of status codes with no fee schedule amount (pfs_payment.has_amount false,
-- half the rows, every amount NULL) are left out: their status is in pfs_rvu.
-- In code order, then basis and locality: a code's 109 localities side by side compress best.
-- The release is set first so that it is a constant the filter pushes down into pfs_payment's
-- joins (a subquery there would compute every release's amounts).
SET VARIABLE newest_pfs_release = (
  SELECT release_id FROM release WHERE source = 'pfs-rvu'
  ORDER BY effective_from DESC, release_id DESC LIMIT 1
);
-- DuckDB's build_side_probe_side optimizer hashed the two million priced rows to probe them with
-- the release's 16,000 OPPS caps (0.8 s of the 1.1 s this took); the caps as the hash table's side
-- take a third of that. The setting is the database's: it is added to the run's own and the
-- run's restored below, so that the statements of other connections plan as they would.
SET VARIABLE run_disabled_optimizers = current_setting('disabled_optimizers');
SET disabled_optimizers = concat_ws(',', nullif(getvariable('run_disabled_optimizers'), ''), 'build_side_probe_side');
-- Storing the million rows cost more than computing them: DuckDB tried FSST on every text column
-- of every row group, to keep dictionary compression in all but a few (copying the stored table:
-- 0.81 s, 0.48 s without FSST). Set and restored as the optimizers are.
SET VARIABLE run_disabled_compression = current_setting('disabled_compression_methods');
SET disabled_compression_methods = concat_ws(',', nullif(getvariable('run_disabled_compression'), ''), 'fsst');
-- On the run's threads (one in a run of a release or two), though a second thread would take
-- this statement from 1.85 s to 1.2 s (RVU25D): DuckDB's thread count is the database's, and
-- lowering it again waits for the tasks of every connection and hands DuckDB's freed memory back
-- to the system, which the next statements fault in again (a one-release refresh, 5 runs taking
-- turns: 6.9 s and 10.0 CPU s with this switch and the staging's, 6.5 s and 8.5 CPU s without).
CREATE OR REPLACE TABLE pfs_payment_current AS
SELECT release_id, hcpcs, modifier, basis, mac, locality_number,
       non_facility_amount, facility_amount, opps_cap_non_facility, opps_cap_facility,
       non_facility_payment, facility_payment,
       rvu_source_line, gpci_source_line, opps_cap_source_line
FROM pfs_payment
WHERE release_id = getvariable('newest_pfs_release') AND has_amount
ORDER BY hcpcs, modifier NULLS FIRST, basis, mac, locality_number;
RESET VARIABLE newest_pfs_release;
SET disabled_optimizers = getvariable('run_disabled_optimizers');
RESET VARIABLE run_disabled_optimizers;
SET disabled_compression_methods = getvariable('run_disabled_compression');
RESET VARIABLE run_disabled_compression;

COMMENT ON TABLE pfs_payment_current IS 'pfs_payment for the newest PFS release (by effective date), the codes with a fee schedule amount only (status A or T; the others are in pfs_rvu with their status): per payment basis, locality (mac, locality_number), code and modifier, the non-facility and facility amounts, the OPPS caps and what Medicare pays, each traced to its RVU, GPCI and OPPSCAP rows. Earlier releases: the pfs_payment view, or its formula over pfs_rvu and pfs_gpci. CPT codes are copyright American Medical Association.';
