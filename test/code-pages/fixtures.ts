import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

/** Where the hand-written fixtures are kept (see its README). */
const SOURCE_DIR = fileURLToPath(new URL('../fixtures/code-pages', import.meta.url));

/** The seed page in two-cell rows is the page bundled in raw/: one copy of it in the repo. */
const SEED_PAGE = fileURLToPath(
  new URL('../../raw/code-pages/2025-11-01/38211.html', import.meta.url),
);

/** The 38211 page in three markups. */
export const MARKUPS = [
  '38211-two-cell-rows.html',
  '38211-four-cell-rows.html',
  '38211-definition-list.html',
] as const;

/** Pages that are not code pages, with the rule that refuses each. */
export const NOT_CODE_PAGES = [
  ['login-wall.html', 'login-wall'],
  ['view-quota.html', 'view-quota'],
  ['error-404.html', 'error-page'],
  ['no-fields-article.html', 'no-fields'],
] as const;

/**
 * A markup variant: the seed page with its "Code Details" (the heading through the end of the
 * field table) replaced by the variant's (`<name>.fields.html`): the rest of the page, prose and
 * history, is the seed page's.
 */
function variant(seed: string, fieldsFile: string): string {
  const start = seed.indexOf('<h2>Code Details</h2>');
  const end = seed.indexOf('</table>', start) + '</table>\n'.length;
  if (start < 0 || end < start) throw new Error('the seed page has no Code Details table');
  return seed.slice(0, start) + readFileSync(fieldsFile, 'utf8') + seed.slice(end);
}

/**
 * Every fixture as a file, in a folder of its own: the seed page, its variants built from it,
 * and the other pages as kept. In the run's folder of shared builds, which the global setup
 * removes at the end of the run (an exit hook never ran: vitest ends its workers otherwise).
 */
function materialise(): string {
  const dir = mkdtempSync(join(inject('sharedBuildsDir'), 'code-page-fixtures-'));
  const seed = readFileSync(SEED_PAGE, 'utf8');
  writeFileSync(join(dir, MARKUPS[0]), seed);
  for (const name of MARKUPS.slice(1)) {
    writeFileSync(
      join(dir, name),
      variant(seed, join(SOURCE_DIR, name.replace(/\.html$/, '.fields.html'))),
    );
  }
  for (const name of readdirSync(SOURCE_DIR)) {
    if (name.endsWith('.html') && !name.endsWith('.fields.html')) {
      copyFileSync(join(SOURCE_DIR, name), join(dir, name));
    }
  }
  return dir;
}

/** The folder of every code-page fixture, as pages (what `code-pages parse <folder>` reads). */
export const FIXTURES_DIR = materialise();

export function fixturePath(name: string): string {
  return join(FIXTURES_DIR, name);
}

export function fixture(name: string): Promise<string> {
  return readFile(fixturePath(name), 'utf8');
}

/** Copies a fixture to raw/<relative path>. */
export async function placeFixture(
  rawDir: string,
  name: string,
  relativePath: string,
): Promise<void> {
  const target = join(rawDir, relativePath);
  await mkdir(dirname(target), { recursive: true });
  await copyFile(fixturePath(name), target);
}

/** What the seed page shows for CPT 38211, field by field, and the CMS code each stands for. */
export const SEED_38211: readonly {
  key: string;
  label: string;
  value: string;
  code: string | null;
}[] = [
  {
    key: 'short_description',
    label: 'Short Descr',
    value: 'TUMOR CELL DEPLETE OF HARVST',
    code: null,
  },
  {
    key: 'medium_description',
    label: 'Medium Descr',
    value: 'TRNSPL PREPJ HEMATOP PROGEN TUM CELL DEPLJ',
    code: null,
  },
  {
    key: 'long_description',
    label: 'Long Descr',
    value: 'Transplant preparation of hematopoietic progenitor cells; tumor cell depletion',
    code: null,
  },
  { key: 'status_code', label: 'Status Code', value: 'Not Valid for Medicare Purposes', code: 'I' },
  {
    key: 'global_days',
    label: 'Global Days',
    value: 'XXX - Global Concept Does Not Apply',
    code: 'XXX',
  },
  {
    key: 'pctc_indicator',
    label: 'PC/TC Indicator (26, TC)',
    value: '9 - Not Applicable',
    code: '9',
  },
  {
    key: 'multiple_procedure',
    label: 'Multiple Procedures (51)',
    value: '9 - Concept does not apply.',
    code: '9',
  },
  {
    key: 'bilateral_surgery',
    label: 'Bilateral Surgery (50)',
    value: '9 - Concept does not apply.',
    code: '9',
  },
  {
    key: 'physician_supervision',
    label: 'Physician Supervisions',
    value: '09 - Concept does not apply.',
    code: '09',
  },
  {
    key: 'assistant_surgery',
    label: 'Assistant Surgeon (80, 82)',
    value: '9 - Concept does not apply.',
    code: '9',
  },
  {
    key: 'co_surgeons',
    label: 'Co-Surgeons (62)',
    value: '9 - Concept does not apply.',
    code: '9',
  },
  {
    key: 'team_surgery',
    label: 'Team Surgery (66)',
    value: '9 - Concept does not apply.',
    code: '9',
  },
  {
    key: 'diagnostic_imaging_family',
    label: 'Diagnostic Imaging Family',
    value: '99 - Concept Does Not Apply',
    code: '99',
  },
  {
    key: 'apc_status_indicator',
    label: 'APC Status Indicator',
    value: 'Procedure or Service, Not Discounted when Multiple',
    code: 'S',
  },
  {
    key: 'type_of_service',
    label: 'Type of Service (TOS)',
    value: '5 - Diagnostic Laboratory',
    code: '5',
  },
  {
    key: 'betos',
    label: 'Berenson-Eggers TOS (BETOS)',
    value: 'T1G - Lab tests - other (Medicare fee schedule)',
    code: 'T1G',
  },
  { key: 'mue', label: 'MUE', value: '0', code: '0' },
  {
    key: 'ccs_category',
    label: 'CCS Clinical Classification',
    value: '64 - Bone marrow transplant',
    code: '64',
  },
];

export const AMA_LINE = '© Copyright 2025 American Medical Association. All rights reserved.';
