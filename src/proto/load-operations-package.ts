import type * as grpc from '@grpc/grpc-js';
import { GrpcClient } from 'google-gax';
import { ERROR_DETAILS_PROTO, OPERATIONS_PROTO, PROTOS_DIR } from './protos-dir';

/**
 * The google.longrunning.Operations service client constructor, loaded from protos/
 * through google-gax (`GrpcClient.loadProto`, which caches per file and options).
 *
 * `universeDomain` is given so that constructing this GrpcClient never asks
 * google-auth-library anything (no ADC lookup, no metadata-server probe).
 */
let cached: grpc.ServiceClientConstructor | undefined;

export function loadOperationsService(): grpc.ServiceClientConstructor {
  if (cached) return cached;
  const gax = new GrpcClient({ universeDomain: 'googleapis.com' });
  const pkg = gax.loadProto(PROTOS_DIR, [OPERATIONS_PROTO, ERROR_DETAILS_PROTO]) as grpc.GrpcObject;
  const longrunning = (pkg.google as grpc.GrpcObject).longrunning as grpc.GrpcObject;
  cached = longrunning.Operations as grpc.ServiceClientConstructor;
  return cached;
}
