-- Third-party code pages (raw/code-pages/<date>/<code>.html) and what they say against the CMS
-- files. Filled by loadCodePages (pipelines/code-pages/load-code-pages.ts) after the marts.
CREATE OR REPLACE TABLE code_page_refused (
  file VARCHAR NOT NULL,
  url VARCHAR,
  rule VARCHAR NOT NULL,
  detail VARCHAR NOT NULL,
  PRIMARY KEY (file)
);
COMMENT ON TABLE code_page_refused IS 'One row per saved page under raw/code-pages/ that is not a code page (error page, view-quota banner, login wall, no recognised fields, no or another code); nothing of it is loaded.';
COMMENT ON COLUMN code_page_refused.file IS 'The saved page under raw/.';
COMMENT ON COLUMN code_page_refused.url IS 'URL the page was fetched from, when known.';
COMMENT ON COLUMN code_page_refused.rule IS 'The rule that refused it: error-page, view-quota, login-wall, no-fields, no-code, code-mismatch, too-deep.';
COMMENT ON COLUMN code_page_refused.detail IS 'What the page showed that broke the rule.';
