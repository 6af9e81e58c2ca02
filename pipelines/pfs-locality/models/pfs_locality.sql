-- pfs_locality: each Medicare locality with the counties it covers. The state is written only
-- on a state's first row: each row takes the last one above it. A locality listed twice with
-- the same text (05302 99 in 25LOCCO) is loaded once, from its first line (a warning names the
-- other); listed twice with different text, both rows load and the key check blocks the run.
CREATE TABLE IF NOT EXISTS pfs_locality (
  release_id VARCHAR NOT NULL,
  mac VARCHAR NOT NULL,
  locality_number VARCHAR NOT NULL,
  state_name VARCHAR NOT NULL,
  fee_schedule_area VARCHAR NOT NULL,
  counties VARCHAR NOT NULL,
  source_file VARCHAR NOT NULL,
  source_line INTEGER NOT NULL
);

INSERT INTO pfs_locality
WITH filled AS (
  SELECT *,
         last_value(state_name IGNORE NULLS) OVER (
           PARTITION BY source_file ORDER BY source_line ROWS UNBOUNDED PRECEDING
         ) AS state_filled
  FROM stg_pfs_locality
),
-- Asterisks mark a locality "serviced by two carriers": a repeat differs by it and by spaces.
first_listing AS (
  SELECT *, row_number() OVER (
           PARTITION BY release_id, mac, locality_number, state_filled,
                        rtrim(fee_schedule_area, '* '), counties
           ORDER BY source_line) AS listing
  FROM filled
)
SELECT release_id, mac, locality_number, state_filled, fee_schedule_area, counties,
       source_file, source_line
FROM first_listing
WHERE listing = 1
ORDER BY release_id, source_line;

COMMENT ON TABLE pfs_locality IS 'CMS Medicare payment localities and the counties each includes, from the locality-county file (yyLOCCO) of each PFS release. One row per release and locality (mac, locality_number); join pfs_gpci on those.';
COMMENT ON COLUMN pfs_locality.release_id IS 'PFS release the file ships in (the same ids as pfs-rvu), e.g. RVU25D.';
COMMENT ON COLUMN pfs_locality.mac IS 'Medicare Administrative Contractor number, 5 digits (the CSV drops leading zeros: restored).';
COMMENT ON COLUMN pfs_locality.locality_number IS 'Locality number, 2 digits (the CSV drops leading zeros: restored).';
COMMENT ON COLUMN pfs_locality.state_name IS 'State name; the file writes it on a state''s first row only, so each row takes the one above it.';
COMMENT ON COLUMN pfs_locality.fee_schedule_area IS 'Fee schedule area as published (STATEWIDE, REST OF STATE, a city); * marks a locality serviced by two carriers.';
COMMENT ON COLUMN pfs_locality.counties IS 'The counties the locality includes, as published (county names carry CMS''s spellings).';
COMMENT ON COLUMN pfs_locality.source_file IS 'File the row was read from (source_file.source_file).';
COMMENT ON COLUMN pfs_locality.source_line IS 'Line of the row in that file (its first listing).';
