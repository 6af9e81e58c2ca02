/**
 * The mix's HCPCS releases: one a quarter (HCPCyyyy for January, HCPCyyyy_MON otherwise, as
 * pipelines/hcpcs/release-id.ts reads them), each the fixed-width file HCPC<yyyy>_<MON>_ANWEB.txt
 * (the zip member name of pipelines/hcpcs/landing-page.ts) without its XLSX copy. Quarter 0 is the
 * real HCPC2020 file's bytes; each later quarter changes the first record of 1 % of the codes
 * (coverage, action, BETOS or pricing indicator 1, to a value the real file uses), removes 0.2 %
 * of the codes and adds as many (copies of a code's records under a code not in use).
 */
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';
import { newCode } from '../generate-releases.js';
import { createRng, type Rng } from '../prng.js';
import { quarter } from './calendar.js';
import { joinLines, type MixRelease, readLines, writeMixFile } from './files.js';
import type { MixOptions } from './options.js';

export const REAL_HCPCS_FILE = join(
  PROJECT_ROOT,
  'raw',
  'hcpcs',
  'HCPC2020',
  'HCPC2020_ANWEB_w_disclaimer.txt',
);

/** pipelines/hcpcs/pipeline.ts's record pattern (JS flavour): code, sequence, record id. */
const RECORD = /^[ A-Z0-9]{5}[0-9]{5}[3478]/;
const RECORD_LENGTH = 320;
/** 1-based inclusive positions (pipelines/hcpcs/columns.ts) of the fields a quarter may change. */
const CHANGEABLE: readonly (readonly [number, number])[] = [
  [120, 121], // pricing indicator 1
  [230, 230], // coverage code
  [257, 259], // BETOS
  [293, 293], // action code
];

type Family = string[];

const codeOf = (line: string): string => line.slice(0, 5);
const isFirstRecord = (line: string): boolean => line[10] === '3';

function field(line: string, [from, to]: readonly [number, number]): string {
  return line.padEnd(RECORD_LENGTH).slice(from - 1, to);
}

function withField(line: string, [from, to]: readonly [number, number], value: string): string {
  const padded = line.padEnd(RECORD_LENGTH);
  return `${padded.slice(0, from - 1)}${value.padEnd(to - from + 1)}${padded.slice(to)}`;
}

function families(records: readonly string[]): Family[] {
  const out: Family[] = [];
  for (const line of records) {
    const last = out.at(-1);
    if (last && codeOf(last[0] as string) === codeOf(line)) last.push(line);
    else out.push([line]);
  }
  return out;
}

/** Level II codes (A0021); the file also lists modifiers ("   CD"), which never churn. */
const isCode = (family: Family): boolean => /^[A-Z]\d{4}$/.test(codeOf(family[0] as string));

function nextQuarter(previous: readonly Family[], rng: Rng, values: string[][]): Family[] {
  const codes = previous.flatMap((f, i) => (isCode(f) ? [i] : []));
  const churn = Math.max(1, Math.round(codes.length * 0.002));
  const removed = new Set(rng.sample(codes.length, churn).map((i) => codes[i] as number));
  const kept = previous.filter((_, i) => !removed.has(i)).map((f) => [...f]);
  for (const i of rng.sample(kept.length, Math.round(kept.length * 0.01))) {
    const family = kept[i] as Family;
    const first = family.findIndex(isFirstRecord);
    if (first === -1) continue;
    const which = rng.int(CHANGEABLE.length);
    const position = CHANGEABLE[which] as readonly [number, number];
    const seen = values[which] as string[];
    const line = family[first] as string;
    const others = seen.filter((v) => v !== field(line, position));
    if (others.length === 0) continue;
    family[first] = withField(line, position, others[rng.int(others.length)] as string);
  }
  const used = new Set(previous.map((f) => codeOf(f[0] as string)));
  const templates = kept.filter(isCode);
  for (const t of rng.sample(templates.length, churn)) {
    const template = templates[t] as Family;
    const code = newCode(codeOf(template[0] as string), rng, used);
    used.add(code);
    kept.push(template.map((line) => `${code}${line.slice(5)}`));
  }
  return kept.sort((a, b) => (codeOf(a[0] as string) < codeOf(b[0] as string) ? -1 : 1));
}

export async function writeHcpcsReleases(options: MixOptions): Promise<MixRelease[]> {
  const { lines, eol } = await readLines(REAL_HCPCS_FILE);
  const firstRecord = lines.findIndex((l) => RECORD.test(l));
  const preamble = lines.slice(0, firstRecord);
  let current = families(lines.slice(firstRecord));
  // The values each changeable field takes on first records in the real file.
  const values = CHANGEABLE.map((position) =>
    [
      ...new Set(
        lines.filter((l) => RECORD.test(l) && isFirstRecord(l)).map((l) => field(l, position)),
      ),
    ].sort(),
  );
  const written: MixRelease[] = [];
  for (let index = 0; index < options.quarters; index++) {
    if (index > 0)
      current = nextQuarter(current, createRng(`${options.seed}/hcpcs/${index}`), values);
    if (index < options.from) continue;
    const q = quarter(index);
    const mon = q.mon.toUpperCase();
    const id = q.month === 1 ? `HCPC${q.year}` : `HCPC${q.year}_${mon}`;
    const records = current.flat();
    const bytes = index === 0 ? joinLines(lines, eol) : joinLines([...preamble, ...records], eol);
    const file = await writeMixFile(
      options.rawDir,
      'hcpcs',
      id,
      `HCPC${q.year}_${mon}_ANWEB.txt`,
      bytes,
      {
        rows: records.length,
        format: 'fixed-width',
        group: 'hcpcs',
        skip: preamble.length,
        fields: 1,
      },
    );
    written.push({ folderSource: 'hcpcs', id, quarter: index, files: [file] });
  }
  return written;
}
