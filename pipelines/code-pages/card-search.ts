/**
 * Which codes' cards to read on each card date, visited newest first, so that every page gets
 * the card reconciliation compares it with: the newest card on or before the page's date that
 * lists its code, else the code's newest card. Reading code_card costs about the same per date
 * whatever the codes (hundreds of milliseconds over ten years of releases), so dates that settle
 * nothing are skipped: pages saved on a few dates read a few card dates, not every one.
 *
 *   const search = new CardSearch(pages);
 *   for (const day of cardDatesNewestFirst) {
 *     const codes = search.codesOn(day);
 *     if (codes.length > 0) search.found(day, codesWithACardOn(day, codes));
 *     if (search.settled()) break;
 *   }
 */
export class CardSearch {
  /** Per code, the dates (YYYY-MM-DD) of its pages still waiting for the card on or before them. */
  private readonly waiting = new Map<string, string[]>();
  /** Codes not found on any date read so far: their newest card is still to be found. */
  private readonly unseen: Set<string>;

  constructor(pages: readonly { hcpcs: string; pageDate: string }[]) {
    for (const { hcpcs, pageDate } of pages) {
      this.waiting.set(hcpcs, [...(this.waiting.get(hcpcs) ?? []), pageDate]);
    }
    this.unseen = new Set(this.waiting.keys());
  }

  /**
   * The codes to read on `day` (days asked newest first): a code not found yet (its newest card
   * may be this day's), or one with a page dated on or after the day still waiting.
   */
  codesOn(day: string): string[] {
    return [...this.waiting.entries()]
      .filter(([code, dates]) => this.unseen.has(code) || dates.some((d) => d >= day))
      .map(([code]) => code)
      .sort();
  }

  /** The codes that have a card on `day`: their pages dated on or after it have their card. */
  found(day: string, codes: Iterable<string>): void {
    for (const code of codes) {
      this.unseen.delete(code);
      const left = (this.waiting.get(code) ?? []).filter((d) => d < day);
      if (left.length > 0) this.waiting.set(code, left);
      else this.waiting.delete(code);
    }
  }

  /** Whether every page has its card and every code its newest: older dates add nothing. */
  settled(): boolean {
    return this.unseen.size === 0 && this.waiting.size === 0;
  }
}
