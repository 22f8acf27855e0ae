import * as grpc from '@grpc/grpc-js';
import { OperationsError } from '../../src/errors/operations-error';
import { Code } from '../../src/errors/status-code';
import { encodeStatus, type DetailInput } from '../../src/proto/status-codec';
import { callWithRetry, type Attempt, type RetryContext } from '../../src/retry/call-with-retry';
import { resolveRetryPolicy, type RetryPolicy } from '../../src/retry/retry-policy';

// callWithRetry takes the attempt as a function, so these tests drive it with scripted attempts
// that fail the way grpc-js does (a status object: code + details + metadata). The real transport
// is covered end to end in test/client/canceller-retries.test.ts.

/** A grpc-js style status error, optionally with google.rpc details in grpc-status-details-bin. */
function statusError(code: number, details = `status ${code}`, extra: DetailInput[] = []): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  if (extra.length > 0) metadata.set('grpc-status-details-bin', encodeStatus(code, details, extra));
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata }) as grpc.ServiceError;
}

function retryInfo(ms: number): DetailInput {
  return {
    type: 'google.rpc.RetryInfo',
    fields: { retryDelay: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 } },
  };
}

/** An attempt that fails with the scripted errors in turn, then resolves 'ok'; records its calls. */
function scripted(errors: unknown[]): Attempt<string> & { calls: Array<{ at: number; deadline: number }> } {
  const calls: Array<{ at: number; deadline: number }> = [];
  const fn = (async (deadline: number) => {
    calls.push({ at: Date.now(), deadline });
    const next = errors.shift();
    if (next !== undefined) throw next;
    return 'ok';
  }) as Attempt<string> & { calls: typeof calls };
  fn.calls = calls;
  return fn;
}

function ctx(policy: Partial<RetryPolicy> = {}, extra: Partial<RetryContext> = {}): RetryContext {
  return {
    policy: resolveRetryPolicy({ initialDelayMs: 10, maxDelayMs: 100, ...policy }),
    operationName: 'projects/p/locations/l/operations/o',
    service: 'dataplex',
    random: () => 0.5,
    ...extra,
  };
}

async function rejection(p: Promise<unknown>): Promise<OperationsError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(OperationsError);
    return e as OperationsError;
  }
  throw new Error('expected a rejection');
}

test('a first success takes one attempt and never calls onRetry', async () => {
  const onRetry = jest.fn();
  const attempt = scripted([]);
  await expect(callWithRetry(attempt, ctx({}, { onRetry }))).resolves.toEqual({ value: 'ok', attempts: 1 });
  expect(attempt.calls).toHaveLength(1);
  expect(onRetry).not.toHaveBeenCalled();
});

test('UNAVAILABLE is retried with exponential backoff (pinned jitter) and onRetry is told each time', async () => {
  const seen: Array<[number, number, number]> = [];
  const attempt = scripted([
    statusError(Code.UNAVAILABLE),
    statusError(Code.UNAVAILABLE),
    statusError(Code.UNAVAILABLE),
  ]);
  const result = await callWithRetry(
    attempt,
    ctx(
      { initialDelayMs: 40, multiplier: 2, maxDelayMs: 1000 },
      { onRetry: (err, retry, delay) => seen.push([err.code, retry, delay]) },
    ),
  );
  expect(result).toEqual({ value: 'ok', attempts: 4 });
  // random 0.5: half of 40, 80, 160
  expect(seen).toEqual([
    [Code.UNAVAILABLE, 1, 20],
    [Code.UNAVAILABLE, 2, 40],
    [Code.UNAVAILABLE, 3, 80],
  ]);
  const gaps = attempt.calls.slice(1).map((c, i) => c.at - attempt.calls[i]!.at);
  expect(gaps[0]).toBeGreaterThanOrEqual(19);
  expect(gaps[1]).toBeGreaterThanOrEqual(39);
  expect(gaps[2]).toBeGreaterThanOrEqual(79);
});

test('the error passed to onRetry is a translated OperationsError with the attempt count', async () => {
  const errs: OperationsError[] = [];
  await callWithRetry(
    scripted([statusError(Code.UNAVAILABLE, 'backend down')]),
    ctx({}, { onRetry: (e) => errs.push(e) }),
  );
  expect(errs).toHaveLength(1);
  expect(errs[0]).toBeInstanceOf(OperationsError);
  expect(errs[0]).toMatchObject({
    code: Code.UNAVAILABLE,
    rawMessage: 'backend down',
    attempts: 1,
    service: 'dataplex',
  });
});

