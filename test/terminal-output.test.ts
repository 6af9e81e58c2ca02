import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalJson, terminalText } from '../src/terminal-text.js';
import { fixturePath, MARKUPS } from './code-pages/fixtures.js';
import { fse } from './helpers/cli.js';
import { type FullRefresh, fullRefresh } from './helpers/full-refresh.js';
import { makeTempDir, removeTempDirs } from './helpers/raw.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

afterAll(removeTempDirs);

const ESC = '\u001b';
const BEL = '\u0007';
const CSI = '\u009b';
/** No raw control character but newline (and tab) reaches the terminal. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('control characters on terminal output', () => {
  it('terminalText shows them as \\xHH; terminalJson keeps JSON that parses to the same text', () => {
    expect(terminalText(`a${ESC}[31mb${BEL}\tc\n`)).toBe('a\\x1b[31mb\\x07\tc\n');
    const value = { text: `x${CSI}2Jy\u007f` };
    const json = terminalJson(JSON.stringify(value));
    expect(json).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(json)).toEqual(value);
  });

  for (const format of ['table', 'csv', 'json']) {
    it(`fse sql --format ${format} escapes ESC and BEL from a value`, async () => {
      const { code, stdout } = await fse(
        'sql',
        `SELECT 'red' || chr(27) || '[31m alert' || chr(7) || chr(155) AS v`,
        '--format',
        format,
        '--out',
        shared.outDir,
      );
      expect(code).toBe(0);
      expect(stdout).not.toMatch(RAW_CONTROL);
      expect(stdout).toContain(format === 'json' ? '\\u001b[31m alert' : '\\x1b[31m alert');
    });
  }

  it('fse code-pages parse escapes ESC/BEL from a page', async () => {
    const html = (await readFile(fixturePath(MARKUPS[2]), 'utf8')).replace(
      'TUMOR CELL DEPLETE OF HARVST',
      `TUMOR CELL ${ESC}]0;pwned${BEL}DEPLETE`,
    );
    const dir = await makeTempDir('terminal');
    const page = join(dir, '38211.html');
    await writeFile(page, html);
    const text = await fse('code-pages', 'parse', page, '--out', '/nonexistent');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('\\x1b]0;pwned\\x07');
    expect(text.stdout + text.stderr).not.toMatch(RAW_CONTROL);
    const json = await fse('code-pages', 'parse', page, '--json', '--out', '/nonexistent');
    expect(json.stdout).not.toMatch(RAW_CONTROL);
    expect(JSON.stringify(JSON.parse(json.stdout))).toContain('pwned');
  });
});
