import { setTimeout as sleep } from 'node:timers/promises';

/**
 * At most one request per `intervalMs` to each host: a caller waits for its turn. Turns are
 * reserved synchronously, so concurrent callers queue in order instead of bursting.
 */
export class HostRateLimiter {
  private readonly nextSlot = new Map<string, number>();

  constructor(
    readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(intervalMs >= 0)) throw new Error(`rate interval must be >= 0 ms, got ${intervalMs}`);
  }

  async acquire(host: string): Promise<void> {
    const key = host.toLowerCase();
    const now = this.now();
    const slot = Math.max(now, this.nextSlot.get(key) ?? 0);
    this.nextSlot.set(key, slot + this.intervalMs);
    if (slot > now) await sleep(slot - now);
  }
}
