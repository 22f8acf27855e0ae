// Compiled (never run) in a fresh project that installed only the packed tarball, under strict
// with skipLibCheck: false. Each @ts-expect-error below is a misuse that must not compile: if a
// declaration degrades to `any`, the misuse compiles, the directive is unused, and tsc fails.
import {
  cancelMany,
  createCanceller,
  OperationsError,
  type AttemptEvent,
  type BatchRecord,
  type CancelResult,
  type Canceller,
  type CodeName,
  type ObservabilityHooks,
  type Outcome,
  type ResultEvent,
  type RetryEvent,
  type RpcMethod,
  type TransportKind,
} from 'lro-cancel';
import { startOperationsEmulator, type OperationsEmulator } from 'lro-cancel/emulator';

/** true when T is `any` (nothing else is both 0 and 1 & T). */
type IsAny<T> = 0 extends 1 & T ? true : false;
/** true when A and B are the same type (an unresolved type, which is not `any` here, is neither). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const returnsCanceller: Same<ReturnType<typeof createCanceller>, Canceller> = true;
const resultIsTyped: Same<Awaited<ReturnType<Canceller['cancel']>>, CancelResult> = true;
const emulatorIsTyped: IsAny<OperationsEmulator> = false;
const recordIsTyped: IsAny<BatchRecord> = false;
const transportKinds: Same<TransportKind, 'grpc' | 'rest'> = true;
// The hooks' events are the exported event types, field by field, not `any`.
type EventOf<K extends keyof ObservabilityHooks> = Parameters<NonNullable<ObservabilityHooks[K]>>[0];
const resultEventIsTyped: Same<EventOf<'onResult'>, ResultEvent> = true;
const attemptEventIsTyped: Same<EventOf<'onAttempt'>, AttemptEvent> = true;
const retryEventIsTyped: Same<EventOf<'onRetry'>, RetryEvent> = true;
const resultFields: Same<
  ResultEvent,
  {
    name: string;
    service: string;
    outcome: Outcome;
    code: number;
    codeName: CodeName;
    attempts: number;
    latencyMs: number;
  }
> = true;
const attemptMethod: Same<AttemptEvent['method'], RpcMethod> = true;

export async function uses(): Promise<void> {
  const emulator = await startOperationsEmulator();
  const canceller = createCanceller({ emulator: emulator.target, retry: { maxAttempts: 2 } });

  const result: CancelResult = await canceller.cancel('//datastore.googleapis.com/projects/p/operations/o');
  const outcome: 'cancel-requested' | 'cancelled' | 'completed' | 'failed' = result.outcome;

  // @ts-expect-error cancel() resolves to a CancelResult, not a number
  const n: number = await canceller.cancel('//datastore.googleapis.com/projects/p/operations/o');

  // @ts-expect-error no such option
  createCanceller({ emulatr: '127.0.0.1:1' });

  // REST: the same client over HTTP/1.1 + JSON, for the library and for cancelMany.
  const overRest = createCanceller({ emulator: emulator.restTarget, transport: 'rest' });
  const restResult: CancelResult = await overRest.cancel(
    '//datastore.googleapis.com/projects/p/operations/o',
  );
  await overRest.close();
  for await (const record of cancelMany([], { emulator: emulator.restTarget, transport: 'rest' }))
    void record;
  // @ts-expect-error 'http' is not a transport (grpc or rest)
  createCanceller({ transport: 'http' });
  // @ts-expect-error nor for cancelMany
  cancelMany([], { transport: 'http' });

  // Observability hooks: each event's fields are typed.
  createCanceller({
    hooks: {
      onResult: (e) => {
        const o: Outcome = e.outcome;
        const c: CodeName = e.codeName;
        const ms: number = e.latencyMs;
        // @ts-expect-error outcome is an Outcome, not a number
        const bad: number = e.outcome;
        // @ts-expect-error no such field on a result event
        void e.token;
        // @ts-expect-error 'canceled' is not an outcome
        if (e.outcome === 'canceled') void 0;
        void [o, c, ms, bad];
      },
      onAttempt: (e) => {
        const m: RpcMethod = e.method;
        // @ts-expect-error 'Cancel' is not an RpcMethod
        if (e.method === 'Cancel') void 0;
        const message: string | undefined = e.message;
        void [m, message];
      },
      onRetry: (e) => {
        const delay: number = e.delayMs;
        // @ts-expect-error delayMs is a number
        const s: string = e.delayMs;
        void [delay, s];
      },
    },
  });
  createCanceller({
    // @ts-expect-error a hook takes its event, not a string
    hooks: { onResult: (e: string) => void e },
  });

  // @ts-expect-error 'canceled' is not an outcome (the outcome is 'cancelled')
  if (result.outcome === 'canceled') void 0;

  // @ts-expect-error not an Outcome
  const wrong: Outcome = 'canceled';

  // cancelMany takes what createCanceller returns, and nothing else.
  for await (const record of cancelMany(['//datastore.googleapis.com/projects/p/operations/o'], {
    canceller,
  })) {
    const o: Outcome = record.outcome;
    void o;
  }
  // @ts-expect-error a canceller is not a number
  cancelMany([], { canceller: 42 });

  try {
    await canceller.cancel('x');
  } catch (e) {
    if (e instanceof OperationsError) {
      const code: number = e.code;
      // @ts-expect-error the code is a number
      const s: string = e.code;
      void code;
      void s;
    }
  }
  await canceller.close();
  await emulator.stop();
  void [outcome, n, wrong, returnsCanceller, resultIsTyped, emulatorIsTyped, recordIsTyped, restResult];
  void [
    transportKinds,
    resultEventIsTyped,
    attemptEventIsTyped,
    retryEventIsTyped,
    resultFields,
    attemptMethod,
  ];
}
