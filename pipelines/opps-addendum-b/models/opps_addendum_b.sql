-- opps_addendum_b: OPPS payment by HCPCS code, one row per (release, hcpcs). "." in the money
-- columns was read as NULL ("no value"), which is not zero.
CREATE TABLE IF NOT EXISTS opps_addendum_b (
  release_id VARCHAR NOT NULL,
  hcpcs VARCHAR NOT NULL,
  short_descriptor VARCHAR,
  status_indicator VARCHAR NOT NULL,
  apc VARCHAR,
  relative_weight DECIMAL(12, 4),
  payment_rate DECIMAL(12, 3),
  national_unadjusted_copayment DECIMAL(12, 3),
  minimum_unadjusted_copayment DECIMAL(12, 3),
  pass_through_expiration VARCHAR,
  ira_coinsurance_percentage VARCHAR,
  adjusted_beneficiary_copayment DECIMAL(12, 3),
  note VARCHAR,
  changed_from_previous_quarter BOOLEAN NOT NULL,
  source_file VARCHAR NOT NULL,
  source_line INTEGER NOT NULL
);

INSERT INTO opps_addendum_b
SELECT
  release_id, hcpcs, short_descriptor, status_indicator, apc,
  CAST(clean_number(relative_weight) AS DECIMAL(12, 4)),
  CAST(clean_number(payment_rate) AS DECIMAL(12, 3)),
  CAST(clean_number(national_unadjusted_copayment) AS DECIMAL(12, 3)),
  CAST(clean_number(minimum_unadjusted_copayment) AS DECIMAL(12, 3)),
  pass_through_expiration, ira_coinsurance_percentage,
  CAST(clean_number(adjusted_beneficiary_copayment) AS DECIMAL(12, 3)),
  note,
  change_flag IS NOT NULL,
  source_file, source_line
FROM stg_opps_addendum_b s
ORDER BY release_id, source_line;

COMMENT ON TABLE opps_addendum_b IS 'CMS OPPS Addendum B (OPPS payment by HCPCS code), one row per release and HCPCS code. CPT codes and descriptions only are copyright American Medical Association; all rights reserved.';
COMMENT ON COLUMN opps_addendum_b.release_id IS 'Release (release.release_id where source = opps-addendum-b): the month it takes effect, YYYY-MM.';
COMMENT ON COLUMN opps_addendum_b.hcpcs IS 'HCPCS or CPT code (HCPCS Code).';
COMMENT ON COLUMN opps_addendum_b.short_descriptor IS 'Short descriptor (Short Descriptor). CPT descriptors are copyright American Medical Association.';
COMMENT ON COLUMN opps_addendum_b.status_indicator IS 'OPPS payment status indicator (SI). Code table opps_status_indicator.';
COMMENT ON COLUMN opps_addendum_b.apc IS 'Ambulatory Payment Classification, 4 digits with leading zeros restored (APC).';
COMMENT ON COLUMN opps_addendum_b.relative_weight IS 'APC relative weight (Relative Weight); NULL where the file says ".".';
COMMENT ON COLUMN opps_addendum_b.payment_rate IS 'National payment rate in dollars (Payment Rate).';
COMMENT ON COLUMN opps_addendum_b.national_unadjusted_copayment IS 'National unadjusted copayment in dollars; NULL where the file says "." (no value), which is not zero.';
COMMENT ON COLUMN opps_addendum_b.minimum_unadjusted_copayment IS 'Minimum unadjusted copayment in dollars (Minimum Unadjusted Copayment).';
COMMENT ON COLUMN opps_addendum_b.pass_through_expiration IS 'Drug and device pass-through expiration during the calendar year, where published.';
COMMENT ON COLUMN opps_addendum_b.ira_coinsurance_percentage IS 'Inflation Reduction Act coinsurance percentage, as published (2025 and later).';
COMMENT ON COLUMN opps_addendum_b.adjusted_beneficiary_copayment IS 'Adjusted beneficiary copayment in dollars (2025 and later).';
COMMENT ON COLUMN opps_addendum_b.note IS 'Free-text note (2025 and later).';
COMMENT ON COLUMN opps_addendum_b.changed_from_previous_quarter IS 'True where the file flags the row with * (Indicates a Change).';
COMMENT ON COLUMN opps_addendum_b.source_file IS 'File the row was read from (source_file.source_file).';
COMMENT ON COLUMN opps_addendum_b.source_line IS 'Sheet row (XLSX) or line (CSV) of the row.';
