import { join } from 'node:path';
// The package's own entry point, as a downstream project imports it (dist/, built by make test).
import { openFeeSchedule } from 'fee-schedule-etl';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FullRefresh, fullRefresh } from './helpers/full-refresh.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

describe("import { openFeeSchedule } from 'fee-schedule-etl'", () => {
  it('gives a typed Kysely instance over the published database', async () => {
    const { db, close } = await openFeeSchedule(join(shared.outDir, 'fee_schedule.duckdb'));
    try {
      const rows = await db
        .selectFrom('pfs_decoded')
        .select(['hcpcs', 'status_code', 'status_label', 'work_rvu'])
        .where('hcpcs', '=', '38211')
        .execute();
      expect(rows).toEqual([
        {
          hcpcs: '38211',
          status_code: 'I',
          status_label: 'Not valid for Medicare purposes',
          work_rvu: '1.42',
        },
      ]);
      const fee = await db
        .selectFrom('pfs_rvu')
        .select((eb) =>
          eb(eb.ref('non_facility_total'), '*', eb.ref('conversion_factor')).as('fee'),
        )
        .where('hcpcs', '=', '99213')
        .where('modifier', 'is', null)
        .executeTakeFirstOrThrow();
      // Non-facility total RVUs 2.75 × conversion factor 32.3465, exact in DECIMAL.
      expect(fee.fee).toBe('88.952875');
    } finally {
      await close();
    }
  });
});
