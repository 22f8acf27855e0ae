// Run from a fresh project that installed only the packed tarball: the library as CommonJS
// requires it. Exits non-zero if anything is not what the README promises.
const assert = require('node:assert/strict');
const { createCanceller, OperationsError, VERSION } = require('lro-cancel');
const { startOperationsEmulator } = require('lro-cancel/emulator');

async function main() {
  // One copy of the module state: the class that `import` gives is the one `require` gives.
  const imported = await import('lro-cancel');
  assert.equal(imported.OperationsError, OperationsError, 'require and import give one OperationsError');

  const emulator = await startOperationsEmulator();
  const canceller = createCanceller({ emulator: emulator.target });
  try {
    emulator.store.seed({ name: 'projects/p/operations/cjs-1', service: 'datastore' });
    const confirmed = await canceller.cancelAndConfirm(
      '//datastore.googleapis.com/projects/p/operations/cjs-1',
    );
    assert.equal(confirmed.outcome, 'cancelled');

    const error = await canceller
      .getOperation('//datastore.googleapis.com/projects/p/operations/missing')
      .then(
        () => undefined,
        (e) => e,
      );
    assert.ok(error instanceof OperationsError, 'instanceof the required class');
    assert.ok(error instanceof imported.OperationsError, 'instanceof the imported class');
    assert.equal(error.outcome, 'not-found');

    // The record schema ships as a file too, and is the one the library exports.
    const schemaFile = require('lro-cancel/records.schema.json');
    assert.deepEqual(schemaFile, require('lro-cancel').recordsSchema);
    assert.ok(schemaFile.$defs.result.required.includes('kind'));
  } finally {
    await canceller.close();
    await emulator.stop();
  }
  console.log(`cjs consumer ok (lro-cancel ${VERSION}, node ${process.version})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
