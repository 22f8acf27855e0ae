// The emulator as a client nobody here wrote sees it: google-gax's own OperationsClient
// (auto-paging, its error mapping, its routing header), over real gRPC on loopback.
import * as gax from 'google-gax';
import { Code } from '../../src/errors/status-code';
import { startOperationsEmulator, type OperationsEmulator } from '../../src/emulator';
import { useEmulator } from '../helpers/emulator';

jest.setTimeout(30_000);
const emu = useEmulator();
const PARENT = 'projects/p/locations/l';

type OperationsClient = ReturnType<ReturnType<typeof gax.lro>['operationsClient']>;

function gaxClient(target: string, authority?: string): OperationsClient {
  const colon = target.lastIndexOf(':');
  return gax.lro({ universeDomain: 'googleapis.com' }).operationsClient({
    servicePath: target.slice(0, colon),
    port: Number(target.slice(colon + 1)),
    sslCreds: gax.grpc.credentials.createInsecure(),
    universeDomain: 'googleapis.com',
    // gax hands grpc.* options to its channel: a client that names the service host.
    ...(authority ? { 'grpc.default_authority': authority } : {}),
  } as never);
}

async function codeOf(p: Promise<unknown>): Promise<{ code?: number; details?: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: number; details?: string };
  }
  throw new Error('expected a failure');
}

test('listOperationsAsync pages to the end, with a page size and a filter', async () => {
  const e = emu.get();
  for (let i = 0; i < 11; i++)
    e.store.seed({
      name: `${PARENT}/operations/g${i}`,
      service: 'dataplex',
      ...(i < 4 ? { doneAs: 'completed' as const } : {}),
    });
  e.store.seed({ name: `${PARENT}/operations/g0`, service: 'privateca' }); // same name, other service
  const client = gaxClient(e.target, 'dataplex.googleapis.com');
  try {
    const names: string[] = [];
    for await (const op of client.listOperationsAsync({ name: PARENT, pageSize: 3 } as never))
      names.push(op.name as string);
    expect(names).toEqual(Array.from({ length: 11 }, (_, i) => `${PARENT}/operations/g${i}`));
    expect(e.callsOf('ListOperations')).toHaveLength(4);
    const running: string[] = [];
    for await (const op of client.listOperationsAsync({
      name: PARENT,
      pageSize: 2,
      filter: 'done=false',
    } as never))
      running.push(op.name as string);
    expect(running).toHaveLength(7);
    // Every operation carries its service's metadata type.
    const [op] = await client.getOperation({ name: `${PARENT}/operations/g5` } as never);
    expect(op.metadata?.type_url).toBe('type.googleapis.com/google.cloud.dataplex.v1.OperationMetadata');
  } finally {
    client.close();
  }
});

test('bad requests are INVALID_ARGUMENT through gax: negative page size, empty and malformed names', async () => {
  const e = emu.get();
  e.store.seed({ name: `${PARENT}/operations/x`, service: 'dataplex' });
  const client = gaxClient(e.target, 'dataplex.googleapis.com');
  try {
    const negative = await codeOf(client.listOperations({ name: PARENT, pageSize: -5 } as never));
    expect(negative.code).toBe(Code.INVALID_ARGUMENT);
    for (const name of [
      '',
      'garbage',
      `${PARENT}/operations/x/`,
      `//dataplex.googleapis.com/${PARENT}/operations/x`,
    ]) {
      for (const call of [
        () => client.getOperation({ name } as never),
        () => client.cancelOperation({ name } as never),
        () => client.deleteOperation({ name } as never),
      ]) {
        expect([name, (await codeOf(call())).code]).toEqual([name, Code.INVALID_ARGUMENT]);
      }
    }
    expect(e.store.get(`${PARENT}/operations/x`, 'dataplex')?.cancelRequests).toBe(0);
  } finally {
    client.close();
  }
});

test('gax with no service host (loopback authority): the default service; a regional host is named as not served', async () => {
  let e: OperationsEmulator | undefined;
  try {
    e = await startOperationsEmulator({ defaultService: 'privateca' });
    e.store.seed({ name: `${PARENT}/operations/c`, service: 'privateca' });
    e.store.seed({ name: `${PARENT}/operations/c`, service: 'dataplex' });
    const plain = gaxClient(e.target);
    try {
      await plain.cancelOperation({ name: `${PARENT}/operations/c` } as never);
    } finally {
      plain.close();
    }
    expect(e.store.get(`${PARENT}/operations/c`, 'privateca')?.cancelRequests).toBe(1);
    expect(e.store.get(`${PARENT}/operations/c`, 'dataplex')?.cancelRequests).toBe(0);
    const regional = gaxClient(e.target, 'us-central1-dataplex.googleapis.com');
    try {
      const err = await codeOf(regional.getOperation({ name: `${PARENT}/operations/c` } as never));
      expect(err.code).toBe(Code.UNIMPLEMENTED);
      expect(err.details).toMatch(
        /host "us-central1-dataplex\.googleapis\.com" is not served.*dataplex\.googleapis\.com/,
      );
    } finally {
      regional.close();
    }
  } finally {
    await e?.stop();
  }
});

test('a gax deadline shorter than the server latency ends in DEADLINE_EXCEEDED at the client; the emulator records the deadline it was sent', async () => {
  const e = emu.get();
  e.store.seed({ name: `${PARENT}/operations/slow`, service: 'dataplex' });
  e.setFaults('dataplex', { latencyMs: 1500 });
  const client = gaxClient(e.target, 'dataplex.googleapis.com');
  try {
    const err = await codeOf(
      client.getOperation(
        { name: `${PARENT}/operations/slow` } as never,
        { timeout: 300, retry: null } as never,
      ),
    );
    expect(err.code).toBe(Code.DEADLINE_EXCEEDED);
    const call = e.callsOf('GetOperation')[0];
    // The emulator saw (and logs) the caller's deadline.
    expect(call?.deadline).toBeGreaterThan(call?.at ?? Infinity);
    expect((call?.deadline ?? 0) - (call?.at ?? 0)).toBeLessThan(2000);
  } finally {
    client.close();
  }
});
