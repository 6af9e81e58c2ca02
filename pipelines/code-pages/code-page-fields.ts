import { CARD_FIELDS } from '../../marts/code-card.js';
import type { CardField } from '../../src/query/code-card.js';

/**
 * How a field's value is read back: a code of a code table ("9 - Not Applicable", or the label
 * alone), a count (MUE), an identifier (APC), or free text kept as shown (descriptors).
 */
export type FieldKind = 'coded' | 'number' | 'identifier' | 'text';

/** A field a code page shows: its key, the labels sites give it and how it is compared. */
export interface CodePageField {
  /** Key stored in code_page.field: the code_card column where one exists. */
  key: string;
  /** How sites label the field. Matched after normalisation (case, spacing, punctuation). */
  labels: readonly string[];
  kind: FieldKind;
  /**
   * code_card column the field is reconciled with. Its code table, source and release column
   * come from CARD_FIELDS. Absent: the field is stored but not reconciled.
   */
  cardColumn?: CardField['column'];
  /** Identifiers: left-pad digits to this width (APC "5241", "0012"). */
  zeroPad?: number;
}

/**
 * The one synonym table of code-page labels. A label is matched whole after normaliseLabel; a
 * label with a parenthesised part ("PC/TC Indicator (26, TC)") also matches without it.
 *
 * Descriptors are kept as text and not reconciled: the page shows AMA CPT descriptors, the CMS
 * files only an abbreviated short descriptor, and code_card does not record which file gave it.
 */
export const CODE_PAGE_FIELDS: readonly CodePageField[] = [
  {
    key: 'short_description',
    labels: ['Short Descr', 'Short Description', 'Short Descriptor'],
    kind: 'text',
  },
  {
    key: 'medium_description',
    labels: ['Medium Descr', 'Medium Description', 'Medium Descriptor'],
    kind: 'text',
  },
  {
    key: 'long_description',
    labels: ['Long Descr', 'Long Description', 'Long Descriptor'],
    kind: 'text',
  },
  {
    key: 'status_code',
    labels: ['Status Code', 'PFS Status', 'PFS Status Code', 'MPFS Status', 'Fee Schedule Status'],
    kind: 'coded',
    cardColumn: 'status_code',
  },
  {
    key: 'global_days',
    labels: ['Global Days', 'Global Period', 'Global Surgery Days', 'Global Surgery', 'Glob Days'],
    kind: 'coded',
    cardColumn: 'global_days',
  },
  {
    key: 'pctc_indicator',
    labels: ['PC/TC Indicator', 'PCTC Indicator', 'PC/TC', 'PCTC Ind', 'PC/TC Ind'],
    kind: 'coded',
    cardColumn: 'pctc_indicator',
  },
  {
    key: 'multiple_procedure',
    labels: [
      'Multiple Procedures',
      'Multiple Procedure',
      'Multiple Procedure Indicator',
      'Mult Proc',
    ],
    kind: 'coded',
    cardColumn: 'multiple_procedure',
  },
  {
    key: 'bilateral_surgery',
    labels: ['Bilateral Surgery', 'Bilateral Surgery Indicator', 'Bilat Surg'],
    kind: 'coded',
    cardColumn: 'bilateral_surgery',
  },
  {
    key: 'physician_supervision',
    labels: [
      'Physician Supervisions',
      'Physician Supervision',
      'Physician Supervision of Diagnostic Procedures',
    ],
    kind: 'coded',
    cardColumn: 'physician_supervision',
  },
  {
    key: 'assistant_surgery',
    labels: ['Assistant Surgeon', 'Assistant Surgeons', 'Assistant at Surgery', 'Asst Surg'],
    kind: 'coded',
    cardColumn: 'assistant_surgery',
  },
  {
    key: 'co_surgeons',
    labels: ['Co-Surgeons', 'Co-Surgeon', 'Co-Surgery', 'Co Surg'],
    kind: 'coded',
    cardColumn: 'co_surgeons',
  },
  {
    key: 'team_surgery',
    labels: ['Team Surgery', 'Team Surgeons', 'Team Surg'],
    kind: 'coded',
    cardColumn: 'team_surgery',
  },
  {
    key: 'diagnostic_imaging_family',
    labels: ['Diagnostic Imaging Family', 'Diagnostic Imaging Family Indicator', 'Imaging Family'],
    kind: 'coded',
    cardColumn: 'diagnostic_imaging_family',
  },
  {
    key: 'apc_status_indicator',
    labels: [
      'APC Status Indicator',
      'OPPS Status Indicator',
      'OPPS Payment Status Indicator',
      'Payment Status Indicator',
      'Status Indicator',
      'SI',
    ],
    kind: 'coded',
    cardColumn: 'apc_status_indicator',
  },
  {
    key: 'apc',
    labels: ['APC', 'APC Code', 'Ambulatory Payment Classification'],
    kind: 'identifier',
    cardColumn: 'apc',
    zeroPad: 4,
  },
  {
    key: 'type_of_service',
    labels: ['Type of Service', 'TOS', 'HCPCS Type of Service'],
    kind: 'coded',
    cardColumn: 'type_of_service',
  },
  {
    key: 'betos',
    labels: ['Berenson-Eggers TOS', 'BETOS', 'Berenson-Eggers Type of Service', 'BETOS Code'],
    kind: 'coded',
    cardColumn: 'betos',
  },
  {
    key: 'mue',
    labels: [
      'MUE',
      'MUE Value',
      'MUE (practitioner)',
      'Practitioner MUE',
      'Medically Unlikely Edit',
      'Medically Unlikely Edits',
    ],
    kind: 'number',
    cardColumn: 'mue_practitioner',
  },
  {
    key: 'mue_outpatient_hospital',
    labels: ['MUE (outpatient hospital)', 'Outpatient Hospital MUE', 'MUE Outpatient Hospital'],
    kind: 'number',
    cardColumn: 'mue_outpatient_hospital',
  },
  {
    key: 'ccs_category',
    labels: [
      'CCS Clinical Classification',
      'CCS',
      'CCS Category',
      'Clinical Classification',
      'Clinical Classifications Software',
    ],
    kind: 'coded',
    cardColumn: 'ccs_category',
  },
];

