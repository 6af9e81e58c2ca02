import type * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { loadHtml } from '../../src/load-html.js';
import {
  type CodePageField,
  fieldByKey,
  fieldForLabel,
  normaliseLabel,
} from './code-page-fields.js';
import { CodePageRefusedError } from './code-page-refused-error.js';

/** One label/value pair as the page shows it. */
export interface PageField {
  /** Field key (CODE_PAGE_FIELDS). */
  key: string;
  /** The label as shown, spacing collapsed. */
  label: string;
  /** The value as shown, spacing collapsed. */
  value: string;
  /** 1-based order of the field on the page. */
  position: number;
}

/** One row of the page's history table (Date | Action | Notes). */
export interface HistoryEntry {
  position: number;
  /** The date as shown. */
  dateText: string;
  /** The date as YYYY-MM-DD, or null when it is not a recognisable date. */
  date: string | null;
  action: string;
  notes: string | null;
}

/** What a code page says, before decoding. */
export interface ParsedCodePage {
  /** File path or URL the page was read from. */
  page: string;
  hcpcs: string;
  title: string | null;
  /** The page's canonical URL (link rel=canonical or og:url), when it gives one. */
  canonicalUrl: string | null;
  fields: PageField[];
  history: HistoryEntry[];
  /** The AMA copyright line as the page shows it. */
  copyright: string | null;
  /** Things worth a look that did not stop the parse (a field shown twice with two values). */
  warnings: string[];
}

export interface ParseCodePageOptions {
  /** The code the page should describe (from the URL asked for, or the file name). */
  expectedCode?: string | null;
}

const CODE_SHAPE = /^(?:\d{4}[0-9A-Z]|[A-Z]\d{4})$/;
const CODE_IN_HEADING =
  /\b(?:CPT|HCPCS)\b\W*(?:(?:Level\s+II\s+)?Codes?\b\W*)?(\d{4}[0-9A-Z]|[A-Z]\d{4})\b/i;

/** Title or main heading of an error page. */
const ERROR_HEADINGS: readonly RegExp[] = [
  /\b(?:400|401|403|404|410|429|500|502|503|504)\b/,
  /\bnot found\b/i,
  /\berror\b/i,
  /\baccess denied\b/i,
  /\bforbidden\b/i,
  /\bservice unavailable\b/i,
  /\bsomething went wrong\b/i,
];

/** A view quota used up ("1 code page views remaining" on a good page is not one of these). */
const QUOTA_EXHAUSTED: readonly RegExp[] = [
  /\breached (?:your|the) (?:free |daily |monthly |guest )?(?:code )?(?:page )?views? limit\b/i,
  /\b(?:free |page )?views? limit (?:reached|exceeded|has been reached)\b/i,
  /\b0 (?:free )?(?:code )?page views? remaining\b/i,
  /\bno (?:more )?(?:free )?(?:code )?(?:page )?views? (?:remaining|left)\b/i,
  /\bused (?:all )?(?:of )?(?:your )?(?:\d+ )?free (?:code )?(?:page )?views?\b/i,
];

/** A page asking to log in before showing the code. */
const LOGIN_WALL: readonly RegExp[] = [
  /\b(?:log ?in|sign ?in)\b (?:to|in order to) (?:continue|view|see|access|read|unlock)\b/i,
  /\b(?:create|register)(?: for)?(?: a)? (?:free )?account to (?:continue|view|see|access|unlock)\b/i,
  /\bmembers only\b/i,
  /\bsubscribe to (?:view|continue|access|unlock)\b/i,
  /\bplease (?:log ?in|sign ?in)\b/i,
];

const AMA_COPYRIGHT =
  /(?:©|\(c\))?\s*Copyright\s*(?:©\s*)?\d{4}\s+American Medical Association\.?(?:\s*All rights reserved\.?)?/i;

const REMOVED = 'script, style, noscript, template, svg';
const BLOCK_TAGS = new Set(
  (
    'address article aside blockquote caption dd div dl dt fieldset figcaption figure footer ' +
    'form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th ' +
    'thead tr ul'
  ).split(' '),
);

/**
 * Elements nested deeper than this refuse the page: code pages nest a few dozen levels. The
 * reading below walks the tree recursively and takes each element's text, so the depth bounds
 * both the stack and the time (elements × depth): a page of 20,000 nested divs would overflow
 * the stack, and 200,000 would take minutes.
 */
const MAX_DEPTH = 256;

