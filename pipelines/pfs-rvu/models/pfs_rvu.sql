-- pfs_rvu: the PPRRVU relative value file, typed. One row per (release, hcpcs, modifier).
-- Built from stg_pfs_rvu (text as read; the lines kept out already left it).
--
-- From CY2026 a release has two files, one per conversion factor: PPRRVU2026_<Mon>_nonQPP
-- and PPRRVU2026_<Mon>_QPP (qualifying APM participants). pfs_rvu holds the non-QPP file,
-- every code; what the QPP file gives otherwise is in pfs_rvu_qpp and pfs_payment_basis.

-- The payment basis of a PPRRVU file, from its name: non_qpp, qpp, or all (one file, one
-- conversion factor for everyone, before 2026).
-- (Tested on every staged row: LIKE is cheaper than a regular expression.)
CREATE OR REPLACE MACRO pfs_payment_basis(path) AS CASE
  WHEN lower(path) LIKE '%nonqpp.%' THEN 'non_qpp'
  WHEN lower(path) LIKE '%qpp.%' THEN 'qpp'
  ELSE 'all'
END;
COMMENT ON MACRO pfs_payment_basis IS 'pfs_payment_basis(path): the payment basis of a PPRRVU file from its name: non_qpp (PPRRVU<year>_<Mon>_nonQPP), qpp (_QPP, qualifying APM participants) or all (one file for everyone, before CY2026).';

CREATE TABLE IF NOT EXISTS pfs_rvu (
  release_id VARCHAR NOT NULL,
  hcpcs VARCHAR NOT NULL,
  modifier VARCHAR,
  description VARCHAR,
  status_code VARCHAR NOT NULL,
  not_used_for_medicare_payment BOOLEAN NOT NULL,
  work_rvu DECIMAL(8, 2) NOT NULL,
  non_facility_pe_rvu DECIMAL(8, 2) NOT NULL,
  non_facility_na BOOLEAN NOT NULL,
  facility_pe_rvu DECIMAL(8, 2) NOT NULL,
  facility_na BOOLEAN NOT NULL,
  mp_rvu DECIMAL(8, 2) NOT NULL,
  non_facility_total DECIMAL(8, 2) NOT NULL,
  facility_total DECIMAL(8, 2) NOT NULL,
  pctc_indicator VARCHAR NOT NULL,
  global_days VARCHAR NOT NULL,
  pre_op DECIMAL(4, 2) NOT NULL,
  intra_op DECIMAL(4, 2) NOT NULL,
  post_op DECIMAL(4, 2) NOT NULL,
  multiple_procedure VARCHAR NOT NULL,
  bilateral_surgery VARCHAR NOT NULL,
  assistant_surgery VARCHAR NOT NULL,
  co_surgeons VARCHAR NOT NULL,
  team_surgery VARCHAR NOT NULL,
  endoscopic_base_code VARCHAR,
  conversion_factor DECIMAL(9, 4) NOT NULL,
  physician_supervision VARCHAR NOT NULL,
  calculation_flag VARCHAR NOT NULL,
  diagnostic_imaging_family VARCHAR NOT NULL,
  non_facility_pe_opps DECIMAL(8, 2) NOT NULL,
  facility_pe_opps DECIMAL(8, 2) NOT NULL,
  mp_opps DECIMAL(8, 2) NOT NULL,
  source_file VARCHAR NOT NULL,
  source_line INTEGER NOT NULL
);

INSERT INTO pfs_rvu
SELECT
  release_id, hcpcs, modifier, description, status_code,
  not_used_for_medicare_payment IS NOT NULL,
  CAST(clean_number(work_rvu) AS DECIMAL(8, 2)),
  CAST(clean_number(non_facility_pe_rvu) AS DECIMAL(8, 2)),
  non_facility_na IS NOT NULL,
  CAST(clean_number(facility_pe_rvu) AS DECIMAL(8, 2)),
  facility_na IS NOT NULL,
  CAST(clean_number(mp_rvu) AS DECIMAL(8, 2)),
  CAST(clean_number(non_facility_total) AS DECIMAL(8, 2)),
  CAST(clean_number(facility_total) AS DECIMAL(8, 2)),
  pctc_indicator, global_days,
  CAST(clean_number(pre_op) AS DECIMAL(4, 2)),
  CAST(clean_number(intra_op) AS DECIMAL(4, 2)),
  CAST(clean_number(post_op) AS DECIMAL(4, 2)),
  multiple_procedure, bilateral_surgery, assistant_surgery, co_surgeons, team_surgery,
  endoscopic_base_code,
  CAST(clean_number(conversion_factor) AS DECIMAL(9, 4)),
  physician_supervision, calculation_flag, diagnostic_imaging_family,
  CAST(clean_number(non_facility_pe_opps) AS DECIMAL(8, 2)),
  CAST(clean_number(facility_pe_opps) AS DECIMAL(8, 2)),
  CAST(clean_number(mp_opps) AS DECIMAL(8, 2)),
  source_file, source_line
FROM stg_pfs_rvu s
WHERE pfs_payment_basis(s.source_file) <> 'qpp';
-- No ORDER BY: staging holds each release's lines in file order and a plain scan keeps it
-- (a join would not: hence the kept-out lines leave staging first); sorting every release's
-- rows again would cost much of this model at scale for no gain.

