import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Encoding } from '../../pipeline-definition.js';
import type { RawFile } from '../raw-releases.js';
import { writeWithCrAsLf, writeWithLfEndings } from './line-endings.js';

/** Encodings DuckDB's read_csv decodes by itself. */
type DuckDBEncoding = 'utf-8' | 'latin-1';

/**
 * Where DuckDB reads a file from, and in which encoding: the file itself, or a copy in `scratch`
 * with the same lines (so line numbers hold):
 * - in UTF-8, when the file's encoding is one DuckDB cannot decode. CMS writes its text files on
 *   Windows (cp1252): DuckDB's latin-1 refuses the whole file at a byte 0x80-0x9F, which cp1252
 *   uses for curly quotes and dashes (the 2020 HCPCS preamble has a 0x92);
 * - with LF endings when `lfEndings` (DuckDB's CSV reader takes one line ending per file).
 */
export async function readableCopy(
  file: Pick<RawFile, 'path' | 'profile'>,
  encoding: Encoding,
  scratch: string,
  name: string,
  options: { lfEndings: boolean },
): Promise<{ path: string; encoding: DuckDBEncoding }> {
  // A DOS end-of-file mark is left out: the file up to it, copied.
  let source = file.path;
  if (file.profile.eofMarkBytes > 0) {
    source = join(scratch, `${name}.to-eof-mark`);
    await copyFile(file.path, source);
    await truncate(source, file.profile.bytes - file.profile.eofMarkBytes);
  }
  // Lines ended by CR alone (the old Mac way): DuckDB reads LF, so every CR becomes one.
  const crOnly = file.profile.lineEndings === 'cr';
  // A file of ASCII bytes only reads the same in any of them: no copy to decode.
  if (encoding === 'windows-1252' && !file.profile.ascii) {
    const path = join(scratch, name);
    await pipeline(
      createReadStream(source),
      decodeToUtf8(encoding, options.lfEndings, crOnly),
      createWriteStream(path),
    );
    return { path, encoding: 'utf-8' };
  }
  const readAs: DuckDBEncoding = encoding === 'windows-1252' ? 'utf-8' : encoding;
  if (crOnly) return { path: await writeWithCrAsLf(source, join(scratch, name)), encoding: readAs };
  if (options.lfEndings) {
    return { path: await writeWithLfEndings(source, join(scratch, name)), encoding: readAs };
  }
  return { path: source, encoding: readAs };
}

/** Bytes in `encoding` to UTF-8 text, streaming; CRLF to LF too when asked. */
function decodeToUtf8(encoding: Encoding, lfEndings: boolean, crOnly = false): Transform {
  const decoder = new TextDecoder(encoding);
  let heldCr = false;
  const convert = (text: string, last: boolean): string => {
    if (crOnly) return text.replaceAll('\r', '\n');
    if (!lfEndings) return text;
    let out = heldCr ? `\r${text}` : text;
    // A CR at the end of a chunk may start a CRLF the next chunk ends.
    heldCr = !last && out.endsWith('\r');
    if (heldCr) out = out.slice(0, -1);
    return out.replaceAll('\r\n', '\n');
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, Buffer.from(convert(decoder.decode(chunk, { stream: true }), false), 'utf8'));
    },
    flush(done) {
      done(null, Buffer.from(convert(decoder.decode(), true), 'utf8'));
    },
  });
}
