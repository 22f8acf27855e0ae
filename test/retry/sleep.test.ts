import { MAX_TIMER_MS, sleep } from '../../src/retry/sleep';

// Fake timers: the point is which timers are armed and when they fire, not wall time.
beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('a delay past the timer limit is waited out in steps, not fired after 1 ms', async () => {
  let done = false;
  void sleep(MAX_TIMER_MS + 5_000).then(() => (done = true));
  await jest.advanceTimersByTimeAsync(1_000);
  expect(done).toBe(false); // Node's overflow would have fired it after 1 ms
  await jest.advanceTimersByTimeAsync(MAX_TIMER_MS - 1_000);
  expect(done).toBe(false);
  await jest.advanceTimersByTimeAsync(5_000);
  expect(done).toBe(true);
  expect(jest.getTimerCount()).toBe(0);
});

test.each([NaN, -1, Infinity])('a delay of %p waits 0 ms rather than spinning or hanging', async (ms) => {
  let done = false;
  void sleep(ms).then(() => (done = true));
  await jest.advanceTimersByTimeAsync(0);
  expect(done).toBe(true);
});

test('an abort during a long, stepped wait rejects at once and leaves no timer', async () => {
  const ac = new AbortController();
  const p = sleep(MAX_TIMER_MS * 3, ac.signal);
  await jest.advanceTimersByTimeAsync(MAX_TIMER_MS + 10);
  ac.abort(new Error('stop'));
  await expect(p).rejects.toThrow('stop');
  expect(jest.getTimerCount()).toBe(0);
});
