-- hcpcs_code: one row per HCPCS Level II code or modifier per release. The first record of a
-- code (record id 3, or 7 for a modifier) carries the detail; records 4 and 8 continue its long
-- description, joined here in sequence order.
CREATE TABLE IF NOT EXISTS hcpcs_code (
  release_id VARCHAR NOT NULL,
  hcpcs VARCHAR NOT NULL,
  record_kind VARCHAR NOT NULL,
  long_description VARCHAR,
  short_description VARCHAR,
  pricing_indicator_1 VARCHAR,
  pricing_indicator_2 VARCHAR,
  pricing_indicator_3 VARCHAR,
  pricing_indicator_4 VARCHAR,
  multiple_pricing_indicator VARCHAR,
  coverage_issues_manual_1 VARCHAR,
  coverage_issues_manual_2 VARCHAR,
  coverage_issues_manual_3 VARCHAR,
  carriers_manual_1 VARCHAR,
  carriers_manual_2 VARCHAR,
  carriers_manual_3 VARCHAR,
  statute VARCHAR,
  lab_certification_1 VARCHAR,
  lab_certification_2 VARCHAR,
  lab_certification_3 VARCHAR,
  lab_certification_4 VARCHAR,
  lab_certification_5 VARCHAR,
  lab_certification_6 VARCHAR,
  lab_certification_7 VARCHAR,
  lab_certification_8 VARCHAR,
  cross_reference_1 VARCHAR,
  cross_reference_2 VARCHAR,
  cross_reference_3 VARCHAR,
  cross_reference_4 VARCHAR,
  cross_reference_5 VARCHAR,
  coverage_code VARCHAR,
  asc_payment_group VARCHAR,
  asc_effective_date DATE,
  opps_payment_group VARCHAR,
  opps_payment_policy VARCHAR,
  opps_effective_date DATE,
  processing_note VARCHAR,
  betos VARCHAR,
  anesthesia_base_units INTEGER,
  added_date DATE,
  action_effective_date DATE,
  termination_date DATE,
  action_code VARCHAR,
  description_records INTEGER NOT NULL,
  source_file VARCHAR NOT NULL,
  source_line INTEGER NOT NULL
);

INSERT INTO hcpcs_code
WITH descriptions AS (
  SELECT release_id, source_file, hcpcs,
         string_agg(long_description, ' ' ORDER BY sequence_number, source_line) AS long_description,
         count(*) AS description_records
  FROM stg_hcpcs GROUP BY release_id, source_file, hcpcs
)
SELECT
  a.release_id, a.hcpcs,
  CASE a.record_id WHEN '7' THEN 'modifier' ELSE 'procedure' END,
  d.long_description, a.short_description,
  a.pricing_indicator_1, a.pricing_indicator_2, a.pricing_indicator_3, a.pricing_indicator_4,
  a.multiple_pricing_indicator,
  a.coverage_issues_manual_1, a.coverage_issues_manual_2, a.coverage_issues_manual_3,
  a.carriers_manual_1, a.carriers_manual_2, a.carriers_manual_3,
  a.statute,
  a.lab_certification_1, a.lab_certification_2, a.lab_certification_3, a.lab_certification_4,
  a.lab_certification_5, a.lab_certification_6, a.lab_certification_7, a.lab_certification_8,
  a.cross_reference_1, a.cross_reference_2, a.cross_reference_3, a.cross_reference_4, a.cross_reference_5,
  a.coverage_code, a.asc_payment_group, strptime(a.asc_effective_date, '%Y%m%d')::DATE,
  a.opps_payment_group, a.opps_payment_policy, strptime(a.opps_effective_date, '%Y%m%d')::DATE,
  a.processing_note, a.betos, CAST(a.anesthesia_base_units AS INTEGER),
  strptime(a.added_date, '%Y%m%d')::DATE,
  strptime(a.action_effective_date, '%Y%m%d')::DATE,
  strptime(a.termination_date, '%Y%m%d')::DATE,
  a.action_code,
  d.description_records,
  a.source_file, a.source_line
