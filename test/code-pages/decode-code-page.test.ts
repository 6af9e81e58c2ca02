import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD_FIELDS } from '../../marts/code-card.js';
import { fieldByKey } from '../../pipelines/code-pages/code-page-fields.js';
import {
  CodeTables,
  decodeCodePage,
  decodeValue,
} from '../../pipelines/code-pages/decode-code-page.js';
import { parseCodePage } from '../../pipelines/code-pages/parse-code-page.js';
import type { DuckDBHandle } from '../../src/db/open-duckdb.js';
import { openFullRefresh, rows } from '../helpers/database.js';
import { fixture, MARKUPS, SEED_38211 } from './fixtures.js';

let db: DuckDBHandle;
let tables: CodeTables;
beforeAll(async () => {
  db = await openFullRefresh();
  tables = await CodeTables.read(db.connection);
});
afterAll(() => db.close());

const PAGE_DATE = '2025-11-15';

function decode(key: string, value: string, day = PAGE_DATE) {
  const field = fieldByKey(key);
  if (!field) throw new Error(`no field ${key}`);
  return decodeValue(field, value, tables, day);
}

describe('decoding a value back to its code', () => {
  it.each([
    ['pctc_indicator', '9 - Not Applicable', '9', 'code'],
    ['betos', 'T1G - Lab tests - other (Medicare fee schedule)', 'T1G', 'code'],
    ['global_days', 'XXX - Global Concept Does Not Apply', 'XXX', 'code'],
    ['physician_supervision', '09 - Concept does not apply.', '09', 'code'],
    ['ccs_category', '64 - Bone marrow transplant', '64', 'code'],
    ['type_of_service', '5 - Diagnostic Laboratory', '5', 'code'],
    ['diagnostic_imaging_family', '99 - Concept Does Not Apply', '99', 'code'],
    ['status_code', 'Not Valid for Medicare Purposes', 'I', 'label'],
    ['status_code', 'NOT VALID FOR MEDICARE PURPOSES', 'I', 'label'],
    ['apc_status_indicator', 'Procedure or Service, Not Discounted when Multiple', 'S', 'label'],
    ['global_days', 'XXX', 'XXX', 'code'],
    ['mue', '0', '0', 'number'],
    ['mue', 'MUE 0', '0', 'number'],
    ['apc', '5241', '5241', 'identifier'],
    ['apc', '12', '0012', 'identifier'],
  ])('%s "%s" → %s (%s)', (key, value, code, status) => {
    const decoded = decode(key, value);
    expect(decoded.code).toBe(code);
    expect(decoded.status).toBe(status);
  });

  it('keeps the site label and gives the CMS label beside it', () => {
    expect(decode('global_days', 'XXX - Global Concept Does Not Apply')).toMatchObject({
      system: 'pfs_global_days',
      valueLabel: 'Global Concept Does Not Apply',
      cmsLabel: 'The global concept does not apply to the code.',
    });
  });

  it('resolves the label G and I share to I, the code valid on the page date', () => {
    const decoded = decode('status_code', 'Not Valid for Medicare Purposes');
    expect(decoded.code).toBe('I');
    expect(decoded.note).toContain('G (not valid on 2025-11-15: valid until 2006-01-01)');
  });

  it('calls the shared label ambiguous on a date when G was still valid', () => {
    const decoded = decode('status_code', 'Not Valid for Medicare Purposes', '2005-06-30');
    expect(decoded).toMatchObject({ code: null, status: 'ambiguous' });
    expect(decoded.note).toContain('label shared by G, I of pfs_status_code');
  });

  it('keeps a value that matches nothing as text, flagged unmatched', () => {
    const decoded = decode('bilateral_surgery', 'Sometimes, ask the payer');
    expect(decoded).toMatchObject({ code: null, status: 'unmatched' });
    expect(decoded.note).toContain('"Sometimes, ask the payer" is neither a code nor a label');
    expect(decode('mue', 'unlimited')).toMatchObject({ code: null, status: 'unmatched' });
    expect(decode('global_days', '')).toMatchObject({ code: null, status: 'unmatched' });
  });

  it('leaves descriptors as text', () => {
    expect(decode('short_description', 'TUMOR CELL DEPLETE OF HARVST')).toMatchObject({
      code: null,
      system: null,
      status: 'text',
    });
  });
});

describe('the 38211 page decoded', () => {
  it.each(MARKUPS)('%s: every field decodes to the code of the seed', async (name) => {
    const decoded = decodeCodePage(parseCodePage(await fixture(name), name), tables, PAGE_DATE);
    expect(decoded.fields.map((f) => [f.key, f.code])).toEqual(
      SEED_38211.map((f) => [f.key, f.code]),
    );
    expect(
      decoded.fields.filter((f) => f.status === 'unmatched' || f.status === 'ambiguous'),
    ).toEqual([]);
  });

  it('holds the codes the CMS files hold for 38211 (TOS and BETOS aside)', async () => {
    const [card] = await rows(
      db,
      `SELECT * FROM code_card WHERE hcpcs = '38211' AND modifier IS NULL ORDER BY as_of DESC LIMIT 1`,
    );
    const decoded = decodeCodePage(
      parseCodePage(await fixture(MARKUPS[0]), MARKUPS[0]),
      tables,
      PAGE_DATE,
    );
    const page = Object.fromEntries(decoded.fields.map((f) => [f.key, f.code]));
    const columnOf = (key: string) => fieldByKey(key)?.cardColumn;
    const compared = Object.keys(page).filter(
      (key) => columnOf(key) && !['type_of_service', 'betos'].includes(key),
    );
    expect(compared).toHaveLength(13);
    for (const key of compared) {
      const column = columnOf(key) as string;
      expect(CARD_FIELDS.some((c) => c.column === column)).toBe(true);
      expect(String(card?.[column]), key).toBe(page[key]);
    }
  });
});
