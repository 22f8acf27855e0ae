import type { BatchStats } from '../../src/batch/cancel-many';
import { formatSummary, SUMMARY_SERVICE_LINES } from '../../src/cli/progress-reporter';

// A pure formatting test (no gRPC): the numbers come from a stats object built here.
function stats(services: number): BatchStats {
  const byService: BatchStats['byService'] = {};
  for (let i = 0; i < services; i++) byService[`svc${i}.example.com`] = { 'cancel-requested': i + 1 };
  return {
    read: 10,
    done: 10,
    byOutcome: { 'cancel-requested': 9, 'not-found': 1 },
    byService,
    retries: 3,
    quotaRejections: 1,
    latency: { p50: 12.5, p95: 40, p99: 95.25 },
    startedAt: 0,
    elapsedMs: 1500,
    unread: false,
    pending: 0,
    skippedUnsuccessful: 0,
  };
}

test('the summary gives counts per outcome, latency percentiles and retries', () => {
  const text = formatSummary(stats(2));
  expect(text).toContain('lro-cancel: 10 records in 1.5s — cancel-requested: 9, not-found: 1');
  expect(text).toContain('  svc0.example.com: cancel-requested 1');
  expect(text).toContain('latency p50 12.5 ms, p95 40 ms, p99 95.25 ms; retries 3 (quota 1)');
});

test(`one line per service up to ${SUMMARY_SERVICE_LINES}, then one line for the rest`, () => {
  const lines = formatSummary(stats(SUMMARY_SERVICE_LINES + 5))
    .trimEnd()
    .split('\n');
  expect(lines.filter((l) => /^ {2}svc\d+\.example\.com: /.test(l))).toHaveLength(SUMMARY_SERVICE_LINES);
  expect(lines).toContain('  ... and 5 more services (their records carry the rest)');
  expect(lines).toHaveLength(1 + SUMMARY_SERVICE_LINES + 1 + 1);
  expect(formatSummary(stats(SUMMARY_SERVICE_LINES))).not.toContain('more services');
});
