// The metadata/response decoder loads a JSON descriptor compiled from googleapis' protos
// (google-proto-files, build time only). These tests keep it equal to what they compile to today
// and check that it decodes like the .proto files themselves.
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import committed from '../../src/proto/metadata-descriptor.json';
import {
  compileMetadataDescriptor,
  METADATA_PROTO_FILES,
  METADATA_TYPES,
} from '../../src/proto/compile-metadata-descriptor';

test('the committed metadata descriptor is exactly what google-proto-files compiles to today (npm run protos:compile rewrites it)', () => {
  expect(JSON.parse(JSON.stringify(compileMetadataDescriptor()))).toEqual(committed);
});

test('every kept type has the same fields (names, numbers, types) as in the .proto files', () => {
  const protos = path.dirname(require.resolve('google-proto-files/package.json'));
  const full = new protobuf.Root();
  full.resolvePath = (_origin, target) => path.join(protos, target);
  full.loadSync([...METADATA_PROTO_FILES], { keepCase: false }).resolveAll();
  const pruned = protobuf.Root.fromJSON(committed as protobuf.INamespace).resolveAll();
  const shape = (t: protobuf.Type): unknown =>
    t.fieldsArray.map((f) => [f.name, f.id, f.repeated, f.map, f.resolvedType?.fullName ?? f.type]);
  const names = Object.values(METADATA_TYPES).flat();
  expect(names.length).toBeGreaterThanOrEqual(17);
  for (const name of names) expect(shape(pruned.lookupType(name))).toEqual(shape(full.lookupType(name)));
});
