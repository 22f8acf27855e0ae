import { createCanceller } from '../../src';
import { useEmulator } from '../helpers/emulator';

const emu = useEmulator();

test('cancel over real gRPC reaches the emulator and the operation ends cancelled', async () => {
  const e = emu.get();
  e.store.seed({ name: 'projects/p/locations/l/operations/o1', service: 'dataplex' });
  const c = createCanceller({ emulator: e.target });
  try {
    const r = await c.cancel('//dataplex.googleapis.com/projects/p/locations/l/operations/o1');
    expect(r).toMatchObject({ outcome: 'cancel-requested', attempts: 1, service: 'dataplex' });
    expect(e.store.get('projects/p/locations/l/operations/o1')?.error?.code).toBe(1);
    const call = e.callsOf('CancelOperation')[0];
    expect(call?.service).toBe('dataplex');
    expect(call?.requestParams).toBe('name=projects%2Fp%2Flocations%2Fl%2Foperations%2Fo1');
    expect(call?.apiClient).toMatch(/lro-cancel\/\d/);
  } finally {
    await c.close();
  }
});
