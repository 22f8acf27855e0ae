// Names are checked alike on every method (INVALID_ARGUMENT before any lookup), and the store
// holds one operation per (service, name): three services share the location shape.
import { Code } from '../../src/errors/status-code';
import { useEmulator } from '../helpers/emulator';
import { rawClient, statusOf } from './helpers/raw-client';

const emu = useEmulator();
const OP = 'projects/p/locations/l/operations/same';
const METHODS = ['GetOperation', 'CancelOperation', 'DeleteOperation', 'WaitOperation'];

test('empty and malformed names are INVALID_ARGUMENT on every method, before any lookup', async () => {
  const e = emu.get();
  e.store.seed({ name: OP, service: 'dataplex' });
  const c = rawClient(e.target, 'dataplex.googleapis.com');
  try {
    const bad = [
      '',
      'garbage',
      `${OP}/`,
      ` ${OP}`,
      `//dataplex.googleapis.com/${OP}`,
      'projects//operations/x',
      'operations/x',
      `${OP}\n`,
    ];
    for (const method of METHODS) {
      for (const name of bad) {
        const err = await statusOf(c.call(method, { name }));
        expect([method, name, err.code]).toEqual([method, name, Code.INVALID_ARGUMENT]);
      }
    }
    expect(e.store.get(OP, 'dataplex')?.cancelRequests).toBe(0);
    // A well-formed name nobody seeded stays NOT_FOUND.
    const missing = await statusOf(
      c.call('GetOperation', { name: 'projects/p/locations/l/operations/nope' }),
    );
    expect(missing.code).toBe(Code.NOT_FOUND);
  } finally {
    c.close();
  }
});

test('the same relative name seeded for two services is two operations', async () => {
  const e = emu.get();
  e.store.seed({ name: OP, service: 'dataplex' });
  e.store.seed({ name: OP, service: 'privateca.googleapis.com', doneAs: 'completed' });
  expect(e.store.get(OP, 'dataplex')?.done).toBe(false);
  expect(e.store.get(OP, 'privateca')?.done).toBe(true);
  const dataplex = rawClient(e.target, 'dataplex.googleapis.com');
  const privateca = rawClient(e.target, 'privateca.googleapis.com');
  const lineage = rawClient(e.target, 'datalineage.googleapis.com');
  try {
    await dataplex.call('CancelOperation', { name: OP });
    expect(await dataplex.call('GetOperation', { name: OP })).toMatchObject({
      done: true,
      error: { code: 1 },
    });
    // privateca's operation is untouched: still completed with a response, not cancelled.
    expect(await privateca.call('GetOperation', { name: OP })).toMatchObject({
      done: true,
      result: 'response',
    });
    const notThere = await statusOf(lineage.call('GetOperation', { name: OP }));
    expect(notThere.code).toBe(Code.NOT_FOUND);
    expect(notThere.details).toMatch(/exists for dataplex, privateca/);
    await privateca.call('DeleteOperation', { name: OP });
    expect(e.store.get(OP, 'privateca')).toBeUndefined();
    expect(e.store.get(OP, 'dataplex')).toBeDefined();
  } finally {
    dataplex.close();
    privateca.close();
    lineage.close();
  }
});
