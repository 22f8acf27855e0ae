// ListOperations as Google's servers answer it: bad page sizes and tokens are INVALID_ARGUMENT,
// tokens are opaque and tied to their list, and paging to the end always ends.
import { Code } from '../../src/errors/status-code';
import { useEmulator } from '../helpers/emulator';
import { rawClient, statusOf, type RawClient } from './helpers/raw-client';

const emu = useEmulator();
const PARENT = 'projects/p/locations/l';
let client: RawClient;

beforeAll(() => {
  client = rawClient(emu.get().target, 'dataplex.googleapis.com');
});
afterAll(() => client.close());

function seed(n: number): void {
  for (let i = 0; i < n; i++) {
    emu.get().store.seed({
      name: `${PARENT}/operations/o${i}`,
      service: 'dataplex',
      ...(i % 2 ? { doneAs: 'completed' as const } : {}),
    });
  }
}

async function listAll(request: Record<string, unknown>): Promise<{ names: string[]; pages: number }> {
  const names: string[] = [];
  let token = '';
  let pages = 0;
  do {
    const res = await client.call('ListOperations', { ...request, pageToken: token });
    pages++;
    if (pages > 100) throw new Error('paging did not end');
    for (const op of res.operations as { name: string }[]) names.push(op.name);
    token = res.nextPageToken as string;
  } while (token);
  return { names, pages };
}

test('a negative page_size is INVALID_ARGUMENT', async () => {
  seed(5);
  const err = await statusOf(client.call('ListOperations', { name: PARENT, pageSize: -1 }));
  expect(err.code).toBe(Code.INVALID_ARGUMENT);
  expect(err.details).toMatch(/page_size/);
});

test('paging to the end terminates, with every operation once (page sizes 1, 3, 0 = default)', async () => {
  seed(7);
  for (const pageSize of [1, 3, 0]) {
    const { names, pages } = await listAll({ name: PARENT, pageSize });
    expect(names).toHaveLength(7);
    expect(new Set(names).size).toBe(7);
    expect(pages).toBe(pageSize === 0 ? 1 : Math.ceil(7 / pageSize));
  }
  const { names } = await listAll({ name: PARENT, pageSize: 2, filter: 'done = false' });
  expect(names).toHaveLength(4);
});

test('page tokens are opaque: a bare offset or a variant of one is INVALID_ARGUMENT', async () => {
  seed(6);
  const first = await client.call('ListOperations', { name: PARENT, pageSize: 2 });
  const token = first.nextPageToken as string;
  expect(token).not.toMatch(/^\d+$/);
  const second = await client.call('ListOperations', { name: PARENT, pageSize: 2, pageToken: token });
  expect((second.operations as { name: string }[]).map((o) => o.name)).toEqual([
    `${PARENT}/operations/o2`,
    `${PARENT}/operations/o3`,
  ]);
  for (const bad of ['2', '1e1', ' 3', '0x2', `${token}=`, ` ${token}`, 'garbage', '-1']) {
    const err = await statusOf(client.call('ListOperations', { name: PARENT, pageSize: 2, pageToken: bad }));
    expect([bad, err.code]).toEqual([bad, Code.INVALID_ARGUMENT]);
  }
});

test('a token from another filter, name or service is INVALID_ARGUMENT', async () => {
  seed(6);
  for (let i = 0; i < 4; i++) {
    emu.get().store.seed({ name: `projects/p/locations/m/operations/o${i}`, service: 'dataplex' });
    emu.get().store.seed({ name: `${PARENT}/operations/o${i}`, service: 'privateca' });
  }
  const token = (await client.call('ListOperations', { name: PARENT, pageSize: 1 })).nextPageToken;
  expect(token).not.toBe('');
  const otherFilter = await statusOf(
    client.call('ListOperations', { name: PARENT, pageSize: 1, pageToken: token, filter: 'done=false' }),
  );
  expect(otherFilter.code).toBe(Code.INVALID_ARGUMENT);
  expect(otherFilter.details).toMatch(/another name or filter/);
  const otherName = await statusOf(
    client.call('ListOperations', { name: 'projects/p/locations/m', pageSize: 1, pageToken: token }),
  );
  expect(otherName.code).toBe(Code.INVALID_ARGUMENT);
  const privateca = rawClient(emu.get().target, 'privateca.googleapis.com');
  try {
    const otherService = await statusOf(
      privateca.call('ListOperations', { name: PARENT, pageSize: 1, pageToken: token }),
    );
    expect(otherService.code).toBe(Code.INVALID_ARGUMENT);
  } finally {
    privateca.close();
  }
  // The same filter written with other spacing is the same list.
  const spaced = (await client.call('ListOperations', { name: PARENT, pageSize: 1, filter: 'done=false' }))
    .nextPageToken;
  const ok = await client.call('ListOperations', {
    name: PARENT,
    pageSize: 1,
    filter: 'done = false',
    pageToken: spaced,
  });
  expect(ok.operations).toHaveLength(1);
});

test('an empty or malformed name is INVALID_ARGUMENT, not every operation of the service', async () => {
  seed(3);
  for (const name of [
    '',
    ' projects/p',
    'projects/p/',
    '//dataplex.googleapis.com/projects/p/locations/l',
    `${PARENT}/operations`,
  ]) {
    const err = await statusOf(client.call('ListOperations', { name }));
    expect([name, err.code]).toEqual([name, Code.INVALID_ARGUMENT]);
  }
});

test('return_partial_success is UNIMPLEMENTED (the emulated services do not support it)', async () => {
  seed(2);
  const err = await statusOf(client.call('ListOperations', { name: PARENT, returnPartialSuccess: true }));
  expect(err.code).toBe(Code.UNIMPLEMENTED);
  expect(err.details).toMatch(/return_partial_success/);
  const res = await client.call('ListOperations', { name: PARENT, returnPartialSuccess: false });
  expect(res.operations).toHaveLength(2);
  expect(res.unreachable).toEqual([]);
});
