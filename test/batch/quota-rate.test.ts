// QuotaRate's arithmetic on a fake clock (ms): how a rejection sets the target from the accepted
// rate, how the target grows back, and the concurrency the pacing needs.
import { CEILING_MARGIN, QuotaRate, SAFETY, SLOW_GROWTH } from '../../src/batch/quota-rate';
import { ServiceLane, type LaneJob } from '../../src/batch/service-lane';

/** `rate` answers per second for `ms`, from `from`, each `latencyMs` after its send; returns the end time. */
function answer(q: QuotaRate, from: number, ms: number, rate: number, latencyMs = 100): number {
  const every = 1000 / rate;
  for (let t = from; t < from + ms; t += every) q.onPassed(t, latencyMs);
  return from + ms;
}

test('nothing is paced before the first rejection, and the whole concurrency is used', () => {
  const q = new QuotaRate(undefined);
  answer(q, 0, 2000, 600);
  expect(q.rate(2000)).toBeUndefined();
  expect(q.concurrencyFor(2000, 64, 64)).toBe(64);
});

test('the accepted rate is measured over the last second', () => {
  const q = new QuotaRate(undefined);
  let t = answer(q, 0, 1000, 600);
  expect(q.acceptedRate(t)).toBeCloseTo(600, -1);
  t = answer(q, t, 1000, 400);
  expect(q.acceptedRate(t)).toBeCloseTo(400, -1);
  // A second with no answer empties the window.
  expect(q.acceptedRate(t + 1100)).toBe(0);
});

test('a rejection sets the target to SAFETY × the accepted rate; another within the cooldown does not lower it again', () => {
  const q = new QuotaRate(undefined);
  const t = answer(q, 0, 2000, 400);
  q.onRejected(t);
  const target = q.rate(t) as number;
  expect(target).toBeCloseTo(400 * SAFETY, -1);
  q.onRejected(t + 50); // a call sent before the decrease, answered now
  expect(q.rate(t + 50)).toBe(target);
  // After the cooldown, a rejection while paced lowers it from min(target, accepted).
  const t2 = answer(q, t, 1000, target);
  q.onRejected(t2);
  expect(q.rate(t2) as number).toBeCloseTo(target * SAFETY, 0);
});

test('the target grows slowly (SLOW_GROWTH per second) up to the ceiling, then faster and faster', () => {
  const q = new QuotaRate(undefined);
  let t = answer(q, 0, 2000, 400);
  q.onRejected(t);
  const start = q.rate(t) as number;
  // One second later (the answers keep coming at the target rate): about 2 % more.
  t = answer(q, t, 1000, start);
  const after1s = q.rate(t) as number;
  expect(after1s / start).toBeGreaterThan(1 + SLOW_GROWTH * 0.5);
  expect(after1s / start).toBeLessThan(1 + SLOW_GROWTH * 2);
  // Keep answering at whatever the target is: past the ceiling it accelerates (the quota went up).
  let rate = after1s;
  for (let s = 0; s < 6; s++) {
    t = answer(q, t, 1000, rate);
    rate = q.rate(t) as number;
  }
  expect(rate).toBeGreaterThan(400 * CEILING_MARGIN * 1.5);
});

test('a lane that does not use its target (held back by input or concurrency) does not grow it', () => {
  const q = new QuotaRate(undefined);
  let t = answer(q, 0, 2000, 400);
  q.onRejected(t);
  // Only 100/s get answered for 10 s: the target stays within the ceiling, not far above.
  t = answer(q, t, 10_000, 100);
  expect(q.rate(t) as number).toBeLessThanOrEqual(400 * CEILING_MARGIN + 1);
});

test('--rate is the ceiling: the target never goes past it', () => {
  const q = new QuotaRate(300);
  expect(q.rate(0)).toBe(300); // paced at the user's rate from the start
  let t = answer(q, 0, 2000, 300);
  q.onRejected(t);
  for (let s = 0; s < 20; s++) t = answer(q, t, 1000, q.rate(t) as number);
  expect(q.rate(t)).toBe(300);
});

test('concurrency is the latency × rate bound the pacing needs (doubled, plus 4), under the configured one', () => {
  const q = new QuotaRate(undefined);
  const t = answer(q, 0, 2000, 400, 100);
  q.onRejected(t);
  const rate = q.rate(t) as number;
  expect(q.concurrencyFor(t, 64, 1000)).toBe(Math.ceil((2 * rate * 100) / 1000) + 4);
  expect(q.concurrencyFor(t, 16, 16)).toBe(16);
});

test('unpaced, a lane bound by latency may double what is in flight, from the floor up to the ceiling', () => {
  const q = new QuotaRate(undefined);
  // 64 in flight at 100 ms: 640/s accepted. Twice that in flight is allowed (plus 4), not more.
  const t = answer(q, 0, 2000, 640, 100);
  expect(q.concurrencyFor(t, 64, 1024)).toBe(Math.ceil(2 * 640 * 0.1) + 4);
  expect(q.concurrencyFor(t, 64, 100)).toBe(100);
  // Queueing: latency 4× the lowest seen, so more in flight would only wait longer; the floor.
  const busy = new QuotaRate(undefined);
  busy.onPassed(0, 2);
  answer(busy, 0, 2000, 5000, 8);
  expect(busy.concurrencyFor(2000, 64, 1024)).toBe(64);
  // Few answers: the floor.
  const idle = new QuotaRate(undefined);
  answer(idle, 0, 2000, 10, 100);
  expect(idle.concurrencyFor(2000, 64, 1024)).toBe(64);
});

