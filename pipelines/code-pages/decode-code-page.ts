import type { DuckDBConnection } from '@duckdb/node-api';
import { type CodePageField, fieldByKey, normaliseLabel, systemOf } from './code-page-fields.js';
import { cleanText, type PageField, type ParsedCodePage } from './parse-code-page.js';

/** One row of indicator_code, as the decoder needs it. */
export interface CodeTableEntry {
  system: string;
  code: string;
  label: string;
  /** YYYY-MM-DD or null. */
  validFrom: string | null;
  /** YYYY-MM-DD (exclusive) or null. */
  validTo: string | null;
}

/**
 * How a value was read back:
 * code: "<code> - <label>" or a bare code of the field's code table;
 * label: the label alone, matched to one code (case, spacing and punctuation ignored);
 * number, identifier: a count (MUE) or an identifier (APC);
 * text: kept as shown, nothing to decode (descriptors);
 * ambiguous: a label several codes valid on the page's date share;
 * unmatched: nothing matched, the value is kept as shown.
 */
export type DecodeStatus =
  | 'code'
  | 'label'
  | 'number'
  | 'identifier'
  | 'text'
  | 'ambiguous'
  | 'unmatched';

export interface DecodedValue {
  /** The code the value stands for; null for text, ambiguous and unmatched values. */
  code: string | null;
  /** Code system (indicator_system.system) of the field; null when no code table applies. */
  system: string | null;
  /** The site's label after "<code> - ", as shown. */
  valueLabel: string | null;
  /** The CMS label of the code (indicator_code.label). */
  cmsLabel: string | null;
  status: DecodeStatus;
  note: string | null;
}

export type DecodedField = PageField & DecodedValue;

export interface DecodedCodePage extends Omit<ParsedCodePage, 'fields'> {
  /** The date the values were decoded for (YYYY-MM-DD). */
  pageDate: string;
  fields: DecodedField[];
}

/** The code tables, from indicator_code joined with indicator_system. */
export class CodeTables {
  private readonly bySystem = new Map<string, CodeTableEntry[]>();

  constructor(entries: readonly CodeTableEntry[]) {
    for (const entry of entries) {
      const list = this.bySystem.get(entry.system) ?? [];
      list.push(entry);
      this.bySystem.set(entry.system, list);
    }
  }

  static async read(connection: DuckDBConnection): Promise<CodeTables> {
    const reader = await connection.runAndReadAll(`
      SELECT c.system, c.code, c.label, strftime(c.valid_from, '%Y-%m-%d'), strftime(c.valid_to, '%Y-%m-%d')
      FROM indicator_code c JOIN indicator_system s ON s.system = c.system
      ORDER BY c.system, c.code`);
    return new CodeTables(
      (reader.getRowsJS() as (string | null)[][]).map(([system, code, label, from, to]) => ({
        system: String(system),
        code: String(code),
        label: String(label),
        validFrom: from ?? null,
        validTo: to ?? null,
      })),
    );
  }

  codes(system: string): readonly CodeTableEntry[] {
    return this.bySystem.get(system) ?? [];
  }
}

const validOn = (entry: CodeTableEntry, day: string): boolean =>
  (entry.validFrom === null || entry.validFrom <= day) &&
  (entry.validTo === null || day < entry.validTo);

