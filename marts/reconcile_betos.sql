-- Where the two CMS sources of BETOS disagree on a Level II code: the BETOS public-use file's
-- value against the HCPCS Level II file's, both in force on the newest release date (the day
-- of code_card_current). The card shows the HCPCS file's value; these rows show the other.
-- Added to reconciliation once the code pages are in it, in the shape of a page's row: the
-- BETOS file stands where the page does.
INSERT INTO reconciliation
WITH newest AS (SELECT max(effective_from) AS as_of FROM release),
in_force AS (
  SELECT r.source, r.release_id, n.as_of
  FROM release r, newest n
  WHERE r.effective_from <= n.as_of AND (r.effective_to IS NULL OR n.as_of <= r.effective_to)
)
SELECT
  b.source_file,
  NULL,
  h.hcpcs,
  ib.as_of,
  'betos',
  'BETOS (BETOS public-use file ' || ib.release_id || ')',
  b.betos,
  b.betos,
  'betos',
  h.betos,
  code_label('hcpcs_betos', h.betos, ib.as_of),
  'hcpcs',
  ih.release_id,
  ib.as_of,
  CASE WHEN h.betos IS NULL THEN 'cms_no_value' ELSE 'differs' END,
  'BETOS public-use file ' || ib.release_id || ' line ' || b.source_line || ' gives ' || b.betos ||
    CASE WHEN h.betos IS NULL THEN '; the HCPCS Level II file ' || ih.release_id || ' gives none'
         ELSE '; the HCPCS Level II file ' || ih.release_id || ' gives ' || h.betos || ', which the card shows' END
FROM hcpcs_code h
JOIN in_force ih ON ih.source = 'hcpcs' AND ih.release_id = h.release_id
JOIN betos_code b ON b.hcpcs = h.hcpcs
JOIN in_force ib ON ib.source = 'betos' AND ib.release_id = b.release_id
WHERE h.record_kind = 'procedure' AND h.betos IS DISTINCT FROM b.betos
ORDER BY h.hcpcs;