test('maxAttempts is respected: the last error is thrown with attempts = maxAttempts', async () => {
  const attempt = scripted(Array.from({ length: 10 }, () => statusError(Code.UNAVAILABLE, 'still down')));
  const err = await rejection(callWithRetry(attempt, ctx({ maxAttempts: 3 })));
  expect(attempt.calls).toHaveLength(3);
  expect(err).toMatchObject({
    code: Code.UNAVAILABLE,
    codeName: 'UNAVAILABLE',
    outcome: 'error',
    attempts: 3,
    rawMessage: 'still down',
  });
  expect(err.operationName).toBe('projects/p/locations/l/operations/o');
});

test('maxAttempts 1 disables retries', async () => {
  const attempt = scripted([statusError(Code.UNAVAILABLE)]);
  const err = await rejection(callWithRetry(attempt, ctx({ maxAttempts: 1 })));
  expect(attempt.calls).toHaveLength(1);
  expect(err.attempts).toBe(1);
});

// CANCELLED is left out: one we did not cause (a server shutting down resets its streams) may be retried.
const NON_RETRYABLE = Object.entries(Code).filter(
  ([name]) => !['OK', 'UNAVAILABLE', 'RESOURCE_EXHAUSTED', 'DEADLINE_EXCEEDED', 'CANCELLED'].includes(name),
);

test.each(NON_RETRYABLE)('%s (%i) is never retried', async (name, code) => {
  const onRetry = jest.fn();
  const attempt = scripted([statusError(code), statusError(code)]);
  const err = await rejection(callWithRetry(attempt, ctx({ maxAttempts: 5 }, { onRetry })));
  expect(attempt.calls).toHaveLength(1);
  expect(err.code).toBe(code);
  expect(err.codeName).toBe(name);
  expect(err.attempts).toBe(1);
  expect(onRetry).not.toHaveBeenCalled();
});

test('a code added to retryableCodes is retried; UNAVAILABLE then is not unless listed', async () => {
  const a = scripted([statusError(Code.INTERNAL), statusError(Code.INTERNAL)]);
  await expect(callWithRetry(a, ctx({ retryableCodes: [Code.INTERNAL] }))).resolves.toEqual({
    value: 'ok',
    attempts: 3,
  });
  const b = scripted([statusError(Code.UNAVAILABLE)]);
  const err = await rejection(callWithRetry(b, ctx({ retryableCodes: [Code.INTERNAL] })));
  expect(err.code).toBe(Code.UNAVAILABLE);
  expect(b.calls).toHaveLength(1);
});

test('a socket error (ECONNREFUSED) counts as UNAVAILABLE and is retried', async () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  const attempt = scripted([refused]);
  await expect(callWithRetry(attempt, ctx())).resolves.toEqual({ value: 'ok', attempts: 2 });
});

