/**
 * One behaviour, two wires: the same scenarios over gRPC and over REST (HTTP/1.1 + JSON) against
 * one emulator serving both from one store. Each scenario returns what a user sees (results,
 * errors, batch records), and the last test checks that both transports saw the same, latency
 * fields aside.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Code, createCanceller, operationToJson, OperationsError, type Canceller } from '../../src';
import { cancelMany, type BatchRecord } from '../../src/batch/cancel-many';
import type { TransportKind } from '../../src/transport/operations-transport';
import { useEmulator } from '../helpers/emulator';

const emu = useEmulator({ rest: true });

const PARENT = 'projects/p/locations/us-central1';
const op = (id: string): string => `${PARENT}/operations/${id}`;
const full = (id: string): string => `//dataplex.googleapis.com/${op(id)}`;

/** What each transport produced, by scenario, for the comparison at the end. */
const seen = new Map<string, Record<TransportKind, unknown>>();
function keep(scenario: string, kind: TransportKind, value: unknown): void {
  const entry = seen.get(scenario) ?? ({} as Record<TransportKind, unknown>);
  entry[kind] = value;
  seen.set(scenario, entry);
}

/**
 * A result or an error, as a user compares them: latency fields out, and the times in a confirmed
 * result's decoded metadata (each transport's run seeds its own operations, at its own time).
 */
function shown(x: unknown): unknown {
  if (x instanceof OperationsError)
    return {
      error: x.codeName,
      outcome: x.outcome,
      message: x.rawMessage,
      attempts: x.attempts,
      details: x.details,
    };
  if (typeof x === 'object' && x !== null) {
    const { latencyMs: _l, confirmMs: _c, ...rest } = x as Record<string, unknown>;
    if (typeof rest.metadata === 'object' && rest.metadata !== null) {
      const { createTime: _ct, endTime: _et, ...meta } = rest.metadata as Record<string, unknown>;
      rest.metadata = meta;
    }
    return rest;
  }
  return x;
}

/**
 * An operation's JSON with its metadata's bytes out: the emulator's service metadata carries the
 * seeding and end times, and each transport's run seeds its own. (The same operation read over
 * both wires is compared whole in its own test below.)
 */
function untimed(o: object): object {
  const m = (o as { metadata?: Record<string, unknown> }).metadata;
  return m ? { ...o, metadata: { '@type': m['@type'] } } : o;
}

const settle = <T>(p: Promise<T>): Promise<unknown> => p.then(shown, shown);

