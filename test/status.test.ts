import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PIPELINES } from '../pipelines/index.js';
import { sourceStatus } from '../src/query/status.js';
import { type FullRefresh, fullRefresh } from './helpers/full-refresh.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

describe('status: freshness of each source against its cadence', () => {
  const database = () => join(shared.outDir, 'fee_schedule.duckdb');

  it('calls RVU25D fresh in November 2025 and the 2019 HCPCS file stale', async () => {
    const statuses = await sourceStatus(database(), PIPELINES, '2025-11-01');
    expect(statuses.map((s) => [s.source, s.newest_release, s.next_due, s.stale])).toEqual([
      ['pfs-rvu', 'RVU25D', '2026-02-01', false],
      // Shipped in the RVU package: fresh with it.
      ['pfs-gpci', 'RVU25D', '2026-02-01', false],
      ['pfs-locality', 'RVU25D', '2026-02-01', false],
      ['pfs-anesthesia', 'RVU25D', '2026-02-01', false],
      ['pfs-opps-cap', 'RVU25D', '2026-02-01', false],
      ['hcpcs', 'HCPC2020', '2020-05-02', true],
      ['opps-addendum-b', '2023-01', '2023-05-02', true],
      ['mue', '2025-10', '2026-02-01', false],
      ['ccs', '2016', '2017-02-01', true],
      // Withdrawn by CMS after 2014: no release is expected, so never stale.
      ['betos', '2014', null, false],
    ]);
  });

  it('calls the PFS stale once its next quarter is more than a month overdue', async () => {
    const [pfs] = await sourceStatus(database(), PIPELINES, '2026-02-02');
    expect(pfs).toMatchObject({ source: 'pfs-rvu', stale: true });
  });
});
