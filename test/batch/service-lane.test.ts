// ServiceLane's AIMD limit (quotaControl 'aimd', the older controller) on its own clock: performance.now() counts from process start, so a
// quota rejection in the first second of a process must halve the limit like any other.
import { ServiceLane } from '../../src/batch/service-lane';

const limits = { concurrency: 16, breakerThreshold: 20, probeDelayMs: 1000, quotaControl: 'aimd' as const };

test('the first quota rejection halves the limit even at performance.now() < 1 s, later ones at most once a second', () => {
  const lane = new ServiceLane('dataplex', limits);
  lane.onQuota(5, 200);
  expect(lane.limit).toBe(8);
  expect(lane.pausedUntil).toBe(205);
  lane.onQuota(500, 200); // within a second of the last halving: paused again, not halved again
  expect(lane.limit).toBe(8);
  expect(lane.pausedUntil).toBe(700);
  lane.onQuota(1005, 200);
  expect(lane.limit).toBe(4);
});
