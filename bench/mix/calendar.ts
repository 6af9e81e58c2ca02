/**
 * The mix's calendar: quarter 0 is October 2025 (RVU25D, the real PFS release in raw/), and each
 * later quarter is the next CMS quarterly release date. Yearly sources get a release in quarter 0
 * and in every January quarter.
 */
export interface Quarter {
  index: number;
  year: number;
  /** 1, 4, 7 or 10. */
  month: number;
  /** Jan, Apr, Jul, Oct (PPRRVU, OPPSCAP and HCPCS file names). */
  mon: string;
  /** January, April, … (OPPS workbook names and PFS banners). */
  monthName: string;
  /** YYYY-MM (OPPS and MUE release folders). */
  yyyymm: string;
  /** YYYY-MM-01. */
  firstDay: string;
}

const MON = ['Jan', 'Apr', 'Jul', 'Oct'];
const MONTH_NAME = ['January', 'April', 'July', 'October'];
/** Quarter 0's quarter of the year (0-based): October is the fourth. */
const FIRST_QUARTER_OF_YEAR = 3;
const FIRST_YEAR = 2025;

export function quarter(index: number): Quarter {
  const q = FIRST_QUARTER_OF_YEAR + index;
  const year = FIRST_YEAR + Math.floor(q / 4);
  const ofYear = q % 4;
  const month = ofYear * 3 + 1;
  const mm = String(month).padStart(2, '0');
  return {
    index,
    year,
    month,
    mon: MON[ofYear] as string,
    monthName: MONTH_NAME[ofYear] as string,
    yyyymm: `${year}-${mm}`,
    firstDay: `${year}-${mm}-01`,
  };
}

/** True for the quarters that bring a yearly source's release. */
export function startsYear(index: number): boolean {
  return index === 0 || quarter(index).month === 1;
}
