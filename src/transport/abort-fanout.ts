/**
 * Calls in flight per abort signal, behind one 'abort' listener per signal, removed when the
 * last of them ends (a timeout or `AbortSignal.any` signal with a listener stays alive). Both
 * transports use it: a batch shares one signal among hundreds of calls in flight, and
 * EventTarget's addEventListener scans the listeners it has (its duplicate check), so a listener
 * per call cost ~10 µs per call at 512 in flight.
 */
/** One signal's calls in flight and the listener that ends them. */
export interface SignalCalls<T> {
  readonly items: Set<T>;
  readonly onAbort: () => void;
}

export class AbortFanout<T> {
  private readonly bySignal = new WeakMap<AbortSignal, SignalCalls<T>>();

  /** @param end ends one call when its signal aborts. */
  constructor(private readonly end: (item: T) => void) {}

  /** Have `signal` end `item`; give the result to `remove` when the call ends. */
  add(signal: AbortSignal, item: T): SignalCalls<T> {
    let calls = this.bySignal.get(signal);
    if (!calls) {
      const items = new Set<T>();
      const onAbort = (): void => {
        this.bySignal.delete(signal);
        for (const i of items) this.end(i);
        items.clear();
      };
      calls = { items, onAbort };
      this.bySignal.set(signal, calls);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    calls.items.add(item);
    return calls;
  }

  /** The call ended: forget it, and drop the signal's listener once none of its calls is left. */
  remove(signal: AbortSignal, calls: SignalCalls<T>, item: T): void {
    calls.items.delete(item);
    if (calls.items.size === 0 && this.bySignal.get(signal) === calls) {
      this.bySignal.delete(signal);
      signal.removeEventListener('abort', calls.onAbort);
    }
  }
}
