/** The report's HTML building blocks: escaping, tables, the page around the sections. */

export function escapeHtml(text: unknown): string {
  return String(text ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** A number as the database counts it, grouped for reading (19,090); data-n keeps the raw value. */
export function count(n: number): string {
  return `<span data-n="${n}">${n.toLocaleString('en-US')}</span>`;
}

/**
 * A cell: numbers right-aligned; html is trusted (already escaped) markup; `wrap` lets a long
 * value (a summary, an id) break anywhere, where short ones only break at spaces.
 */
export type Cell =
  | { text: unknown; wrap?: boolean }
  | { html: string; numeric?: boolean; wrap?: boolean };

/** A table with a caption; an empty one is a sentence saying so. */
export function table(
  caption: string,
  columns: readonly string[],
  rows: readonly (readonly Cell[])[],
  attributes: (rowIndex: number) => string = () => '',
): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(caption)}: none.</p>`;
  const cell = (c: Cell) => {
    const classes = (numeric: boolean | undefined) =>
      numeric ? ' class="n"' : c.wrap ? ' class="wrap"' : '';
    if ('html' in c) return `<td${classes(c.numeric)}>${c.html}</td>`;
    const numeric = typeof c.text === 'number';
    return `<td${classes(numeric)}>${numeric ? count(c.text as number) : escapeHtml(c.text)}</td>`;
  };
  return `<table><caption>${escapeHtml(caption)}</caption><thead><tr>${columns
    .map((c) => `<th>${escapeHtml(c)}</th>`)
    .join('')}</tr></thead><tbody>${rows
    .map((r, i) => `<tr${attributes(i)}>${r.map(cell).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/**
 * Fits any width down to 800 px and below without a horizontal scroll: tables take the page's
 * width and long values (file paths, keys) wrap anywhere.
 */
const STYLE = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;padding:1em 1.5em;color:#222;max-width:72em}
h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.2em;margin:1.6em 0 .4em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6em 0 1em;width:100%}
th,td{border:1px solid #ccc;padding:.25em .45em;text-align:left;vertical-align:top}
td.wrap{overflow-wrap:anywhere}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
caption{text-align:left;font-weight:600;padding:.2em 0}
.empty,.note{color:#555}.note{font-size:.93em;max-width:60em}
.flag{font-weight:600;color:#8a2a00}.ok{color:#1a6b1a;font-weight:600}.bad{color:#a00000;font-weight:600}
.banner{padding:.6em .9em;border:2px solid #a00000;background:#fff3f1;margin:1em 0}
.where code,.meta code{overflow-wrap:anywhere}
ul.top{margin:.2em 0 .4em;padding-left:1.4em;font-size:.93em;overflow-wrap:anywhere}
td.bar{width:40%}.bar span.fill{display:block;height:1em;min-width:2px;background:#2f6f9f}
.up{color:#1a6b1a}.down{color:#a00000}
`;

export function page(title: string, sections: readonly string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>
${sections.join('\n')}
<p class="note">CPT codes and descriptions only are copyright American Medical Association. All rights reserved.</p>
</body></html>
`;
}
