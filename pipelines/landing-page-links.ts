/** Small readers of link text and file names shared by the sources' landing pages. */

const MONTH_NUMBERS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/** A month's name in full or abbreviated ("January", "Jan", "Sept"), as a regex source. */
export const MONTH_NAME =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';

/** 1–12 for a month name ("October", "oct"), or null. */
export function monthNumber(name: string): number | null {
  return MONTH_NUMBERS[name.slice(0, 3).toLowerCase()] ?? null;
}

/** "2026-01" for year 2026, month 1. */
export function yearMonth(year: number | string, month: number): string {
  return `${year}-${String(month).padStart(2, '0')}`;
}

/**
 * The first "<Month> <year>" in a text or a file name: "January 2026", "april-2024-addendum-b",
 * "2023_January_Web" ("<year> <Month>" too). Words only: "Jan" inside "Janet" does not count.
 */
export function monthYearIn(text: string): { year: number; month: number } | null {
  const monthFirst = new RegExp(
    String.raw`(?<![a-z])(${MONTH_NAME})\.?[\s_-]+(?:\d{1,2},?[\s_-]+)?(20\d{2})(?!\d)`,
    'i',
  ).exec(text);
  const yearFirst = new RegExp(
    String.raw`(?<!\d)(20\d{2})[\s_-]+(${MONTH_NAME})(?![a-z])`,
    'i',
  ).exec(text);
  const pick =
    monthFirst && (!yearFirst || monthFirst.index <= yearFirst.index)
      ? { year: Number(monthFirst[2]), month: monthNumber(monthFirst[1] ?? '') }
      : yearFirst
        ? { year: Number(yearFirst[1]), month: monthNumber(yearFirst[2] ?? '') }
        : null;
  return pick && pick.month !== null ? { year: pick.year, month: pick.month } : null;
}

/** The last segment of a URL's path, decoded ("" when there is none). */
export function fileNameOf(href: string): string {
  try {
    return decodeURIComponent(new URL(href).pathname.split('/').pop() ?? '');
  } catch {
    return '';
  }
}

/** A URL's path, decoded ("" when it is not a URL). */
export function pathOf(href: string): string {
  try {
    return decodeURIComponent(new URL(href).pathname);
  } catch {
    return '';
  }
}