/** "<code> - <label>": a short code, a spaced dash (or a colon), the label. */
const CODE_AND_LABEL = /^([0-9A-Za-z+]{1,5})\s*(?:\s[-\u2010-\u2015]|:)\s+(.+)$/;
const MUE_VALUE = /^(?:MUE\b\s*[:=-]?\s*)?(\d+)(?:\s*(?:[-\u2013(].*)?)$/i;

/** Decodes every field of a parsed page as of `pageDate` (YYYY-MM-DD). */
export function decodeCodePage(
  parsed: ParsedCodePage,
  tables: CodeTables,
  pageDate: string,
): DecodedCodePage {
  return {
    ...parsed,
    pageDate,
    fields: parsed.fields.map((f) => {
      const field = fieldByKey(f.key);
      if (!field) throw new Error(`code page field ${f.key} is not in CODE_PAGE_FIELDS`);
      return { ...f, ...decodeValue(field, f.value, tables, pageDate) };
    }),
  };
}

/** A page value back to a code of its field's code table, as of `day`. */
export function decodeValue(
  field: CodePageField,
  value: string,
  tables: CodeTables,
  day: string,
): DecodedValue {
  const v = cleanText(value);
  const system = systemOf(field);
  const result = (
    status: DecodeStatus,
    code: string | null,
    extra: Partial<DecodedValue> = {},
  ): DecodedValue => ({
    code,
    system,
    valueLabel: null,
    cmsLabel: null,
    status,
    note: null,
    ...extra,
  });
  if (field.kind === 'text') return result('text', null);
  if (v === '') return result('unmatched', null, { note: 'the page shows no value' });

  if (field.kind === 'number') {
    const match = MUE_VALUE.exec(v);
    return match?.[1]
      ? result('number', String(Number(match[1])))
      : result('unmatched', null, { note: `"${v}" is not a whole number` });
  }
  if (field.kind === 'identifier') {
    const token = /^[0-9A-Za-z]+$/.test(v) ? v.toUpperCase() : null;
    if (!token) return result('unmatched', null, { note: `"${v}" is not an identifier` });
    const padded =
      /^\d+$/.test(token) && field.zeroPad ? token.padStart(field.zeroPad, '0') : token;
    return result('identifier', padded);
  }

  if (!system) throw new Error(`code page field ${field.key} has no code table`);
  const codes = tables.codes(system);
  const split = CODE_AND_LABEL.exec(v);
  const head = split?.[1] ?? v;
  const code = findCode(codes, head);
  if (code) {
    return result('code', code.code, {
      valueLabel: split?.[2] ?? null,
      cmsLabel: code.label,
      note: validityNote(code, day),
    });
  }

  const wanted = new Set([normaliseLabel(v), ...(split?.[2] ? [normaliseLabel(split[2])] : [])]);
  const named = codes.filter((c) => wanted.has(normaliseLabel(c.label)));
  if (named.length === 0) {
    return result('unmatched', null, {
      note: `"${v}" is neither a code nor a label of ${system}`,
    });
  }
  const label = { valueLabel: split?.[2] ?? v };
  const [only] = named;
  if (named.length === 1 && only) {
    return result('label', only.code, {
      ...label,
      cmsLabel: only.label,
      note: validityNote(only, day),
    });
  }
  // Codes sharing a label (status G and I): prefer the one valid on the page's date.
  const valid = named.filter((c) => validOn(c, day));
  const [chosen] = valid;
  if (valid.length === 1 && chosen) {
    const others = named
      .filter((c) => c !== chosen)
      .map(
        (c) => `${c.code} (not valid on ${day}${c.validTo ? `: valid until ${c.validTo}` : ''})`,
      );
    return result('label', chosen.code, {
      ...label,
      cmsLabel: chosen.label,
      note: `label shared with ${others.join(', ')}; ${chosen.code} is the code valid on ${day}`,
    });
  }
  return result('ambiguous', null, {
    ...label,
    note: `label shared by ${named.map((c) => c.code).join(', ')} of ${system}; ${
      valid.length === 0 ? 'none is' : `${valid.length} are`
    } valid on ${day}`,
  });
}

/** A code of the table: as written, upper-cased, or zero-padded to the table's code width. */
function findCode(codes: readonly CodeTableEntry[], text: string): CodeTableEntry | null {
  const exact =
    codes.find((c) => c.code === text) ?? codes.find((c) => c.code === text.toUpperCase());
  if (exact) return exact;
  if (/^\d+$/.test(text)) {
    const widths = new Set(codes.map((c) => c.code.length));
    const [width] = widths;
    if (widths.size === 1 && width && width > text.length) {
      return codes.find((c) => c.code === text.padStart(width, '0')) ?? null;
    }
  }
  return null;
}

function validityNote(code: CodeTableEntry, day: string): string | null {
  if (validOn(code, day)) return null;
  return `${code.code} is not valid on ${day} (valid ${code.validFrom ?? 'from the start'} to ${
    code.validTo ?? 'now'
  })`;
}
