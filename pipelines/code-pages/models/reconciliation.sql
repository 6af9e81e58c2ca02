-- Third-party code pages (raw/code-pages/<date>/<code>.html) and what they say against the CMS
-- files. Filled by loadCodePages (pipelines/code-pages/load-code-pages.ts) after the marts.
CREATE OR REPLACE TABLE reconciliation (
  file VARCHAR NOT NULL,
  url VARCHAR,
  hcpcs VARCHAR NOT NULL,
  page_date DATE NOT NULL,
  field VARCHAR NOT NULL,
  label VARCHAR NOT NULL,
  page_value VARCHAR NOT NULL,
  page_code VARCHAR,
  cms_column VARCHAR NOT NULL,
  cms_value VARCHAR,
  cms_label VARCHAR,
  cms_source VARCHAR NOT NULL,
  cms_release VARCHAR,
  card_as_of DATE,
  status VARCHAR NOT NULL,
  note VARCHAR,
  PRIMARY KEY (file, hcpcs, field)
);
COMMENT ON TABLE reconciliation IS 'One row per code-page field that disagrees with the CMS files: the page value against the code_card value of the same code (global service, modifier NULL) as of the page''s date. Fields that agree are not listed; descriptors are not compared. Also one row per Level II code whose BETOS the BETOS public-use file gives otherwise than the HCPCS file (file is then the BETOS file, page_value its value).';
COMMENT ON COLUMN reconciliation.file IS 'The saved page under raw/ (code_page.file), or the other CMS file compared.';
COMMENT ON COLUMN reconciliation.url IS 'URL of the page (code_page.url).';
COMMENT ON COLUMN reconciliation.hcpcs IS 'HCPCS/CPT code.';
COMMENT ON COLUMN reconciliation.page_date IS 'Day the page describes (code_page.page_date).';
COMMENT ON COLUMN reconciliation.field IS 'Field key (code_page.field).';
COMMENT ON COLUMN reconciliation.label IS 'The label as the page shows it.';
COMMENT ON COLUMN reconciliation.page_value IS 'The value as the page shows it.';
COMMENT ON COLUMN reconciliation.page_code IS 'The code the page value decodes to; NULL when it could not be decoded.';
COMMENT ON COLUMN reconciliation.cms_column IS 'code_card column compared with.';
COMMENT ON COLUMN reconciliation.cms_value IS 'What the CMS files say (the code_card value); NULL when the CMS side has no value: see status and note.';
COMMENT ON COLUMN reconciliation.cms_label IS 'CMS label of cms_value from its code table, as of card_as_of.';
COMMENT ON COLUMN reconciliation.cms_source IS 'Source pipeline the CMS value comes from (pfs-rvu, opps-addendum-b, hcpcs, betos, mue, ccs).';
COMMENT ON COLUMN reconciliation.cms_release IS 'Release of cms_source consulted; NULL when none was in force on card_as_of.';
COMMENT ON COLUMN reconciliation.card_as_of IS 'as_of of the code_card row compared: the newest on or before page_date, else the newest; NULL when no loaded source lists the code.';
COMMENT ON COLUMN reconciliation.status IS 'differs: both sides have a value and they differ; cms_no_value: the page has a value and the CMS files none (no release in force, or the release has no value for the code); page_unmatched: the page value could not be decoded (ambiguous or unmatched).';
COMMENT ON COLUMN reconciliation.note IS 'Why the CMS side has no value, or why the page value could not be decoded.';
