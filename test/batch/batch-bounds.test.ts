/**
 * Bounds a batch keeps whatever the server or the input does: a total in-flight limit across
 * services, a bound on the services of one run, a dead service that ends quickly instead of
 * costing every name its full retry budget, a server's quota hint that cannot stall a run past
 * the names' total deadline, and a repeated name sent once.
 */
import { cancelMany, type BatchOptions, type BatchRecord } from '../../src/batch/cancel-many';

import { services } from '../../src';
import { startOperationsEmulator } from '../../src/emulator';
import { useEmulator } from '../helpers/emulator';

const emu = useEmulator({ recordCalls: true });

function full(service: string, name: string): string {
  return `//${services[service]?.host}/${name}`;
}

async function collect(
  names: Iterable<string> | AsyncIterable<string>,
  options: BatchOptions,
): Promise<BatchRecord[]> {
  const out: BatchRecord[] = [];
  for await (const r of cancelMany(names, {
    emulator: emu.get().target,
    retry: { initialDelayMs: 5 },
    ...options,
  }))
    out.push(r);
  return out;
}

function expectOneRecordPerLine(recs: BatchRecord[], lines: string[]): void {
  expect(recs).toHaveLength(lines.length);
  const byLine = new Map(recs.map((r) => [r.line, r]));
  expect(byLine.size).toBe(lines.length);
  // Each record belongs to its own line's name.
  for (const [line, rec] of byLine) expect(lines[(line as number) - 1]).toBe(full(rec.service, rec.name));
}

test('maxInFlight bounds the calls in flight across services, and every service gets its turn', async () => {
  const e = emu.get();
  e.setFaults('*', { latencyMs: 40 });
  const ids = ['datastore', 'privateca', 'datalineage'];
  const lines: string[] = [];
  for (let i = 0; i < 300; i++) {
    const svc = ids[i % 3] as string;
    const name =
      svc === 'datastore' ? `projects/p/operations/f${i}` : `projects/p/locations/l/operations/f${i}`;
    e.store.seed({ name, service: svc });
    lines.push(full(svc, name));
  }
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, e.inflightCalls)), 2);
  let recs: BatchRecord[];
  try {
    recs = await collect(lines, { concurrency: 50, maxInFlight: 12 });
  } finally {
    clearInterval(sampler);
  }
  expectOneRecordPerLine(recs, lines);
  expect(recs.every((r) => r.outcome === 'cancel-requested')).toBe(true);
  expect(peak).toBeLessThanOrEqual(12);
  expect(peak).toBeGreaterThanOrEqual(6); // the sampler saw the run busy: the bound above means something
  // Round robin: among the first 30 calls to arrive, each service had a share (none waited behind another).
  const first = e.callsOf('CancelOperation').slice(0, 30);
  for (const id of ids) expect(first.filter((c) => c.service === id).length).toBeGreaterThanOrEqual(5);
});

test('names of services past maxServices get not-attempted with the reason; the others run', async () => {
  const e = emu.get();
  const lines = [
    full('datastore', 'projects/p/operations/a'),
    full('privateca', 'projects/p/locations/l/operations/b'),
    full('datalineage', 'projects/p/locations/l/operations/c'),
    full('datastore', 'projects/p/operations/d'),
  ];
  e.store.seed({ name: 'projects/p/operations/a', service: 'datastore' });
  e.store.seed({ name: 'projects/p/operations/d', service: 'datastore' });
  e.store.seed({ name: 'projects/p/locations/l/operations/b', service: 'privateca' });
  e.store.seed({ name: 'projects/p/locations/l/operations/c', service: 'datalineage' });
  const recs = await collect(lines, { maxServices: 2 });
  expectOneRecordPerLine(recs, lines);
  const third = recs.find((r) => r.line === 3) as BatchRecord;
  expect(third.outcome).toBe('not-attempted');
  expect(third.message).toContain('more than 2 services');
  expect(recs.filter((r) => r.outcome === 'cancel-requested')).toHaveLength(3);
  expect(e.callsOf('CancelOperation').filter((c) => c.service === 'datalineage')).toHaveLength(0);
});

