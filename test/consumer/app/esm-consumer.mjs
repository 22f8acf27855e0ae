// Run from a fresh project that installed only the packed tarball: the library as an ES module
// imports it. Exits non-zero (an uncaught error) if anything is not what the README promises.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createCanceller, cancelMany, OperationsError, VERSION } from 'lro-cancel';
import { startOperationsEmulator } from 'lro-cancel/emulator';

// One copy of the module state: the class that `require` gives is the one `import` gives.
const required = createRequire(import.meta.url)('lro-cancel');
assert.equal(required.OperationsError, OperationsError, 'import and require give one OperationsError');
assert.equal(required.createCanceller, createCanceller);

const emulator = await startOperationsEmulator();
const canceller = createCanceller({ emulator: emulator.target });
try {
  emulator.store.seed({ name: 'projects/p/operations/esm-1', service: 'datastore' });
  emulator.store.seed({ name: 'projects/p/operations/esm-2', service: 'datastore' });
  const result = await canceller.cancel('//datastore.googleapis.com/projects/p/operations/esm-1');
  assert.equal(result.outcome, 'cancel-requested');
  assert.equal(
    emulator.store.get('projects/p/operations/esm-1')?.error?.code,
    1,
    'the emulator saw the cancel',
  );

  // A batch over the caller's canceller.
  const outcomes = [];
  for await (const record of cancelMany(['//datastore.googleapis.com/projects/p/operations/esm-2'], {
    canceller,
  }))
    outcomes.push(record.outcome);
  assert.deepEqual(outcomes, ['cancel-requested']);

  // An error thrown by the library is an OperationsError by either entry point's class.
  const error = await canceller.cancel('not a name').then(
    () => undefined,
    (e) => e,
  );
  assert.ok(error instanceof OperationsError, 'instanceof the imported class');
  assert.ok(error instanceof required.OperationsError, 'instanceof the required class');
  assert.equal(error.outcome, 'invalid-name');
} finally {
  await canceller.close();
  await emulator.stop();
}
console.log(`esm consumer ok (lro-cancel ${VERSION}, node ${process.version})`);
