import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const CR = 0x0d;
const LF = 0x0a;

/**
 * Copies a file with every CRLF turned into LF, streaming (a CR at the end of a chunk waits for
 * the next one). The copy has the same lines as the original, so line numbers still hold.
 */
export async function writeWithLfEndings(source: string, destination: string): Promise<string> {
  let heldCr = false;
  const toLf = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const bytes = heldCr ? Buffer.concat([Buffer.of(CR), chunk]) : chunk;
      heldCr = bytes[bytes.length - 1] === CR;
      const end = heldCr ? bytes.length - 1 : bytes.length;
      let from = 0;
      const parts: Buffer[] = [];
      for (let at = bytes.indexOf(CR, 0); at !== -1 && at < end; at = bytes.indexOf(CR, at + 1)) {
        if (bytes[at + 1] !== LF) continue;
        parts.push(bytes.subarray(from, at));
        from = at + 1;
      }
      parts.push(bytes.subarray(from, end));
      done(null, Buffer.concat(parts));
    },
    flush(done) {
      done(null, heldCr ? Buffer.of(CR) : Buffer.alloc(0));
    },
  });
  await pipeline(createReadStream(source), toLf, createWriteStream(destination));
  return destination;
}

/** Copies a file whose lines end with CR alone with every CR turned into LF: the same lines. */
export async function writeWithCrAsLf(source: string, destination: string): Promise<string> {
  const toLf = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const bytes = Buffer.from(chunk);
      for (let at = bytes.indexOf(CR); at !== -1; at = bytes.indexOf(CR, at + 1)) bytes[at] = LF;
      done(null, bytes);
    },
  });
  await pipeline(createReadStream(source), toLf, createWriteStream(destination));
  return destination;
}
