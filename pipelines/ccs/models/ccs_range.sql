-- ccs_range: the CCS code ranges as published ('61000-61055' → 61000, 61055) with their
-- category. A code belongs to a range when start <= code <= end as text AND the code has the
-- endpoints' shape (code_shape): otherwise Category II/III codes such as 0283F would fall
-- inside a T-range such as 0282T-0284T.
CREATE OR REPLACE MACRO code_shape(code) AS regexp_replace(code, '[0-9]', '9', 'g');
COMMENT ON MACRO code_shape IS 'code_shape(code): the code with every digit as 9 (0283F → 9999F, 0282T → 9999T): a code is in a CCS range only with the shape of its endpoints.';

CREATE TABLE IF NOT EXISTS ccs_range (
  release_id VARCHAR NOT NULL,
  range_start VARCHAR NOT NULL,
  range_end VARCHAR NOT NULL,
  code_range VARCHAR NOT NULL,
  ccs_category VARCHAR NOT NULL,
  ccs_label VARCHAR NOT NULL,
  source_file VARCHAR NOT NULL,
  source_line INTEGER NOT NULL
);

INSERT INTO ccs_range
SELECT
  release_id,
  substr(code_range, 2, 5),
  substr(code_range, 8, 5),
  code_range,
  ccs_category,
  ccs_label,
  source_file, source_line
FROM stg_ccs s
ORDER BY release_id, source_line;

-- The CCS category of a code in a release, by range and shape; NULL when no range holds it.
CREATE OR REPLACE MACRO ccs_category_of(code, release) AS (
  SELECT any_value(r.ccs_category) FROM ccs_range r
  WHERE r.release_id = release
    AND code_shape(code) = code_shape(r.range_start)
    AND code BETWEEN r.range_start AND r.range_end
);
COMMENT ON MACRO ccs_category_of IS 'ccs_category_of(code, release): the CCS category of a code in a ccs_range release: the range with range_start <= code <= range_end (as text) and the shape of its endpoints (code_shape: 0283F is not in 0282T-0284T); NULL when no range holds it.';

COMMENT ON TABLE ccs_range IS 'AHRQ HCUP CCS for Services and Procedures: code ranges as published with their category. Resolve a code with ccs_category_of(code, release_id) or the rule in the model: same shape and start <= code <= end.';
COMMENT ON COLUMN ccs_range.release_id IS 'Release (release.release_id where source = ccs): the CCS year, e.g. 2016.';
COMMENT ON COLUMN ccs_range.range_start IS 'First code of the range (inclusive).';
COMMENT ON COLUMN ccs_range.range_end IS 'Last code of the range (inclusive).';
COMMENT ON COLUMN ccs_range.code_range IS 'The range as published, quotes included (Code Range).';
COMMENT ON COLUMN ccs_range.ccs_category IS 'CCS category number (CCS). Code table ccs_category.';
COMMENT ON COLUMN ccs_range.ccs_label IS 'CCS category label as published in the file (CCS Label).';
COMMENT ON COLUMN ccs_range.source_file IS 'File the range was read from (source_file.source_file).';
COMMENT ON COLUMN ccs_range.source_line IS 'Line of the range in that file.';
