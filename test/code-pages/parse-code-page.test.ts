import { describe, expect, it } from 'vitest';
import {
  CODE_PAGE_FIELDS,
  fieldForLabel,
  normaliseLabel,
} from '../../pipelines/code-pages/code-page-fields.js';
import { CodePageRefusedError } from '../../pipelines/code-pages/code-page-refused-error.js';
import { isoDate, parseCodePage } from '../../pipelines/code-pages/parse-code-page.js';
import { AMA_LINE, fixture, MARKUPS, NOT_CODE_PAGES, SEED_38211 } from './fixtures.js';

/** The refusal a parse throws (fails the test when the page is accepted). */
function refusal(html: string, page: string, expectedCode?: string): CodePageRefusedError {
  try {
    parseCodePage(html, page, expectedCode ? { expectedCode } : {});
  } catch (error) {
    expect(error).toBeInstanceOf(CodePageRefusedError);
    return error as CodePageRefusedError;
  }
  throw new Error(`${page} was accepted as a code page`);
}

const page = (body: string, title = 'CPT® Code 38211') =>
  `<!DOCTYPE html><html><head><title>${title}</title></head><body>${body}</body></html>`;

describe('labels', () => {
  it.each([
    ['PC/TC Indicator (26, TC)', 'pctc_indicator'],
    ['pc/tc indicator', 'pctc_indicator'],
    ['PC / TC Indicator:', 'pctc_indicator'],
    ['Type of Service (TOS)', 'type_of_service'],
    ['Berenson-Eggers TOS (BETOS)', 'betos'],
    ['Berenson–Eggers  tos', 'betos'],
    ['APC Status Indicator', 'apc_status_indicator'],
    ['MUE', 'mue'],
    ['MUE (outpatient hospital)', 'mue_outpatient_hospital'],
    ['CCS Clinical Classification', 'ccs_category'],
    ['Short Descr', 'short_description'],
    ['Medium Descr.', 'medium_description'],
    ['LONG DESCR', 'long_description'],
    ['Status Code:', 'status_code'],
    ['Global Days', 'global_days'],
    ['Multiple Procedures (51)', 'multiple_procedure'],
    ['Bilateral Surgery [50]', 'bilateral_surgery'],
    ['Physician Supervisions', 'physician_supervision'],
    ['Assistant Surgeon (80, 82)', 'assistant_surgery'],
    ['Co-Surgeons (62)', 'co_surgeons'],
    ['Team Surgery (66)', 'team_surgery'],
    ['Diagnostic Imaging Family', 'diagnostic_imaging_family'],
  ])('"%s" is the field %s', (label, key) => {
    expect(fieldForLabel(label)?.key).toBe(key);
  });

  it('ignores labels that are not fields', () => {
    for (const label of ['Date', 'Action', 'Notes', 'Official Description', 'Log in', 'Status']) {
      expect(fieldForLabel(label), label).toBeNull();
    }
  });

  it('keeps every synonym on one field (the table is unambiguous)', () => {
    const owner = new Map<string, string>();
    for (const field of CODE_PAGE_FIELDS) {
      for (const label of field.labels) {
        const form = normaliseLabel(label);
        expect(owner.get(form) ?? field.key, `${label} names two fields`).toBe(field.key);
        owner.set(form, field.key);
      }
    }
  });
});

describe('the 38211 page', () => {
  it('yields every field of the seed text, in order, label and value as shown', async () => {
    const parsed = parseCodePage(await fixture(MARKUPS[0]), MARKUPS[0]);
    expect(parsed.hcpcs).toBe('38211');
    expect(parsed.fields.map(({ key, label, value }) => ({ key, label, value }))).toEqual(
      SEED_38211.map(({ key, label, value }) => ({ key, label, value })),
    );
    expect(parsed.fields.map((f) => f.position)).toEqual(SEED_38211.map((_, i) => i + 1));
    expect(parsed.warnings).toEqual([]);
  });

  it('yields the history row 2003-01-01 Added', async () => {
    const parsed = parseCodePage(await fixture(MARKUPS[0]), MARKUPS[0]);
    expect(parsed.history).toEqual([
      {
        position: 1,
        dateText: '2003-01-01',
        date: '2003-01-01',
        action: 'Added',
        notes: 'First appearance in code book in 2003.',
      },
    ]);
  });

  it('keeps the AMA copyright line and the canonical URL', async () => {
    const parsed = parseCodePage(await fixture(MARKUPS[0]), MARKUPS[0]);
    expect(parsed.copyright).toBe(AMA_LINE);
    expect(parsed.canonicalUrl).toBe('https://case2code.codingahead.com/cpt/codes/38211');
  });

  it.each(MARKUPS.slice(1))('%s parses to the same record as the two-cell table', async (name) => {
    const strip = (p: ReturnType<typeof parseCodePage>) => ({
      hcpcs: p.hcpcs,
      fields: p.fields.map(({ key, value, position }) => ({ key, value, position })),
      history: p.history,
      copyright: p.copyright,
    });
    const reference = strip(parseCodePage(await fixture(MARKUPS[0]), MARKUPS[0]));
    const parsed = parseCodePage(await fixture(name), name);
    expect(strip(parsed)).toEqual(reference);
    // The labels differ as shown but name the same fields.
    expect(parsed.fields.map((f) => f.label)).not.toEqual(SEED_38211.map((f) => f.label));
  });
});

