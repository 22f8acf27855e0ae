// Which service a call is for comes from its :authority: a service host is that service; a
// loopback authority is the emulator's default service (none unless set), never every service
// at once; a host not served is UNIMPLEMENTED naming the hosts that are.
import { Code } from '../../src/errors/status-code';
import { startOperationsEmulator, type OperationsEmulator } from '../../src/emulator';
import { useEmulator } from '../helpers/emulator';
import { rawClient, statusOf } from './helpers/raw-client';

const emu = useEmulator();
const PARENT = 'projects/p/locations/l';
const OP = `${PARENT}/operations/o`;

function seedThree(e: OperationsEmulator): void {
  for (const service of ['datalineage', 'dataplex', 'privateca']) e.store.seed({ name: OP, service });
}

async function listNames(target: string, authority: string | undefined): Promise<number> {
  const c = rawClient(target, authority);
  try {
    return ((await c.call('ListOperations', { name: PARENT })).operations as unknown[]).length;
  } finally {
    c.close();
  }
}

test('a loopback authority without a default service sees the operations of no service, and says why', async () => {
  const e = emu.get();
  seedThree(e);
  e.store.seed({ name: `${PARENT}/operations/shared` }); // no service: everyone sees it
  for (const authority of [undefined, 'localhost', `localhost:${e.port}`, '[::1]:1']) {
    expect(await listNames(e.target, authority)).toBe(1);
  }
  const c = rawClient(e.target);
  try {
    const err = await statusOf(c.call('GetOperation', { name: OP }));
    expect(err.code).toBe(Code.NOT_FOUND);
    expect(err.details).toMatch(/no default service.*datalineage, dataplex, privateca/);
    expect(await c.call('GetOperation', { name: `${PARENT}/operations/shared` })).toMatchObject({
      done: false,
    });
  } finally {
    c.close();
  }
  expect(e.calls.every((call) => call.service === '*')).toBe(true);
});

test('each service host sees its own operation (and those seeded without a service)', async () => {
  const e = emu.get();
  seedThree(e);
  e.store.seed({ name: `${PARENT}/operations/shared` });
  for (const host of [
    'datalineage.googleapis.com',
    'dataplex.googleapis.com:443',
    'PRIVATECA.googleapis.com',
  ]) {
    expect(await listNames(e.target, host)).toBe(2);
  }
  expect(await listNames(e.target, 'datastore.googleapis.com')).toBe(1);
});

test('defaultService: a loopback authority is that service', async () => {
  const e = await startOperationsEmulator({ defaultService: 'dataplex' });
  try {
    seedThree(e);
    e.store.seed({ name: `${PARENT}/operations/only-dataplex`, service: 'dataplex' });
    expect(await listNames(e.target, undefined)).toBe(2);
    const c = rawClient(e.target);
    try {
      await c.call('CancelOperation', { name: OP });
    } finally {
      c.close();
    }
    expect(e.store.get(OP, 'dataplex')?.cancelRequests).toBe(1);
    expect(e.store.get(OP, 'privateca')?.cancelRequests).toBe(0);
    expect(e.calls.map((call) => call.service)).toEqual(['dataplex', 'dataplex']);
  } finally {
    await e.stop();
  }
});

test('an unknown or regional host is UNIMPLEMENTED naming the hosts served, not NOT_FOUND', async () => {
  const e = emu.get();
  seedThree(e);
  e.store.seed({ name: 'a/operations/1', service: 'custom.example.com' });
  for (const host of ['foo.googleapis.com', 'us-central1-dataplex.googleapis.com']) {
    const c = rawClient(e.target, host);
    try {
      for (const [method, name] of [
        ['GetOperation', OP],
        ['ListOperations', PARENT],
      ] as const) {
        const err = await statusOf(c.call(method, { name }));
        expect(err.code).toBe(Code.UNIMPLEMENTED);
        expect(err.details).toContain(`host "${host}" is not served`);
        expect(err.details).toContain('dataplex.googleapis.com');
        expect(err.details).toContain('custom.example.com');
      }
    } finally {
      c.close();
    }
  }
  // A custom host some seed names is served.
  const custom = rawClient(e.target, 'custom.example.com');
  try {
    expect(await custom.call('GetOperation', { name: 'a/operations/1' })).toMatchObject({ done: false });
  } finally {
    custom.close();
  }
});
