// Compiled (never run) in a fresh project that installed only the packed tarball, under strict
// with skipLibCheck: false. Each @ts-expect-error below is a misuse that must not compile: if a
// declaration degrades to `any`, the misuse compiles, the directive is unused, and tsc fails.
import {
  cancelMany,
  createCanceller,
  OperationsError,
  type BatchRecord,
  type CancelResult,
  type Canceller,
  type Outcome,
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

export async function uses(): Promise<void> {
  const emulator = await startOperationsEmulator();
  const canceller = createCanceller({ emulator: emulator.target, retry: { maxAttempts: 2 } });

  const result: CancelResult = await canceller.cancel('//datastore.googleapis.com/projects/p/operations/o');
  const outcome: 'cancel-requested' | 'cancelled' | 'completed' | 'failed' = result.outcome;

  // @ts-expect-error cancel() resolves to a CancelResult, not a number
  const n: number = await canceller.cancel('//datastore.googleapis.com/projects/p/operations/o');

  // @ts-expect-error no such option
  createCanceller({ emulatr: '127.0.0.1:1' });

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
  void [outcome, n, wrong, returnsCanceller, resultIsTyped, emulatorIsTyped, recordIsTyped];
}
