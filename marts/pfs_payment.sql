-- pfs_payment: what Medicare pays under the physician fee schedule, per release, payment basis,
-- locality, code and modifier, before any claim-level rule (multiple procedures, bilateral,
-- assistant, co-surgeons: `fse price` applies those). A view: amounts are computed when read
-- (19,090 rows × 109 localities per release would be two million stored rows each).
--
-- The formula (CMS, PFS relative value file documentation; reproduces CMS's PFREV25C amounts to
-- the cent in every locality, cms-formats.md §11.2):
--   amount = round((work RVU × work GPCI + PE RVU × PE GPCI + MP RVU × MP GPCI) × conversion factor, 2)
-- with the non-facility or the facility PE RVU. The work GPCI is the one with the 1.0 floor.
--
-- Amounts exist for status A ("paid separately under the physician fee schedule") and T
-- ("there are RVUs and payment amounts for these services"): the other statuses' definitions
-- give no fee schedule amount (bundled, contractor priced, not valid, excluded, not covered,
-- anesthesia). An NA indicator ("rarely or never performed" in that setting) does not remove
-- the amount: CMS's payment files give it (PFREV25C: 76145's facility amount, NA in RVU25D).
--
-- The OPPS cap (Social Security Act §1848(b)(4)): the OPPSCAP file lists, for the imaging
-- services it caps, the price per carrier and locality; Medicare pays the lesser of the PFS
-- amount and that price. OPPSCAP names some localities by another carrier of the same state
-- (RVU25D: California's 01182 localities under 01112): a carrier's locality number is matched
-- within the carrier's state when the pair itself is not a GPCI locality.
--
-- The view is pfs_payment_of(NULL). pfs_payment_of(wanted_release) gives one release's amounts,
-- each source's rows filtered to that release before the joins: pfs_payment_current passes the
-- newest release as a subquery, which the view filtered afterwards would have computed for every
-- release first (a hundred releases: out of memory). Given NULL, the filters fold away.
CREATE OR REPLACE MACRO pfs_payment_of(wanted_release) AS TABLE
WITH rvu AS (
  -- CY2026 on, a QPP row prices the values pfs_rvu keeps once (a check blocks the run where the
  -- two files disagree) with the QPP file's conversion factor; it is traced to its own line.
  SELECT r.release_id, b.basis, b.conversion_factor, r.hcpcs, r.modifier, r.status_code,
         r.work_rvu, r.non_facility_pe_rvu, r.non_facility_na, r.facility_pe_rvu, r.facility_na,
         r.mp_rvu, r.source_file, r.source_line
  FROM pfs_rvu r
  JOIN pfs_payment_basis b ON b.release_id = r.release_id AND b.source_file = r.source_file
  WHERE wanted_release IS NULL OR r.release_id = wanted_release
  UNION ALL
  SELECT r.release_id, b.basis, b.conversion_factor, r.hcpcs, r.modifier, r.status_code,
         r.work_rvu, r.non_facility_pe_rvu, r.non_facility_na, r.facility_pe_rvu, r.facility_na,
         r.mp_rvu, q.source_file, q.source_line
  FROM pfs_rvu_qpp q
  JOIN pfs_rvu r ON r.release_id = q.release_id AND r.hcpcs = q.hcpcs
   AND r.modifier IS NOT DISTINCT FROM q.modifier
  JOIN pfs_payment_basis b ON b.release_id = q.release_id AND b.source_file = q.source_file
  WHERE wanted_release IS NULL OR q.release_id = wanted_release
),
cap_locality AS (
  -- Each OPPSCAP (carrier, locality) pair resolved to the GPCI locality it names.
  SELECT DISTINCT c.release_id, c.mac AS cap_mac, c.locality_number, g.mac
  FROM (SELECT DISTINCT release_id, mac, locality_number FROM pfs_opps_cap
        WHERE wanted_release IS NULL OR release_id = wanted_release) c
  JOIN pfs_gpci g ON g.release_id = c.release_id AND g.locality_number = c.locality_number
   AND (g.mac = c.mac
        OR (NOT EXISTS (SELECT 1 FROM pfs_gpci x WHERE x.release_id = c.release_id
                          AND x.mac = c.mac AND x.locality_number = c.locality_number)
            AND g.state IN (SELECT s.state FROM pfs_gpci s
                            WHERE s.release_id = c.release_id AND s.mac = c.mac)))
),
cap AS (
  -- RVU25D's OPPSCAP lists six localities under both carriers (01182 17 and 01112 17, the same
  -- prices): the locality's own carrier's line is the one used, the other only where it is
  -- the one line (one cap per locality and code: no payment row twice).
  SELECT c.release_id, l.mac, c.locality_number, c.hcpcs, c.modifier,
         c.non_facility_price, c.facility_price, c.source_file, c.source_line
  FROM pfs_opps_cap c
  JOIN cap_locality l ON l.release_id = c.release_id AND l.cap_mac = c.mac
   AND l.locality_number = c.locality_number
  WHERE wanted_release IS NULL OR c.release_id = wanted_release
  QUALIFY row_number() OVER (
    PARTITION BY c.release_id, l.mac, c.locality_number, c.hcpcs, c.modifier
    ORDER BY c.mac = l.mac DESC, c.source_line) = 1
),
priced AS (
  SELECT r.release_id, r.basis, g.mac, g.locality_number, g.state, g.locality_name,
         r.hcpcs, r.modifier, r.status_code, r.conversion_factor,
         r.work_rvu, r.non_facility_pe_rvu, r.facility_pe_rvu, r.mp_rvu,
         r.non_facility_na, r.facility_na,
         g.pw_gpci, g.pe_gpci, g.mp_gpci,
         r.status_code IN ('A', 'T') AS has_amount,
         CASE WHEN r.status_code IN ('A', 'T') THEN
           round((r.work_rvu * g.pw_gpci + r.non_facility_pe_rvu * g.pe_gpci + r.mp_rvu * g.mp_gpci)
                 * r.conversion_factor, 2) END AS non_facility_amount,
         CASE WHEN r.status_code IN ('A', 'T') THEN
           round((r.work_rvu * g.pw_gpci + r.facility_pe_rvu * g.pe_gpci + r.mp_rvu * g.mp_gpci)
                 * r.conversion_factor, 2) END AS facility_amount,
         c.non_facility_price AS opps_cap_non_facility,
         c.facility_price AS opps_cap_facility,
         r.source_file AS rvu_source_file, r.source_line AS rvu_source_line,
         g.source_file AS gpci_source_file, g.source_line AS gpci_source_line,
         c.source_file AS opps_cap_source_file, c.source_line AS opps_cap_source_line
  FROM rvu r
  JOIN (SELECT * FROM pfs_gpci WHERE wanted_release IS NULL OR release_id = wanted_release) g
    ON g.release_id = r.release_id
  LEFT JOIN cap c ON c.release_id = r.release_id AND c.mac = g.mac
   AND c.locality_number = g.locality_number AND c.hcpcs = r.hcpcs
   AND c.modifier IS NOT DISTINCT FROM r.modifier
)
SELECT release_id, basis, mac, locality_number, state, locality_name, hcpcs, modifier,
       status_code, has_amount, conversion_factor,
       work_rvu, non_facility_pe_rvu, facility_pe_rvu, mp_rvu, non_facility_na, facility_na,
       pw_gpci, pe_gpci, mp_gpci,
       non_facility_amount, facility_amount, opps_cap_non_facility, opps_cap_facility,
       least(non_facility_amount, opps_cap_non_facility) AS non_facility_payment,
       least(facility_amount, opps_cap_facility) AS facility_payment,
       rvu_source_file, rvu_source_line, gpci_source_file, gpci_source_line,
       opps_cap_source_file, opps_cap_source_line
