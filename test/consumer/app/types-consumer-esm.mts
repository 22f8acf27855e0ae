// The same package seen from an ES module (nodenext/node16 resolve 'lro-cancel' through
// `exports` for import here, for require in types-consumer.ts).
import { createCanceller, type Canceller } from 'lro-cancel';
import { startOperationsEmulator } from 'lro-cancel/emulator';

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const typed: Same<ReturnType<typeof createCanceller>, Canceller> = true;

const emulator = await startOperationsEmulator();
const canceller = createCanceller({ emulator: emulator.target });
// @ts-expect-error cancel() resolves to a CancelResult, not a number
const n: number = await canceller.cancel('//datastore.googleapis.com/projects/p/operations/o');
await canceller.close();
await emulator.stop();
void [typed, n];
