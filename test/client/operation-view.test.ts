// The normalised fields of each built-in service's operations, from their real metadata as the
// emulator sends it: what each service reports, and what it does not (absent, never guessed).
import { createCanceller, normalizeOperation, operationToJson } from '../../src';
import { sampleOperationName } from '../../src/emulator/sample-names';
import { services } from '../../src/registry/service-registry';
import { useEmulator } from '../helpers/emulator';

const emu = useEmulator();
const CREATED = Date.parse('2026-01-02T03:04:05.000Z');

async function view(id: string, cancel: boolean) {
  const name = sampleOperationName(services[id] as never, `view-${cancel}`);
  emu.get().store.seed({ name, service: id, createdAt: CREATED, onCancel: 'ignore' });
  const c = createCanceller({ emulator: emu.get().target });
  try {
    const full = `//${services[id]?.host}/${name}`;
    if (cancel) await c.cancel(full);
    return normalizeOperation(operationToJson(await c.getOperation(full)));
  } finally {
    await c.close();
  }
}

test.each<[string, Record<string, unknown>]>([
  ['datalineage', { kind: 'delete', target: expect.stringMatching(/\/processes\/demo-process$/) }],
  [
    'dataplex',
    { kind: 'create', target: expect.stringMatching(/\/lakes\/demo-lake$/), cancelRequested: false },
  ],
  [
    'privateca',
    {
      kind: 'create',
      target: expect.stringMatching(/\/certificateAuthorities\/demo-ca$/),
      cancelRequested: false,
    },
  ],
  [
    'datastore',
    {
      kind: 'export-entities',
      target: expect.stringMatching(/^gs:\/\/demo-bucket\//),
      cancelRequested: false,
      progress: { completed: 250, total: 1000 },
    },
  ],
  ['discoveryengine', { kind: 'import-documents', progress: { completed: 25, total: 100 } }],
])('%s: the fields its metadata has, and no others', async (id, fields) => {
  expect(await view(id, false)).toEqual({ createTime: '2026-01-02T03:04:05.000Z', ...fields });
});

test.each([
  ['dataplex', true],
  ['privateca', true],
  // Datastore says it through its state (CANCELLING); the others have no such field.
  ['datastore', true],
  ['datalineage', undefined],
  ['discoveryengine', undefined],
])('%s: cancelRequested after a cancel is %p', async (id, expected) => {
  expect((await view(id, true)).cancelRequested).toBe(expected);
});

test('no metadata, or a type lro-cancel does not know: no normalised fields', () => {
  expect(normalizeOperation({})).toEqual({});
  expect(normalizeOperation({ metadata: { '@type': 'type.googleapis.com/x.Y', value: 'CAE=' } })).toEqual({});
});
