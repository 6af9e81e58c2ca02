import type { ReleaseDates } from '../../src/pipeline-definition.js';

/** First day of the quarter each release letter takes effect (CMS: A Jan, B Apr, C Jul, D Oct). */
const QUARTER_START: Record<string, string> = { A: '01-01', B: '04-01', C: '07-01', D: '10-01' };

/**
 * RVU25D → effective 2025-10-01. A correction release (RVU25AR, or a numbered one such as
 * RVU10AR1, CMS's RVU10AR1.zip, or an update such as RVU18C1) starts mid-quarter on a date CMS
 * announces separately, so its effective date must come from the manifest.
 */
export function pfsReleaseFromFolder(folder: string): ReleaseDates {
  const match = /^RVU(\d{2})([A-D])(R?\d?)$/i.exec(folder);
  if (!match) {
    throw new Error(
      `release folder "${folder}" is not a PFS release id (expected RVUyyQ such as RVU25D, or a correction such as RVUyyAR, RVUyyAR1 or RVUyyC1)`,
    );
  }
  const [, yy, quarter, correction] = match as unknown as [string, string, string, string];
  const isCorrection = correction !== '';
  return {
    release: folder.toUpperCase(),
    published: null,
    effectiveFrom: isCorrection ? null : `20${yy}-${QUARTER_START[quarter.toUpperCase()]}`,
    isFull: true,
  };
}
