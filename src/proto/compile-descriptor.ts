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
  return prune(root.toJSON());
}

function dropExtensions(ns: protobuf.INamespace | undefined): void {
  if (!ns?.nested) return;
  for (const [name, value] of Object.entries(ns.nested)) {
    if ((value as { extend?: string }).extend !== undefined) delete ns.nested[name];
    else dropExtensions(value as protobuf.INamespace);
  }
}

/** The google.protobuf types the kept messages use. */
const WELL_KNOWN_KEPT = ['Any', 'Duration', 'Empty'];
/** google.rpc: only Status is used by the calls (Operation.error). */
const RPC_KEPT = ['Status'];

/**
 * Keep what the calls use: google.longrunning's service and messages, google.rpc.Status and
 * the three well-known types they reference. google.api.* and descriptor.proto only carry the
 * http/method options, which stay attached as plain option values. The error-detail messages
 * travel inside Status.details as Any bytes and are decoded by status-codec from protos/, and
 * OperationInfo is only the type of an option. proto-loader builds a descriptor and a codec
 * for every message it is given, at start-up: ~40 ms of a cold `lro-cancel cancel` for the 23
 * it had, measured.
 */
function prune(json: protobuf.INamespace): protobuf.INamespace {
  const google = json.nested?.google as protobuf.INamespace | undefined;
  const nested = google?.nested ?? {};
  const wellKnown = (nested.protobuf as protobuf.INamespace | undefined)?.nested ?? {};
  const keptProtobuf = Object.fromEntries(
    WELL_KNOWN_KEPT.filter((n) => n in wellKnown).map((n) => [n, wellKnown[n]]),
  );
  // Extensions of descriptor.proto options (longrunning.operation_info) go with it.
  for (const ns of [nested.longrunning, nested.rpc] as Array<protobuf.INamespace | undefined>)
    dropExtensions(ns);
  const longrunning = nested.longrunning as protobuf.INamespace;
  const lroNested = { ...longrunning.nested };
  delete lroNested.OperationInfo;
  const rpc = nested.rpc as protobuf.INamespace;
  const rpcNested = rpc.nested ?? {};
  return {
    nested: {
      google: {
        nested: {
          longrunning: { ...longrunning, nested: lroNested },
          rpc: {
            ...rpc,
            nested: Object.fromEntries(RPC_KEPT.filter((n) => n in rpcNested).map((n) => [n, rpcNested[n]])),
          },
          protobuf: { ...(nested.protobuf as object), nested: keptProtobuf },
        } as NonNullable<protobuf.INamespace['nested']>,
      },
    },
  };
}
