-- Third-party code pages (raw/code-pages/<date>/<code>.html) and what they say against the CMS
-- files. Filled by loadCodePages (src/transform/code-pages/load-code-pages.ts) after the marts.
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
COMMENT ON COLUMN code_page.field IS 'Field key: the code_card column where one exists (status_code, global_days, ..., mue for the practitioner MUE), else short/medium/long_description. Labels map to keys through CODE_PAGE_FIELDS (src/extract/code-pages/code-page-fields.ts).';
COMMENT ON COLUMN code_page.label IS 'The label as the page shows it, e.g. "PC/TC Indicator (26, TC)".';
COMMENT ON COLUMN code_page.value IS 'The value as the page shows it, e.g. "9 - Not Applicable"; kept even when it cannot be decoded.';
COMMENT ON COLUMN code_page.value_label IS 'The site''s label part of the value ("Not Applicable" of "9 - Not Applicable", or the whole value when it is a label alone); a paraphrase, not the CMS label.';
COMMENT ON COLUMN code_page.code IS 'The code the value decodes to ("9", "XXX", "09", "I", "T1G"; the number of an MUE; the APC padded to 4 digits); NULL for text, ambiguous and unmatched values.';
COMMENT ON COLUMN code_page.code_system IS 'Code table that decodes the field (indicator_system.system); NULL for descriptors, MUE and APC.';
COMMENT ON COLUMN code_page.cms_label IS 'CMS label of code from indicator_code, to read beside the site''s value_label.';
COMMENT ON COLUMN code_page.decode_status IS 'How the value was decoded: code ("<code> - <label>" or a bare code), label (a label alone, case, spacing and punctuation ignored; codes sharing a label resolved to the one valid on page_date), number, identifier, text (descriptor, not decoded), ambiguous (several codes valid on page_date share the label), unmatched (kept as shown, flagged).';
COMMENT ON COLUMN code_page.decode_note IS 'Why a value is ambiguous or unmatched, which code a shared label was resolved to, or that the code is not valid on page_date.';
COMMENT ON COLUMN code_page.copyright IS 'The AMA copyright line as the page shows it, e.g. "© Copyright 2025 American Medical Association. All rights reserved."';

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
COMMENT ON COLUMN code_page_refused.rule IS 'The rule that refused it: error-page, view-quota, login-wall, no-fields, no-code, code-mismatch.';
COMMENT ON COLUMN code_page_refused.detail IS 'What the page showed that broke the rule.';

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
  PRIMARY KEY (file, field)
);
COMMENT ON TABLE reconciliation IS 'One row per code-page field that disagrees with the CMS files: the page value against the code_card value of the same code (global service, modifier NULL) as of the page''s date. Fields that agree are not listed; descriptors are not compared.';
COMMENT ON COLUMN reconciliation.file IS 'The saved page under raw/ (code_page.file).';
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
COMMENT ON COLUMN reconciliation.cms_source IS 'Source pipeline the CMS value comes from (pfs-rvu, opps-addendum-b, hcpcs, mue, ccs).';
COMMENT ON COLUMN reconciliation.cms_release IS 'Release of cms_source consulted; NULL when none was in force on card_as_of.';
COMMENT ON COLUMN reconciliation.card_as_of IS 'as_of of the code_card row compared: the newest on or before page_date, else the newest; NULL when no loaded source lists the code.';
COMMENT ON COLUMN reconciliation.status IS 'differs: both sides have a value and they differ; cms_no_value: the page has a value and the CMS files none (no release in force, or the release has no value for the code); page_unmatched: the page value could not be decoded (ambiguous or unmatched).';
COMMENT ON COLUMN reconciliation.note IS 'Why the CMS side has no value, or why the page value could not be decoded.';