/**
 * A label reduced to lower-case words: "PC/TC Indicator (26, TC):" → "pc tc indicator 26 tc",
 * "Berenson–Eggers  TOS" → "berenson eggers tos".
 */
export function normaliseLabel(label: string): string {
  return label
    .normalize('NFKC')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The label without its parenthesised parts: "Co-Surgeons (62)" → "Co-Surgeons". */
function withoutParentheses(label: string): string {
  return label.replace(/\([^)]*\)/g, ' ').replace(/\[[^\]]*\]/g, ' ');
}

function buildIndex(fields: readonly CodePageField[]): Map<string, CodePageField> {
  const index = new Map<string, CodePageField>();
  for (const field of fields) {
    for (const label of [...field.labels, field.key]) {
      const form = normaliseLabel(label);
      const taken = index.get(form);
      if (taken && taken !== field) {
        throw new Error(`code-page label "${label}" names both ${taken.key} and ${field.key}`);
      }
      index.set(form, field);
    }
  }
  return index;
}

const LABEL_INDEX = buildIndex(CODE_PAGE_FIELDS);

/** The field a label names, or null: the whole label first, then without its parentheses. */
export function fieldForLabel(label: string): CodePageField | null {
  if (label.length > 80) return null;
  const whole = normaliseLabel(label);
  if (whole === '') return null;
  return (
    LABEL_INDEX.get(whole) ?? LABEL_INDEX.get(normaliseLabel(withoutParentheses(label))) ?? null
  );
}

export function fieldByKey(key: string): CodePageField | undefined {
  return CODE_PAGE_FIELDS.find((f) => f.key === key);
}

/** The code table that decodes a field (from CARD_FIELDS), or null. */
export function systemOf(field: CodePageField): string | null {
  if (field.kind !== 'coded' || !field.cardColumn) return null;
  return CARD_FIELDS.find((c) => c.column === field.cardColumn)?.system ?? null;
}

/** The CARD_FIELDS entry a field is reconciled with. */
export function cardFieldOf(field: CodePageField): CardField | null {
  if (!field.cardColumn) return null;
  return CARD_FIELDS.find((c) => c.column === field.cardColumn) ?? null;
}
