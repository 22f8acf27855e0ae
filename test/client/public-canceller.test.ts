// createCanceller returns the public Canceller type; the batch engine reaches the internal surface
// of that same object through callerOf. A canceller the library did not make is refused before
// any call, rather than failing deep inside the batch on a missing internal method.
import { cancelAll, cancelMany, createCanceller, type BatchRecord, type Canceller } from '../../src';
import { callerOf } from '../../src/client/canceller';
import { useEmulator } from '../helpers/emulator';

const emu = useEmulator();

/** Has every public method, so it type-checks as a Canceller, yet createCanceller did not make it. */
function lookalike(): Canceller {
  const c = createCanceller({ emulator: emu.get().target });
  return {
    cancel: (name, o) => c.cancel(name, o),
    cancelAndConfirm: (name, o) => c.cancelAndConfirm(name, o),
    getOperation: (name, o) => c.getOperation(name, o),
    listOperations: (parent, o) => c.listOperations(parent, o),
    close: () => c.close(),
  };
}

test('cancelMany uses the canceller createCanceller returned, and leaves it open', async () => {
  const e = emu.get();
  e.store.seed({ name: 'projects/p/operations/pub-1', service: 'datastore' });
  const c = createCanceller({ emulator: e.target });
  try {
    const recs: BatchRecord[] = [];
    for await (const r of cancelMany(['//datastore.googleapis.com/projects/p/operations/pub-1'], {
      canceller: c,
    }))
      recs.push(r);
    expect(recs.map((r) => r.outcome)).toEqual(['cancel-requested']);
    // The run's calls went over this canceller's channel, which is still open.
    expect(callerOf(c).stubs()).toHaveLength(1);
    expect((await c.cancel('//datastore.googleapis.com/projects/p/operations/pub-1')).outcome).toBe(
      'cancelled',
    );
  } finally {
    await c.close();
  }
});

test('callerOf gives back the very object createCanceller returned', () => {
  const c = createCanceller({ emulator: emu.get().target });
  expect(callerOf(c)).toBe(c);
});

test('a canceller createCanceller did not make is refused with a TypeError, before any call', async () => {
  const fake = lookalike();
  try {
    const run = async (): Promise<void> => {
      for await (const _ of cancelMany(['//datastore.googleapis.com/projects/p/operations/x'], {
        canceller: fake,
      }))
        void _;
    };
    await expect(run()).rejects.toThrow(
      new TypeError('canceller: pass an object that createCanceller() returned'),
    );
    await expect(cancelAll('//datastore.googleapis.com/projects/p', { canceller: fake })).rejects.toThrow(
      TypeError,
    );
    expect(emu.get().calls).toHaveLength(0);
  } finally {
    await fake.close();
  }
});
