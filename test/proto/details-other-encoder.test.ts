// Error details written by another encoder than lro-cancel's. The emulator and the client share
// src/proto/status-codec.ts, so a bug in it on both sides would be invisible to every other
// test. Here a grpc-js server of the test's own — the Operations service from proto-loader,
// the google.rpc.Status trailer (grpc-status-details-bin) encoded with protobufjs types built
// straight from protos/ — answers CancelOperation; the client must decode RetryInfo, ErrorInfo,
// QuotaFailure and BadRequest from it, and wait the RetryInfo delay before retrying.
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import * as protobuf from 'protobufjs';
import { Code, createCanceller, type OperationsError } from '../../src';
import { rejection } from '../helpers/rejection';

jest.setTimeout(30_000);
const PROTOS = path.resolve(__dirname, '..', '..', 'protos');
const NAME = (id: string): string => `projects/p/locations/l/operations/${id}`;
const RETRY_MS = 1250;

// keepCase: the .proto field names as written (type_url, retry_delay, field_violations).
const rpc = new protobuf.Root().loadSync(
  [path.join(PROTOS, 'google/rpc/status.proto'), path.join(PROTOS, 'google/rpc/error_details.proto')],
  { keepCase: true },
);

/** A google.protobuf.Any of one google.rpc message, encoded here. */
function any(type: string, fields: Record<string, unknown>): { type_url: string; value: Uint8Array } {
  const T = rpc.lookupType(type);
  const problem = T.verify(fields);
  if (problem) throw new Error(`${type}: ${problem}`);
  return { type_url: `type.googleapis.com/${type}`, value: T.encode(T.create(fields)).finish() };
}

/** Every detail this server sends, whatever the status. */
function details(): Array<{ type_url: string; value: Uint8Array }> {
  return [
    any('google.rpc.RetryInfo', {
      retry_delay: { seconds: Math.floor(RETRY_MS / 1000), nanos: (RETRY_MS % 1000) * 1e6 },
    }),
    any('google.rpc.ErrorInfo', {
      reason: 'RATE_LIMIT_EXCEEDED',
      domain: 'dataplex.googleapis.com',
      metadata: { quota_limit: 'CancelsPerMinute', consumer: 'projects/123' },
    }),
    any('google.rpc.QuotaFailure', {
      violations: [{ subject: 'project:123', description: 'cancels per minute exceeded' }],
    }),
    any('google.rpc.BadRequest', {
      field_violations: [{ field: 'name', description: 'operation id has a bad character' }],
    }),
  ];
}

function statusError(code: number, message: string): Partial<grpc.StatusObject> {
  const Status = rpc.lookupType('google.rpc.Status');
  const metadata = new grpc.Metadata();
  metadata.set(
    'grpc-status-details-bin',
    Buffer.from(Status.encode(Status.create({ code, message, details: details() })).finish()),
  );
  return { code, details: message, metadata };
}

let server: grpc.Server;
let target = '';
/** Arrival times of CancelOperation per operation name. */
const arrivals = new Map<string, number[]>();

beforeAll(async () => {
  const def = protoLoader.loadSync('google/longrunning/operations.proto', {
    includeDirs: [PROTOS],
    keepCase: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    google: { longrunning: { Operations: grpc.ServiceClientConstructor } };
  };
  server = new grpc.Server();
  server.addService(pkg.google.longrunning.Operations.service, {
    // Scripted by the operation id: 'quota' is refused once with RetryInfo, then accepted;
    // 'bad' is always refused as INVALID_ARGUMENT (not retried), with the same details.
    CancelOperation: (
      call: grpc.ServerUnaryCall<{ name: string }, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      const name = call.request.name;
      const seen = arrivals.get(name) ?? [];
      seen.push(performance.now());
      arrivals.set(name, seen);
      if (name.endsWith('/bad')) return callback(statusError(Code.INVALID_ARGUMENT, 'bad operation name'));
      if (seen.length === 1) return callback(statusError(Code.RESOURCE_EXHAUSTED, 'Quota exceeded'));
      callback(null, {});
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  target = `127.0.0.1:${port}`;
});
afterAll(() => {
  server?.forceShutdown();
});

/** What the client must make of details(), in its decoded (JSON-name) form. */
function expectDecoded(err: OperationsError): void {
  expect(err.findDetail('google.rpc.RetryInfo')).toMatchObject({
    retryDelay: { seconds: '1', nanos: 250_000_000 },
  });
  expect(err.findDetail('google.rpc.ErrorInfo')).toEqual({
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason: 'RATE_LIMIT_EXCEEDED',
    domain: 'dataplex.googleapis.com',
    metadata: { quota_limit: 'CancelsPerMinute', consumer: 'projects/123' },
  });
  expect(err.findDetail('google.rpc.QuotaFailure')).toEqual({
    '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
    violations: [{ subject: 'project:123', description: 'cancels per minute exceeded' }],
  });
  expect(err.findDetail('google.rpc.BadRequest')).toEqual({
    '@type': 'type.googleapis.com/google.rpc.BadRequest',
    fieldViolations: [{ field: 'name', description: 'operation id has a bad character' }],
  });
  expect(err.details).toHaveLength(4);
}

test('a refusal: RetryInfo, ErrorInfo (with metadata), QuotaFailure and BadRequest all decode from a foreign-encoded trailer', async () => {
  const c = createCanceller({ emulator: target, service: 'dataplex' });
  try {
    const err = await rejection(c.cancel(NAME('bad')));
    expect(err).toMatchObject({ code: Code.INVALID_ARGUMENT, outcome: 'invalid-name', attempts: 1 });
    expectDecoded(err);
  } finally {
    await c.close();
  }
});

test('RESOURCE_EXHAUSTED with a foreign-encoded RetryInfo of 1.25 s: retried no sooner than that, then accepted', async () => {
  const retries: Array<{ err: OperationsError; delayMs: number }> = [];
  // A backoff far below the server's delay: only the decoded RetryInfo can make the client wait.
  const c = createCanceller({
    emulator: target,
    service: 'dataplex',
    retry: { initialDelayMs: 10, maxDelayMs: 20 },
    onRetry: (err, _n, delayMs) => retries.push({ err, delayMs }),
  });
  try {
    await expect(c.cancel(NAME('quota'))).resolves.toMatchObject({
      outcome: 'cancel-requested',
      attempts: 2,
    });
  } finally {
    await c.close();
  }
  expect(retries).toHaveLength(1);
  expect(retries[0]!.err.code).toBe(Code.RESOURCE_EXHAUSTED);
  expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(RETRY_MS);
  expectDecoded(retries[0]!.err);
  const [first, second] = arrivals.get(NAME('quota'))!;
  expect(second! - first!).toBeGreaterThanOrEqual(RETRY_MS - 5); // timer granularity
});
