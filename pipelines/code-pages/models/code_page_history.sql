-- Third-party code pages (raw/code-pages/<date>/<code>.html) and what they say against the CMS
-- files. Filled by loadCodePages (pipelines/code-pages/load-code-pages.ts) after the marts.
CREATE OR REPLACE TABLE code_page_history (
  file VARCHAR NOT NULL,
  url VARCHAR,
  hcpcs VARCHAR NOT NULL,
  position INTEGER NOT NULL,
  date DATE,
  date_text VARCHAR NOT NULL,
  action VARCHAR NOT NULL,
  notes VARCHAR,
  PRIMARY KEY (file, position)
);
COMMENT ON TABLE code_page_history IS 'One row per row of a code page''s history table (Date | Action | Notes), as the page shows it.';
COMMENT ON COLUMN code_page_history.file IS 'The saved page under raw/ (code_page.file).';
COMMENT ON COLUMN code_page_history.url IS 'URL of the page (code_page.url).';
COMMENT ON COLUMN code_page_history.hcpcs IS 'HCPCS/CPT code the page describes.';
COMMENT ON COLUMN code_page_history.position IS 'Order of the row in the history table (1-based).';
COMMENT ON COLUMN code_page_history.date IS 'The row''s date; NULL when date_text is not a recognisable date.';
COMMENT ON COLUMN code_page_history.date_text IS 'The date as the page shows it.';
COMMENT ON COLUMN code_page_history.action IS 'What happened to the code, as shown ("Added", "Changed", ...).';
COMMENT ON COLUMN code_page_history.notes IS 'The row''s notes, as shown; NULL when empty.';
