-- code_card_current: the code cards as of the newest release date, stored so that a lookup of the
-- current card is one small read (RVUs included: no join with every release of pfs_rvu).
-- Not sorted: the cards (one per code and modifier) fit in one row group, so order gives no
-- pruning (lookups measured the same), while sorting the wide rows costs much of the
-- table's build. The day is set first so that it is a constant the filter pushes down to one
-- as_of date (a subquery there would build every date's cards).
SET VARIABLE newest_release_day = (SELECT max(effective_from) FROM release);
CREATE OR REPLACE TABLE code_card_current AS
SELECT * FROM code_card
WHERE as_of = getvariable('newest_release_day');
RESET VARIABLE newest_release_day;
-- A lookup reads one code's few rows: through this index DuckDB fetches just those rows instead of
-- scanning every code's (bench/lookup-timing.ts, p50: 4.0 to 3.3 ms at load 1, 8 to 3 ms at load 6).
CREATE INDEX code_card_current_hcpcs ON code_card_current (hcpcs);

COMMENT ON TABLE code_card_current IS 'code_card as of the newest release date of any source: the current card of every code. CPT descriptors are copyright American Medical Association.';
