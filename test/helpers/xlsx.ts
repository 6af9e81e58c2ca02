import { buildZip } from './zip-writer.js';

/**
 * A minimal XLSX writer for tests: an .xlsx is a zip of XML parts, so a tiny workbook with one
 * sheet needs five parts, zipped by the shared test zip writer. Cells are text (shared
 * strings, as Excel writes them) or numbers (a bare <v>, so a reader sees 12, not "0012").
 */

/** Zips parts (path → bytes), deflated, in the given order. */
export function zipParts(parts: ReadonlyMap<string, Buffer>): Buffer {
  return buildZip([...parts].map(([name, data]) => ({ name, data })));
}

/** A cell: text, a number (written as a numeric cell), or empty. */
export type XlsxCell = string | number | null | undefined;

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Column letters of a 0-based column index: 0 → A, 26 → AA. */
function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';

/**
 * The XML parts of a one-sheet workbook holding `rows` (row 1 first). Tests that need a broken
 * workbook change a part before zipping it with zipParts().
 */
export function xlsxParts(
  rows: readonly (readonly XlsxCell[])[],
  sheetName = 'Sheet1',
): Map<string, Buffer> {
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const sheetRows = rows.map((row, r) => {
    const cells = row.flatMap((cell, c) => {
      if (cell === null || cell === undefined || cell === '') return [];
      const ref = `${columnName(c)}${r + 1}`;
      if (typeof cell === 'number') return [`<c r="${ref}"><v>${cell}</v></c>`];
      let index = stringIndex.get(cell);
      if (index === undefined) {
        index = strings.length;
        strings.push(cell);
        stringIndex.set(cell, index);
      }
      return [`<c r="${ref}" t="s"><v>${index}</v></c>`];
    });
    return `<row r="${r + 1}">${cells.join('')}</row>`;
  });
  const sharedStrings =
    `${XML_HEAD}<sst xmlns="${MAIN_NS}" count="${strings.length}" uniqueCount="${strings.length}">` +
    strings.map((s) => `<si><t xml:space="preserve">${escapeXml(s)}</t></si>`).join('') +
    '</sst>';
  const sheet = `${XML_HEAD}<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><sheetData>${sheetRows.join('')}</sheetData></worksheet>`;
  const parts: [string, string][] = [
    [
      '[Content_Types].xml',
      `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' +
        '</Types>',
    ],
    [
      '_rels/.rels',
      `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}">` +
        `<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/>` +
        '</Relationships>',
    ],
    [
      'xl/workbook.xml',
      `${XML_HEAD}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><sheets>` +
        `<sheet name="${escapeXml(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}">` +
        `<Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>` +
        `<Relationship Id="rId2" Type="${REL_NS}/sharedStrings" Target="sharedStrings.xml"/>` +
        '</Relationships>',
    ],
    ['xl/worksheets/sheet1.xml', sheet],
    ['xl/sharedStrings.xml', sharedStrings],
  ];
  return new Map(parts.map(([path, xml]) => [path, Buffer.from(xml, 'utf8')]));
}

/** A one-sheet workbook holding `rows`: text cells as shared strings, numbers as numeric cells. */
export function buildXlsx(rows: readonly (readonly XlsxCell[])[], sheetName?: string): Buffer {
  return zipParts(xlsxParts(rows, sheetName));
}
