/**
 * The mix's PFS releases: one a quarter, from the real RVU25D on, evolved as generate-releases.ts
 * evolves them; from CY2026 in the two-file, 32-column layout (pfs-2026.ts); every release with
 * its package files (pfs-package.ts).
 */
import {
  firstRelease,
  nextRelease,
  type Row,
  readRealRelease,
  releaseName,
} from '../generate-releases.js';
import { createRng } from '../prng.js';
import { quarter } from './calendar.js';
import { type MixFile, type MixRelease, writeMixFile } from './files.js';
import type { MixOptions } from './options.js';
import { PFS_2026_FIELDS, pfs2026Files } from './pfs-2026.js';
import { packageFiles } from './pfs-package.js';

const PFS_2025_FIELDS = 31;
/** Five banner lines and five header lines, in both layouts. */
const PFS_HEADER_LINES = 10;

export async function writePfsReleases(options: MixOptions): Promise<MixRelease[]> {
  const real = await readRealRelease();
  const written: MixRelease[] = [];
  let rows: Row[] = firstRelease(real, options.seed, options.rowsPerRelease);
  for (let index = 0; index < options.quarters; index++) {
    if (index > 0) {
      const rng = createRng(`${options.seed}/release/${index}`);
      ({ rows } = nextRelease(rows, rng, real.distributions, 0.03, 0.002));
    }
    if (index < options.from) continue;
    const q = quarter(index);
    const { id, fileName } = releaseName(index);
    const pprrvu =
      q.year < 2026
        ? [
            {
              name: fileName,
              bytes: Buffer.from(real.header + rows.map((r) => `${r.line}\r\n`).join(''), 'latin1'),
              rows: rows.length,
              fields: PFS_2025_FIELDS,
            },
          ]
        : pfs2026Files(real.header, rows, q).map((f) => ({ ...f, fields: PFS_2026_FIELDS }));
    const files: MixFile[] = [];
    for (const f of pprrvu) {
      files.push(
        await writeMixFile(options.rawDir, 'pfs-rvu', id, f.name, f.bytes, {
          rows: f.rows,
          format: 'csv',
          group: `pfs-rvu ${f.fields} fields`,
          skip: PFS_HEADER_LINES,
          fields: f.fields,
        }),
      );
    }
    for (const f of await packageFiles(index, options.seed)) {
      files.push(await writeMixFile(options.rawDir, 'pfs-rvu', id, f.name, f.bytes, f.description));
    }
    written.push({ folderSource: 'pfs-rvu', id, quarter: index, files });
  }
  return written;
}
