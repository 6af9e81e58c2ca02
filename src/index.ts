export type { Database } from './db/schema.js';
export { openFeeSchedule, type FeeSchedule } from './db/fee-schedule.js';
export { refresh, type RefreshOptions, type RefreshSummary } from './refresh.js';
