// Operations of the five built-in services carry their real metadata (and, once done, response)
// types; the library decodes them to proto3 JSON from the descriptor compiled out of googleapis'
// protos. Unknown types and undecodable bytes come back as base64, never as an error.
import { createCanceller, decodeOperationAny, operationToJson } from '../../src';
import { sampleOperationName } from '../../src/emulator/sample-names';
import { services } from '../../src/registry/service-registry';
import { useEmulator } from '../helpers/emulator';

const emu = useEmulator();

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

async function read(service: string, name: string) {
  const c = createCanceller({ emulator: emu.get().target });
  try {
    return await c.getOperation(`//${services[service]?.host}/${name}`);
  } finally {
    await c.close();
  }
}

const EXPECTED: Record<string, Record<string, unknown>> = {
  datalineage: {
    '@type': 'type.googleapis.com/google.cloud.datacatalog.lineage.v1.OperationMetadata',
    state: 'RUNNING',
    operationType: 'DELETE',
    resource: expect.stringContaining('/processes/demo-process'),
    createTime: expect.stringMatching(ISO),
  },
  dataplex: {
    '@type': 'type.googleapis.com/google.cloud.dataplex.v1.OperationMetadata',
    createTime: expect.stringMatching(ISO),
    target: expect.stringContaining('/lakes/demo-lake'),
    verb: 'create',
    apiVersion: 'v1',
  },
  privateca: {
    '@type': 'type.googleapis.com/google.cloud.security.privateca.v1.OperationMetadata',
    createTime: expect.stringMatching(ISO),
    target: expect.stringContaining('/certificateAuthorities/demo-ca'),
    verb: 'create',
    apiVersion: 'v1',
  },
  datastore: {
    '@type': 'type.googleapis.com/google.datastore.admin.v1.ExportEntitiesMetadata',
    common: { startTime: expect.stringMatching(ISO), operationType: 'EXPORT_ENTITIES', state: 'PROCESSING' },
    // int64 as a string, as proto3 JSON writes it.
    progressEntities: { workCompleted: '250', workEstimated: '1000' },
    outputUrlPrefix: expect.stringMatching(/^gs:\/\/demo-bucket\//),
  },
  discoveryengine: {
    '@type': 'type.googleapis.com/google.cloud.discoveryengine.v1alpha.ImportDocumentsMetadata',
    createTime: expect.stringMatching(ISO),
    updateTime: expect.stringMatching(ISO),
    successCount: '25',
    totalCount: '100',
  },
};

test.each(Object.keys(EXPECTED))('%s: running metadata decoded with its real type', async (id) => {
  const name = sampleOperationName(services[id] as never, 'dec1');
  emu.get().store.seed({ name, service: id });
  const op = await read(id, name);
  const meta = decodeOperationAny(op.metadata as never);
  expect(meta).toEqual(EXPECTED[id]);
  // The create time is the emulator's seed time.
  const created = (meta.createTime ?? (meta.common as { startTime: string }).startTime) as string;
  expect(Math.abs(Date.parse(created) - Date.now())).toBeLessThan(60_000);
});

test('a cancelled dataplex operation (confirm result and get): requestedCancellation and endTime; a completed one: its response type', async () => {
  const name = sampleOperationName(services.dataplex as never, 'dec2');
  emu.get().store.seed({ name, service: 'dataplex' });
  const c = createCanceller({ emulator: emu.get().target });
  try {
    // A confirm result carries the decoded metadata of the read that settled it.
    const confirmed = await c.cancelAndConfirm(`//dataplex.googleapis.com/${name}`, {
      confirmTimeoutMs: 10_000,
    });
    expect(confirmed.outcome).toBe('cancelled');
    expect(confirmed.metadata).toMatchObject({ verb: 'create', requestedCancellation: true });
  } finally {
    await c.close();
  }
  const json = operationToJson(await read('dataplex', name));
  expect(json.metadata).toMatchObject({ requestedCancellation: true, endTime: expect.stringMatching(ISO) });
  expect(json.error?.code).toBe(1);
  const ds = sampleOperationName(services.datastore as never, 'dec3');
  emu.get().store.seed({ name: ds, service: 'datastore', doneAs: 'completed' });
  const done = operationToJson(await read('datastore', ds));
  expect(done.response).toEqual({
    '@type': 'type.googleapis.com/google.datastore.admin.v1.ExportEntitiesResponse',
  });
  expect(done.metadata).toMatchObject({
    common: { state: 'SUCCESSFUL', endTime: expect.stringMatching(ISO) },
  });
});

test('an unknown type is @type plus base64 value; bytes that do not parse as the named type too', () => {
  expect(
    decodeOperationAny({ type_url: 'type.googleapis.com/my.own.Meta', value: Buffer.from([8, 1]) }),
  ).toEqual({
    '@type': 'type.googleapis.com/my.own.Meta',
    value: 'CAE=',
  });
  // Field 1 with wire type 7, which does not exist: not a google.cloud.dataplex.v1.OperationMetadata.
  const garbage = Buffer.from([0x0f, 0x01]);
  expect(
    decodeOperationAny({
      typeUrl: 'type.googleapis.com/google.cloud.dataplex.v1.OperationMetadata',
      value: garbage,
    }),
  ).toEqual({ '@type': 'type.googleapis.com/google.cloud.dataplex.v1.OperationMetadata', value: 'DwE=' });
  expect(
    decodeOperationAny({ type_url: 'type.googleapis.com/google.protobuf.Empty', value: Buffer.alloc(0) }),
  ).toEqual({ '@type': 'type.googleapis.com/google.protobuf.Empty' });
});

test('Datastore import and index metadata and Discovery Engine purge metadata decode too', () => {
  const protobuf = require('protobufjs') as typeof import('protobufjs');
  const root = protobuf.Root.fromJSON(require('../../src/proto/metadata-descriptor.json'));
  const enc = (type: string, fields: Record<string, unknown>) => {
    const t = root.lookupType(type);
    return {
      type_url: `type.googleapis.com/${type}`,
      value: Buffer.from(t.encode(t.fromObject(fields)).finish()),
    };
  };
  expect(
    decodeOperationAny(
      enc('google.datastore.admin.v1.IndexOperationMetadata', {
        common: { operationType: 3, state: 2, startTime: { seconds: 1_700_000_000 } },
        indexId: 'idx-1',
      }),
    ),
  ).toEqual({
    '@type': 'type.googleapis.com/google.datastore.admin.v1.IndexOperationMetadata',
    common: { operationType: 'CREATE_INDEX', state: 'PROCESSING', startTime: '2023-11-14T22:13:20.000Z' },
    indexId: 'idx-1',
  });
  expect(
    decodeOperationAny(
      enc('google.datastore.admin.v1.ImportEntitiesMetadata', { inputUrl: 'gs://b/x', common: { state: 7 } }),
    ),
  ).toMatchObject({ inputUrl: 'gs://b/x', common: { state: 'CANCELLED' } });
  expect(
    decodeOperationAny(
      enc('google.cloud.discoveryengine.v1alpha.PurgeDocumentsMetadata', {
        successCount: 7,
        ignoredCount: 1,
      }),
    ),
  ).toMatchObject({ successCount: '7', ignoredCount: '1' });
});
