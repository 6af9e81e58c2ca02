import { BlockedRunError, InputError } from '../../src/errors.js';

/** What a failed refresh blamed: a file (or null), a line (or null) and a rule, with its text. */
export interface Blame {
  file: string | null;
  line: number | null;
  /** InputError: its rule. BlockedRunError: the failing check the example belongs to. */
  rule: string;
  text: string;
}

/** What a refresh must blame: the file's lineage key, its line or null, and the rule. */
export interface ExpectedBlame {
  file: string;
  line: number | null;
  rule: string | RegExp;
}

function ruleMatches(actual: string, rule: string | RegExp): boolean {
  return typeof rule === 'string' ? actual === rule : rule.test(actual);
}

/**
 * The blames of a refresh error. An InputError blames one file, line and rule. A
 * BlockedRunError lists failing checks ("<check> (<table>): N failing") each followed by
 * examples: "<file>:<line>: <rule>: <detail>" for a rejected line, "<file>: ..." for a whole
 * file, or text naming no file.
 */
export function blamesOf(error: unknown): Blame[] {
  if (error instanceof InputError) {
    return [{ file: error.file, line: error.line, rule: error.rule, text: error.message }];
  }
  if (error instanceof BlockedRunError) {
    const blames: Blame[] = [];
    let check = '';
    for (const detail of error.details) {
      const header = /^(\S.*) \([\w.]+\): \d+ failing$/.exec(detail);
      if (header) {
        check = header[1] as string;
        continue;
      }
      const text = detail.trim();
      if (text.startsWith('… and')) continue;
      const located = /^(\S+?):(\d+): (.*)$/.exec(text);
      if (located) {
        blames.push({ file: located[1] as string, line: Number(located[2]), rule: check, text });
        continue;
      }
      const fileOnly = /^(\S+\/\S+): (.*)$/.exec(text);
      blames.push({
        file: fileOnly ? (fileOnly[1] as string) : null,
        line: null,
        rule: check,
        text,
      });
    }
    return blames;
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return [{ file: null, line: null, rule: '(not an InputError)', text: message }];
}

/**
 * True when a blame names the expected file (its lineage key, or a path ending in it), line and
 * rule. For a rejected line in a BlockedRunError the rule is in the example text ("<file>:<line>:
 * <rule>: ...") or is the check's name.
 */
export function blameMatches(blame: Blame, expected: ExpectedBlame): boolean {
  if (blame.file === null) return false;
  if (blame.file !== expected.file && !blame.file.endsWith(`/${expected.file}`)) return false;
  if (blame.line !== expected.line) return false;
  if (ruleMatches(blame.rule, expected.rule)) return true;
  const prefix = `${blame.file}:${blame.line}: `;
  if (blame.line !== null && blame.text.startsWith(prefix)) {
    const rest = blame.text.slice(prefix.length);
    return typeof expected.rule === 'string'
      ? rest.startsWith(`${expected.rule}: `) || rest === expected.rule
      : expected.rule.test(rest);
  }
  return false;
}

/** One blame per line, for a failure message or a report; texts cut at `width` characters. */
export function describeBlames(blames: readonly Blame[], width = 400): string {
  return blames
    .map((b) => {
      const text =
        b.text.length > width ? `${b.text.slice(0, width)}… (${b.text.length} chars)` : b.text;
      return `${b.file ?? '(no file)'}:${b.line ?? '-'} [${b.rule}] ${text}`;
    })
    .join('\n');
}
