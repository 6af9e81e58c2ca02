import { identifier, literal } from '../../src/db/sql.js';
import { CODE_PAGE_FIELDS, cardFieldOf, systemOf } from './code-page-fields.js';

/** The fields a page and code_card both hold, with where the card's value comes from. */
function comparedFields() {
  return CODE_PAGE_FIELDS.flatMap((field) => {
    const card = cardFieldOf(field);
    return card
      ? [
          {
            field: field.key,
            column: card.column,
            source: card.source,
            sourceColumn: card.sourceColumn,
            releaseColumn: card.releaseColumn,
            system: systemOf(field),
          },
        ]
      : [];
  });
}

/**
 * SQL filling `reconciliation`: each page field with a code_card column, against the card of the
 * same code (global service) as of the page's date (the newest card on or before it, else the
 * newest). Only disagreements are kept: the values differ (TOS compared as a set), the CMS side
 * has no value, or the page value could not be decoded. `cards` holds the code_card rows of the
 * pages' codes with modifier NULL (code_card is a view: read once, filtered by code).
 */
export function reconciliationSql(cards: string): string {
  const fields = comparedFields();
  const fieldMap = fields
    .map(
      (f) =>
        `(${literal(f.field)}, ${literal(f.column)}, ${literal(f.source)}, ${
          f.system ? literal(f.system) : 'NULL'
        })`,
    )
    .join(',\n    ');
  // A field several sources give names its source on the card: that one, else the declared one.
  const withSource = fields.filter((f) => f.sourceColumn);
  const sourcePick =
    withSource.length === 0
      ? 'f.cms_source'
      : `coalesce(CASE f.cms_column\n${withSource
          .map(
            (f) => `      WHEN ${literal(f.column)} THEN c.${identifier(f.sourceColumn as string)}`,
          )
          .join('\n')}\n    END, f.cms_source)`;
  const pick = (column: (f: (typeof fields)[number]) => string) =>
    `CASE f.cms_column\n${fields
      .map((f) => `      WHEN ${literal(f.column)} THEN c.${identifier(column(f))}::VARCHAR`)
      .join('\n')}\n    END`;
  return `
INSERT INTO reconciliation
WITH field_map(field, cms_column, cms_source, cms_system) AS (
  VALUES
    ${fieldMap}
),
page AS (SELECT DISTINCT file, hcpcs, page_date FROM code_page),
picked AS (
  SELECT p.file, coalesce(
    max(c.as_of) FILTER (WHERE c.as_of <= p.page_date),
    max(c.as_of)
  ) AS card_as_of
  FROM page p LEFT JOIN ${cards} c ON c.hcpcs = p.hcpcs
  GROUP BY p.file
),
compared AS (
  SELECT cp.file, cp.url, cp.hcpcs, cp.page_date, cp.field, cp.label, cp.value AS page_value,
    cp.code AS page_code, cp.decode_note, f.cms_column, f.cms_system, k.card_as_of,
    c.hcpcs IS NOT NULL AS has_card,
    ${pick((f) => f.column)} AS cms_value,
    ${pick((f) => f.releaseColumn)} AS cms_release,
    ${sourcePick} AS cms_source
  FROM code_page cp
  JOIN field_map f ON f.field = cp.field
  JOIN picked k ON k.file = cp.file
  LEFT JOIN ${cards} c ON c.hcpcs = cp.hcpcs AND c.as_of = k.card_as_of
)
SELECT file, url, hcpcs, page_date, field, label, page_value, page_code, cms_column, cms_value,
  CASE WHEN cms_system IS NOT NULL THEN code_label(cms_system, cms_value, card_as_of) END,
  cms_source, cms_release, card_as_of,
  CASE
    WHEN page_code IS NULL THEN 'page_unmatched'
    WHEN cms_value IS NULL THEN 'cms_no_value'
    ELSE 'differs'
  END,
  CASE
    WHEN page_code IS NULL THEN decode_note
    WHEN NOT has_card THEN 'no loaded CMS source lists ' || hcpcs
    WHEN cms_release IS NULL THEN 'no ' || cms_source || ' release was in force on ' || card_as_of
    WHEN cms_value IS NULL THEN cms_source || ' release ' || cms_release || ' has no value for ' || hcpcs ||
      CASE WHEN cms_source = 'hcpcs' AND regexp_full_match(hcpcs, '[0-9]{4}[0-9A-Z]')
        THEN ' (CPT codes are not in the HCPCS Level II file: the page''s value is a third-party assertion)'
        ELSE '' END
  END
FROM compared
WHERE page_code IS NULL OR cms_value IS NULL
   OR list_sort(string_split(page_code, ',')) <> list_sort(string_split(cms_value, ','))
ORDER BY file, field`;
}
