import { createHash } from 'node:crypto';
import { type FileHandle, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { FetchError } from './errors.js';
import { writeAll } from './temp-files.js';

/** Caps that stop a decompression bomb before it fills the disk. */
export interface ZipLimits {
  /** Largest uncompressed size of one extracted member. */
  maxMemberBytes: number;
  /** Largest uncompressed size of all extracted members together. */
  maxTotalBytes: number;
  /** Largest uncompressed/compressed ratio of a member once it is past `ratioFloorBytes`. */
  maxCompressionRatio: number;
  /** Members smaller than this are not held to the ratio (tiny files compress oddly). */
  ratioFloorBytes: number;
  /** Most entries (files and folders) an archive may list. */
  maxEntries: number;
}

/**
 * A PPRRVU CSV is ~2.5 MB and its fixed-width twin ~3.3 MB; CSV text deflates ~5-10x, and blank
 * padded fixed-width text up to ~30x. A ratio of 200 is far past honest text, far below a bomb's
 * ~1000.
 */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxMemberBytes: 256 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxCompressionRatio: 200,
  ratioFloorBytes: 1024 * 1024,
  maxEntries: 10_000,
};

/** Which members to extract: regexes tested against the member's base name, or a predicate. */
export type MemberSelector =
  | RegExp
  | readonly RegExp[]
  | ((member: { path: string; name: string }) => boolean);

export interface ExtractedMember {
  /** Path of the member inside the archive, as the archive names it. */
  member: string;
  /** Sanitised file name written in the destination folder. */
  name: string;
  sha256: string;
  bytes: number;
}

export interface ExtractResult {
  members: ExtractedMember[];
  /** Files in the archive that the selector did not pick. */
  skipped: string[];
}

export interface ExtractOptions {
  /** Names the archive in errors (the zip's URL). */
  label: string;
  limits?: Partial<ZipLimits>;
}

/**
 * Extracts the selected members of a zip into `destDir` (flat: base names only). Every member
 * name in the archive is checked first (no `..`, no absolute paths, drive letters or backslashes),
 * selected members are held to the size and ratio caps while they inflate, and nothing is
 * written under a name other than the sanitised base name. Throws FetchError 'unsafe-zip' or
 * 'bad-zip'; the caller discards `destDir` on error.
 */
