-- Numbers as CMS writes them ("$3,307.24", " 1.42") made castable to DECIMAL (the cast itself
-- allows spaces). Most values have neither sign nor comma: testing first spares them the replace.
CREATE MACRO clean_number(text) AS CASE
  WHEN contains(text, '$') OR contains(text, ',') THEN replace(replace(trim(text), '$', ''), ',', '')
  ELSE text END;
COMMENT ON MACRO clean_number IS 'clean_number(text): a number as CMS writes it ("$3,307.24", " 1.42") without dollar sign and thousands separators, ready to cast to DECIMAL.';
