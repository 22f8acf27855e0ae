// WaitOperation honours the caller's deadline: the latest state just before it, not
// DEADLINE_EXCEEDED; a negative timeout is refused.
import { Code } from '../../src/errors/status-code';
import { useEmulator } from '../helpers/emulator';
import { rawClient, statusOf, type RawClient } from './helpers/raw-client';

const emu = useEmulator();
const OP = 'projects/p/locations/l/operations/w';
let client: RawClient;

beforeAll(() => {
  client = rawClient(emu.get().target, 'dataplex.googleapis.com');
});
afterAll(() => client.close());

test('a 1 s deadline with a 3 s timeout gets the running operation before the deadline', async () => {
  emu.get().store.seed({ name: OP, service: 'dataplex' });
  const started = Date.now();
  const op = await client.call('WaitOperation', { name: OP, timeout: { seconds: 3 } }, 1000);
  expect(op).toMatchObject({ name: OP, done: false });
  // Answered within the deadline (the call succeeded), and it did wait most of it.
  expect(Date.now() - started).toBeGreaterThanOrEqual(500);
});

test('an operation that finishes during the wait is returned done', async () => {
  emu.get().store.seed({ name: OP, service: 'dataplex', settleMs: 200 });
  const cancelled = client.call('CancelOperation', { name: OP });
  await cancelled;
  const op = await client.call('WaitOperation', { name: OP, timeout: { seconds: 5 } }, 10_000);
  expect(op).toMatchObject({ name: OP, done: true, error: { code: Code.CANCELLED } });
});

test('the timeout ends the wait when it is shorter than the deadline', async () => {
  emu.get().store.seed({ name: OP, service: 'dataplex' });
  const started = Date.now();
  const op = await client.call('WaitOperation', { name: OP, timeout: { nanos: 100_000_000 } }, 10_000);
  expect(op).toMatchObject({ done: false });
  expect(Date.now() - started).toBeLessThan(5000);
});

test('a negative or malformed timeout is INVALID_ARGUMENT', async () => {
  emu.get().store.seed({ name: OP, service: 'dataplex' });
  for (const timeout of [{ seconds: -1 }, { nanos: -5 }, { seconds: 1, nanos: -1 }]) {
    const err = await statusOf(client.call('WaitOperation', { name: OP, timeout }));
    expect(err.code).toBe(Code.INVALID_ARGUMENT);
    expect(err.details).toMatch(/timeout/);
  }
});
