-- pfs_decoded: pfs_rvu with every indicator shown as code and label, labels as of the
-- release's effective date. Created once: a run building on the published database (same
-- code) keeps it, with the column comments it inherited (see inherit-comments.ts).
CREATE VIEW IF NOT EXISTS pfs_decoded AS
SELECT
  p.release_id,
  r.effective_from,
  p.hcpcs,
  p.modifier,
  CASE WHEN code_valid_on(l_modifier.valid_from, l_modifier.valid_to, r.effective_from) THEN l_modifier.label END AS modifier_label,
  p.description,
  p.status_code,
  CASE WHEN code_valid_on(l_status_code.valid_from, l_status_code.valid_to, r.effective_from) THEN l_status_code.label END AS status_label,
  p.not_used_for_medicare_payment,
  p.pctc_indicator,
  CASE WHEN code_valid_on(l_pctc_indicator.valid_from, l_pctc_indicator.valid_to, r.effective_from) THEN l_pctc_indicator.label END AS pctc_label,
  p.global_days,
  CASE WHEN code_valid_on(l_global_days.valid_from, l_global_days.valid_to, r.effective_from) THEN l_global_days.label END AS global_days_label,
  p.multiple_procedure,
  CASE WHEN code_valid_on(l_multiple_procedure.valid_from, l_multiple_procedure.valid_to, r.effective_from) THEN l_multiple_procedure.label END AS multiple_procedure_label,
  p.bilateral_surgery,
  CASE WHEN code_valid_on(l_bilateral_surgery.valid_from, l_bilateral_surgery.valid_to, r.effective_from) THEN l_bilateral_surgery.label END AS bilateral_surgery_label,
  p.assistant_surgery,
  CASE WHEN code_valid_on(l_assistant_surgery.valid_from, l_assistant_surgery.valid_to, r.effective_from) THEN l_assistant_surgery.label END AS assistant_surgery_label,
  p.co_surgeons,
  CASE WHEN code_valid_on(l_co_surgeons.valid_from, l_co_surgeons.valid_to, r.effective_from) THEN l_co_surgeons.label END AS co_surgeons_label,
  p.team_surgery,
  CASE WHEN code_valid_on(l_team_surgery.valid_from, l_team_surgery.valid_to, r.effective_from) THEN l_team_surgery.label END AS team_surgery_label,
  p.physician_supervision,
  CASE WHEN code_valid_on(l_physician_supervision.valid_from, l_physician_supervision.valid_to, r.effective_from) THEN l_physician_supervision.label END AS physician_supervision_label,
  p.calculation_flag,
  CASE WHEN code_valid_on(l_calculation_flag.valid_from, l_calculation_flag.valid_to, r.effective_from) THEN l_calculation_flag.label END AS calculation_flag_label,
  p.diagnostic_imaging_family,
  CASE WHEN code_valid_on(l_diagnostic_imaging_family.valid_from, l_diagnostic_imaging_family.valid_to, r.effective_from) THEN l_diagnostic_imaging_family.label END AS diagnostic_imaging_family_label,
  p.non_facility_na,
  p.facility_na,
  p.work_rvu,
  p.non_facility_pe_rvu,
  p.facility_pe_rvu,
  p.mp_rvu,
  p.non_facility_total,
  p.facility_total,
  p.conversion_factor,
  p.endoscopic_base_code,
  p.source_file,
  p.source_line
FROM pfs_rvu p
JOIN release r ON r.source = 'pfs-rvu' AND r.release_id = p.release_id
-- Labels as code_label gives them (the code's label where it is valid on the day), by joins:
-- indicator_code has one row per (system, code), so each join adds at most one row, and a hash
-- join on the code costs a fraction of code_label's subquery per row (as in code_card.sql).
LEFT JOIN indicator_code l_modifier
  ON l_modifier.system = 'pfs_modifier' AND l_modifier.code = p.modifier
LEFT JOIN indicator_code l_status_code
  ON l_status_code.system = 'pfs_status_code' AND l_status_code.code = p.status_code
LEFT JOIN indicator_code l_pctc_indicator
  ON l_pctc_indicator.system = 'pfs_pctc_indicator' AND l_pctc_indicator.code = p.pctc_indicator
LEFT JOIN indicator_code l_global_days
  ON l_global_days.system = 'pfs_global_days' AND l_global_days.code = p.global_days
LEFT JOIN indicator_code l_multiple_procedure
  ON l_multiple_procedure.system = 'pfs_multiple_procedure' AND l_multiple_procedure.code = p.multiple_procedure
LEFT JOIN indicator_code l_bilateral_surgery
  ON l_bilateral_surgery.system = 'pfs_bilateral_surgery' AND l_bilateral_surgery.code = p.bilateral_surgery
LEFT JOIN indicator_code l_assistant_surgery
  ON l_assistant_surgery.system = 'pfs_assistant_surgery' AND l_assistant_surgery.code = p.assistant_surgery
LEFT JOIN indicator_code l_co_surgeons
  ON l_co_surgeons.system = 'pfs_co_surgeons' AND l_co_surgeons.code = p.co_surgeons
LEFT JOIN indicator_code l_team_surgery
  ON l_team_surgery.system = 'pfs_team_surgery' AND l_team_surgery.code = p.team_surgery
LEFT JOIN indicator_code l_physician_supervision
  ON l_physician_supervision.system = 'pfs_physician_supervision' AND l_physician_supervision.code = p.physician_supervision
LEFT JOIN indicator_code l_calculation_flag
  ON l_calculation_flag.system = 'pfs_calculation_flag' AND l_calculation_flag.code = p.calculation_flag
LEFT JOIN indicator_code l_diagnostic_imaging_family
  ON l_diagnostic_imaging_family.system = 'pfs_diagnostic_imaging_family' AND l_diagnostic_imaging_family.code = p.diagnostic_imaging_family;

COMMENT ON VIEW pfs_decoded IS 'pfs_rvu with each indicator as code and CMS label (labels valid on the release''s effective date). CPT descriptors are copyright American Medical Association.';
