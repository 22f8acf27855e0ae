// The client loads google.longrunning from a JSON descriptor compiled out of protos/ (it starts
// faster than parsing .proto text). These tests keep the two from drifting apart.
import type * as grpc from '@grpc/grpc-js';
import { GrpcClient } from 'google-gax';
import committed from '../../src/proto/operations-descriptor.json';
import { compileOperationsDescriptor } from '../../src/proto/compile-descriptor';
import { loadOperationsService } from '../../src/proto/load-operations-package';
import { ERROR_DETAILS_PROTO, OPERATIONS_PROTO, PROTOS_DIR } from '../../src/proto/protos-dir';

test('the committed descriptor is exactly what protos/ compiles to today (npm run protos:compile rewrites it)', () => {
  expect(JSON.parse(JSON.stringify(compileOperationsDescriptor()))).toEqual(committed);
});

test('the service from the descriptor is the service gax loads from the .proto files: same methods, same message types', () => {
  const fromJson = loadOperationsService();
  const pkg = new GrpcClient({ universeDomain: 'googleapis.com' }).loadProto(
    PROTOS_DIR,
    [OPERATIONS_PROTO, ERROR_DETAILS_PROTO],
    true,
  ) as grpc.GrpcObject;
  const fromProto = ((pkg.google as grpc.GrpcObject).longrunning as grpc.GrpcObject)
    .Operations as grpc.ServiceClientConstructor;
  const shape = (svc: grpc.ServiceClientConstructor): unknown =>
    Object.fromEntries(
      Object.entries(svc.service).map(([name, def]) => {
        const d = def as unknown as {
          path: string;
          requestStream: boolean;
          responseStream: boolean;
          originalName?: string;
          requestType: { type: unknown };
          responseType: { type: unknown };
        };
        return [
          name,
          {
            path: d.path,
            requestStream: d.requestStream,
            responseStream: d.responseStream,
            originalName: d.originalName,
            request: d.requestType.type,
            response: d.responseType.type,
          },
        ];
      }),
    );
  expect(Object.keys(fromJson.service).sort()).toEqual([
    'CancelOperation',
    'DeleteOperation',
    'GetOperation',
    'ListOperations',
    'WaitOperation',
  ]);
  expect(shape(fromJson)).toEqual(shape(fromProto));
  // And the wire format agrees: an Operation encoded by one decodes identically with the other.
  const op = {
    name: 'projects/p/operations/o',
    done: true,
    error: { code: 1, message: 'Operation was cancelled.', details: [] },
  };
  const enc = (svc: grpc.ServiceClientConstructor): Buffer =>
    (svc.service.GetOperation as grpc.MethodDefinition<object, object>).responseSerialize(op);
  expect(enc(fromJson)).toEqual(enc(fromProto));
  expect(
    (fromProto.service.GetOperation as grpc.MethodDefinition<object, object>).responseDeserialize(
      enc(fromJson),
    ),
  ).toMatchObject(op);
});
