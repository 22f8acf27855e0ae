import type * as grpc from '@grpc/grpc-js';
import { gaxGrpcClient } from './gax-grpc-client';
import descriptor from './operations-descriptor.json';

/**
 * The google.longrunning.Operations service client constructor, loaded through google-gax
 * (`GrpcClient.loadProtoJSON`, which caches it) from the descriptor compiled out of protos/
 * (see compile-descriptor.ts: JSON loads in half the time .proto text parses).
 *
 * `universeDomain` is given so that constructing this GrpcClient never asks
 * google-auth-library anything (no ADC lookup, no metadata-server probe).
 */
let cached: grpc.ServiceClientConstructor | undefined;

export function loadOperationsService(): grpc.ServiceClientConstructor {
  if (cached) return cached;
  const GrpcClient = gaxGrpcClient();
  const gax = new GrpcClient({ universeDomain: 'googleapis.com' });
  const pkg = gax.loadProtoJSON(descriptor as never) as grpc.GrpcObject;
  const longrunning = (pkg.google as grpc.GrpcObject).longrunning as grpc.GrpcObject;
  cached = longrunning.Operations as grpc.ServiceClientConstructor;
  return cached;
}
