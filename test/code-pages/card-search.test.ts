import { describe, expect, it } from 'vitest';
import { CardSearch } from '../../pipelines/code-pages/card-search.js';

/** Runs the search over card dates (newest first) where `listed` says which codes have a card. */
function datesRead(
  pages: { hcpcs: string; pageDate: string }[],
  days: string[],
  listed: (day: string) => string[],
): [string, string[]][] {
  const search = new CardSearch(pages);
  const read: [string, string[]][] = [];
  for (const day of days) {
    if (search.settled()) break;
    const codes = search.codesOn(day);
    if (codes.length === 0) continue;
    read.push([day, codes]);
    search.found(
      day,
      listed(day).filter((c) => codes.includes(c)),
    );
  }
  return read;
}

const QUARTERS = ['2026-01-01', '2025-10-01', '2025-07-01', '2025-04-01', '2025-01-01'];

describe('CardSearch: the card dates a reconciliation reads', () => {
  it('reads the newest date, then only the dates on or before a page that settle it', () => {
    const read = datesRead(
      [
        { hcpcs: '38211', pageDate: '2025-11-01' },
        { hcpcs: '99213', pageDate: '2025-04-15' },
      ],
      QUARTERS,
      () => ['38211', '99213'],
    );
    expect(read).toEqual([
      // Every code's newest card, though no page is that recent.
      ['2026-01-01', ['38211', '99213']],
      // 38211's page of November 2025 gets October's card.
      ['2025-10-01', ['38211']],
      // July settles nothing: 99213's page is of April.
      ['2025-04-01', ['99213']],
    ]);
  });

  it('goes on to older dates for a code the newer ones do not list', () => {
    const read = datesRead([{ hcpcs: 'G0001', pageDate: '2026-02-01' }], QUARTERS, (day) =>
      day <= '2025-04-01' ? ['G0001'] : [],
    );
    expect(read.map(([day]) => day)).toEqual([
      '2026-01-01',
      '2025-10-01',
      '2025-07-01',
      '2025-04-01',
    ]);
  });

  it('reads every date for a code no date lists (its page is compared with no card)', () => {
    const read = datesRead([{ hcpcs: 'X9999', pageDate: '2025-06-01' }], QUARTERS, () => []);
    expect(read.map(([day]) => day)).toEqual(QUARTERS);
  });

  it('keeps a page older than every card waiting after its code is found', () => {
    const search = new CardSearch([{ hcpcs: '38211', pageDate: '2024-06-01' }]);
    expect(search.codesOn('2026-01-01')).toEqual(['38211']);
    search.found('2026-01-01', ['38211']);
    expect(search.settled()).toBe(false);
    expect(search.codesOn('2025-01-01')).toEqual([]);
    expect(search.codesOn('2024-01-01')).toEqual(['38211']);
    search.found('2024-01-01', ['38211']);
    expect(search.settled()).toBe(true);
  });
});
