import type { ReleaseDates } from '../../src/pipeline-definition.js';

/**
 * A BETOS release is the calendar year its public-use file is for (betpuf14.txt → 2014, released
 * in November 2013 for CY2014), effective on 1 January of that year.
 */
export function betosReleaseFromFolder(folder: string): ReleaseDates {
  const match = /^(\d{4})$/.exec(folder);
  if (!match) {
    throw new Error(
      `release folder "${folder}" is not a BETOS release id (expected the year of the public-use file, e.g. 2014)`,
    );
  }
  return { release: folder, published: null, effectiveFrom: `${match[1]}-01-01`, isFull: true };
}
