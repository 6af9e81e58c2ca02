import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/** What one pass over a file's bytes tells: identity, size and line structure. */
export interface FileProfile {
  sha256: string;
  bytes: number;
  /** Number of lines, counting a last line without a line ending. */
  lines: number;
  /** False when the last line has no line ending although earlier lines do: a cut file. */
  endsWithNewline: boolean;
  /** The file starts like a web page (an error or login page saved under a data file name). */
  looksLikeHtml: boolean;
  /**
   * How lines end: 'crlf' or 'lf' throughout, 'mixed' when both occur, 'cr' when a file without
   * LF ends its lines with CR alone (saved the old Mac way), 'none' when it has neither.
   */
  lineEndings: LineEndings;
  /** No byte above 0x7F: every single-byte encoding and UTF-8 read the file alike. */
  ascii: boolean;
  /**
   * Bytes of a DOS end-of-file mark that ends the file on a line of its own (0x1A, with its line
   * ending if any), 0 when there is none: not a line of the file (`lines` leaves it out), and the
   * readers read the file without it.
   */
  eofMarkBytes: number;
}

export type LineEndings = 'crlf' | 'lf' | 'mixed' | 'cr' | 'none';

const HTML_START = /^\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])/i;

const LF = 0x0a;
const CR = 0x0d;

const EOF_MARK = 0x1a;

/**
 * The length of a DOS end-of-file mark ending the file on a line of its own: 0x1A right after a
 * line feed, alone or with its own line ending (LF or CRLF); 0 when the file ends otherwise.
 */
function eofMarkLength(tail: Buffer): number {
  for (const ending of [[], [LF], [CR, LF]]) {
    const at = tail.length - 1 - ending.length;
    if (at < 1 || tail[at] !== EOF_MARK || tail[at - 1] !== LF) continue;
    if (ending.every((byte, i) => tail[at + 1 + i] === byte)) return 1 + ending.length;
  }
  return 0;
}

export async function profileFile(path: string): Promise<FileProfile> {
  const hash = createHash('sha256');
  let bytes = 0;
  let newlines = 0;
  let crlf = 0;
  let lastByte = -1;
  let crs = 0;
  let head = '';
  let ascii = true;
  let tail = Buffer.alloc(0);
  await forEachChunk(path, (chunk) => {
    tail = Buffer.concat([tail, chunk.subarray(Math.max(0, chunk.length - 4))]).subarray(-4);
    hash.update(chunk);
    ascii &&= isAscii(chunk);
    if (bytes === 0)
      head = chunk
        .subarray(0, 512)
        .toString('latin1')
        .replace(/^\uFEFF|^\xEF\xBB\xBF/, '');
    bytes += chunk.length;
    // CRs are counted while no LF has been seen: only a file of CR-only line ends needs them.
    if (newlines === 0) {
      for (let cr = chunk.indexOf(CR); cr !== -1; cr = chunk.indexOf(CR, cr + 1)) crs++;
    }
    let at = chunk.indexOf(LF);
    while (at !== -1) {
      newlines++;
      // The byte before may sit at the end of the previous chunk.
      if ((at === 0 ? lastByte : chunk[at - 1]) === CR) crlf++;
      at = chunk.indexOf(LF, at + 1);
    }
    lastByte = chunk[chunk.length - 1] ?? lastByte;
  });
  if (newlines === 0 && crs > 0) {
    // CR-only line ends: a line per CR, the file cut when the last line has none.
    const endsWithCr = lastByte === CR;
    return {
      sha256: hash.digest('hex'),
      bytes,
      lines: endsWithCr ? crs : crs + 1,
      endsWithNewline: endsWithCr,
      looksLikeHtml: HTML_START.test(head),
      lineEndings: 'cr',
      ascii,
      eofMarkBytes: 0,
    };
  }
  const eofMarkBytes = eofMarkLength(tail);
  const markEndsLine = eofMarkBytes > 1;
  const endsWithNewline = bytes === 0 || lastByte === LF || eofMarkBytes > 0;
  const lineBreaks = markEndsLine ? newlines - 1 : newlines;
  return {
    sha256: hash.digest('hex'),
    bytes,
    lines: endsWithNewline ? lineBreaks : newlines + 1,
    endsWithNewline,
    looksLikeHtml: HTML_START.test(head),
    lineEndings: newlines === 0 ? 'none' : crlf === newlines ? 'crlf' : crlf === 0 ? 'lf' : 'mixed',
    ascii,
    eofMarkBytes,
  };
}

/** The sha256 of a file's bytes, read in 1 MiB chunks. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await forEachChunk(path, (chunk) => hash.update(chunk));
  return hash.digest('hex');
}

const CHUNK_BYTES = 1 << 20;

/**
 * Calls `each` with the file's bytes in order, 1 MiB at a time, all read into one buffer: a
 * chunk is valid only during its call. A read stream gave each chunk a new buffer, whose pages
 * the system then had to supply: the 500 files of the bench's 100 releases (313 MB, cached)
 * took 1.1-1.4 s to profile that way, 0.4-0.5 s so.
 */
async function forEachChunk(path: string, each: (chunk: Buffer) => void): Promise<void> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) return;
      each(buffer.subarray(0, bytesRead));
    }
  } finally {
    await file.close();
  }
}