FROM priced;

COMMENT ON MACRO TABLE pfs_payment_of IS 'pfs_payment_of(wanted_release): the pfs_payment rows of one PFS release (its release_id, e.g. ''RVU25D''), each source filtered to it before the joins; NULL gives every release (the pfs_payment view). CPT codes are copyright American Medical Association.';

CREATE OR REPLACE VIEW pfs_payment AS SELECT * FROM pfs_payment_of(NULL);

COMMENT ON VIEW pfs_payment IS 'Medicare physician fee schedule payment per PFS release, payment basis, locality (mac, locality_number), code and modifier: round((work RVU × work GPCI + PE RVU × PE GPCI + MP RVU × MP GPCI) × conversion factor, 2), then the lesser of that and the OPPS cap where OPPSCAP caps the code. Before claim-level rules (fse price applies those). Every amount names the RVU, GPCI and OPPSCAP rows it used. CPT codes are copyright American Medical Association.';
COMMENT ON COLUMN pfs_payment.basis IS 'Payment basis of the PPRRVU file the RVUs come from: all (before CY2026), non_qpp or qpp (CY2026 on, each with its own conversion factor).';
COMMENT ON COLUMN pfs_payment.state IS 'Two-letter state of the locality (pfs_gpci.state).';
COMMENT ON COLUMN pfs_payment.locality_name IS 'Locality name (pfs_gpci.locality_name).';
COMMENT ON COLUMN pfs_payment.has_amount IS 'True for status codes with a fee schedule amount (A, T); false otherwise, and the amounts are NULL (see the status label).';
COMMENT ON COLUMN pfs_payment.non_facility_amount IS 'Fee schedule amount in a non-facility setting, in dollars, before the OPPS cap; NULL when the status has no amount. Given where the NA indicator is set too, as CMS''s payment files give it.';
COMMENT ON COLUMN pfs_payment.facility_amount IS 'Fee schedule amount in a facility setting, in dollars, before the OPPS cap; NULL when the status has no amount. Given where the NA indicator is set too, as CMS''s payment files give it.';
COMMENT ON COLUMN pfs_payment.opps_cap_non_facility IS 'OPPS cap price in a non-facility setting (pfs_opps_cap.non_facility_price); NULL when the code is not capped there.';
COMMENT ON COLUMN pfs_payment.opps_cap_facility IS 'OPPS cap price in a facility setting (pfs_opps_cap.facility_price); NULL when the code is not capped there.';
COMMENT ON COLUMN pfs_payment.non_facility_payment IS 'What Medicare pays in a non-facility setting: the lesser of the fee schedule amount and the OPPS cap.';
COMMENT ON COLUMN pfs_payment.facility_payment IS 'What Medicare pays in a facility setting: the lesser of the fee schedule amount and the OPPS cap.';
COMMENT ON COLUMN pfs_payment.rvu_source_file IS 'PPRRVU file of the RVUs and conversion factor used.';
COMMENT ON COLUMN pfs_payment.rvu_source_line IS 'Line of the RVU row used.';
COMMENT ON COLUMN pfs_payment.gpci_source_file IS 'GPCI file of the indices used.';
COMMENT ON COLUMN pfs_payment.gpci_source_line IS 'Line of the GPCI row used.';
COMMENT ON COLUMN pfs_payment.opps_cap_source_file IS 'OPPSCAP file of the cap used, where one applies.';
COMMENT ON COLUMN pfs_payment.opps_cap_source_line IS 'Line of the OPPSCAP row used, where one applies.';
