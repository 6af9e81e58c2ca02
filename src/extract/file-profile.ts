import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** What one pass over a file's bytes tells: identity, size and line structure. */
export interface FileProfile {
  sha256: string;
  bytes: number;
  /** Number of lines, counting a last line without a line ending. */
  lines: number;
  /** False when the last line has no line ending although earlier lines do: a cut file. */
  endsWithNewline: boolean;
}

const LF = 0x0a;

export async function profileFile(path: string): Promise<FileProfile> {
  const hash = createHash('sha256');
  let bytes = 0;
  let newlines = 0;
  let lastByte = -1;
  for await (const chunk of createReadStream(path, {
    highWaterMark: 1 << 20,
  }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    let at = chunk.indexOf(LF);
    while (at !== -1) {
      newlines++;
      at = chunk.indexOf(LF, at + 1);
    }
    lastByte = chunk[chunk.length - 1] ?? lastByte;
  }
  const endsWithNewline = bytes === 0 || lastByte === LF;
  return {
    sha256: hash.digest('hex'),
    bytes,
    lines: endsWithNewline ? newlines : newlines + 1,
    endsWithNewline,
  };
}
