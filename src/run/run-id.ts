/** Runs of one process within a second (a script refreshing twice) get ids of their own. */
let runsStarted = 0;

/** A run's id: the second it started (UTC) and the process, e.g. 20261206T041915Z-1887. */
export function newRunId(): string {
  const second = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  runsStarted++;
  return `${second}-${process.pid}${runsStarted > 1 ? `-${runsStarted}` : ''}`;
}
