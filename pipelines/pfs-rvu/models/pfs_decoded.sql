-- pfs_decoded: pfs_rvu with every indicator shown as code and label, labels as of the
-- release's effective date. Created once: a run building on the published database (same
-- code) keeps it, with the column comments it inherited (see inherit-comments.ts).
CREATE VIEW IF NOT EXISTS pfs_decoded AS
SELECT
  p.release_id,
  r.effective_from,
  p.hcpcs,
  p.modifier,
  code_label('pfs_modifier', p.modifier, r.effective_from) AS modifier_label,
  p.description,
  p.status_code,
  code_label('pfs_status_code', p.status_code, r.effective_from) AS status_label,
  p.not_used_for_medicare_payment,
  p.pctc_indicator,
  code_label('pfs_pctc_indicator', p.pctc_indicator, r.effective_from) AS pctc_label,
  p.global_days,
  code_label('pfs_global_days', p.global_days, r.effective_from) AS global_days_label,
  p.multiple_procedure,
  code_label('pfs_multiple_procedure', p.multiple_procedure, r.effective_from) AS multiple_procedure_label,
  p.bilateral_surgery,
  code_label('pfs_bilateral_surgery', p.bilateral_surgery, r.effective_from) AS bilateral_surgery_label,
  p.assistant_surgery,
  code_label('pfs_assistant_surgery', p.assistant_surgery, r.effective_from) AS assistant_surgery_label,
  p.co_surgeons,
  code_label('pfs_co_surgeons', p.co_surgeons, r.effective_from) AS co_surgeons_label,
  p.team_surgery,
  code_label('pfs_team_surgery', p.team_surgery, r.effective_from) AS team_surgery_label,
  p.physician_supervision,
  code_label('pfs_physician_supervision', p.physician_supervision, r.effective_from) AS physician_supervision_label,
  p.calculation_flag,
  code_label('pfs_calculation_flag', p.calculation_flag, r.effective_from) AS calculation_flag_label,
  p.diagnostic_imaging_family,
  code_label('pfs_diagnostic_imaging_family', p.diagnostic_imaging_family, r.effective_from) AS diagnostic_imaging_family_label,
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
JOIN release r ON r.source = 'pfs-rvu' AND r.release_id = p.release_id;

COMMENT ON VIEW pfs_decoded IS 'pfs_rvu with each indicator as code and CMS label (labels valid on the release''s effective date). CPT descriptors are copyright American Medical Association.';
