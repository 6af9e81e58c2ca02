/** What the mix generator writes: release folders of files, each described for the ceiling. */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** How the ceiling reads a file (the pipeline's own format for it). */
export type MixFormat = 'csv' | 'fixed-width' | 'xlsx' | 'html';

export interface MixFile {
  /** Lineage key as refresh records it: <folder source>/<release>/<name>. */
  relativePath: string;
  path: string;
  bytes: number;
  sha256: string;
  /** Data rows (CSV rows, fixed-width records, sheet rows below the header, pages). */
  rows: number;
  format: MixFormat;
  /**
   * Files the ceiling reads with one statement: same format, same lines before the data, same
   * fields (e.g. "pfs-rvu 32 fields").
   */
  group: string;
  /** CSV rows (lines, but for a quoted cell spanning several) before the first data row. */
  skip: number;
  /** Fields of a CSV row (1 for a fixed-width record: the line). */
  fields: number;
}

export interface MixRelease {
  /** The folder under raw/ (pfs-rvu also holds the package files of pfs-gpci, …). */
  folderSource: string;
  id: string;
  /** Quarter of the mix's calendar it belongs to. */
  quarter: number;
  files: MixFile[];
}

export type FileDescription = Omit<MixFile, 'relativePath' | 'path' | 'bytes' | 'sha256'>;

/** Writes raw/<folderSource>/<release>/<name> and describes it. */
export async function writeMixFile(
  rawDir: string,
  folderSource: string,
  release: string,
  name: string,
  bytes: Buffer,
  description: FileDescription,
): Promise<MixFile> {
  const dir = join(rawDir, folderSource, release);
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, bytes);
  return {
    relativePath: `${folderSource}/${release}/${name}`,
    path,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    ...description,
  };
}

/** A text file's lines (latin1, so every byte round-trips) and its line ending. */
export interface TextLines {
  lines: string[];
  eol: string;
}

export async function readLines(path: string): Promise<TextLines> {
  const text = await readFile(path, 'latin1');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(eol);
  if (lines.at(-1) === '') lines.pop();
  return { lines, eol };
}

export function joinLines(lines: readonly string[], eol: string): Buffer {
  return Buffer.from(lines.map((l) => `${l}${eol}`).join(''), 'latin1');
}