FROM stg_hcpcs a
JOIN descriptions d USING (release_id, source_file, hcpcs)
WHERE a.record_id IN ('3', '7')
ORDER BY a.release_id, a.source_line;

COMMENT ON TABLE hcpcs_code IS 'CMS HCPCS Level II alpha-numeric file: one row per code or modifier per release, continuation records joined into the long description. TOS codes are in hcpcs_tos.';
COMMENT ON COLUMN hcpcs_code.release_id IS 'Release (release.release_id where source = hcpcs), e.g. HCPC2019.';
COMMENT ON COLUMN hcpcs_code.hcpcs IS 'HCPCS Level II code (5 characters) or modifier (2 characters), positions 1-5 (HCPC).';
COMMENT ON COLUMN hcpcs_code.record_kind IS 'procedure (record id 3) or modifier (record id 7). Code table hcpcs_record_id.';
COMMENT ON COLUMN hcpcs_code.long_description IS 'Long description, positions 12-91 of the first and every continuation record joined with a space (LONG DESCRIPTION).';
COMMENT ON COLUMN hcpcs_code.short_description IS 'Short description, positions 92-119 (SHORT DESCRIPTION).';
COMMENT ON COLUMN hcpcs_code.pricing_indicator_1 IS 'First pricing indicator, positions 120-121 (PRICE1). Code table hcpcs_pricing_indicator.';
COMMENT ON COLUMN hcpcs_code.pricing_indicator_2 IS 'Second pricing indicator, positions 122-123 (PRICE2). Code table hcpcs_pricing_indicator.';
COMMENT ON COLUMN hcpcs_code.pricing_indicator_3 IS 'Third pricing indicator, positions 124-125 (PRICE3). Code table hcpcs_pricing_indicator.';
COMMENT ON COLUMN hcpcs_code.pricing_indicator_4 IS 'Fourth pricing indicator, positions 126-127 (PRICE4). Code table hcpcs_pricing_indicator.';
COMMENT ON COLUMN hcpcs_code.multiple_pricing_indicator IS 'Multiple pricing indicator, position 128 (MULT_PI). Code table hcpcs_multiple_pricing_indicator.';
COMMENT ON COLUMN hcpcs_code.coverage_issues_manual_1 IS 'Coverage Issues Manual reference, positions 129-134 (CIM1).';
COMMENT ON COLUMN hcpcs_code.coverage_issues_manual_2 IS 'Coverage Issues Manual reference, positions 135-140 (CIM2).';
COMMENT ON COLUMN hcpcs_code.coverage_issues_manual_3 IS 'Coverage Issues Manual reference, positions 141-146 (CIM3).';
COMMENT ON COLUMN hcpcs_code.carriers_manual_1 IS 'Medicare Carriers Manual reference, positions 147-154 (MCM1).';
COMMENT ON COLUMN hcpcs_code.carriers_manual_2 IS 'Medicare Carriers Manual reference, positions 155-162 (MCM2).';
COMMENT ON COLUMN hcpcs_code.carriers_manual_3 IS 'Medicare Carriers Manual reference, positions 163-170 (MCM3).';
COMMENT ON COLUMN hcpcs_code.statute IS 'Statute number, positions 171-180 (STATUTE).';
COMMENT ON COLUMN hcpcs_code.lab_certification_1 IS 'Lab certification code, positions 181-183 (LABCERT1). Code table hcpcs_lab_certification.';
COMMENT ON COLUMN hcpcs_code.lab_certification_2 IS 'Lab certification code, positions 184-186 (LABCERT2). Code table hcpcs_lab_certification.';
COMMENT ON COLUMN hcpcs_code.lab_certification_3 IS 'Lab certification code, positions 187-189 (LABCERT3). Code table hcpcs_lab_certification.';
COMMENT ON COLUMN hcpcs_code.lab_certification_4 IS 'Lab certification code, positions 190-192 (LABCERT4). Code table hcpcs_lab_certification.';
COMMENT ON COLUMN hcpcs_code.lab_certification_5 IS 'Lab certification code, positions 193-195 (LABCERT5). Code table hcpcs_lab_certification.';
COMMENT ON COLUMN hcpcs_code.lab_certification_6 IS 'Lab certification code, positions 196-198 (LABCERT6). Code table hcpcs_lab_certification.';
COMMENT ON COLUMN hcpcs_code.lab_certification_7 IS 'Lab certification code, positions 199-201 (LABCERT7). Code table hcpcs_lab_certification.';
COMMENT ON COLUMN hcpcs_code.lab_certification_8 IS 'Lab certification code, positions 202-204 (LABCERT8). Code table hcpcs_lab_certification.';
COMMENT ON COLUMN hcpcs_code.cross_reference_1 IS 'Cross-reference code, positions 205-209 (XREF1).';
COMMENT ON COLUMN hcpcs_code.cross_reference_2 IS 'Cross-reference code, positions 210-214 (XREF2).';
COMMENT ON COLUMN hcpcs_code.cross_reference_3 IS 'Cross-reference code, positions 215-219 (XREF3).';
COMMENT ON COLUMN hcpcs_code.cross_reference_4 IS 'Cross-reference code, positions 220-224 (XREF4).';
COMMENT ON COLUMN hcpcs_code.cross_reference_5 IS 'Cross-reference code, positions 225-229 (XREF5).';
COMMENT ON COLUMN hcpcs_code.coverage_code IS 'Coverage code, position 230 (COV). Code table hcpcs_coverage_code.';
COMMENT ON COLUMN hcpcs_code.asc_payment_group IS 'ASC payment group, positions 231-232 (ASC_GRP).';
COMMENT ON COLUMN hcpcs_code.asc_effective_date IS 'ASC payment group effective date, positions 233-240 (ASC_DT).';
COMMENT ON COLUMN hcpcs_code.opps_payment_group IS 'MOG payment group, positions 241-243 (OPPS).';
COMMENT ON COLUMN hcpcs_code.opps_payment_policy IS 'MOG payment policy indicator, position 244 (OPPS_PI).';
COMMENT ON COLUMN hcpcs_code.opps_effective_date IS 'MOG effective date, positions 245-252 (OPPS_DT).';
COMMENT ON COLUMN hcpcs_code.processing_note IS 'Processing note number, positions 253-256 (PROCNOTE); see proc_notes_YYYY.txt.';
COMMENT ON COLUMN hcpcs_code.betos IS 'Berenson-Eggers type of service, positions 257-259 (BETOS). Code table hcpcs_betos.';
COMMENT ON COLUMN hcpcs_code.anesthesia_base_units IS 'Anesthesia base unit quantity, positions 266-268 (ANEST_BU).';
COMMENT ON COLUMN hcpcs_code.added_date IS 'Date the code was added, positions 269-276 (ADD DT).';
COMMENT ON COLUMN hcpcs_code.action_effective_date IS 'Action effective date, positions 277-284 (ACT EFF DT).';
COMMENT ON COLUMN hcpcs_code.termination_date IS 'Termination date, positions 285-292 (TERM DT); deleted codes stay in the file with this date.';
COMMENT ON COLUMN hcpcs_code.action_code IS 'Action code, position 293 (ACTION CD). Code table hcpcs_action_code.';
COMMENT ON COLUMN hcpcs_code.description_records IS 'Records the long description spans (1 + continuation records).';
COMMENT ON COLUMN hcpcs_code.source_file IS 'File the first record was read from (source_file.source_file).';
COMMENT ON COLUMN hcpcs_code.source_line IS 'Line of the first record in that file.';
