import type { FeeSchedule } from '../db/fee-schedule.js';

/**
 * Why a lookup found no card, in the words an operator needs: a day before every loaded release
 * is not a code missing from the files.
 */
export async function noCardReason(
  schedule: FeeSchedule,
  hcpcs: string,
  asOf: string | undefined,
): Promise<string> {
  const code = hcpcs.trim().toUpperCase();
  if (asOf !== undefined) {
    const earliest = await schedule.db
      .selectFrom('release')
      .select(['source', 'release_id', 'effective_from'])
      .where('effective_from', 'is not', null)
      .orderBy('effective_from')
      .orderBy('source')
      .limit(1)
      .executeTakeFirst();
    if (earliest?.effective_from && asOf < earliest.effective_from) {
      return `no release was in force on ${asOf}: the earliest loaded, ${earliest.source} ${earliest.release_id}, starts ${earliest.effective_from}`;
    }
    const listed = await schedule.db
      .selectFrom('code_card_current')
      .select('as_of')
      .where('hcpcs', '=', code)
      .limit(1)
      .executeTakeFirst();
    if (listed)
      return `no release in force on ${asOf} lists this code (one from ${listed.as_of} does)`;
  }
  return 'no loaded source lists this code';
}
