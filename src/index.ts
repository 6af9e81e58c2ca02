export { type FeeSchedule, openFeeSchedule } from './db/fee-schedule.js';
export type { Database } from './db/schema.js';
export { type CodeCard, lookupCode } from './lookup.js';
export { type RefreshOptions, type RefreshSummary, refresh } from './refresh.js';
