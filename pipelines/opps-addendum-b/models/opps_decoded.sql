-- opps_decoded: opps_addendum_b with its status indicator as code and label, the label as of the
-- release's effective date. Created once: a run building on the published database (same code)
-- keeps it, with the column comments it inherited (see inherit-comments.ts).
CREATE VIEW IF NOT EXISTS opps_decoded AS
SELECT
  o.release_id,
  r.effective_from,
  o.hcpcs,
  o.short_descriptor,
  o.status_indicator,
  CASE WHEN code_valid_on(l_status.valid_from, l_status.valid_to, r.effective_from) THEN l_status.label END AS status_indicator_label,
  o.apc,
  o.relative_weight,
  o.payment_rate,
  o.national_unadjusted_copayment,
  o.minimum_unadjusted_copayment,
  o.pass_through_expiration,
  o.ira_coinsurance_percentage,
  o.adjusted_beneficiary_copayment,
  o.note,
  o.changed_from_previous_quarter,
  o.source_file,
  o.source_line
FROM opps_addendum_b o
JOIN release r ON r.source = 'opps-addendum-b' AND r.release_id = o.release_id
-- The label as code_label gives it, by a join: indicator_code has one row per (system, code),
-- and a hash join costs a fraction of code_label's subquery per row (as in code_card.sql).
LEFT JOIN indicator_code l_status
  ON l_status.system = 'opps_status_indicator' AND l_status.code = o.status_indicator;

COMMENT ON VIEW opps_decoded IS 'opps_addendum_b with the status indicator as code and CMS label (the label valid on the release''s effective date). CPT descriptors are copyright American Medical Association.';
COMMENT ON COLUMN opps_decoded.status_indicator_label IS 'Label of status_indicator from code table opps_status_indicator, valid on effective_from.';
