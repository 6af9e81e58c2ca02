-- code_card: one row per (hcpcs, modifier) and release date, bringing together what every source
-- says about the code as of that date, like a code page. For each source the card names the
-- release consulted (*_release); a NULL value beside a release means that release has no row for
-- the code, and a NULL release means no release of that source was in force on the date.
-- A view: materialised it would hold releases × codes rows rebuilt at every refresh; filtered
-- by code and date, DuckDB pushes the filter into each source. Created once: a run building on
-- the published database (same code) keeps it, with the column comments it inherited.
--
-- The view is code_card_of(NULL): the cards of every code. code_card_of(code_list) gives the cards of
-- a list of codes on every date, the list filtering each source's rows before the joins: the
-- view filtered by code alone joins every release of every source (ten years of every source:
-- out of memory), and a date at a time costs about the same whatever the codes (0.3 s a date
-- over ten years, most of it the plan's 47 joins). Given NULL, the filters fold away and the
-- view plans as if they were not there.
CREATE MACRO IF NOT EXISTS code_card_of(code_list) AS TABLE
WITH as_of_dates AS (
  SELECT DISTINCT effective_from AS as_of FROM release WHERE effective_from IS NOT NULL
),
in_force AS (
  SELECT d.as_of, r.source, r.release_id
  FROM as_of_dates d
  JOIN release r
    ON r.effective_from <= d.as_of AND (r.effective_to IS NULL OR d.as_of <= r.effective_to)
),
codes AS (
  SELECT i.as_of, p.hcpcs, p.modifier
  FROM pfs_rvu p JOIN in_force i ON i.source = 'pfs-rvu' AND i.release_id = p.release_id
  WHERE (code_list IS NULL OR p.hcpcs IN (SELECT unnest(code_list)))
  UNION
  SELECT i.as_of, h.hcpcs, NULL
  FROM hcpcs_code h JOIN in_force i ON i.source = 'hcpcs' AND i.release_id = h.release_id
  WHERE h.record_kind = 'procedure' AND (code_list IS NULL OR h.hcpcs IN (SELECT unnest(code_list)))
  UNION
  SELECT i.as_of, o.hcpcs, NULL
  FROM opps_addendum_b o JOIN in_force i ON i.source = 'opps-addendum-b' AND i.release_id = o.release_id
  WHERE (code_list IS NULL OR o.hcpcs IN (SELECT unnest(code_list)))
),
-- Each source's rows with the dates it is in force on: joined to the cards on as_of as well as
-- the release, a card date filter (code_card_current's, a lookup's) reaches every source, which
-- DuckDB then reads for that date's release alone. Joined on the release only, each source's
-- every release went into a hash table (ten years of every source: 1.5 GB for one date).
pfs_in_force AS (
  SELECT i.as_of, t.* FROM in_force i JOIN pfs_rvu t ON t.release_id = i.release_id
  WHERE i.source = 'pfs-rvu' AND (code_list IS NULL OR t.hcpcs IN (SELECT unnest(code_list)))
),
pfs_qpp_in_force AS (
  SELECT i.as_of, t.* FROM in_force i JOIN pfs_rvu_qpp t ON t.release_id = i.release_id
  WHERE i.source = 'pfs-rvu' AND (code_list IS NULL OR t.hcpcs IN (SELECT unnest(code_list)))
),
opps_in_force AS (
  SELECT i.as_of, t.* FROM in_force i JOIN opps_addendum_b t ON t.release_id = i.release_id
  WHERE i.source = 'opps-addendum-b' AND (code_list IS NULL OR t.hcpcs IN (SELECT unnest(code_list)))
),
hcpcs_in_force AS (
  SELECT i.as_of, t.* FROM in_force i JOIN hcpcs_code t ON t.release_id = i.release_id
  WHERE i.source = 'hcpcs' AND t.record_kind = 'procedure'
    AND (code_list IS NULL OR t.hcpcs IN (SELECT unnest(code_list)))
),
tos AS (
  SELECT i.as_of, t.release_id, t.hcpcs,
         string_agg(t.type_of_service, ',' ORDER BY t.position) AS type_of_service,
         string_agg(t.type_of_service || ' - ' || coalesce(code_label('hcpcs_type_of_service', t.type_of_service, NULL), '?'), '; ' ORDER BY t.position) AS type_of_service_label
  FROM in_force i JOIN hcpcs_tos t ON t.release_id = i.release_id
  WHERE i.source = 'hcpcs' AND (code_list IS NULL OR t.hcpcs IN (SELECT unnest(code_list)))
  GROUP BY i.as_of, t.release_id, t.hcpcs
),
betos_in_force AS (
  SELECT i.as_of, t.* FROM in_force i JOIN betos_code t ON t.release_id = i.release_id
  WHERE i.source = 'betos' AND (code_list IS NULL OR t.hcpcs IN (SELECT unnest(code_list)))
),
mue_in_force AS (
  SELECT i.as_of, t.* FROM in_force i JOIN mue t ON t.release_id = i.release_id
  WHERE i.source = 'mue' AND (code_list IS NULL OR t.hcpcs IN (SELECT unnest(code_list)))
),
ccs_in_force AS (
  SELECT i.as_of, t.* FROM in_force i JOIN ccs_range t ON t.release_id = i.release_id WHERE i.source = 'ccs'
)
SELECT
  c.as_of,
  c.hcpcs,
  c.modifier,
  coalesce(h.short_description, p.description, o.short_descriptor) AS short_description,
  h.long_description,

  ip.release_id AS pfs_release,
  p.status_code,
  CASE WHEN code_valid_on(l_status.valid_from, l_status.valid_to, c.as_of) THEN l_status.label END AS status_label,
  p.global_days,
  CASE WHEN code_valid_on(l_global_days.valid_from, l_global_days.valid_to, c.as_of) THEN l_global_days.label END AS global_days_label,
  p.pctc_indicator,
  CASE WHEN code_valid_on(l_pctc.valid_from, l_pctc.valid_to, c.as_of) THEN l_pctc.label END AS pctc_label,
  p.multiple_procedure,
  CASE WHEN code_valid_on(l_multiple_procedure.valid_from, l_multiple_procedure.valid_to, c.as_of) THEN l_multiple_procedure.label END AS multiple_procedure_label,
  p.bilateral_surgery,
  CASE WHEN code_valid_on(l_bilateral_surgery.valid_from, l_bilateral_surgery.valid_to, c.as_of) THEN l_bilateral_surgery.label END AS bilateral_surgery_label,
  p.assistant_surgery,
  CASE WHEN code_valid_on(l_assistant_surgery.valid_from, l_assistant_surgery.valid_to, c.as_of) THEN l_assistant_surgery.label END AS assistant_surgery_label,
  p.co_surgeons,
  CASE WHEN code_valid_on(l_co_surgeons.valid_from, l_co_surgeons.valid_to, c.as_of) THEN l_co_surgeons.label END AS co_surgeons_label,
  p.team_surgery,
  CASE WHEN code_valid_on(l_team_surgery.valid_from, l_team_surgery.valid_to, c.as_of) THEN l_team_surgery.label END AS team_surgery_label,
  p.physician_supervision,
  CASE WHEN code_valid_on(l_physician_supervision.valid_from, l_physician_supervision.valid_to, c.as_of) THEN l_physician_supervision.label END AS physician_supervision_label,
  p.diagnostic_imaging_family,
  CASE WHEN code_valid_on(l_diagnostic_imaging_family.valid_from, l_diagnostic_imaging_family.valid_to, c.as_of) THEN l_diagnostic_imaging_family.label END AS diagnostic_imaging_family_label,
  p.work_rvu, p.non_facility_pe_rvu, p.facility_pe_rvu, p.mp_rvu,
  p.non_facility_total, p.facility_total, p.pre_op, p.intra_op, p.post_op, p.conversion_factor,
  -- From CY2026: the QPP conversion factor, where the QPP file lists the code.
  CASE WHEN pq.hcpcs IS NOT NULL THEN bq.conversion_factor END AS qpp_conversion_factor,
  p.non_facility_pe_opps, p.facility_pe_opps, p.mp_opps,
  p.source_file AS pfs_source_file,
  p.source_line AS pfs_source_line,

  io.release_id AS opps_release,
  o.status_indicator AS apc_status_indicator,
  CASE WHEN code_valid_on(l_apc_status_indicator.valid_from, l_apc_status_indicator.valid_to, c.as_of) THEN l_apc_status_indicator.label END AS apc_status_indicator_label,
  o.apc,
  o.payment_rate AS opps_payment_rate,

  ih.release_id AS hcpcs_release,
  t.type_of_service,
  t.type_of_service_label,
  -- BETOS: a Level II code's from the HCPCS file, any other code's (CPT) from the BETOS file.
  CASE WHEN h.hcpcs IS NOT NULL THEN h.betos ELSE b.betos END AS betos,
  l_betos.label AS betos_label,
  CASE WHEN h.hcpcs IS NOT NULL THEN 'hcpcs' WHEN ib.release_id IS NOT NULL THEN 'betos' END AS betos_source,
  CASE WHEN h.hcpcs IS NOT NULL THEN ih.release_id ELSE ib.release_id END AS betos_release,

  im.release_id AS mue_release,
  mp.mue_value AS mue_practitioner,
  mp.adjudication_indicator AS mue_practitioner_adjudication,
  mo.mue_value AS mue_outpatient_hospital,
  mo.adjudication_indicator AS mue_outpatient_hospital_adjudication,

  ic.release_id AS ccs_release,
  cr.ccs_category,
  l_ccs.label AS ccs_label
FROM codes c
LEFT JOIN in_force ip ON ip.as_of = c.as_of AND ip.source = 'pfs-rvu'
LEFT JOIN pfs_in_force p
  ON p.as_of = c.as_of AND p.release_id = ip.release_id AND p.hcpcs = c.hcpcs
 AND p.modifier IS NOT DISTINCT FROM c.modifier
LEFT JOIN pfs_qpp_in_force pq
  ON pq.as_of = c.as_of AND pq.release_id = ip.release_id AND pq.hcpcs = c.hcpcs
 AND pq.modifier IS NOT DISTINCT FROM c.modifier
LEFT JOIN pfs_payment_basis bq ON bq.release_id = ip.release_id AND bq.basis = 'qpp'
LEFT JOIN in_force io ON io.as_of = c.as_of AND io.source = 'opps-addendum-b'
LEFT JOIN opps_in_force o ON o.as_of = c.as_of AND o.release_id = io.release_id AND o.hcpcs = c.hcpcs
LEFT JOIN in_force ih ON ih.as_of = c.as_of AND ih.source = 'hcpcs'
LEFT JOIN hcpcs_in_force h ON h.as_of = c.as_of AND h.release_id = ih.release_id AND h.hcpcs = c.hcpcs
LEFT JOIN tos t ON t.as_of = c.as_of AND t.release_id = ih.release_id AND t.hcpcs = c.hcpcs
LEFT JOIN in_force ib ON ib.as_of = c.as_of AND ib.source = 'betos'
LEFT JOIN betos_in_force b ON b.as_of = c.as_of AND b.release_id = ib.release_id AND b.hcpcs = c.hcpcs
LEFT JOIN in_force im ON im.as_of = c.as_of AND im.source = 'mue'
LEFT JOIN mue_in_force mp
  ON mp.as_of = c.as_of AND mp.release_id = im.release_id AND mp.hcpcs = c.hcpcs AND mp.service_type = 'practitioner'
LEFT JOIN mue_in_force mo
  ON mo.as_of = c.as_of AND mo.release_id = im.release_id AND mo.hcpcs = c.hcpcs
 AND mo.service_type = 'outpatient_hospital'
LEFT JOIN in_force ic ON ic.as_of = c.as_of AND ic.source = 'ccs'
LEFT JOIN ccs_in_force cr
  ON cr.as_of = c.as_of AND cr.release_id = ic.release_id AND code_shape(cr.range_start) = code_shape(c.hcpcs)
 AND c.hcpcs BETWEEN cr.range_start AND cr.range_end
-- Labels: indicator_code has one row per (system, code), so each join adds at most one row; a
-- join is several times faster here than code_label's subquery per row. The join is on the code
-- alone (a hash join) and the label is kept where the code is valid on the card's date: with
-- the dates in the join condition DuckDB joins row by row.
LEFT JOIN indicator_code l_status
  ON l_status.system = 'pfs_status_code' AND l_status.code = p.status_code
LEFT JOIN indicator_code l_global_days
  ON l_global_days.system = 'pfs_global_days' AND l_global_days.code = p.global_days
LEFT JOIN indicator_code l_pctc
  ON l_pctc.system = 'pfs_pctc_indicator' AND l_pctc.code = p.pctc_indicator
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
LEFT JOIN indicator_code l_diagnostic_imaging_family
  ON l_diagnostic_imaging_family.system = 'pfs_diagnostic_imaging_family' AND l_diagnostic_imaging_family.code = p.diagnostic_imaging_family
LEFT JOIN indicator_code l_apc_status_indicator
  ON l_apc_status_indicator.system = 'opps_status_indicator' AND l_apc_status_indicator.code = o.status_indicator
LEFT JOIN indicator_code l_betos
  ON l_betos.system = 'hcpcs_betos'
 AND l_betos.code = CASE WHEN h.hcpcs IS NOT NULL THEN h.betos ELSE b.betos END
LEFT JOIN indicator_code l_ccs
  ON l_ccs.system = 'ccs_category' AND l_ccs.code = cr.ccs_category
;
COMMENT ON MACRO TABLE code_card_of IS 'code_card_of(code_list): the code_card rows of the codes in a list (e.g. [''38211'', ''G0008'']), every date and modifier; NULL gives every code (the code_card view). Each source is filtered by the list before it is joined: the cards of a few codes on every date in one read. CPT descriptors are copyright American Medical Association.';

CREATE VIEW IF NOT EXISTS code_card AS SELECT * FROM code_card_of(NULL);

COMMENT ON VIEW code_card IS 'One row per HCPCS/CPT code, modifier and release date with every indicator of every source as code and label, like a code page. *_release names the release consulted; a NULL value beside it means that release has no row for the code. CPT descriptors are copyright American Medical Association.';

COMMENT ON COLUMN code_card.as_of IS 'The day the card describes: the effective date of a release of some source. Each source contributes the release in force that day.';
COMMENT ON COLUMN code_card.hcpcs IS 'HCPCS Level II or CPT code.';
COMMENT ON COLUMN code_card.modifier IS 'PFS modifier (26, TC, 53); NULL for the global service and for codes the PFS does not list.';
COMMENT ON COLUMN code_card.short_description IS 'Short description: the HCPCS file''s, else the PFS''s, else OPPS Addendum B''s. CPT descriptors are copyright American Medical Association.';
COMMENT ON COLUMN code_card.long_description IS 'Long description from the HCPCS Level II file (Level II codes only).';
COMMENT ON COLUMN code_card.pfs_release IS 'PFS release consulted (pfs-rvu); NULL when none was in force on as_of.';
COMMENT ON COLUMN code_card.pfs_source_file IS 'File of the PFS row consulted (source_file.source_file); NULL when the PFS release has no row for the code.';
COMMENT ON COLUMN code_card.pfs_source_line IS 'Line of the PFS row consulted in that file (1-based).';
COMMENT ON COLUMN code_card.opps_release IS 'OPPS Addendum B release consulted; NULL when none was in force on as_of.';
COMMENT ON COLUMN code_card.apc_status_indicator IS 'OPPS payment status indicator (Addendum B SI). Code table opps_status_indicator.';
COMMENT ON COLUMN code_card.apc_status_indicator_label IS 'Label of apc_status_indicator from code table opps_status_indicator.';
COMMENT ON COLUMN code_card.apc IS 'Ambulatory Payment Classification (Addendum B APC).';
COMMENT ON COLUMN code_card.opps_payment_rate IS 'OPPS national payment rate in dollars (Addendum B Payment Rate).';
COMMENT ON COLUMN code_card.hcpcs_release IS 'HCPCS Level II release consulted; NULL when none was in force on as_of. CPT codes are not in that file.';
COMMENT ON COLUMN code_card.type_of_service IS 'Type of service codes from the HCPCS file (TOS1..TOS5), comma-separated in position order. Code table hcpcs_type_of_service.';
COMMENT ON COLUMN code_card.type_of_service_label IS 'Each type of service code with its label, "code - label; ..."';
COMMENT ON COLUMN code_card.qpp_conversion_factor IS 'From CY2026: the conversion factor of qualifying APM participants (the QPP file), where that file lists the code; conversion_factor is the non-QPP one. NULL before 2026.';
COMMENT ON COLUMN code_card.betos IS 'Berenson-Eggers type of service: from the HCPCS Level II file for its codes, from the BETOS public-use file for the others (CPT codes); betos_source says which. Code table hcpcs_betos.';
COMMENT ON COLUMN code_card.betos_label IS 'Label of betos from code table hcpcs_betos.';
COMMENT ON COLUMN code_card.betos_source IS 'Source of betos: hcpcs (the code is in the HCPCS Level II release in force) or betos (the BETOS public-use file); NULL when neither had a release in force on as_of.';
COMMENT ON COLUMN code_card.betos_release IS 'Release of betos_source consulted.';
COMMENT ON COLUMN code_card.mue_release IS 'NCCI MUE release consulted; NULL when none was in force on as_of.';
COMMENT ON COLUMN code_card.mue_practitioner IS 'Practitioner services MUE value (units of service).';
COMMENT ON COLUMN code_card.mue_practitioner_adjudication IS 'Practitioner MUE adjudication indicator. Code table mue_adjudication_indicator.';
COMMENT ON COLUMN code_card.mue_outpatient_hospital IS 'Outpatient hospital services MUE value (units of service).';
COMMENT ON COLUMN code_card.mue_outpatient_hospital_adjudication IS 'Outpatient hospital MUE adjudication indicator. Code table mue_adjudication_indicator.';
COMMENT ON COLUMN code_card.ccs_release IS 'CCS release consulted; NULL when none was in force on as_of.';
COMMENT ON COLUMN code_card.ccs_category IS 'CCS category of the code, by range and shape (ccs_range). Code table ccs_category.';
COMMENT ON COLUMN code_card.ccs_label IS 'Label of ccs_category from code table ccs_category.';
