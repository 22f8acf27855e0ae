/**
 * Credentials over REST come from the same source as over gRPC (auth/credential-source.ts,
 * the canceller's credentialsFor): TLS with the given roots, the auth client's headers on every request,
 * and the token remembered by the redactor, so no message can show it.
 */
import * as https from 'node:https';
import type * as net from 'node:net';
import { createCanceller } from '../../src';
import { redactSecrets } from '../../src/redaction/redact-secrets';
import { makeLocalhostCert } from '../helpers/localhost-cert';
import { rejection } from '../helpers/rejection';

const OP = 'projects/p/locations/l/operations/o';
const TOKEN = 'ya29.rest-test-token-0123456789';

test('over TLS: the auth client headers go on each request, to the endpoint host, with the service path', async () => {
  const { cert, key } = await makeLocalhostCert();
  const seen: Array<{ path: string; host: string; auth: unknown; project: unknown }> = [];
  const server = https.createServer({ cert, key }, (req, res) => {
    seen.push({
      path: req.url ?? '',
      host: req.headers.host ?? '',
      auth: req.headers.authorization,
      project: req.headers['x-goog-user-project'],
    });
    req.resume();
    req.on('end', () => {
      if (req.url?.endsWith('/missing:cancel')) {
        // A server echoing the token back must not put it into a message.
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ error: { code: 404, message: `no such op for ${TOKEN}`, status: 'NOT_FOUND' } }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  let asked = 0;
  const c = createCanceller({
    transport: 'rest',
    endpoint: `localhost:${port}`,
    rootCerts: cert,
    service: 'dataplex',
    emulator: null,
    auth: {
      getRequestHeaders: async () => {
        asked++;
        return { authorization: `Bearer ${TOKEN}`, 'x-goog-user-project': 'quota-project' };
      },
    },
  });
  try {
    await expect(c.cancel(OP)).resolves.toMatchObject({ outcome: 'cancel-requested' });
    const err = await rejection(c.cancel('projects/p/locations/l/operations/missing'));
    expect(err.outcome).toBe('not-found');
    expect(err.message).not.toContain(TOKEN);
    expect(redactSecrets(`x ${TOKEN} y`)).not.toContain(TOKEN);
    expect(seen[0]).toEqual({
      path: `/v1/${OP}:cancel`,
      host: `localhost:${port}`,
      auth: `Bearer ${TOKEN}`,
      project: 'quota-project',
    });
    expect(asked).toBe(2);
  } finally {
    await c.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('over TLS without the roots that sign the server: UNAVAILABLE (retried like any failed connection) with the TLS reason in the message', async () => {
  const { cert, key } = await makeLocalhostCert();
  const server = https.createServer({ cert, key }, (_req, res) => res.end('{}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  let asked = 0;
  const c = createCanceller({
    transport: 'rest',
    endpoint: `localhost:${port}`,
    service: 'dataplex',
    emulator: null,
    retry: { maxAttempts: 1 },
    auth: {
      getRequestHeaders: async () => {
        asked++;
        return { authorization: 'Bearer t' };
      },
    },
  });
  try {
    const err = await rejection(c.cancel(OP));
    expect(err.codeName).toBe('UNAVAILABLE');
    expect(err.rawMessage).toMatch(/certificate/i);
    // Asked before the request (as gRPC's call credentials are): the header goes with the request.
    expect(asked).toBeLessThanOrEqual(1);
  } finally {
    await c.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('credentials that cannot be had: the same code, message and hint over REST as over gRPC, and nothing sent', async () => {
  const { cert, key } = await makeLocalhostCert();
  const { startOperationsEmulator } = await import('../../src/emulator');
  const grpcEmu = await startOperationsEmulator({ tls: { cert, key } });
  let requests = 0;
  const server = https.createServer({ cert, key }, (_req, res) => {
    requests++;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const restPort = (server.address() as net.AddressInfo).port;
  const auth = {
    getRequestHeaders: async (): Promise<Record<string, string>> => {
      throw new Error(
        'Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication',
      );
    },
  };
  const seen = [];
  for (const [transport, port] of [
    ['grpc', grpcEmu.port],
    ['rest', restPort],
  ] as const) {
    const c = createCanceller({
      transport,
      endpoint: `localhost:${port}`,
      rootCerts: cert,
      service: 'dataplex',
      emulator: null,
      auth,
      retry: { maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 10 },
    });
    try {
      const err = await rejection(c.cancel(OP));
      seen.push({ code: err.codeName, message: err.rawMessage, hint: err.hint, attempts: err.attempts });
    } finally {
      await c.close();
    }
  }
  try {
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[0]?.hint).toMatch(/gcloud auth application-default login/);
    expect(requests).toBe(0);
    expect(grpcEmu.calls).toHaveLength(0);
  } finally {
    await grpcEmu.stop();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
