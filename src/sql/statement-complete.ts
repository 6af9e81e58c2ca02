/**
 * Whether text typed into the shell ends a statement: its last character outside strings,
 * quoted names and comments, trailing blanks and comments aside, is ";". A ";" inside
 * 'a;b', "a;b", $$a;b$$ or a comment does not end anything, so the shell keeps reading lines.
 */
export function endsStatement(text: string): boolean {
  let lastSignificant = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end + 1;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) return false;
      i = end + 2;
    } else if (c === "'" || c === '"') {
      const end = closingQuote(text, i, c);
      if (end === -1) return false;
      lastSignificant = c;
      i = end + 1;
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i))?.[0];
      if (tag === undefined) {
        lastSignificant = c;
        i++;
        continue;
      }
      const end = text.indexOf(tag, i + tag.length);
      if (end === -1) return false;
      lastSignificant = '$';
      i = end + tag.length;
    } else {
      if (!/\s/.test(c)) lastSignificant = c;
      i++;
    }
  }
  return lastSignificant === ';';
}

/** The index of the quote closing the one at `start` (a doubled quote is part of the text). */
function closingQuote(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i;
    } else i++;
  }
  return -1;
}
