-- A release of a source: what CMS published together, with the days it is in force.
CREATE TABLE release (
  source VARCHAR NOT NULL,
  release_id VARCHAR NOT NULL,
  published DATE,
  effective_from DATE,
  effective_to DATE,
  is_full BOOLEAN NOT NULL,
  origin VARCHAR NOT NULL,
  license VARCHAR NOT NULL,
  PRIMARY KEY (source, release_id)
);
COMMENT ON TABLE release IS 'One row per release of a source (e.g. RVU25D), from raw/<source>/<release>/manifest.json.';
-- release.source's comment names the run's sources: the run writes it (src/run/core-tables.ts).
COMMENT ON COLUMN release.release_id IS 'Release identifier, unique within its source: the folder name under raw/<source>/ (RVU25D, HCPC2019, 2023-01).';
COMMENT ON COLUMN release.published IS 'Date CMS published the release, when known.';
COMMENT ON COLUMN release.effective_from IS 'First day the release is in force.';
COMMENT ON COLUMN release.effective_to IS 'Last day the release is in force (inclusive): the day before the next release of the same source starts; NULL while current.';
COMMENT ON COLUMN release.is_full IS 'True when the release lists every code (a missing code has ended); false for a partial update.';
COMMENT ON COLUMN release.origin IS 'Where the release came from: a CMS URL, or local for files dropped into raw/ by hand.';
COMMENT ON COLUMN release.license IS 'Licence and copyright notes that travel with the data (CPT descriptors are copyright AMA).';

-- The newest release of a source, by the day it comes into force (then by id): what a dataset
-- of the current release holds, one rule for the view that reads it and the export that writes it.
CREATE MACRO newest_release(of_source) AS (
  SELECT release_id FROM release WHERE source = of_source
  ORDER BY effective_from DESC NULLS LAST, release_id DESC LIMIT 1
);
COMMENT ON MACRO newest_release IS 'newest_release(source): the release_id of the source''s newest release by effective date (then by release_id); NULL when it has none.';
