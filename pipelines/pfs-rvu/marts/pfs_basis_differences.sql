-- Where the two files of a CY2026+ release differ: codes the QPP file leaves out, and
-- OPPS-payment values it gives otherwise. (Every other column must agree: a check blocks the
-- run where it does not. The conversion factors are in pfs_payment_basis.)
CREATE OR REPLACE VIEW pfs_basis_differences AS
WITH with_qpp AS (SELECT DISTINCT release_id FROM pfs_rvu_qpp),
paired AS (
  SELECT p.release_id, p.hcpcs, p.modifier, p.source_file AS non_qpp_file, p.source_line AS non_qpp_line,
         q.source_file AS qpp_file, q.source_line AS qpp_line,
         p.non_facility_pe_opps AS n_nf, q.non_facility_pe_opps AS q_nf,
         p.facility_pe_opps AS n_f, q.facility_pe_opps AS q_f,
         p.mp_opps AS n_mp, q.mp_opps AS q_mp
  FROM pfs_rvu p
  JOIN with_qpp USING (release_id)
  LEFT JOIN pfs_rvu_qpp q
    ON q.release_id = p.release_id AND q.hcpcs = p.hcpcs AND q.modifier IS NOT DISTINCT FROM p.modifier
)
SELECT release_id, hcpcs, modifier, 'only in the non-QPP file' AS difference,
       CAST(NULL AS VARCHAR) AS column_name, CAST(NULL AS VARCHAR) AS non_qpp_value,
       CAST(NULL AS VARCHAR) AS qpp_value, non_qpp_file, non_qpp_line, qpp_file, qpp_line
FROM paired WHERE qpp_file IS NULL
UNION ALL
SELECT release_id, hcpcs, modifier, 'value differs', v.column_name, v.non_qpp_value, v.qpp_value,
       non_qpp_file, non_qpp_line, qpp_file, qpp_line
FROM paired,
LATERAL (VALUES
  ('non_facility_pe_opps', n_nf::VARCHAR, q_nf::VARCHAR),
  ('facility_pe_opps', n_f::VARCHAR, q_f::VARCHAR),
  ('mp_opps', n_mp::VARCHAR, q_mp::VARCHAR)
) v(column_name, non_qpp_value, qpp_value)
WHERE qpp_file IS NOT NULL AND v.non_qpp_value IS DISTINCT FROM v.qpp_value;

COMMENT ON VIEW pfs_basis_differences IS 'Where the non-QPP and QPP files of a CY2026+ PFS release differ: a code the QPP file leaves out (no payable amount), or an OPPS-payment value it gives otherwise. Every other value agrees (a check blocks the run otherwise); the two conversion factors are in pfs_payment_basis.';
COMMENT ON COLUMN pfs_basis_differences.difference IS 'only in the non-QPP file, or value differs.';
COMMENT ON COLUMN pfs_basis_differences.column_name IS 'The column whose value differs (value differs only).';
COMMENT ON COLUMN pfs_basis_differences.non_qpp_value IS 'The value in the non-QPP file, as text.';
COMMENT ON COLUMN pfs_basis_differences.qpp_value IS 'The value in the QPP file, as text.';
COMMENT ON COLUMN pfs_basis_differences.non_qpp_file IS 'The non-QPP file and line of the row.';
COMMENT ON COLUMN pfs_basis_differences.non_qpp_line IS 'Line in non_qpp_file.';
COMMENT ON COLUMN pfs_basis_differences.qpp_file IS 'The QPP file and line of the row; NULL when it leaves the code out.';
COMMENT ON COLUMN pfs_basis_differences.qpp_line IS 'Line in qpp_file.';
