-- A view that answers an analyst's common question directly.

-- Payment indicators that changed in the newest PFS release, one row per code and indicator.
CREATE OR REPLACE VIEW pfs_payment_indicator_changes AS
WITH latest AS (
  SELECT release_id FROM release WHERE source = 'pfs-rvu'
  ORDER BY effective_from DESC NULLS LAST, release_id DESC LIMIT 1
)
SELECT d.from_release, d.to_release, d.effective_from, d.key, d.hcpcs, d.column_name,
       d.old_value, d.old_label, d.new_value, d.new_label
FROM release_diff d JOIN latest l ON d.to_release = l.release_id
WHERE d.source = 'pfs-rvu' AND d.change = 'changed'
  AND d.column_name IN (
    'status_code', 'pctc_indicator', 'global_days', 'multiple_procedure', 'bilateral_surgery',
    'assistant_surgery', 'co_surgeons', 'team_surgery', 'physician_supervision',
    'diagnostic_imaging_family', 'not_used_for_medicare_payment', 'non_facility_na', 'facility_na'
  )
ORDER BY d.hcpcs, d.key, d.column_name;

COMMENT ON VIEW pfs_payment_indicator_changes IS 'Payment indicators (status, PC/TC, global days, surgery rules, supervision, imaging family, NA flags) that changed in the newest PFS release, from release_diff.';
COMMENT ON COLUMN pfs_payment_indicator_changes.from_release IS 'The release before the newest.';
COMMENT ON COLUMN pfs_payment_indicator_changes.to_release IS 'The newest PFS release.';
COMMENT ON COLUMN pfs_payment_indicator_changes.effective_from IS 'Day the change takes effect.';
COMMENT ON COLUMN pfs_payment_indicator_changes.key IS 'Key of the row, e.g. hcpcs=38211 modifier=.';
COMMENT ON COLUMN pfs_payment_indicator_changes.hcpcs IS 'The HCPCS/CPT code.';
COMMENT ON COLUMN pfs_payment_indicator_changes.column_name IS 'The indicator that changed (a pfs_rvu column).';
COMMENT ON COLUMN pfs_payment_indicator_changes.old_value IS 'Value in the earlier release.';
COMMENT ON COLUMN pfs_payment_indicator_changes.old_label IS 'CMS label of the old value.';
COMMENT ON COLUMN pfs_payment_indicator_changes.new_value IS 'Value in the newest release.';
COMMENT ON COLUMN pfs_payment_indicator_changes.new_label IS 'CMS label of the new value.';
