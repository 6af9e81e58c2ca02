import type { ReleaseDates } from '../../src/pipeline-definition.js';

const MONTH: Record<string, string> = { JAN: '01', APR: '04', JUL: '07', OCT: '10' };

/**
 * HCPC2019 → the annual file, effective 2019-01-01; HCPC2024_APR → the April 2024 quarterly
 * update, effective 2024-04-01.
 */
export function hcpcsReleaseFromFolder(folder: string): ReleaseDates {
  const match = /^HCPC(\d{4})(?:_(JAN|APR|JUL|OCT))?$/i.exec(folder);
  if (!match) {
    throw new Error(
      `release folder "${folder}" is not a HCPCS release id (expected HCPCyyyy or HCPCyyyy_MON, e.g. HCPC2019, HCPC2024_APR)`,
    );
  }
  const [, year, month] = match as unknown as [string, string, string | undefined];
  return {
    release: folder.toUpperCase(),
    published: null,
    effectiveFrom: `${year}-${MONTH[(month ?? 'JAN').toUpperCase()]}-01`,
    isFull: true,
  };
}
