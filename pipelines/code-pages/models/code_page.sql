-- Third-party code pages (raw/code-pages/<date>/<code>.html) and what they say against the CMS
-- files. Filled by loadCodePages (pipelines/code-pages/load-code-pages.ts) after the marts.
CREATE OR REPLACE TABLE code_page (
  file VARCHAR NOT NULL,
  url VARCHAR,
  source VARCHAR,
  fetched_at TIMESTAMP,
  page_date DATE NOT NULL,
  hcpcs VARCHAR NOT NULL,
  position INTEGER NOT NULL,
  field VARCHAR NOT NULL,
  label VARCHAR NOT NULL,
  value VARCHAR NOT NULL,
  value_label VARCHAR,
  code VARCHAR,
  code_system VARCHAR,
  cms_label VARCHAR,
  decode_status VARCHAR NOT NULL,
  decode_note VARCHAR,
  copyright VARCHAR,
  PRIMARY KEY (file, field)
);
COMMENT ON TABLE code_page IS 'One row per third-party code page and field it shows (label and value as shown), with the value decoded back to a code of the CMS code tables. The pages are third-party assertions, not CMS data; CPT descriptors are copyright American Medical Association.';
COMMENT ON COLUMN code_page.file IS 'The saved page under raw/ (code-pages/<date>/<code>.html).';
COMMENT ON COLUMN code_page.url IS 'URL the page was fetched from (its .meta.json), else the page''s canonical URL; NULL when unknown.';
COMMENT ON COLUMN code_page.source IS 'Site the page comes from: host of url; NULL when unknown.';
COMMENT ON COLUMN code_page.fetched_at IS 'When the page was fetched (UTC), from its .meta.json; NULL for pages saved by hand.';
COMMENT ON COLUMN code_page.page_date IS 'Day the page describes: the <date> folder it is saved in, else the fetch date, else the file''s modification date. Codes are decoded and compared as of this day.';
COMMENT ON COLUMN code_page.hcpcs IS 'HCPCS/CPT code the page describes (from its title or main heading, else its URL or file name).';
COMMENT ON COLUMN code_page.position IS 'Order of the field on the page (1-based).';
COMMENT ON COLUMN code_page.field IS 'Field key: the code_card column where one exists (status_code, global_days, ..., mue for the practitioner MUE), else short/medium/long_description. Labels map to keys through CODE_PAGE_FIELDS (pipelines/code-pages/code-page-fields.ts).';
COMMENT ON COLUMN code_page.label IS 'The label as the page shows it, e.g. "PC/TC Indicator (26, TC)".';
COMMENT ON COLUMN code_page.value IS 'The value as the page shows it, e.g. "9 - Not Applicable"; kept even when it cannot be decoded.';
COMMENT ON COLUMN code_page.value_label IS 'The site''s label part of the value ("Not Applicable" of "9 - Not Applicable", or the whole value when it is a label alone); a paraphrase, not the CMS label.';
COMMENT ON COLUMN code_page.code IS 'The code the value decodes to ("9", "XXX", "09", "I", "T1G"; the number of an MUE; the APC padded to 4 digits); NULL for text, ambiguous and unmatched values.';
COMMENT ON COLUMN code_page.code_system IS 'Code table that decodes the field (indicator_system.system); NULL for descriptors, MUE and APC.';
COMMENT ON COLUMN code_page.cms_label IS 'CMS label of code from indicator_code, to read beside the site''s value_label.';
COMMENT ON COLUMN code_page.decode_status IS 'How the value was decoded: code ("<code> - <label>" or a bare code), label (a label alone, case, spacing and punctuation ignored; codes sharing a label resolved to the one valid on page_date), number, identifier, text (descriptor, not decoded), ambiguous (several codes valid on page_date share the label), unmatched (kept as shown, flagged).';
COMMENT ON COLUMN code_page.decode_note IS 'Why a value is ambiguous or unmatched, which code a shared label was resolved to, or that the code is not valid on page_date.';
COMMENT ON COLUMN code_page.copyright IS 'The AMA copyright line as the page shows it, e.g. "© Copyright 2025 American Medical Association. All rights reserved."';
