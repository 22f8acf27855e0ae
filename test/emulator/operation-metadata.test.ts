// Seeded operations carry their service's real metadata type as an Any, decoded here with
// googleapis' own protos (google-proto-files), not the emulator's encoder; done ones carry the
// service's response type.
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { services } from '../../src/registry/service-registry';
import { sampleOperationName } from '../../src/emulator/sample-names';
import { useEmulator } from '../helpers/emulator';
import { rawClient } from './helpers/raw-client';

const emu = useEmulator();
const PROTOS = path.dirname(require.resolve('google-proto-files/package.json'));

const FILES: Record<string, string> = {
  datalineage: 'google/cloud/datacatalog/lineage/v1/lineage.proto',
  dataplex: 'google/cloud/dataplex/v1/service.proto',
  privateca: 'google/cloud/security/privateca/v1/service.proto',
  datastore: 'google/datastore/admin/v1/datastore_admin.proto',
  discoveryengine: 'google/cloud/discoveryengine/v1alpha/import_config.proto',
};

let root: protobuf.Root;
beforeAll(() => {
  root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(PROTOS, target);
  root.loadSync([...Object.values(FILES), 'google/cloud/discoveryengine/v1alpha/purge_config.proto'], {
    keepCase: true,
  });
});

type Any = { type_url: string; value: Buffer };

function decode(any: Any): Record<string, unknown> {
  const type = root.lookupType(any.type_url.replace('type.googleapis.com/', ''));
  return type.toObject(type.decode(any.value), { longs: Number, enums: String, defaults: false });
}

async function getOp(
  service: string,
  name: string,
): Promise<{ metadata: Any; response?: Any; done: boolean }> {
  const c = rawClient(emu.get().target, services[service]?.host);
  try {
    return (await c.call('GetOperation', { name })) as never;
  } finally {
    c.close();
  }
}

test.each(Object.keys(FILES))('%s: a running operation has its service metadata', async (id) => {
  const service = services[id];
  if (!service) throw new Error(id);
  const name = sampleOperationName(service, 'm1');
  emu.get().store.seed({ name, service: id });
  const op = await getOp(id, name);
  expect(op.done).toBe(false);
  expect(op.metadata.type_url).toMatch(/^type\.googleapis\.com\/google\./);
  const m = decode(op.metadata);
  const created = (m.create_time ??
    m.start_time ??
    (m.common as Record<string, unknown> | undefined)?.start_time) as { seconds: number } | undefined;
  expect(Math.abs((created?.seconds ?? 0) * 1000 - Date.now())).toBeLessThan(60_000);
  if (id === 'dataplex' || id === 'privateca') {
    expect(m).toMatchObject({ verb: 'create', api_version: 'v1' });
    expect(String(m.target)).toContain(name.split('/operations/')[0]);
  }
  if (id === 'datalineage') expect(m).toMatchObject({ state: 'RUNNING', operation_type: 'DELETE' });
  if (id === 'datastore')
    expect(m).toMatchObject({ common: { operation_type: 'EXPORT_ENTITIES', state: 'PROCESSING' } });
});

test('a cancelled operation reports requested_cancellation and an end time; a completed one its response type', async () => {
  const name = sampleOperationName(services.dataplex as never, 'm2');
  emu.get().store.seed({ name, service: 'dataplex' });
  const c = rawClient(emu.get().target, 'dataplex.googleapis.com');
  try {
    await c.call('CancelOperation', { name });
  } finally {
    c.close();
  }
  const cancelled = await getOp('dataplex', name);
  expect(decode(cancelled.metadata)).toMatchObject({
    requested_cancellation: true,
    end_time: expect.anything(),
  });
  const ds = sampleOperationName(services.datastore as never, 'm3');
  emu.get().store.seed({ name: ds, service: 'datastore', doneAs: 'completed' });
  const done = await getOp('datastore', ds);
  expect(done.response?.type_url).toBe(
    'type.googleapis.com/google.datastore.admin.v1.ExportEntitiesResponse',
  );
  expect(decode(done.metadata)).toMatchObject({ common: { state: 'SUCCESSFUL' } });
});

test('metadata given in the seed is kept as is; an operation of no service has none', async () => {
  const mine = { type_url: 'type.googleapis.com/my.Meta', value: Buffer.from([8, 1]) };
  emu.get().store.seed({ name: 'projects/p/operations/a', service: 'datastore', metadata: mine });
  emu.get().store.seed({ name: 'projects/p/operations/b' });
  expect((await getOp('datastore', 'projects/p/operations/a')).metadata).toEqual(mine);
  expect((await getOp('datastore', 'projects/p/operations/b')).metadata).toBeNull();
});

test.each([
  ['datastore', 'import', 'google.datastore.admin.v1.ImportEntitiesMetadata', 'google.protobuf.Empty'],
  [
    'datastore',
    'index',
    'google.datastore.admin.v1.IndexOperationMetadata',
    'google.datastore.admin.v1.Index',
  ],
  [
    'discoveryengine',
    'purge',
    'google.cloud.discoveryengine.v1alpha.PurgeDocumentsMetadata',
    'google.cloud.discoveryengine.v1alpha.PurgeDocumentsResponse',
  ],
])(
  '%s metadataKind %s: its own metadata and response types',
  async (id, kind, metadataType, responseType) => {
    const service = services[id];
    if (!service) throw new Error(id);
    const running = sampleOperationName(service, `k-${kind}`);
    const finished = sampleOperationName(service, `k-${kind}-done`);
    emu.get().store.seed({ name: running, service: id, metadataKind: kind });
    emu.get().store.seed({ name: finished, service: id, metadataKind: kind, doneAs: 'completed' });
    const op = await getOp(id, running);
    expect(op.metadata.type_url).toBe(`type.googleapis.com/${metadataType}`);
    const m = decode(op.metadata);
    if (kind === 'import')
      expect(m).toMatchObject({
        common: { operation_type: 'IMPORT_ENTITIES' },
        input_url: expect.stringMatching(/^gs:/),
      });
    if (kind === 'index')
      expect(m).toMatchObject({ common: { operation_type: 'CREATE_INDEX' }, index_id: expect.any(String) });
    if (kind === 'purge') expect(m).toMatchObject({ create_time: expect.anything(), success_count: 40 });
    expect((await getOp(id, finished)).response?.type_url).toBe(`type.googleapis.com/${responseType}`);
  },
);

test('a metadataKind the service does not have is refused, naming the kinds it has', () => {
  expect(() =>
    emu.get().store.seed({ name: 'projects/p/operations/x', service: 'datastore', metadataKind: 'purge' }),
  ).toThrow('metadataKind "purge": datastore has export, import, index');
  expect(() =>
    emu.get().store.seed({
      name: 'projects/p/locations/l/operations/x',
      service: 'dataplex',
      metadataKind: 'import',
    }),
  ).toThrow(/dataplex has default/);
});