/**
 * The markup is measured before it is parsed, since parsing itself takes time growing with the
 * square of the depth (20,000 levels: seconds; 200,000: minutes). The measure counts open tags
 * not yet closed, leaving out void elements and those whose end tag may be left out (p, li,
 * td...), so it can only overstate a sloppy page's depth: its limit is looser than MAX_DEPTH.
 */
const MAX_MARKUP_DEPTH = 4 * MAX_DEPTH;
const VOID_ELEMENTS = new Set(
  'area base br col embed hr img input link meta param source track wbr'.split(' '),
);
const OPTIONAL_END_TAG = new Set(
  'p li dt dd tr td th tbody thead tfoot option optgroup rb rt rp colgroup caption html head body'.split(
    ' ',
  ),
);

/** How many elements the markup opens one inside another at most (one pass, no parse). */
function markupDepth(html: string): number {
  let depth = 0;
  let deepest = 0;
  const tags = /<!--[\s\S]*?(?:-->|$)|<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)[^>]*?(\/?)>/g;
  for (const match of html.matchAll(tags)) {
    const name = match[2]?.toLowerCase();
    if (!name || VOID_ELEMENTS.has(name) || OPTIONAL_END_TAG.has(name) || match[3]) continue;
    if (match[1]) depth = Math.max(0, depth - 1);
    else if (++depth > deepest) deepest = depth;
  }
  return deepest;
}