describe('RESOURCE_EXHAUSTED', () => {
  test('without RetryInfo it is not retried', async () => {
    const attempt = scripted([statusError(Code.RESOURCE_EXHAUSTED, 'quota')]);
    const err = await rejection(callWithRetry(attempt, ctx()));
    expect(attempt.calls).toHaveLength(1);
    expect(err).toMatchObject({ code: Code.RESOURCE_EXHAUSTED, outcome: 'error', attempts: 1 });
  });

  test('with RetryInfo it is retried, never sooner than the delay (even when the backoff is smaller)', async () => {
    const delays: number[] = [];
    const attempt = scripted([statusError(Code.RESOURCE_EXHAUSTED, 'quota', [retryInfo(120)])]);
    const result = await callWithRetry(
      attempt,
      ctx({ initialDelayMs: 10 }, { onRetry: (_e, _r, d) => delays.push(d) }),
    );
    expect(result.attempts).toBe(2);
    expect(delays).toEqual([120]);
    expect(attempt.calls[1]!.at - attempt.calls[0]!.at).toBeGreaterThanOrEqual(119);
  });

  test('with RetryInfo shorter than the backoff, the backoff wins', async () => {
    const delays: number[] = [];
    const attempt = scripted([statusError(Code.RESOURCE_EXHAUSTED, 'quota', [retryInfo(5)])]);
    await callWithRetry(
      attempt,
      ctx({ initialDelayMs: 100, maxDelayMs: 1000 }, { onRetry: (_e, _r, d) => delays.push(d) }),
    );
    expect(delays).toEqual([50]);
  });

  test('with a RetryInfo delay that outlives the total timeout it gives up at once', async () => {
    const started = Date.now();
    const attempt = scripted([statusError(Code.RESOURCE_EXHAUSTED, 'quota', [retryInfo(5000)])]);
    const err = await rejection(callWithRetry(attempt, ctx({ totalTimeoutMs: 1000 })));
    expect(err.code).toBe(Code.RESOURCE_EXHAUSTED);
    expect(err.findDetail('google.rpc.RetryInfo')).toBeDefined();
    expect(attempt.calls).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(500);
  });

  test('counts against maxAttempts', async () => {
    const attempt = scripted(
      Array.from({ length: 5 }, () => statusError(Code.RESOURCE_EXHAUSTED, 'quota', [retryInfo(10)])),
    );
    const err = await rejection(callWithRetry(attempt, ctx({ maxAttempts: 2 })));
    expect(attempt.calls).toHaveLength(2);
    expect(err.attempts).toBe(2);
  });
});

test('UNAVAILABLE with a RetryInfo longer than the backoff waits for the RetryInfo', async () => {
  const delays: number[] = [];
  const attempt = scripted([statusError(Code.UNAVAILABLE, 'x', [retryInfo(80)])]);
  await callWithRetry(attempt, ctx({ initialDelayMs: 10 }, { onRetry: (_e, _r, d) => delays.push(d) }));
  expect(delays).toEqual([80]);
});

describe('deadlines', () => {
  test('each attempt gets now + perAttemptTimeoutMs, capped by the total deadline', async () => {
    const started = Date.now();
    const a = scripted([]);
    await callWithRetry(a, ctx({ perAttemptTimeoutMs: 300, totalTimeoutMs: 10_000 }));
    expect(a.calls[0]!.deadline - started).toBeGreaterThanOrEqual(300);
    expect(a.calls[0]!.deadline - started).toBeLessThan(350);
    const b = scripted([]);
    const t = Date.now();
    await callWithRetry(b, ctx({ perAttemptTimeoutMs: 10_000, totalTimeoutMs: 200 }));
    expect(b.calls[0]!.deadline - t).toBeGreaterThanOrEqual(200);
    expect(b.calls[0]!.deadline - t).toBeLessThan(250);
  });

  test('DEADLINE_EXCEEDED under our own per-attempt timeout is retried', async () => {
    const attempt = scripted([
      statusError(Code.DEADLINE_EXCEEDED, 'Deadline exceeded'),
      statusError(Code.DEADLINE_EXCEEDED, 'Deadline exceeded'),
    ]);
    await expect(
      callWithRetry(attempt, ctx({ perAttemptTimeoutMs: 50, totalTimeoutMs: 10_000 })),
    ).resolves.toEqual({ value: 'ok', attempts: 3 });
  });

  test('DEADLINE_EXCEEDED at the total deadline is never retried and says so', async () => {
    const attempt = scripted([statusError(Code.DEADLINE_EXCEEDED, 'Deadline exceeded')]);
    const err = await rejection(
      callWithRetry(attempt, ctx({ perAttemptTimeoutMs: 10_000, totalTimeoutMs: 50 })),
    );
    expect(attempt.calls).toHaveLength(1);
    expect(err).toMatchObject({ code: Code.DEADLINE_EXCEEDED, outcome: 'error', attempts: 1 });
    expect(err.rawMessage).toMatch(/total timeout of 50 ms exceeded after 1 attempt/);
  });

  test('a backoff that would outlive the total deadline ends the call with the last error', async () => {
    const attempt = scripted([statusError(Code.UNAVAILABLE), statusError(Code.UNAVAILABLE)]);
    const started = Date.now();
    const err = await rejection(
      callWithRetry(attempt, ctx({ initialDelayMs: 2000, maxDelayMs: 2000, totalTimeoutMs: 500 })),
    );
    expect(err.code).toBe(Code.UNAVAILABLE);
    expect(attempt.calls).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(300);
  });
});

