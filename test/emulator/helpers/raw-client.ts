import * as grpc from '@grpc/grpc-js';
import { loadOperationsService } from '../../../src/proto/load-operations-package';

type Req = Record<string, unknown>;

/** A plain grpc-js Operations client (no lro-cancel client code) with a chosen :authority. */
export interface RawClient {
  call(method: string, request: Req, deadlineMs?: number, headers?: Record<string, string>): Promise<Req>;
  close(): void;
}

export function rawClient(target: string, authority?: string): RawClient {
  const Service = loadOperationsService();
  const client = new Service(target, grpc.credentials.createInsecure(), {
    ...(authority ? { 'grpc.default_authority': authority } : {}),
  });
  return {
    call: (method, request, deadlineMs = 10_000, headers = {}) =>
      new Promise((resolve, reject) => {
        const md = new grpc.Metadata();
        for (const [k, v] of Object.entries(headers)) md.set(k, v);
        type Unary = (...args: unknown[]) => void;
        const fn = (client as unknown as Record<string, Unary>)[method] as Unary;
        fn.call(
          client,
          request,
          md,
          { deadline: Date.now() + deadlineMs },
          (err: grpc.ServiceError | null, res: Req) => (err ? reject(err) : resolve(res)),
        );
      }),
    close: () => client.close(),
  };
}

/** The status error a promise rejects with (fails the test if it resolves). */
export async function statusOf(p: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await p;
  } catch (e) {
    return e as grpc.ServiceError;
  }
  throw new Error('expected the call to fail');
}
