-- A view that answers an analyst's common question directly.

-- The newest PFS release and its codes by status.
CREATE OR REPLACE VIEW pfs_current_by_status AS
WITH latest AS (
  SELECT release_id, effective_from FROM release WHERE source = 'pfs-rvu'
  ORDER BY effective_from DESC NULLS LAST, release_id DESC LIMIT 1
)
SELECT l.release_id, p.status_code,
       code_label('pfs_status_code', p.status_code, l.effective_from) AS status_label,
       count(*) AS rows, count(DISTINCT p.hcpcs) AS codes
FROM pfs_rvu p JOIN latest l USING (release_id)
GROUP BY ALL
ORDER BY p.status_code;

COMMENT ON VIEW pfs_current_by_status IS 'Codes of the newest PFS release by status code, with the CMS label.';
COMMENT ON COLUMN pfs_current_by_status.release_id IS 'The newest PFS release (by effective date).';
COMMENT ON COLUMN pfs_current_by_status.status_code IS 'PFS status code. Code table pfs_status_code.';
COMMENT ON COLUMN pfs_current_by_status.status_label IS 'CMS label of the status code.';
COMMENT ON COLUMN pfs_current_by_status.rows IS 'Rows (code and modifier) with this status.';
COMMENT ON COLUMN pfs_current_by_status.codes IS 'Distinct HCPCS/CPT codes with this status.';
