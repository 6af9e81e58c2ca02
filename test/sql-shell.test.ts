import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endsStatement } from '../src/sql/statement-complete.js';
import { type FullRefresh, fullRefresh } from './helpers/full-refresh.js';
import { fseInTerminal, type PtyStep } from './helpers/pty.js';
import { makeTempDir, removeTempDirs } from './helpers/raw.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

afterAll(removeTempDirs);

const PROMPT = { expect: 'fse> ' };
const UP = '\u001b[A';
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';

/** The shell on a pseudo-terminal, its history in a folder of the test's own. */
async function shell(steps: PtyStep[], history?: string) {
  const file = history ?? join(await makeTempDir('sql-shell'), 'history');
  const run = await fseInTerminal([PROMPT, ...steps], ['sql', '--out', shared.outDir], {
    FSE_HISTORY: file,
  });
  expect(run.error, run.output).toBeNull();
  // Readline redraws the prompt with cursor moves: without them the text reads as typed.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing escape sequences is the point
  return { ...run, text: run.output.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').replaceAll('\r', '') };
}

describe('fse sql shell on a terminal', () => {
  it('.tables lists tables and views with their kind, and the prompt comes back', async () => {
    const run = await shell([
      { send: '.tables\r' },
      { expect: 'rows\\)' },
      PROMPT,
      { send: '.exit\r' },
    ]);
    expect(run.code).toBe(0);
    expect(run.text).toMatch(/^release\s+│ table │ One row per release of a source/m);
    expect(run.text).toMatch(/^pfs_decoded\s+│ view\s+│/m);
  });

  it('.schema and .help are commands, not pending SQL: the next statement runs', async () => {
    const run = await shell([
      { send: '.schema release\r' },
      { expect: 'rows\\)' },
      { send: '.help\r' },
      { expect: 'Ctrl-C clears the line' },
      { send: 'SELECT 7 AS after_commands;\r' },
      { expect: '\\(1 row\\)' },
      { send: '.exit\r' },
    ]);
    expect(run.text).toMatch(/^effective_from │ DATE\s+│ First day the release is in force\./m);
    expect(run.text).toMatch(/^after_commands\n─+\n\s+7\n\(1 row\)$/m);
    expect(run.text).not.toContain('error');
  });

  it('.schema of an unknown table says so; .mode csv switches the output', async () => {
    const run = await shell([
      { send: '.schema no_such_table\r' },
      { expect: 'no table or view named no_such_table' },
      { send: '.mode csv\r' },
      PROMPT,
      { send: "SELECT 'a,b' AS v;\r" },
      { expect: '"a,b"' },
      { send: '.exit\r' },
    ]);
    expect(run.text).toMatch(/^v\n"a,b"$/m);
  });

  it('Ctrl-C clears the line and the statement begun, and never leaves the shell', async () => {
    const run = await shell([
      { send: 'SELECT 1 AS cleared' },
      { send: CTRL_C },
      PROMPT,
      { send: 'SELECT\r' },
      { expect: '\\.\\.\\. ' },
      { send: CTRL_C },
      PROMPT,
      { send: CTRL_C },
      { send: CTRL_C },
      PROMPT,
      { send: 'SELECT 2 AS still_here;\r' },
      { expect: '\\(1 row\\)' },
      { send: '.exit\r' },
    ]);
    expect(run.code).toBe(0);
    expect(run.text).toMatch(/^still_here\n─+\n\s+2\n\(1 row\)$/m);
    expect(run.text).not.toMatch(/^cleared$/m);
  });

  it('a statement spans lines until its ";" (one inside a string does not end it)', async () => {
    const run = await shell([
      { send: 'SELECT\r' },
      { expect: '\\.\\.\\. ' },
      { send: "'a;b' AS text,\r" },
      { expect: '\\.\\.\\. ' },
      { send: '42 AS answer;\r' },
      { expect: '\\(1 row\\)' },
      { send: '.exit\r' },
    ]);
    expect(run.text).toMatch(/^text │ answer\n─+┼─+\na;b {2}│\s+42$/m);
  });

  it('Tab completes table and column names', async () => {
    const run = await shell([
      { send: 'SELECT effective_fr\t' },
      { expect: 'effective_from' },
      { send: ' FROM releas\t' },
      { expect: 'FROM release' },
      { send: ' LIMIT 0;\r' },
      { expect: '\\(0 rows\\)' },
      { send: '.exit\r' },
    ]);
    expect(run.text).toMatch(/^effective_from\n─+\n\(0 rows\)$/m);
  });

  it('history is kept in $FSE_HISTORY and recalled by the next run', async () => {
    const history = join(await makeTempDir('sql-shell'), 'history');
    await shell(
      [
        { send: 'SELECT 41 + 1 AS recalled;\r' },
        { expect: '\\(1 row\\)' },
        PROMPT,
        { send: CTRL_D },
      ],
      history,
    );
    expect(await readFile(history, 'utf8')).toContain('SELECT 41 + 1 AS recalled;');
    const second = await shell(
      [
        { send: UP },
        { expect: 'recalled;' },
        { send: '\r' },
        { expect: '\\(1 row\\)' },
        { send: '.exit\r' },
      ],
      history,
    );
    expect(second.text).toMatch(/^recalled\n─+\n\s+42\n\(1 row\)$/m);
  });

  it('a query on a terminal shows 1000 rows and says on stderr how many more there are', async () => {
    const run = await fseInTerminal(
      [{ expect: 'more rows' }],
      ['sql', 'SELECT * FROM range(1500) r(n)', '--out', shared.outDir],
    );
    expect(run.error).toBeNull();
    expect(run.code).toBe(0);
    expect(run.output).toContain('(1000 rows)');
    expect(run.output).toContain('… 500 more rows; --max-rows 0 for all');
  });
});

describe('a statement ends at a ";" outside strings, names and comments', () => {
  it.each([
    ['SELECT 1;', true],
    ['SELECT 1;  -- done\n', true],
    ['SELECT 1; /* done */', true],
    ['SELECT 1', false],
    ["SELECT 'a;", false],
    ["SELECT 'a;' AS x", false],
    ["SELECT 'it''s;'", false],
    ["SELECT 'it''s';", true],
    ['SELECT 1 AS "a;b"', false],
    ['SELECT $$a;$$', false],
    ['SELECT $$a;$$;', true],
    ['SELECT 1 -- ;', false],
    ['SELECT /* ; */ 1', false],
    ['SELECT 1 /* ;', false],
  ])('%j: %s', (text, ends) => {
    expect(endsStatement(text)).toBe(ends);
  });
});
