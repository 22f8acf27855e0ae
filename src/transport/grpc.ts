/**
 * The grpc-js module every part of transport/ uses: google-gax's own copy. gax makes the client
 * class (createStub), and the Metadata, status codes and credentials handed to that class must
 * come from the same copy — taking them from a top-level `@grpc/grpc-js` works only while npm
 * dedupes the two. Resolved from google-gax's directory rather than through `google-gax`'s index,
 * which would load all of google-gax (see proto/gax-grpc-client.ts).
 */
import type * as grpcTypes from '@grpc/grpc-js';
import { gaxEntry } from '../proto/gax-grpc-client';

export const grpc: typeof grpcTypes = require(require.resolve('@grpc/grpc-js', { paths: [gaxEntry()] }));
/** grpc-js's types under the same name, for `grpc.Metadata` and the like in signatures. */
export declare namespace grpc {
  export type CallOptions = grpcTypes.CallOptions;
  export type Channel = grpcTypes.Channel;
  export type ChannelCredentials = grpcTypes.ChannelCredentials;
  export type ChannelOptions = grpcTypes.ChannelOptions;
  export type Client = grpcTypes.Client;
  export type ClientUnaryCall = grpcTypes.ClientUnaryCall;
  export type Metadata = grpcTypes.Metadata;
  export type ServiceError = grpcTypes.ServiceError;
}

/** The version of that copy, for `x-goog-api-client` (resolved from where gax resolves it). */
export function grpcVersion(): string {
  try {
    const pkg = require.resolve('@grpc/grpc-js/package.json', { paths: [gaxEntry()] });
    return (require(pkg) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