describe('abort and close', () => {
  test('an already aborted signal sends nothing: attempts 0, outcome aborted', async () => {
    const attempt = scripted([]);
    const ac = new AbortController();
    ac.abort();
    const err = await rejection(callWithRetry(attempt, ctx({}, { signal: ac.signal })));
    expect(attempt.calls).toHaveLength(0);
    expect(err).toMatchObject({ outcome: 'aborted', code: Code.CANCELLED, attempts: 0 });
    expect(err.rawMessage).toBe('aborted by the caller');
  });

  test('aborting during an attempt is outcome aborted, not the transport error', async () => {
    const ac = new AbortController();
    const attempt: Attempt<string> = () =>
      new Promise((_resolve, reject) => {
        ac.signal.addEventListener('abort', () => reject(statusError(Code.CANCELLED, 'Cancelled on client')));
      });
    setTimeout(() => ac.abort(), 20);
    const err = await rejection(callWithRetry(attempt, ctx({}, { signal: ac.signal })));
    expect(err).toMatchObject({ outcome: 'aborted', attempts: 1 });
  });

  test('aborting during the backoff wait stops at once', async () => {
    const ac = new AbortController();
    const attempt = scripted([statusError(Code.RESOURCE_EXHAUSTED, 'quota', [retryInfo(5000)])]);
    const started = Date.now();
    setTimeout(() => ac.abort(new Error('user pressed Ctrl-C')), 30);
    const err = await rejection(callWithRetry(attempt, ctx({}, { signal: ac.signal })));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err).toMatchObject({ outcome: 'aborted', attempts: 1 });
    expect((err.cause as Error).message).toBe('user pressed Ctrl-C');
    expect(attempt.calls).toHaveLength(1);
  });

  test('a closed owner turns the in-flight failure into aborted "the client was closed"', async () => {
    let closed = false;
    const attempt: Attempt<string> = async () => {
      closed = true;
      throw statusError(Code.CANCELLED, 'Cancelled on client');
    };
    const err = await rejection(callWithRetry(attempt, ctx({}, { isClosed: () => closed })));
    expect(err).toMatchObject({ outcome: 'aborted', attempts: 1, rawMessage: 'the client was closed' });
  });

  test("the server's own CANCELLED (no abort, not closed) is an error, not aborted", async () => {
    const err = await rejection(
      callWithRetry(scripted([statusError(Code.CANCELLED, 'server cancelled')]), ctx({ maxAttempts: 1 })),
    );
    expect(err).toMatchObject({ outcome: 'error', code: Code.CANCELLED, attempts: 1 });
  });
});

describe('an attempt that throws instead of rejecting', () => {
  test('on the first attempt: a rejection (never a synchronous throw), retried like any failure', async () => {
    let n = 0;
    const attempt: Attempt<string> = () => {
      n++;
      if (n === 1) throw statusError(grpc.status.UNAVAILABLE);
      return Promise.resolve('ok');
    };
    let p: Promise<unknown> | undefined;
    expect(() => {
      p = callWithRetry(attempt, ctx());
    }).not.toThrow();
    await expect(p).resolves.toEqual({ value: 'ok', attempts: 2 });
  });

  test('on a later attempt: counted, and its error is the result once attempts run out', async () => {
    let n = 0;
    const attempt: Attempt<string> = () => {
      n++;
      if (n === 1) return Promise.reject(statusError(grpc.status.UNAVAILABLE));
      throw statusError(grpc.status.INTERNAL, 'thrown');
    };
    const err = (await callWithRetry(attempt, ctx()).catch((e: unknown) => e)) as OperationsError;
    expect(err).toBeInstanceOf(OperationsError);
    expect(err).toMatchObject({ code: Code.INTERNAL, attempts: 2 });
  });

  test('aborted during the backoff: the attempts made so far, outcome aborted', async () => {
    const ac = new AbortController();
    const attempt = scripted([statusError(grpc.status.UNAVAILABLE), statusError(grpc.status.UNAVAILABLE)]);
    const p = callWithRetry(
      attempt,
      ctx({ initialDelayMs: 500, maxDelayMs: 500 }, { signal: ac.signal, random: () => 1 }),
    );
    await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    await expect(p).rejects.toMatchObject({ outcome: 'aborted', attempts: 1 });
    expect(attempt.calls).toHaveLength(1);
  });
});
