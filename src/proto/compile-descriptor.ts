import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
// Loading proto-loader registers its google/protobuf/* definitions (descriptor.proto among
// them) with protobufjs, so the result is what proto-loader itself sees from these files.
import '@grpc/proto-loader';
import { ERROR_DETAILS_PROTO, OPERATIONS_PROTO, PROTOS_DIR } from './protos-dir';

/**
 * Compile protos/ (the pinned googleapis files) into a protobufjs JSON descriptor: what
 * `operations-descriptor.json` holds, so that start-up loads JSON instead of parsing .proto
 * text (about 50 ms of a cold `lro-cancel cancel`). test/protos checks that the committed
 * JSON is exactly what this produces from protos/ today; `npm run protos:compile` rewrites it.
 *
 * google/protobuf/* are not in protos/: like proto-loader, this takes protobufjs' built-in
 * definitions of them (google-gax's copy of the files is only a fallback path).
 */
export function compileOperationsDescriptor(): protobuf.INamespace {
  const gaxProtos = path.join(path.dirname(require.resolve('google-gax')), '..', 'protos');
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    const own = path.join(PROTOS_DIR, target);
    return existsSync(own) ? own : path.join(gaxProtos, target);
  };
  root.loadSync([OPERATIONS_PROTO, ERROR_DETAILS_PROTO, 'google/rpc/status.proto'], { keepCase: false });
  return root.toJSON();
}