describe.each(['grpc', 'rest'] as const)('over %s', (kind) => {
  let c: Canceller;
  const target = (): string => (kind === 'grpc' ? emu.get().target : emu.get().restTarget);
  beforeEach(() => {
    c = createCanceller({
      emulator: target(),
      transport: kind,
      retry: { initialDelayMs: 10, maxDelayMs: 20 },
    });
  });
  afterEach(async () => {
    await c.close();
  });

  test('every outcome of a cancel', async () => {
    const e = emu.get();
    e.store.seed({ name: op('running'), service: 'dataplex' });
    e.store.seed({ name: op('completed'), service: 'dataplex', doneAs: 'completed' });
    e.store.seed({ name: op('failed'), service: 'dataplex', doneAs: 'failed' });
    e.store.seed({ name: op('cancelled'), service: 'dataplex', doneAs: 'cancelled' });
    e.store.seed({ name: op('unsupported'), service: 'dataplex', onCancel: 'unimplemented' });
    e.store.seed({ name: op('permanent'), service: 'dataplex', failTimes: 9, transientCode: Code.INTERNAL });
    const results = [];
    for (const id of ['running', 'completed', 'failed', 'cancelled', 'unsupported', 'missing', 'permanent'])
      results.push(await settle(c.cancel(full(id))));
    e.setFaults('datastore', { denied: true });
    results.push(await settle(c.cancel('//datastore.googleapis.com/projects/p/operations/x')));
    expect(results.map((r) => (r as { outcome: string }).outcome)).toEqual([
      'cancel-requested',
      'completed',
      'failed',
      'cancelled',
      'unsupported',
      'not-found',
      'error',
      'denied',
    ]);
    expect(results[6]).toMatchObject({ error: 'INTERNAL', attempts: 1 });
    expect(e.store.get(op('running'))?.error?.code).toBe(Code.CANCELLED);
    keep('outcomes', kind, results);
  });

  test('UNAVAILABLE (HTTP 503 over REST) is retried by the one retry policy', async () => {
    emu.get().store.seed({ name: op('flaky'), service: 'dataplex', failTimes: 2 });
    const retries: string[] = [];
    const c2 = createCanceller({
      emulator: target(),
      transport: kind,
      retry: { initialDelayMs: 5, maxDelayMs: 10 },
      onRetry: (err) => retries.push(err.codeName),
    });
    try {
      const r = await c2.cancel(full('flaky'));
      expect(r).toMatchObject({ outcome: 'cancel-requested', attempts: 3 });
      expect(retries).toEqual(['UNAVAILABLE', 'UNAVAILABLE']);
      keep('retries', kind, [shown(r), retries]);
    } finally {
      await c2.close();
    }
  });

  test('RESOURCE_EXHAUSTED with RetryInfo and ErrorInfo: the same details, waited for', async () => {
    const e = emu.get();
    e.setFaults('dataplex', { quotaPerSecond: 1, quotaRetryDelayMs: 300 });
    e.store.seed({ name: op('q1'), service: 'dataplex' });
    e.store.seed({ name: op('q2'), service: 'dataplex' });
    const waits: Array<{ code: string; delay: number; details: unknown }> = [];
    const c2 = createCanceller({
      emulator: target(),
      transport: kind,
      retry: { initialDelayMs: 5, maxDelayMs: 10 },
      onRetry: (err, _n, delay) => waits.push({ code: err.codeName, delay, details: err.details }),
    });
    try {
      await c2.cancel(full('q1'));
      const r = await c2.cancel(full('q2'));
      expect(r.outcome).toBe('cancel-requested');
      expect(waits.length).toBeGreaterThanOrEqual(1);
      expect(waits[0]?.code).toBe('RESOURCE_EXHAUSTED');
      expect(waits[0]?.delay).toBeGreaterThanOrEqual(300);
      expect(waits[0]?.details).toEqual([
        {
          '@type': 'type.googleapis.com/google.rpc.RetryInfo',
          retryDelay: { nanos: 300000000 },
        },
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'RATE_LIMIT_EXCEEDED',
          domain: 'googleapis.com',
        },
      ]);
      keep('retry-info', kind, waits[0]?.details);
    } finally {
      await c2.close();
    }
  });

  test('listOperations pages through a filter', async () => {
    const e = emu.get();
    for (let i = 0; i < 7; i++)
      e.store.seed({
        name: op(`l${i}`),
        service: 'dataplex',
        ...(i % 3 === 0 ? { doneAs: 'completed' } : {}),
      });
    const listed = [];
    for await (const o of c.listOperations(`//dataplex.googleapis.com/${PARENT}`, {
      filter: 'done=false',
      pageSize: 2,
    }))
      listed.push(operationToJson(o));
    expect(listed.map((o) => o.name)).toEqual(['l1', 'l2', 'l4', 'l5'].map(op));
    expect(listed.every((o) => o.done === false)).toBe(true);
    expect(e.callsOf('ListOperations')).toHaveLength(2);
    const done = await c.getOperation(full('l0'));
    keep('list', kind, [listed.map(untimed), untimed(operationToJson(done))]);
  });

  test('cancelAndConfirm follows the operation to its end (polling GetOperation over REST)', async () => {
    const e = emu.get();
    e.store.seed({ name: op('slow'), service: 'dataplex', settleMs: 150 });
    const r = await c.cancelAndConfirm(full('slow'), { polling: { initialDelayMs: 20, maxDelayMs: 40 } });
    expect(r).toMatchObject({ outcome: 'cancelled', finalCode: 1, attempts: 1 });
    expect(e.callsOf('GetOperation').length).toBeGreaterThanOrEqual(1);
    expect(e.callsOf('WaitOperation')).toHaveLength(0);
    keep('confirm', kind, shown(r));
  });

  test("via: 'wait': WaitOperation over gRPC; over REST a clear error before anything is sent", async () => {
    const e = emu.get();
    e.store.seed({ name: op('w'), service: 'dataplex', settleMs: 50 });
    const done = c.cancelAndConfirm(full('w'), { via: 'wait' });
    if (kind === 'grpc') {
      await expect(done).resolves.toMatchObject({ outcome: 'cancelled' });
      expect(e.callsOf('WaitOperation').length).toBeGreaterThanOrEqual(1);
    } else {
      await expect(done).rejects.toThrow(
        "via: 'wait' needs WaitOperation, which no service binds over HTTP: over transport 'rest', confirmation polls GetOperation",
      );
      expect(e.calls).toHaveLength(0);
      expect(e.store.get(op('w'))?.cancelRequests).toBe(0);
    }
  });

  test('cancelMany with a journal: records, and a rerun that skips what is final', async () => {
    const e = emu.get();
    const names: string[] = [];
    for (let i = 0; i < 12; i++) {
      e.store.seed({
        name: op(`b${i}`),
        service: 'dataplex',
        ...(i % 4 === 1 ? { doneAs: 'completed' as const } : {}),
        ...(i % 4 === 2 ? { failTimes: 1 } : {}),
      });
      names.push(full(`b${i}`));
    }
    names.push(full('b-missing'), 'not a name', '//datastore.googleapis.com/projects/p/operations/ds-1');
    e.store.seed({ name: 'projects/p/operations/ds-1', service: 'datastore' });
    const journal = path.join(mkdtempSync(path.join(tmpdir(), `lro-rest-${kind}-`)), 'j.ndjson');
    const run = async (): Promise<BatchRecord[]> => {
      const out: BatchRecord[] = [];
      for await (const r of cancelMany(names, {
        emulator: target(),
        transport: kind,
        journal,
        concurrency: 4,
        retry: { initialDelayMs: 5, maxDelayMs: 10 },
      }))
        out.push(r);
      return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    };
    const first = await run();
    expect(first).toHaveLength(names.length);
    expect(first.filter((r) => r.outcome === 'cancel-requested')).toHaveLength(10);
    expect(first.filter((r) => r.outcome === 'completed')).toHaveLength(3);
    expect(first.find((r) => r.name === 'not a name')?.outcome).toBe('invalid-name');
    const cancelsBefore = e.callsOf('CancelOperation').length;
    const second = await run();
    // Every sent name is final in the journal (not-found too): skipped, nothing sent again; the
    // invalid line gets its record again.
    expect(second.filter((r) => r.outcome !== 'skipped').map((r) => r.outcome)).toEqual(['invalid-name']);
    expect(e.callsOf('CancelOperation').length - cancelsBefore).toBe(0);
    expect(readFileSync(journal, 'utf8').trim().split('\n').length).toBeGreaterThanOrEqual(names.length);
    keep('batch', kind, [first.map(shown), second.map(shown)]);
  });

  test('hostile names are refused before anything is sent, and odd but valid ids arrive intact', async () => {
    const e = emu.get();
    const hostile = [
      `//dataplex.googleapis.com/${PARENT}/operations/../../x`,
      `//dataplex.googleapis.com/${PARENT}/operations/a\nb`,
      `//dataplex.googleapis.com/${PARENT}/operations/a b`,
      `//evil.example.com/${PARENT}/operations/a`,
      `https://dataplex.googleapis.com/v1/${PARENT}/operations/a`,
      `//dataplex.googleapis.com/${PARENT}/operations/${'x'.repeat(5000)}`,
    ];
    const requestsBefore = e.restGateway?.requests.length ?? 0;
    const refused = [];
    for (const name of hostile) {
      const r = await settle(c.cancel(name));
      refused.push(r);
    }
    for (const [i, r] of refused.entries())
      expect({ i, r }).toMatchObject({ i, r: { outcome: 'invalid-name', attempts: 0 } });
    expect(e.calls).toHaveLength(0);
    expect(e.restGateway?.requests.length ?? 0).toBe(requestsBefore);
    // Characters a segment may hold (a literal %2F too) go through percent-encoded over REST and
    // reach the server as they were: the path cannot be steered.
    const odd = ["op-1.a_b~c!$&'()*+,;=@..%", 'a%2Fb', 'a?x=1', 'a#frag', 'a:cancel', 'a\\b', 'a"b', '<x>'];
    const sent = [];
    for (const id of odd) {
      e.store.seed({ name: op(id), service: 'dataplex' });
      sent.push(await settle(c.cancel(full(id))));
    }
    for (const [i, id] of odd.entries())
      expect(sent[i]).toMatchObject({ name: op(id), outcome: 'cancel-requested' });
    expect(e.callsOf('CancelOperation').map((x) => x.name)).toEqual(odd.map(op));
    keep('hostile', kind, [refused, sent]);
  });
});

test('an operation cancelled over REST reads cancelled over gRPC, from the same store', async () => {
  const e = emu.get();
  e.store.seed({ name: op('both'), service: 'dataplex' });
  const rest = createCanceller({ emulator: e.restTarget, transport: 'rest' });
  const grpc = createCanceller({ emulator: e.target });
  try {
    await expect(rest.cancel(full('both'))).resolves.toMatchObject({ outcome: 'cancel-requested' });
    const read = await grpc.getOperation(full('both'));
    expect(read).toMatchObject({ done: true, error: { code: Code.CANCELLED } });
    expect(operationToJson(await rest.getOperation(full('both')))).toEqual(operationToJson(read));
  } finally {
    await rest.close();
    await grpc.close();
  }
});

test('every scenario: the same results and records over gRPC and over REST (latency fields aside)', () => {
  expect([...seen.keys()].sort()).toEqual(
    ['batch', 'confirm', 'hostile', 'list', 'outcomes', 'retries', 'retry-info'].sort(),
  );
  for (const [scenario, by] of seen) {
    expect({ scenario, value: by.rest }).toEqual({ scenario, value: by.grpc });
  }
});
