/**
 * setTimeout's longest delay (2^31 - 1 ms, ~24.8 days): Node fires a longer one after 1 ms,
 * with a TimeoutOverflowWarning. A server's hint or a user's policy can ask for more.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Wait `ms`, or reject with the signal's reason as soon as it aborts. Never leaves a timer
 * behind. Delays past MAX_TIMER_MS are waited out in steps (never the 1 ms overflow loop);
 * a delay that is not a finite number >= 0 waits 0 ms.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  let left = Number.isFinite(ms) && ms > 0 ? ms : 0;
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout;
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const arm = (): void => {
      const step = Math.min(left, MAX_TIMER_MS);
      left -= step;
      timer = setTimeout(() => {
        if (left > 0) return arm();
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, step);
    };
    arm();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