test('a service answering UNAVAILABLE to everything is probed once, then its remaining names end not-attempted; others are untouched', async () => {
  const e = emu.get();
  e.setFaults('privateca', { errorRate: 1 });
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) {
    const name = `projects/p/locations/l/operations/d${i}`;
    lines.push(full('privateca', name));
    if (i % 4 === 0) {
      e.store.seed({ name: `projects/p/operations/ok${i}`, service: 'datastore' });
      lines.push(full('datastore', `projects/p/operations/ok${i}`));
    }
  }
  const t0 = Date.now();
  const recs = await collect(lines, {
    concurrency: 4,
    breakerThreshold: 5,
    probeDelayMs: 200,
    retry: { maxAttempts: 2, initialDelayMs: 5 },
  });
  expectOneRecordPerLine(recs, lines);
  const ca = recs.filter((r) => r.service === 'privateca');
  const failed = ca.filter((r) => r.outcome === 'error');
  const notAttempted = ca.filter((r) => r.outcome === 'not-attempted');
  // The 5 that tripped it, the ones in flight beside them (concurrency 4) and the probe.
  expect(failed.length).toBeGreaterThanOrEqual(6);
  expect(failed.length).toBeLessThanOrEqual(5 + 4 + 1);
  expect(failed.every((r) => r.code === 'UNAVAILABLE')).toBe(true);
  expect(notAttempted.length).toBe(400 - failed.length);
  expect(notAttempted[0]?.message).toMatch(
    /service looks down: 5 names in a row and a probe ended on transient errors \(last: UNAVAILABLE/,
  );
  // The probe is one attempt: the last failure the emulator answered came from a single call.
  const sent = e.callsOf('CancelOperation').filter((c) => c.service === 'privateca');
  expect(sent.length).toBeLessThanOrEqual(2 * (failed.length - 1) + 1);
  // The other service ran to the end.
  expect(recs.filter((r) => r.service === 'datastore').every((r) => r.outcome === 'cancel-requested')).toBe(
    true,
  );
  expect(Date.now() - t0).toBeLessThan(15_000);
});

test('a probe that gets an answer reopens the service: every later name runs', async () => {
  const e = emu.get();
  e.setFaults('privateca', { errorRate: 1 });
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) {
    const name = `projects/p/locations/l/operations/r${i}`;
    e.store.seed({ name, service: 'privateca' });
    lines.push(full('privateca', name));
  }
  const recs: BatchRecord[] = [];
  const run = cancelMany(lines, {
    emulator: e.target,
    concurrency: 2,
    breakerThreshold: 3,
    probeDelayMs: 300,
    retry: { maxAttempts: 1 },
  });
  for await (const r of run) {
    recs.push(r);
    // The service comes back while the lane rests before its probe.
    if (r.outcome === 'error' && recs.filter((x) => x.outcome === 'error').length === 3) e.clearFaults();
  }
  expectOneRecordPerLine(recs, lines);
  const errors = recs.filter((r) => r.outcome === 'error').length;
  expect(errors).toBeGreaterThanOrEqual(3);
  expect(errors).toBeLessThanOrEqual(4);
  expect(recs.filter((r) => r.outcome === 'not-attempted')).toHaveLength(0);
  expect(recs.filter((r) => r.outcome === 'cancel-requested')).toHaveLength(200 - errors);
});

test('a server killed mid-batch: the run ends soon after, with one record per name', async () => {
  const own = await startOperationsEmulator({ recordCalls: false });
  try {
    const names: string[] = [];
    for (let i = 0; i < 3000; i++) {
      own.store.seed({ name: `projects/p/operations/k${i}`, service: 'datastore' });
      names.push(`projects/p/operations/k${i}`);
    }
    const recs: BatchRecord[] = [];
    let killedAt = 0;
    const run = cancelMany(names, {
      emulator: own.target,
      service: 'datastore',
      concurrency: 16,
      probeDelayMs: 200,
      // Short attempts so the in-flight names end quickly once the server is gone (the defaults
      // take up to the 60 s total deadline; see the README's measurement with 1,000,000 names).
      retry: { initialDelayMs: 5, perAttemptTimeoutMs: 300, totalTimeoutMs: 1500 },
    });
    for await (const r of run) {
      recs.push(r);
      if (recs.length === 300) {
        killedAt = Date.now();
        void own.stop();
      }
    }
    const endedAfterKill = Date.now() - killedAt;
    expect(recs).toHaveLength(3000);
    expect(new Set(recs.map((r) => r.line)).size).toBe(3000);
    for (const r of recs) expect(names[(r.line as number) - 1]).toBe(r.name);
    const notAttempted = recs.filter((r) => r.outcome === 'not-attempted');
    expect(notAttempted.length).toBeGreaterThan(2000);
    expect(notAttempted[0]?.message).toContain('service looks down');
    // Bounded by the in-flight names' total deadline (1.5 s) + the probe's rest and deadline, with
    // slack for a loaded machine — not by 2,700 names × their retries.
    expect(endedAfterKill).toBeLessThan(12_000);
  } finally {
    await own.stop();
  }
});