/** How deep the tree nests, walked without recursion (so any depth can be measured). */
function nestingDepth(root: AnyNode): number {
  let deepest = 0;
  const stack: [AnyNode, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [AnyNode, number];
    if (depth > deepest) deepest = depth;
    for (const child of (node as { children?: AnyNode[] }).children ?? []) {
      stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

const HISTORY_NOTES = new Set(['notes', 'note', 'comments', 'comment', 'description', 'details']);

/** Text with non-breaking and other odd spaces made plain and runs of white space collapsed. */
export function cleanText(text: string): string {
  return text
    .replace(/[\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const isElement = (node: AnyNode): node is Element =>
  node.type === 'tag' || node.type === 'script' || node.type === 'style';

/** Text of a node as a reader sees it: block elements and <br> separate words. */
function rawText(node: AnyNode): string {
  if (node.type === 'text') return (node as unknown as { data: string }).data;
  if (!isElement(node)) return '';
  if (node.name === 'br') return ' ';
  const inner = node.children.map(rawText).join('');
  return BLOCK_TAGS.has(node.name) ? ` ${inner} ` : inner;
}

function textOf(node: AnyNode): string {
  return cleanText(rawText(node));
}

function elementsInOrder(root: AnyNode): Element[] {
  const out: Element[] = [];
  const visit = (node: AnyNode): void => {
    if (!isElement(node)) return;
    out.push(node);
    for (const child of node.children) visit(child);
  };
  if (isElement(root)) {
    for (const child of root.children) visit(child);
  } else {
    for (const child of (root as unknown as { children: AnyNode[] }).children ?? []) visit(child);
  }
  return out;
}

/**
 * Reads a saved or fetched code page: its label/value pairs (whatever the markup: table rows of
 * two or four cells, definition lists, label elements followed by value elements, "Label: value"
 * lines), its history table and its AMA copyright line. A page that is not a code page (error
 * page, view-quota banner, login wall, no recognised fields, no or another code) is refused
 * with a CodePageRefusedError naming the page and the rule.
 */
export function parseCodePage(
  html: string,
  page: string,
  options: ParseCodePageOptions = {},
): ParsedCodePage {
  // Measured on the markup first: the HTML parser itself slows down quadratically with depth.
  const markup = markupDepth(html);
  if (markup > MAX_MARKUP_DEPTH) {
    throw new CodePageRefusedError(
      page,
      'too-deep',
      `its elements nest ${markup} levels deep (at most ${MAX_DEPTH} are read)`,
    );
  }
  const $ = loadHtml(html);
  const depth = nestingDepth($.root().get(0) as AnyNode);
  if (depth > MAX_DEPTH) {
    throw new CodePageRefusedError(
      page,
      'too-deep',
      `its elements nest ${depth} levels deep (at most ${MAX_DEPTH} are read)`,
    );
  }
  $(REMOVED).remove();
  const title = cleanText($('title').first().text()) || null;
  const heading = cleanText($('h1').first().text()) || null;
  const body = $('body').get(0) ?? $.root().get(0);
  if (!body) throw new CodePageRefusedError(page, 'no-fields', 'the document is empty');
  const bodyText = textOf(body);

  const { fields, warnings } = extractFields(body);
  const history = extractHistory($);
  // A page showing code fields is a code page whatever else it says (the quota banner of the
  // page saved with the last free view reads "0 code page views remaining" above the code's
  // details: the stored codingahead page of 47562); one without is examined.
  // A value with no letter or digit (a paywall's blurred "████") shows nothing.
  const decodable = fields.filter(
    (f) => fieldByKey(f.key)?.kind !== 'text' && /[\p{L}\p{N}]/u.test(f.value),
  );
  if (decodable.length === 0) {
    const quota = firstMatch(bodyText, QUOTA_EXHAUSTED);
    if (quota) throw new CodePageRefusedError(page, 'view-quota', `the page says "${quota}"`);
    for (const [where, text] of [
      ['title', title],
      ['main heading', heading],
    ] as const) {
      if (text && ERROR_HEADINGS.some((r) => r.test(text))) {
        throw new CodePageRefusedError(page, 'error-page', `${where} "${text}"`);
      }
    }
    const login = firstMatch(bodyText, LOGIN_WALL);
    const password = $('input[type=password]').length > 0;
    if (login || password) {
      throw new CodePageRefusedError(
        page,
        'login-wall',
        login ? `the page says "${login}"` : 'the page holds a password field and no code fields',
      );
    }
    if (fields.length === 0) {
      throw new CodePageRefusedError(
        page,
        'no-fields',
        `none of the page's labels is a known code-page field (title ${JSON.stringify(title)})`,
      );
    }
  }

  const canonicalUrl =
    $('link[rel=canonical]').attr('href')?.trim() ||
    $('meta[property="og:url"]').attr('content')?.trim() ||
    null;
  const hcpcs = identifyCode(page, [heading, title], canonicalUrl, options.expectedCode ?? null);
  const copyright = AMA_COPYRIGHT.exec(bodyText)?.[0].trim() ?? null;
  return { page, hcpcs, title, canonicalUrl, fields, history, copyright, warnings };
}

function firstMatch(text: string, rules: readonly RegExp[]): string | null {
  for (const rule of rules) {
    const match = rule.exec(text);
    if (match) return sentenceAround(text, match.index, match[0].length);
  }
  return null;
}

/** The match to the end of its sentence (from the sentence start when it is near), quoted in refusals. */
function sentenceAround(text: string, index: number, length: number): string {
  const before = text.slice(Math.max(0, index - 60), index);
  const boundary = Math.max(
    before.lastIndexOf('. '),
    before.lastIndexOf('! '),
    before.lastIndexOf('? '),
  );
  const start = boundary < 0 ? index : index - before.length + boundary + 2;
  const stop = text.slice(index + length).search(/[.!?](?:\s|$)/);
  const end = stop < 0 ? index + length : index + length + stop + 1;
  return text.slice(start, Math.min(end, index + length + 120)).trim();
}

function identifyCode(
  page: string,
  headings: readonly (string | null)[],
  canonicalUrl: string | null,
  expected: string | null,
): string {
  let found: string | null = null;
  for (const text of headings) {
    const match = text ? CODE_IN_HEADING.exec(text) : null;
    if (match?.[1]) {
      found = match[1].toUpperCase();
      break;
    }
  }
  if (!found && canonicalUrl) {
    const last =
      canonicalUrl
        .replace(/[?#].*$/, '')
        .replace(/\/+$/, '')
        .split('/')
        .pop() ?? '';
    const candidate = last.replace(/(?:-cpt-code)?(?:\.html?)?$/i, '').toUpperCase();
    if (CODE_SHAPE.test(candidate)) found = candidate;
  }
  const wanted = expected?.trim().toUpperCase() || null;
  if (found && wanted && found !== wanted) {
    throw new CodePageRefusedError(
      page,
      'code-mismatch',
      `expected code ${wanted} but the page is about ${found}`,
    );
  }
  const code = found ?? wanted;
  if (!code) {
    throw new CodePageRefusedError(
      page,
      'no-code',
      'no "CPT/HCPCS Code XXXXX" in the title or main heading, no code in the canonical URL and none given',
    );
  }
  return code;
}

interface LabelElement {
  element: Element;
  field: CodePageField;
  label: string;
  order: number;
}

/**
 * Label/value pairs whatever the markup. A label element is the outermost element whose whole
 * text is a known label; its value is the text of the siblings that follow it, up to the next
 * sibling holding a label (so a row of four cells gives two pairs, a dt its dd). An element with
 * no label of its own whose text reads "Label: value" gives a pair too.
 */
function extractFields(body: AnyNode): { fields: PageField[]; warnings: string[] } {
  const elements = elementsInOrder(body);
  const order = new Map(elements.map((e, i) => [e, i]));
  const texts = new Map<Element, string>();
  const text = (e: Element): string => {
    let t = texts.get(e);
    if (t === undefined) {
      t = textOf(e);
      texts.set(e, t);
    }
    return t;
  };

  const labels: LabelElement[] = [];
  for (const element of elements) {
    const t = text(element);
    if (t === '' || t.length > 80) continue;
    const field = fieldForLabel(t);
    if (!field) continue;
    const parent = element.parent;
    if (parent && isElement(parent) && text(parent) === t) continue;
    labels.push({ element, field, label: t, order: order.get(element) ?? 0 });
  }
  const labelElements = new Set(labels.map((l) => l.element));
  const holdsLabel = new Set<AnyNode>();
  for (const { element } of labels) {
    for (let n: AnyNode | null = element; n; n = n.parent) holdsLabel.add(n);
  }

  const found: { field: CodePageField; label: string; value: string; order: number }[] = [];
  const consumed = new Set<AnyNode>();
  for (const { element, field, label, order: at } of labels) {
    const parts: string[] = [];
    for (let sibling = element.next; sibling; sibling = sibling.next) {
      if (holdsLabel.has(sibling)) break;
      consumed.add(sibling);
      parts.push(rawText(sibling));
    }
    found.push({ field, label, value: cleanText(parts.join(' ')), order: at });
  }

  const insideConsumed = (e: AnyNode): boolean => {
    for (let n: AnyNode | null = e; n; n = n.parent) if (consumed.has(n)) return true;
    return false;
  };
  for (const element of elements) {
    if (labelElements.has(element) || holdsLabel.has(element) || insideConsumed(element)) continue;
    const t = text(element);
    if (t.length > 400) continue;
    const parent = element.parent;
    if (parent && isElement(parent) && text(parent) === t) continue;
    const match = /^([^:]{2,60}?)\s*:\s*(.+)$/.exec(t);
    const field = match?.[1] ? fieldForLabel(match[1]) : null;
    if (!match?.[1] || !match[2] || !field) continue;
    found.push({ field, label: match[1], value: match[2], order: order.get(element) ?? 0 });
  }

  found.sort((a, b) => a.order - b.order);
  const fields: PageField[] = [];
  const warnings: string[] = [];
  for (const f of found) {
    const earlier = fields.find((x) => x.key === f.field.key);
    if (earlier) {
      if (earlier.value !== f.value) {
        warnings.push(
          `${f.field.key} is shown twice: kept "${earlier.value}" (label "${earlier.label}"), ignored "${f.value}" (label "${f.label}")`,
        );
      }
      continue;
    }
    fields.push({ key: f.field.key, label: f.label, value: f.value, position: fields.length + 1 });
  }
  return { fields, warnings };
}

/** Rows of every table whose header names a Date and an Action column. */
function extractHistory($: cheerio.CheerioAPI): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  $('table').each((_, table) => {
    const rows = $(table)
      .find('tr')
      .toArray()
      .filter((tr) => $(tr).closest('table').get(0) === table);
    let columns: { date: number; action: number; notes: number } | null = null;
    for (const tr of rows) {
      const cells = $(tr)
        .children('th, td')
        .toArray()
        .map((cell) => textOf(cell));
      if (!columns) {
        const names = cells.map(normaliseLabel);
        const date = names.indexOf('date');
        const action = names.indexOf('action');
        if (date >= 0 && action >= 0) {
          columns = { date, action, notes: names.findIndex((n) => HISTORY_NOTES.has(n)) };
        }
        continue;
      }
      const dateText = cells[columns.date] ?? '';
      if (dateText === '' || /^[-|:\s]+$/.test(dateText)) continue;
      entries.push({
        position: entries.length + 1,
        dateText,
        date: isoDate(dateText),
        action: cells[columns.action] ?? '',
        notes: (columns.notes >= 0 ? cells[columns.notes] : undefined) || null,
      });
    }
  });
  return entries;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** "2003-01-01", "01/01/2003", "Jan 1, 2003", "January 1 2003" as YYYY-MM-DD; else null. */
export function isoDate(text: string): string | null {
  const ymd = partsOf(text.trim());
  if (!ymd) return null;
  const [y, m, d] = ymd;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return null;
  }
  return date.toISOString().slice(0, 10);
}

function partsOf(t: string): [number, number, number] | null {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  if (iso) return [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (us) return [Number(us[3]), Number(us[1]), Number(us[2])];
  const named = /^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$/.exec(t);
  if (!named) return null;
  const month = MONTHS.indexOf((named[1] ?? '').slice(0, 3).toLowerCase());
  return month < 0 ? null : [Number(named[3]), month + 1, Number(named[2])];
}
