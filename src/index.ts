import { CATALOG } from '../pipelines/index.js';
import type { FeeSchedule } from './db/fee-schedule.js';
import { type CodeCard, lookupCode as lookupCodeOnCard } from './query/lookup.js';
import {
  type RefreshOptions,
  type RefreshSummary,
  refresh as refreshCatalog,
} from './run/refresh.js';

export {
  type AppliedRule,
  type ClaimLine,
  type PricedLine,
  PriceError,
  type PriceRequest,
  type PriceResult,
  price,
} from '../marts/price.js';
export { type FeeSchedule, openFeeSchedule } from './db/fee-schedule.js';
export type { Database } from './db/schema.js';
export type { CodeCard } from './query/lookup.js';
export type { RefreshOptions, RefreshSummary } from './run/refresh.js';

/** The package's entry point: the library with every source of pipelines/ (the CLI's catalog). */
export { CATALOG };

/** Rebuilds out/ from raw/ (see RefreshOptions); the catalog defaults to every source. */
export function refresh(
  options: Omit<RefreshOptions, 'catalog'> & Partial<Pick<RefreshOptions, 'catalog'>>,
): Promise<RefreshSummary> {
  return refreshCatalog({ catalog: CATALOG, ...options });
}

/** Cards for a code as of a date (default: the newest release date that knows the code). */
export function lookupCode(
  schedule: FeeSchedule,
  hcpcs: string,
  options: { modifier?: string; asOf?: string } = {},
): Promise<CodeCard[]> {
  return lookupCodeOnCard(schedule, CATALOG.card, hcpcs, options);
}