test('a quota hint of an hour (or of 10^10 s) does not stall the run past the names total deadline', async () => {
  const e = emu.get();
  const names: string[] = [];
  for (let i = 0; i < 6; i++) {
    e.store.seed({ name: `projects/p/operations/h${i}`, service: 'datastore' });
    names.push(`projects/p/operations/h${i}`);
  }
  for (const retryMs of [3_600_000, 1e13]) {
    e.setFaults('datastore', { quotaPerSecond: 1, quotaRetryDelayMs: retryMs });
    e.calls.length = 0;
    const t0 = Date.now();
    const recs = await collect(names, {
      service: 'datastore',
      concurrency: 6,
      retry: { totalTimeoutMs: 2_000 },
    });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(recs).toHaveLength(6);
    const exhausted = recs.filter((r) => r.outcome === 'error' && r.code === 'RESOURCE_EXHAUSTED');
    expect(exhausted.length).toBeGreaterThanOrEqual(4);
    expect(exhausted[0]?.message).toContain('would pass the total timeout of 2000 ms');
    expect(recs.filter((r) => r.outcome === 'cancel-requested').length + exhausted.length).toBe(6);
    for (const n of names) e.store.seed({ name: n, service: 'datastore' }); // running again for the next round
  }
});

test("a name on several lines is sent once; every line gets a record with the first line's result", async () => {
  const e = emu.get();
  e.store.seed({ name: 'projects/p/operations/a', service: 'datastore' });
  e.store.seed({ name: 'projects/p/operations/b', service: 'datastore', onCancel: 'unimplemented' });
  const lines = [
    'projects/p/operations/a',
    'projects/p/operations/b',
    'projects/p/operations/a',
    'projects/p/operations/gone',
    'projects/p/operations/a',
    'projects/p/operations/gone',
    'projects/p/operations/b',
  ];
  const recs = await collect(lines, { service: 'datastore', concurrency: 8 });
  expect(recs).toHaveLength(7);
  const at = (line: number): BatchRecord => recs.find((r) => r.line === line) as BatchRecord;
  const calls = e.callsOf('CancelOperation');
  for (const name of ['projects/p/operations/a', 'projects/p/operations/b', 'projects/p/operations/gone']) {
    expect(calls.filter((c) => c.name === name)).toHaveLength(1);
  }
  expect(at(1)).toMatchObject({ outcome: 'cancel-requested', attempts: 1 });
  expect(at(1).duplicateOf).toBeUndefined();
  expect(at(3)).toMatchObject({
    outcome: 'cancel-requested',
    code: 'OK',
    attempts: 0,
    duplicateOf: 1,
    name: 'projects/p/operations/a',
  });
  expect(at(5)).toMatchObject({ outcome: 'cancel-requested', duplicateOf: 1 });
  expect(at(6)).toMatchObject({ outcome: 'not-found', code: 'NOT_FOUND', duplicateOf: 4 });
  expect(at(7)).toMatchObject({ outcome: 'unsupported', code: 'UNIMPLEMENTED', duplicateOf: 2 });
  expect(at(7).message).toContain('line 2');
  // dedupe: false sends every line.
  e.calls.length = 0;
  e.store.seed({ name: 'projects/p/operations/a', service: 'datastore' });
  await collect(lines.slice(0, 3), { service: 'datastore', dedupe: false });
  expect(e.callsOf('CancelOperation').filter((c) => c.name === 'projects/p/operations/a')).toHaveLength(2);
});

test('bad bounds are refused before anything is sent', async () => {
  for (const bad of [{ maxInFlight: 0 }, { maxServices: 1.5 }, { breakerThreshold: -1 }]) {
    await expect(collect(['projects/p/operations/a'], { service: 'datastore', ...bad })).rejects.toThrow(
      RangeError,
    );
  }
  expect(emu.get().callsOf('CancelOperation')).toHaveLength(0);
});