describe('other markups', () => {
  it('reads "Label: value" list items with the label in <b>', () => {
    const parsed = parseCodePage(
      page(
        '<ul><li><b>Status Code:</b> Not Valid for Medicare Purposes</li><li><b>Global Days:</b> XXX</li></ul>',
      ),
      'inline.html',
    );
    expect(parsed.fields.map((f) => [f.key, f.value])).toEqual([
      ['status_code', 'Not Valid for Medicare Purposes'],
      ['global_days', 'XXX'],
    ]);
  });

  it('reads plain "Label: value" paragraphs and span pairs', () => {
    const parsed = parseCodePage(
      page(
        '<p>PC/TC Indicator: 9 - Not Applicable</p><div class="row"><span>MUE</span><span>0</span></div>',
      ),
      'plain.html',
    );
    expect(parsed.fields.map((f) => [f.key, f.value])).toEqual([
      ['pctc_indicator', '9 - Not Applicable'],
      ['mue', '0'],
    ]);
  });

  it('keeps the first of a field shown twice and warns when the values differ', () => {
    const parsed = parseCodePage(
      page(
        '<table><tr><th>MUE</th><td>0</td></tr></table><table><tr><th>MUE</th><td>2</td></tr></table>',
      ),
      'twice.html',
    );
    expect(parsed.fields.map((f) => [f.key, f.value])).toEqual([['mue', '0']]);
    expect(parsed.warnings).toEqual([expect.stringContaining('mue is shown twice')]);
  });

  it('takes the code from the file name when the page does not name it', () => {
    const html = page('<table><tr><th>MUE</th><td>0</td></tr></table>', 'Code details');
    expect(parseCodePage(html, 'G0105.html', { expectedCode: 'G0105' }).hcpcs).toBe('G0105');
  });
});

describe('pages that are not code pages', () => {
  it.each(NOT_CODE_PAGES)('%s is refused by rule %s, naming the file', async (name, rule) => {
    const error = refusal(await fixture(name), `raw/code-pages/2025-11-15/${name}`);
    expect(error.rule).toBe(rule);
    expect(error.page).toBe(`raw/code-pages/2025-11-15/${name}`);
    expect(error.message).toContain(`raw/code-pages/2025-11-15/${name}: refused`);
    expect(error.message).toContain(rule);
  });

  it('quotes what the quota page says', async () => {
    const error = refusal(await fixture('view-quota.html'), 'https://example.com/cpt/38211');
    expect(error.detail).toContain('You have reached your free view limit');
    expect(error.message).toMatch(/^https:\/\/example\.com\/cpt\/38211: refused/);
  });

  it('does not take the "views remaining" banner of a good page for a quota page', async () => {
    const html = await fixture(MARKUPS[0]);
    expect(html).toContain('1 code page views remaining');
    expect(() => parseCodePage(html, MARKUPS[0])).not.toThrow();
  });

  it('reads the fields of the page saved with the last free view ("0 code page views remaining")', async () => {
    // The stored codingahead page of 47562 shows this banner above the code's details.
    const seed = await fixture(MARKUPS[0]);
    const html = seed.replace('1 code page views remaining.', '0 code page views remaining.');
    expect(html).not.toBe(seed);
    expect(parseCodePage(html, MARKUPS[0]).fields).toEqual(parseCodePage(seed, MARKUPS[0]).fields);
  });

  it('refuses a page about another code than the one asked for', async () => {
    const error = refusal(await fixture(MARKUPS[0]), '38210.html', '38210');
    expect(error.rule).toBe('code-mismatch');
    expect(error.detail).toBe('expected code 38210 but the page is about 38211');
  });

  it('refuses a page that names no code', () => {
    const error = refusal(
      page('<table><tr><th>MUE</th><td>0</td></tr></table>', 'Details'),
      'x.html',
    );
    expect(error.rule).toBe('no-code');
  });
});

describe('history dates', () => {
  it.each([
    ['2003-01-01', '2003-01-01'],
    ['01/01/2003', '2003-01-01'],
    ['Jan 1, 2003', '2003-01-01'],
    ['January 15 2020', '2020-01-15'],
    ['2003-02-30', null],
    ['2003', null],
  ])('%s → %s', (text, iso) => {
    expect(isoDate(text)).toBe(iso);
  });
});

describe('a deeply nested page', () => {
  const nested = (depth: number) =>
    page(
      `${'<div>'.repeat(depth)}<p>Status Code: A</p><p>Global Days: 090</p>${'</div>'.repeat(depth)}`,
    );

  it('20,000 nested divs: refused (too-deep) with its reason, not a stack overflow', () => {
    const error = refusal(nested(20_000), 'deep.html');
    expect(error.rule).toBe('too-deep');
    expect(error.message).toContain('deep.html');
    expect(error.detail).toMatch(/nest 20\d{3} levels deep/);
  });

  it('parse time stays near-linear: 200,000 levels take about 10× 20,000', () => {
    const time = (depth: number) => {
      const html = nested(depth);
      const started = performance.now();
      expect(() => parseCodePage(html, 'deep.html')).toThrow(CodePageRefusedError);
      return performance.now() - started;
    };
    time(20_000); // warm up
    const small = time(20_000);
    const large = time(200_000);
    // Quadratic would be 100×; allow generous noise on a shared machine.
    expect(large).toBeLessThan(Math.max(small, 20) * 30);
    expect(large).toBeLessThan(10_000);
  });

  it('a page nested as deep as the limit still reads', () => {
    const parsed = parseCodePage(nested(200), 'ok.html');
    expect(parsed.fields.map((f) => f.value)).toEqual(['A', '090']);
  });
});