test('a lane paces at the learnt rate and honours the RetryInfo pause before it', () => {
  const lane = new ServiceLane('dataplex', { concurrency: 64, breakerThreshold: 20, probeDelayMs: 1000 });
  const job = (i: number): LaneJob => ({
    line: i,
    text: '',
    name: `n${i}`,
    service: 'dataplex',
    target: undefined as never, // not read by the lane
    quotaRejections: 0,
    firstSentAt: 0,
    seenId: -1,
  });
  for (let i = 0; i < 1000; i++) lane.push(job(i));
  for (let t = 0; t < 1000; t += 5) lane.onPassed(t, 10); // 200/s accepted
  lane.onQuota(1000, 300);
  expect(lane.next(1100)).toBe(1300); // the server's delay first
  expect(typeof lane.next(1300)).toBe('object');
  lane.inflight--;
  // Then one call every 1000 / (200 × SAFETY) ms: the next is held back until then (catch-up aside).
  let started = 1;
  for (let t = 1300; t < 2300; t++) {
    const next = lane.next(t);
    if (typeof next === 'object') {
      started++;
      lane.inflight--; // answered at once: only the pacing holds calls back here
    }
  }
  expect(started).toBeGreaterThan(200 * SAFETY * 0.9);
  expect(started).toBeLessThan(200 * 1.1);
});

test('a burst in the first second is read per whole second: the target is near the quota, not the burst', () => {
  const q = new QuotaRate(undefined);
  // A one-second-deep bucket of 400 emptied in 200 ms (2,000/s), then the first rejection.
  const t = answer(q, 0, 200, 2000);
  q.onRejected(t);
  // 400 past it within the last second: 400/s (× SAFETY), not 2,000/s.
  expect(q.rate(t) as number).toBeLessThan(500);
});

test('between two decreases with the bucket empty at both, the refill sets the target', () => {
  const q = new QuotaRate(undefined);
  let t = answer(q, 0, 1000, 600); // the burst and more: the window reads 600/s
  q.onRejected(t);
  expect(q.rate(t) as number).toBeCloseTo(600 * SAFETY, -1);
  // 400 ms at the quota's refill (400/s): the window still holds most of the burst.
  t = answer(q, t, 400, 400);
  q.onRejected(t);
  expect(q.rate(t) as number).toBeCloseTo(400 * SAFETY, -1);
});

test('a spent quota (nothing gets past for a second: a per-minute window ran out) leaves the target alone', () => {
  const q = new QuotaRate(undefined);
  let t = answer(q, 0, 2000, 1000);
  q.onRejected(t);
  const target = q.rate(t) as number;
  // Rejections every second for 30 s, nothing accepted: the target does not collapse to 1/s.
  for (let k = 0; k < 30; k++) {
    t += 1000;
    q.onRejected(t, 0);
  }
  expect(q.rate(t) as number).toBeGreaterThanOrEqual(target);
});

test('without RetryInfo the lane pauses on its own schedule: 100 ms, doubling up to 1 s while rejections keep coming, then one call at a time', () => {
  const lane = new ServiceLane('dataplex', { concurrency: 64, breakerThreshold: 20, probeDelayMs: 1000 });
  const job = (line: number): LaneJob =>
    ({ line, name: `n${line}`, quotaRejections: 0, firstSentAt: 0 }) as unknown as LaneJob;
  for (let i = 0; i < 10; i++) lane.push(job(i));
  const a = lane.next(0) as LaneJob;
  const b = lane.next(0) as LaneJob;
  expect(typeof a).toBe('object');
  // Two calls of the same burst: one pause.
  expect(lane.ownQuotaDelay(20, 0)).toBe(100);
  lane.onQuota(20, 100);
  expect(lane.ownQuotaDelay(21, 0)).toBe(99);
  lane.unshift(a);
  lane.unshift(b);
  lane.inflight -= 2;
  // After the pause, the next call is rejected too: 200 ms, and only one call at a time now.
  expect(lane.next(130)).toMatchObject({ line: b.line });
  expect(lane.ownQuotaDelay(150, 130)).toBe(200);
  lane.onQuota(150, 200);
  lane.inflight--;
  const delays = [
    lane.ownQuotaDelay(400, 360),
    lane.ownQuotaDelay(1500, 1400),
    lane.ownQuotaDelay(3000, 2900),
  ];
  expect(delays).toEqual([400, 800, 1000]);
  lane.onQuota(3000, 1000);
  expect(lane.next(4001)).toMatchObject({});
  expect(lane.next(4001)).toBeUndefined(); // one at a time
  // A call sent after the pause gets past the quota: the row ends, the whole concurrency is back.
  lane.onPassed(4030, 29);
  expect(typeof lane.next(4030)).toBe('object');
});