export async function extractZipMembers(
  zipPath: string,
  destDir: string,
  select: MemberSelector,
  options: ExtractOptions,
): Promise<ExtractResult> {
  const limits = { ...DEFAULT_ZIP_LIMITS, ...options.limits };
  const label = options.label;
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(zipPath, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: true,
    });
  } catch (error) {
    throw new FetchError(
      'bad-zip',
      label,
      `not a readable zip archive: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw unsafe(label, `lists ${zip.entryCount} entries, over the cap of ${limits.maxEntries}`);
    }
    const entries: { entry: yauzl.Entry; path: string }[] = [];
    try {
      for await (const entry of zip.eachEntry()) {
        const path = yauzl.getFileNameLowLevel(
          entry.generalPurposeBitFlag,
          entry.fileNameRaw,
          entry.extraFields,
          true,
        );
        const problem = memberPathProblem(path);
        if (problem !== null) throw unsafe(label, `member "${printable(path)}": ${problem}`);
        entries.push({ entry, path });
      }
    } catch (error) {
      if (error instanceof FetchError) throw error;
      throw new FetchError('bad-zip', label, `corrupt zip directory: ${(error as Error).message}`, {
        cause: error,
      });
    }

    const files = entries.filter(({ path }) => !path.endsWith('/'));
    const chosen = files.filter(({ path }) => matchesSelector(select, path, baseName(path)));
    const skipped = files.filter((f) => !chosen.includes(f)).map((f) => printable(f.path));
    const names = new Map<string, string>();
    let declaredTotal = 0;
    for (const { entry, path } of chosen) {
      const name = sanitiseMemberName(baseName(path));
      if (name === null) {
        throw unsafe(label, `member "${printable(path)}" has no usable file name once sanitised`);
      }
      const clash = names.get(name.toLowerCase());
      if (clash !== undefined) {
        throw unsafe(label, `members "${clash}" and "${path}" would both land as ${name}`);
      }
      names.set(name.toLowerCase(), path);
      checkDeclared(entry, path, label, limits);
      declaredTotal += entry.uncompressedSize;
      if (declaredTotal > limits.maxTotalBytes) {
        throw unsafe(
          label,
          `selected members inflate to ${declaredTotal} bytes, over the total cap of ${limits.maxTotalBytes}`,
        );
      }
    }

    const extracted: ExtractedMember[] = [];
    let total = 0;
    for (const { entry, path } of chosen) {
      const name = sanitiseMemberName(baseName(path)) as string;
      const member = await inflateMember(
        zip,
        entry,
        path,
        join(destDir, name),
        label,
        limits,
        total,
      );
      total += member.bytes;
      extracted.push({ member: path, name, sha256: member.sha256, bytes: member.bytes });
    }
    return { members: extracted, skipped };
  } finally {
    zip.close();
  }
}

/** Why a member path is unsafe to have in an archive at all, or null. */
export function memberPathProblem(path: string): string | null {
  if (path.length === 0) return 'empty name';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'control characters in the name';
  if (path.includes('\\')) return 'backslash in the name (a Windows path could escape the folder)';
  if (/^[a-zA-Z]:/.test(path)) return 'drive letter: absolute path';
  if (path.startsWith('/')) return 'absolute path';
  if (path.split('/').includes('..')) return 'path traversal (".." segment)';
  return null;
}

/**
 * The name a member gets on disk: its base name with anything but letters, digits, space, dot,
 * dash, underscore, plus and parentheses replaced by "_", no leading dots, at most 200 characters.
 * Null when nothing usable is left or the name would shadow the manifest.
 */
export function sanitiseMemberName(base: string): string | null {
  const cleaned = base
    .normalize('NFC')
    .replace(/[^A-Za-z0-9 ._()+-]/g, '_')
    .replace(/^[.\s]+/, '')
    .replace(/\s+$/, '')
    .slice(0, 200);
  if (cleaned === '' || /^_+$/.test(cleaned) || cleaned.toLowerCase() === 'manifest.json') {
    return null;
  }
  return cleaned;
}

function baseName(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  return parts[parts.length - 1] ?? '';
}

/** Whether the selector picks a member (regexes see the base name, a predicate sees both). */
export function matchesSelector(select: MemberSelector, path: string, name: string): boolean {
  if (typeof select === 'function') return select({ path, name });
  const patterns: readonly RegExp[] = select instanceof RegExp ? [select] : select;
  return patterns.some((p) => {
    p.lastIndex = 0;
    return p.test(name);
  });
}

/** The selector for error messages: its regexes, or "a predicate". */
export function describeSelector(select: MemberSelector): string {
  if (typeof select === 'function') return 'a predicate';
  const patterns: readonly RegExp[] = select instanceof RegExp ? [select] : select;
  return patterns.map(String).join(' or ');
}

function checkDeclared(entry: yauzl.Entry, path: string, label: string, limits: ZipLimits): void {
  const shown = printable(path);
  if (entry.isEncrypted()) throw unsafe(label, `member "${shown}" is encrypted`);
  if (!entry.canDecodeFileData()) {
    throw unsafe(
      label,
      `member "${shown}" uses unsupported compression method ${entry.compressionMethod}`,
    );
  }
  const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
  if (mode === 0o120000) throw unsafe(label, `member "${shown}" is a symbolic link`);
  if (entry.uncompressedSize > limits.maxMemberBytes) {
    throw unsafe(
      label,
      `member "${shown}" declares ${entry.uncompressedSize} bytes uncompressed, over the per-member cap of ${limits.maxMemberBytes}`,
    );
  }
  if (
    entry.uncompressedSize > limits.ratioFloorBytes &&
    entry.uncompressedSize > entry.compressedSize * limits.maxCompressionRatio
  ) {
    throw unsafe(
      label,
      `member "${shown}" would inflate ${entry.compressedSize} → ${entry.uncompressedSize} bytes, over the compression-ratio cap of ${limits.maxCompressionRatio}`,
    );
  }
}

/** Inflates one member into a new file, counting real bytes (headers can lie). */
async function inflateMember(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  path: string,
  dest: string,
  label: string,
  limits: ZipLimits,
  totalBefore: number,
): Promise<{ sha256: string; bytes: number }> {
  // The file first: once the member stream exists it inflates on its own, so it is read at once.
  const file: FileHandle = await open(dest, 'wx');
  let stream: Readable;
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch (error) {
    await file.close();
    await rm(dest, { force: true });
    throw new FetchError(
      'bad-zip',
      label,
      `cannot read member "${printable(path)}": ${(error as Error).message}`,
      { cause: error },
    );
  }
  // An error raised before iteration starts stays on the stream (stream.errored) and is thrown
  // by the loop below; this listener only keeps it from also surfacing as an uncaught exception.
  stream.on('error', () => {});
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      const problem = inflateProblem(bytes, totalBefore + bytes, entry.compressedSize, limits);
      if (problem !== null) throw unsafe(label, `member "${printable(path)}" ${problem}`);
      hash.update(chunk);
      await writeAll(file, chunk);
    }
    await file.sync();
  } catch (error) {
    stream.destroy();
    await file.close();
    await rm(dest, { force: true });
    if (error instanceof FetchError) throw error;
    const message = (error as Error).message;
    // yauzl's own checks: a member inflating past its declared size is a bomb sign, not noise.
    if (/too many bytes|not enough bytes|size mismatch/i.test(message)) {
      throw unsafe(
        label,
        `member "${printable(path)}" does not match its declared size: ${message}`,
      );
    }
    throw new FetchError(
      'bad-zip',
      label,
      `cannot inflate member "${printable(path)}": ${message}`,
      {
        cause: error,
      },
    );
  }
  await file.close();
  return { sha256: hash.digest('hex'), bytes };
}

function inflateProblem(
  bytes: number,
  total: number,
  compressedSize: number,
  limits: ZipLimits,
): string | null {
  if (bytes > limits.maxMemberBytes) {
    return `inflated past the per-member cap of ${limits.maxMemberBytes} bytes`;
  }
  if (total > limits.maxTotalBytes) {
    return `took the extracted total past the cap of ${limits.maxTotalBytes} bytes`;
  }
  if (bytes > limits.ratioFloorBytes && bytes > compressedSize * limits.maxCompressionRatio) {
    return `inflated ${compressedSize} → ${bytes}+ bytes, over the compression-ratio cap of ${limits.maxCompressionRatio}`;
  }
  return null;
}

function unsafe(label: string, message: string): FetchError {
  return new FetchError('unsafe-zip', label, `unsafe zip: ${message}`);
}

function printable(path: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point
  return path.replace(/[\u0000-\u001f\u007f]/g, '?');
}
