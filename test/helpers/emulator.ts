import { startOperationsEmulator, type EmulatorOptions, type OperationsEmulator } from '../../src/emulator';

/** Start an emulator on 127.0.0.1:0 for one test file; stopped in afterAll. */
export function useEmulator(options: EmulatorOptions = {}): { get: () => OperationsEmulator } {
  let emulator: OperationsEmulator | undefined;
  beforeAll(async () => {
    emulator = await startOperationsEmulator(options);
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  beforeEach(() => {
    emulator?.store.clear();
    emulator?.clearFaults();
    if (emulator) emulator.calls.length = 0;
  });
  return {
    get: () => {
      if (!emulator) throw new Error('emulator not started');
      return emulator;
    },
  };
}
