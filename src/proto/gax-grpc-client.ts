/**
 * google-gax's GrpcClient (loadProtoJSON, createStub) without the rest of google-gax. The
 * package's index also loads the REST fallback, the generated Operations/IAM/Locations clients
 * and their static protobuf modules — 2 MB of source and ~4 MB of live heap that lro-cancel never
 * uses, which a long batch pays for two to three times over, as the old generation V8 sizes from
 * it (bench scenario 6 and 4: peak RSS). GrpcClient lives in `build/src/grpc.js`, beside the
 * index; the package's `exports` map does not list it, so it is reached by its file path from the
 * index's own resolved path. If a later google-gax moves it, the index is loaded instead: the same
 * class, only the memory saving is lost (test/proto/gax-grpc-client.test.ts fails then, so an
 * upgrade that moves it is seen).
 */
import * as path from 'node:path';
import type * as gaxTypes from 'google-gax';

type GaxGrpcModule = Pick<typeof gaxTypes, 'GrpcClient'>;

let loaded: GaxGrpcModule | undefined;

let entry: string | undefined;

/** google-gax's index as Node resolves it: where its gRPC module and its own grpc-js are found from. */
export function gaxEntry(): string {
  entry ??= require.resolve('google-gax');
  return entry;
}

/** Where google-gax's gRPC module is, or undefined when the package has no such file. */
export function gaxGrpcModulePath(): string | undefined {
  const file = path.join(path.dirname(gaxEntry()), 'grpc.js');
  try {
    require.resolve(file);
    return file;
  } catch {
    return undefined;
  }
}

function load(): GaxGrpcModule {
  if (loaded) return loaded;
  const file = gaxGrpcModulePath();
  const mod = file ? (require(file) as Partial<GaxGrpcModule>) : undefined;
  loaded =
    typeof mod?.GrpcClient === 'function' ? (mod as GaxGrpcModule) : (require('google-gax') as GaxGrpcModule);
  return loaded;
}

/** google-gax's GrpcClient class (the one its index exports). */
export function gaxGrpcClient(): typeof gaxTypes.GrpcClient {
  return load().GrpcClient;
}