COMMENT ON TABLE pfs_rvu IS 'CMS National Physician Fee Schedule relative value file (PPRRVU), one row per release, HCPCS code and modifier. From CY2026 a release has a non-QPP and a QPP file: this is the non-QPP file (every code); the QPP file''s conversion factor is in pfs_payment_basis, its rows and OPPS-payment values in pfs_rvu_qpp. CPT codes and descriptions only are copyright American Medical Association; all rights reserved.';
COMMENT ON COLUMN pfs_rvu.release_id IS 'Release (release.release_id), e.g. RVU25D.';
COMMENT ON COLUMN pfs_rvu.hcpcs IS 'HCPCS or CPT code, 5 characters as published (HCPCS).';
COMMENT ON COLUMN pfs_rvu.modifier IS 'Modifier: 26 professional component, TC technical component, 53 discontinued; NULL for the global service (MOD). Code table pfs_modifier.';
COMMENT ON COLUMN pfs_rvu.description IS 'Short descriptor (DESCRIPTION). CPT descriptors are copyright American Medical Association.';
COMMENT ON COLUMN pfs_rvu.status_code IS 'PFS status code (STATUS CODE). Code table pfs_status_code; only A, R and T RVUs are used for Medicare payment.';
COMMENT ON COLUMN pfs_rvu.not_used_for_medicare_payment IS 'True where the file marks the RVUs with + (NOT USED FOR MEDICARE PAYMENT). Code table pfs_not_used_for_medicare_payment.';
COMMENT ON COLUMN pfs_rvu.work_rvu IS 'Physician work RVU (WORK RVU).';
COMMENT ON COLUMN pfs_rvu.non_facility_pe_rvu IS 'Non-facility practice expense RVU (NON-FAC PE RVU).';
COMMENT ON COLUMN pfs_rvu.non_facility_na IS 'True where the file says NA: rarely or never performed in the non-facility setting (NON-FAC NA INDICATOR).';
COMMENT ON COLUMN pfs_rvu.facility_pe_rvu IS 'Facility practice expense RVU (FACILITY PE RVU).';
COMMENT ON COLUMN pfs_rvu.facility_na IS 'True where the file says NA: rarely or never performed in the facility setting (FACILITY NA INDICATOR).';
COMMENT ON COLUMN pfs_rvu.mp_rvu IS 'Malpractice RVU (MP RVU).';
COMMENT ON COLUMN pfs_rvu.non_facility_total IS 'Total non-facility RVUs (NON-FACILITY TOTAL).';
COMMENT ON COLUMN pfs_rvu.facility_total IS 'Total facility RVUs (FACILITY TOTAL).';
COMMENT ON COLUMN pfs_rvu.pctc_indicator IS 'Professional/technical component indicator (PCTC IND). Code table pfs_pctc_indicator.';
COMMENT ON COLUMN pfs_rvu.global_days IS 'Global surgery period (GLOB DAYS): 000, 010, 090, MMM, XXX, YYY, ZZZ. Code table pfs_global_days.';
COMMENT ON COLUMN pfs_rvu.pre_op IS 'Share of the global package for preoperative care (PRE OP).';
COMMENT ON COLUMN pfs_rvu.intra_op IS 'Share of the global package for intraoperative care (INTRA OP).';
COMMENT ON COLUMN pfs_rvu.post_op IS 'Share of the global package for postoperative care (POST OP).';
COMMENT ON COLUMN pfs_rvu.multiple_procedure IS 'Multiple procedure payment rule, modifier 51 (MULT PROC). Code table pfs_multiple_procedure.';
COMMENT ON COLUMN pfs_rvu.bilateral_surgery IS 'Bilateral surgery payment rule, modifier 50 (BILAT SURG). Code table pfs_bilateral_surgery.';
COMMENT ON COLUMN pfs_rvu.assistant_surgery IS 'Assistant at surgery rule, modifiers 80/82 (ASST SURG). Code table pfs_assistant_surgery.';
COMMENT ON COLUMN pfs_rvu.co_surgeons IS 'Co-surgeons rule, modifier 62 (CO- SURG). Code table pfs_co_surgeons.';
COMMENT ON COLUMN pfs_rvu.team_surgery IS 'Team surgery rule, modifier 66 (TEAM SURG). Code table pfs_team_surgery.';
COMMENT ON COLUMN pfs_rvu.endoscopic_base_code IS 'Endoscopic base code for codes with multiple procedure indicator 3 (ENDO BASE).';
COMMENT ON COLUMN pfs_rvu.conversion_factor IS 'Conversion factor in dollars per RVU (CONV FACTOR); from CY2026 the non-QPP one (both are in pfs_payment_basis).';
COMMENT ON COLUMN pfs_rvu.physician_supervision IS 'Physician supervision of diagnostic procedures (PHYSICIAN SUPERVISION OF DIAGNOSTIC PROCEDURES). Code table pfs_physician_supervision.';
COMMENT ON COLUMN pfs_rvu.calculation_flag IS 'Calculation flag, 0 for every code since July 2014 (CALCULATION FLAG). Code table pfs_calculation_flag.';
COMMENT ON COLUMN pfs_rvu.diagnostic_imaging_family IS 'Diagnostic imaging family (DIAGNOSTIC IMAGING FAMILY INDICATOR). Code table pfs_diagnostic_imaging_family.';
COMMENT ON COLUMN pfs_rvu.non_facility_pe_opps IS 'Non-facility PE RVU used for the OPPS payment cap (NON-FACILITY PE USED FOR OPPS PAYMENT AMOUNT).';
COMMENT ON COLUMN pfs_rvu.facility_pe_opps IS 'Facility PE RVU used for the OPPS payment cap (FACILITY PE USED FOR OPPS PAYMENT AMOUNT).';
COMMENT ON COLUMN pfs_rvu.mp_opps IS 'Malpractice RVU used for the OPPS payment cap (MP USED FOR OPPS PAYMENT AMOUNT).';
COMMENT ON COLUMN pfs_rvu.source_file IS 'File the row was read from (source_file.source_file).';
COMMENT ON COLUMN pfs_rvu.source_line IS 'Line of the row in that file (1-based).';
