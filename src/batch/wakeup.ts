/**
 * How the batch's reader and consumer sleep until something changes. Wakes are coalesced to one
 * per turn of the event loop: calls complete in bursts (one socket read carries many replies),
 * and waking the reader and the consumer per record cost more than the records themselves.
 * setImmediate runs once that burst is taken in.
 */
export class Wakeup {
  private waiters: Array<() => void> = [];
  private scheduled = false;

  /** Something changed: wake every sleeper, once this turn of the event loop is done. */
  notify(): void {
    if (this.waiters.length === 0 || this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.wake);
  }

  /** Resolves at the next notify (after it: a sleeper re-checks its condition). */
  sleep(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private readonly wake = (): void => {
    this.scheduled = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  };
}
