/**
 * What only REST has: the wire itself. Bodies and paths as the http rules say (checked at the
 * emulator's gateway), and what a real HTTP path throws at a client — a proxy's HTML error page,
 * a truncated body, a reset connection, Retry-After, a server that never answers — from tiny
 * loopback servers written here. Every one must end as the same gRPC code the retry policy
 * knows, or as a clear error before anything is sent.
 */
import { getEventListeners } from 'node:events';
import * as http from 'node:http';
import type * as net from 'node:net';
import { Code, createCanceller, OperationsError } from '../../src';
import { callerOf } from '../../src/client/canceller';
import { runCli } from '../../src/cli/run-cli';
import { decodeStatus, encodeStatus } from '../../src/proto/status-codec';
import { EndpointError } from '../../src/transport/endpoint';
import { codeForHttpStatus } from '../../src/transport/rest/http-status';
import { retryAfterMs } from '../../src/transport/rest/rest-status';
import { capture } from '../cli/helpers/capture';
import { useEmulator } from '../helpers/emulator';
import { rejection } from '../helpers/rejection';

const emu = useEmulator({ rest: true });
const OP = 'projects/p/locations/l/operations/o';
const FULL = `//dataplex.googleapis.com/${OP}`;
const FAST = { initialDelayMs: 5, maxDelayMs: 10, maxAttempts: 3 };

/** A loopback HTTP server answering each request with `answer(n, req, res)` (n counts from 1). */
async function scripted(
  answer: (n: number, req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ target: string; requests: () => number; peers: Set<string>; close: () => Promise<void> }> {
  let n = 0;
  const peers = new Set<string>();
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    peers.add(`${req.socket.remoteAddress}:${req.socket.remotePort}`);
    req.resume();
    req.on('end', () => answer(++n, req, res));
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    target: `127.0.0.1:${port}`,
    requests: () => n,
    peers,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const HTML_502 =
  '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>upstream connect error</p></body></html>';

function rest(target: string, extra: Parameters<typeof createCanceller>[0] = {}) {
  return createCanceller({ emulator: target, transport: 'rest', retry: FAST, ...extra });
}

describe('the requests, as the http rules say (checked at the server)', () => {
  test('Datastore cancel has no body; every other service sends {} as JSON; each its own API version', async () => {
    const e = emu.get();
    const names: Array<[string, string]> = [
      ['datastore', 'projects/p/operations/ds'],
      ['dataplex', 'projects/p/locations/l/operations/dp'],
      ['datalineage', 'projects/p/locations/l/operations/dl'],
      ['privateca', 'projects/p/locations/l/operations/ca'],
      ['discoveryengine', 'projects/p/locations/global/dataStores/d/branches/0/operations/de'],
    ];
    const c = rest(e.restTarget);
    try {
      const start = e.restGateway?.requests.length ?? 0;
      for (const [service, name] of names) {
        e.store.seed({ name, service });
        await expect(c.cancel(name, { service })).resolves.toMatchObject({ outcome: 'cancel-requested' });
      }
      const seen = (e.restGateway?.requests ?? []).slice(start);
      expect(seen.map((r) => [r.verb, r.path, r.host, r.body, r.contentType])).toEqual([
        ['POST', '/v1/projects/p/operations/ds:cancel', 'datastore.googleapis.com', '', undefined],
        [
          'POST',
          '/v1/projects/p/locations/l/operations/dp:cancel',
          'dataplex.googleapis.com',
          '{}',
          'application/json',
        ],
        [
          'POST',
          '/v1/projects/p/locations/l/operations/dl:cancel',
          'datalineage.googleapis.com',
          '{}',
          'application/json',
        ],
        [
          'POST',
          '/v1/projects/p/locations/l/operations/ca:cancel',
          'privateca.googleapis.com',
          '{}',
          'application/json',
        ],
        [
          'POST',
          '/v1alpha/projects/p/locations/global/dataStores/d/branches/0/operations/de:cancel',
          'discoveryengine.googleapis.com',
          '{}',
          'application/json',
        ],
      ]);
      // The same headers as over gRPC: the routing parameter and who is calling; no credentials in plaintext.
      const calls = e.callsOf('CancelOperation');
      expect(calls[0]).toMatchObject({
        requestParams: 'name=projects%2Fp%2Foperations%2Fds',
        apiClient: expect.stringMatching(/^gl-node\/\S+ rest\/\S+ lro-cancel\/\S+$/),
        authorization: undefined,
      });
    } finally {
      await c.close();
    }
  });

  test('List sends filter, pageSize and pageToken as query parameters', async () => {
    const e = emu.get();
    for (let i = 0; i < 3; i++)
      e.store.seed({ name: `projects/p/locations/l/operations/q${i}`, service: 'dataplex' });
    const c = rest(e.restTarget);
    try {
      const start = e.restGateway?.requests.length ?? 0;
      const got = [];
      for await (const o of c.listOperations('//dataplex.googleapis.com/projects/p/locations/l', {
        filter: 'done=false',
        pageSize: 2,
      }))
        got.push(o.name);
      expect(got).toHaveLength(3);
      // The emulator's page tokens are opaque: the second request carries the first answer's.
      expect((e.restGateway?.requests ?? []).slice(start).map((r) => `${r.verb} ${r.path}`)).toEqual([
        'GET /v1/projects/p/locations/l/operations?filter=done%3Dfalse&pageSize=2',
        expect.stringMatching(
          /^GET \/v1\/projects\/p\/locations\/l\/operations\?filter=done%3Dfalse&pageSize=2&pageToken=[A-Za-z0-9_%-]+$/,
        ),
      ]);
    } finally {
      await c.close();
    }
  });

  test('a name with a "." or ".." segment is refused over REST before anything is sent', async () => {
    const e = emu.get();
    const c = rest(e.restTarget);
    try {
      const start = e.restGateway?.requests.length ?? 0;
      const err = await rejection(c.cancel('//dataplex.googleapis.com/projects/p/locations/l/operations/..'));
      expect(err).toBeInstanceOf(OperationsError);
      expect(err).toMatchObject({ code: Code.INVALID_ARGUMENT, outcome: 'invalid-name', attempts: 0 });
      expect(e.restGateway?.requests.length).toBe(start);
    } finally {
      await c.close();
    }
  });
});

describe('what an HTTP path throws at a client', () => {
  test("a proxy's 502 HTML page is UNAVAILABLE and retried; the message says what came back", async () => {
    const s = await scripted((n, _req, res) => {
      if (n === 1) {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end(HTML_502);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      }
    });
    const retries: OperationsError[] = [];
    const c = rest(s.target, { onRetry: (err) => retries.push(err) });
    try {
      await expect(c.cancel(FULL)).resolves.toMatchObject({ outcome: 'cancel-requested', attempts: 2 });
      expect(retries).toHaveLength(1);
      expect(retries[0]?.codeName).toBe('UNAVAILABLE');
      expect(retries[0]?.rawMessage).toBe(
        `HTTP 502, and the body is not Google's JSON error: "502 Bad Gateway Bad Gateway upstream connect error"`,
      );
    } finally {
      await c.close();
      await s.close();
    }
  });

  test.each([
    [502, 'UNAVAILABLE', 3],
    [503, 'UNAVAILABLE', 3],
    // A gateway timeout is DEADLINE_EXCEEDED, retried as the policy retries one over gRPC.
    [504, 'DEADLINE_EXCEEDED', 3],
    [429, 'RESOURCE_EXHAUSTED', 1],
    [401, 'UNAUTHENTICATED', 1],
    [403, 'PERMISSION_DENIED', 1],
    [404, 'NOT_FOUND', 1],
  ])('HTTP %i with an HTML body ends as %s after %i attempt(s)', async (status, codeName, attempts) => {
    const s = await scripted((_n, _req, res) => {
      res.writeHead(status, { 'content-type': 'text/html' });
      res.end('<html><body>nope</body></html>');
    });
    const c = rest(s.target);
    try {
      const err = await rejection(c.cancel(FULL));
      expect(err).toBeInstanceOf(OperationsError);
      expect({ code: err.codeName, attempts: err.attempts }).toEqual({ code: codeName, attempts });
      expect(s.requests()).toBe(attempts);
    } finally {
      await c.close();
      await s.close();
    }
  });

  test('a truncated JSON error body falls back to the HTTP status (503: retried)', async () => {
    const s = await scripted((n, _req, res) => {
      if (n === 1) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"error":{"code":503,"message":"backend unava');
      } else {
        res.writeHead(200);
        res.end('{}');
      }
    });
    const c = rest(s.target);
    try {
      await expect(c.cancel(FULL)).resolves.toMatchObject({ outcome: 'cancel-requested', attempts: 2 });
    } finally {
      await c.close();
      await s.close();
    }
  });

  test('a body cut off mid-way (connection closed before Content-Length) is UNAVAILABLE and retried', async () => {
    const body = JSON.stringify({
      name: OP,
      done: true,
      error: { code: 1, message: 'Operation was cancelled.' },
    });
    const s = await scripted((n, req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      if (n === 1) {
        res.write(body.slice(0, 20));
        setTimeout(() => req.socket.destroy(), 20);
      } else res.end(body);
    });
    const codes: string[] = [];
    const c = rest(s.target, { onRetry: (err) => codes.push(err.codeName) });
    try {
      const op = await c.getOperation(FULL);
      expect(op).toMatchObject({ name: OP, done: true, error: { code: 1 } });
      expect(codes).toEqual(['UNAVAILABLE']);
    } finally {
      await c.close();
      await s.close();
    }
  });

  test('a connection reset under the call is UNAVAILABLE and retried on a new connection', async () => {
    const s = await scripted((n, req, res) => {
      if (n === 1) req.socket.resetAndDestroy();
      else {
        res.writeHead(200);
        res.end('{}');
      }
    });
    const codes: string[] = [];
    const c = rest(s.target, { onRetry: (err) => codes.push(err.codeName) });
    try {
      await expect(c.cancel(FULL)).resolves.toMatchObject({ outcome: 'cancel-requested', attempts: 2 });
      expect(codes).toEqual(['UNAVAILABLE']);
      expect(s.peers.size).toBe(2);
    } finally {
      await c.close();
      await s.close();
    }
  });

  test('Retry-After (seconds) is honoured like RetryInfo', async () => {
    const s = await scripted((n, _req, res) => {
      if (n === 1) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(JSON.stringify({ error: { code: 429, message: 'slow down', status: 'RESOURCE_EXHAUSTED' } }));
      } else {
        res.writeHead(200);
        res.end('{}');
      }
    });
    const waits: Array<{ delay: number; details: unknown }> = [];
    const c = rest(s.target, { onRetry: (err, _n, delay) => waits.push({ delay, details: err.details }) });
    try {
      await expect(c.cancel(FULL)).resolves.toMatchObject({ attempts: 2 });
      expect(waits).toHaveLength(1);
      expect(waits[0]?.delay).toBeGreaterThanOrEqual(1000);
      expect(waits[0]?.details).toEqual([
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: { seconds: '1' } },
      ]);
    } finally {
      await c.close();
      await s.close();
    }
  });

  test('Retry-After as an HTTP date, and values that are neither', () => {
    const now = Date.parse('Wed, 02 Dec 2026 10:00:00 GMT');
    expect(retryAfterMs('Wed, 02 Dec 2026 10:00:03 GMT', now)).toBe(3000);
    expect(retryAfterMs('Wed, 02 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('  7 ', now)).toBe(7000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-1', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });

  test("Google's JSON error body: status, message and @type details decode to the same shapes as gRPC's trailer", async () => {
    const details = [
      { type: 'google.rpc.RetryInfo', fields: { retryDelay: { seconds: 1, nanos: 500_000_000 } } },
      {
        type: 'google.rpc.ErrorInfo',
        fields: { reason: 'SERVICE_DISABLED', domain: 'googleapis.com', metadata: { service: 'dataplex' } },
      },
      {
        type: 'google.rpc.QuotaFailure',
        fields: { violations: [{ subject: 'project:p', description: 'per minute' }] },
      },
      {
        type: 'google.rpc.BadRequest',
        fields: { fieldViolations: [{ field: 'name', description: 'bad name' }] },
      },
    ];
    const json = {
      error: {
        code: 400,
        message: 'precondition failed here',
        status: 'FAILED_PRECONDITION',
        details: [
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.500s' },
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'SERVICE_DISABLED',
            domain: 'googleapis.com',
            metadata: { service: 'dataplex' },
          },
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [{ subject: 'project:p', description: 'per minute' }],
          },
          {
            '@type': 'type.googleapis.com/google.rpc.BadRequest',
            fieldViolations: [{ field: 'name', description: 'bad name' }],
          },
        ],
      },
    };
    const s = await scripted((_n, _req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    });
    const c = rest(s.target);
    try {
      const err = await rejection(c.getOperation(FULL));
      expect(err).toMatchObject({ codeName: 'FAILED_PRECONDITION', rawMessage: 'precondition failed here' });
      expect(err.details).toEqual(decodeStatus(encodeStatus(9, 'x', details)).details);
      expect(err.findDetail('google.rpc.ErrorInfo')).toMatchObject({ reason: 'SERVICE_DISABLED' });
    } finally {
      await c.close();
      await s.close();
    }
  });

  test('a server that never answers: the attempt deadline ends the request (DEADLINE_EXCEEDED)', async () => {
    const s = await scripted(() => undefined);
    const c = rest(s.target, {
      retry: { ...FAST, maxAttempts: 2, perAttemptTimeoutMs: 150, totalTimeoutMs: 5000 },
    });
    try {
      const err = await rejection(c.cancel(FULL));
      expect(err.codeName).toBe('DEADLINE_EXCEEDED');
      expect(err.attempts).toBe(2);
      expect(s.requests()).toBe(2);
    } finally {
      await c.close();
      await s.close();
    }
  });
});

describe('connections', () => {
  test('plaintext to a host that is not loopback is refused before any request', () => {
    expect(() => createCanceller({ emulator: '192.0.2.10:8080', transport: 'rest' })).toThrow(EndpointError);
    expect(() => createCanceller({ emulator: 'example.com:80', transport: 'rest' })).toThrow(
      /refusing plaintext to "example.com"/,
    );
  });

  test('the pool is bounded: never more connections (nor requests in flight) than its size, and they are kept alive', async () => {
    const e = emu.get();
    e.setFaults('dataplex', { latencyMs: 100 });
    for (let i = 0; i < 12; i++)
      e.store.seed({ name: `projects/p/locations/l/operations/p${i}`, service: 'dataplex' });
    const c = rest(e.restTarget, { restConnectionsPerService: 2 });
    let most = 0;
    const watch = setInterval(() => {
      most = Math.max(most, e.inflightCalls);
    }, 5);
    try {
      for (const wave of [0, 6]) {
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            c.cancel(`projects/p/locations/l/operations/p${wave + i}`, { service: 'dataplex' }),
          ),
        );
        expect(results.every((r) => r.outcome === 'cancel-requested')).toBe(true);
      }
      const peers = new Set(e.callsOf('CancelOperation').map((x) => x.peer));
      expect(peers.size).toBeLessThanOrEqual(2);
      expect(most).toBeLessThanOrEqual(2);
      expect(most).toBeGreaterThanOrEqual(1);
    } finally {
      clearInterval(watch);
      await c.close();
    }
  });

  test('close() ends the calls in flight (outcome aborted) and frees the pool', async () => {
    const e = emu.get();
    e.setFaults('dataplex', { latencyMs: 2000 });
    for (let i = 0; i < 4; i++)
      e.store.seed({ name: `projects/p/locations/l/operations/c${i}`, service: 'dataplex' });
    const c = rest(e.restTarget);
    const pending = Array.from({ length: 4 }, (_, i) =>
      rejection(c.cancel(`projects/p/locations/l/operations/c${i}`, { service: 'dataplex' })),
    );
    for (const end = Date.now() + 5000; e.inflightCalls < 4 && Date.now() < end; )
      await new Promise((r) => setTimeout(r, 5));
    const conn = callerOf(c).stubs()[0];
    expect(conn?.inflightCount).toBe(4);
    await c.close();
    const errors = await Promise.all(pending);
    expect(errors.map((x) => x.outcome)).toEqual(['aborted', 'aborted', 'aborted', 'aborted']);
    expect(conn?.inflightCount).toBe(0);
    expect(conn?.closed).toBe(true);
  });
});

describe('the CLI', () => {
  test('--transport rest cancels through the REST routes; the record is the one gRPC gives', async () => {
    const e = emu.get();
    const records: unknown[] = [];
    for (const [transport, target] of [
      ['grpc', e.target],
      ['rest', e.restTarget],
    ] as const) {
      e.store.seed({ name: OP, service: 'dataplex' });
      const out = capture();
      expect(await runCli(['cancel', '--transport', transport, '--emulator', target, FULL], out.io)).toBe(0);
      const [record] = out.records();
      const { latencyMs: _, ...rest } = record as Record<string, unknown>;
      records.push(rest);
    }
    expect(records[1]).toEqual(records[0]);
    expect(records[0]).toMatchObject({ outcome: 'cancel-requested', service: 'dataplex' });
  });

  test.each(['cancel', 'get', 'list', 'cancel-all', 'batch'])(
    '%s --transport http2 is a usage error (exit 2)',
    async (command) => {
      const out = capture();
      const args =
        command === 'batch' ? [] : [command === 'list' || command === 'cancel-all' ? 'projects/p' : OP];
      expect(await runCli([command, '--transport', 'http2', '--service', 'datastore', ...args], out.io)).toBe(
        2,
      );
      expect(out.stderr()).toContain('--transport: "http2" is not a transport; use grpc or rest');
    },
  );
});

test('HTTP statuses without a JSON body map to gRPC codes in the client', () => {
  const table = Object.fromEntries(
    [400, 401, 403, 404, 408, 409, 412, 429, 499, 500, 501, 502, 503, 504, 507, 418].map((s) => [
      s,
      codeForHttpStatus(s),
    ]),
  );
  expect(table).toEqual({
    400: Code.INVALID_ARGUMENT,
    401: Code.UNAUTHENTICATED,
    403: Code.PERMISSION_DENIED,
    404: Code.NOT_FOUND,
    408: Code.DEADLINE_EXCEEDED,
    409: Code.ABORTED,
    412: Code.FAILED_PRECONDITION,
    429: Code.RESOURCE_EXHAUSTED,
    499: Code.CANCELLED,
    500: Code.INTERNAL,
    501: Code.UNIMPLEMENTED,
    502: Code.UNAVAILABLE,
    503: Code.UNAVAILABLE,
    504: Code.DEADLINE_EXCEEDED,
    507: Code.UNAVAILABLE,
    418: Code.UNKNOWN,
  });
});

test("a caller's signal ends its requests at once (aborted), and leaves no listener behind", async () => {
  const e = emu.get();
  e.setFaults('dataplex', { latencyMs: 2000 });
  for (let i = 0; i < 3; i++)
    e.store.seed({ name: `projects/p/locations/l/operations/s${i}`, service: 'dataplex' });
  const c = rest(e.restTarget);
  const ac = new AbortController();
  try {
    const pending = Array.from({ length: 3 }, (_, i) =>
      rejection(
        c.cancel(`projects/p/locations/l/operations/s${i}`, { service: 'dataplex', signal: ac.signal }),
      ),
    );
    for (const end = Date.now() + 5000; e.inflightCalls < 3 && Date.now() < end; )
      await new Promise((r) => setTimeout(r, 5));
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    ac.abort();
    const errors = await Promise.all(pending);
    expect(errors.map((x) => x.outcome)).toEqual(['aborted', 'aborted', 'aborted']);
    expect(callerOf(c).stubs()[0]?.inflightCount).toBe(0);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  } finally {
    await c.close();
  }
});

test("Discovery Engine's cancel exists only for the branches shapes, over REST as over gRPC: others refused before sending", async () => {
  const e = emu.get();
  const c = rest(e.restTarget);
  try {
    const start = e.restGateway?.requests.length ?? 0;
    const err = await rejection(
      c.cancel(
        '//discoveryengine.googleapis.com/projects/p/locations/global/collections/c/engines/x/operations/o',
      ),
    );
    expect(err).toMatchObject({ outcome: 'invalid-name', attempts: 0 });
    expect(e.restGateway?.requests.length).toBe(start);
    // GetOperation takes the wider shapes, with the service's own version.
    e.store.seed({
      name: 'projects/p/locations/global/collections/c/engines/x/operations/o',
      service: 'discoveryengine',
    });
    await expect(
      c.getOperation(
        '//discoveryengine.googleapis.com/projects/p/locations/global/collections/c/engines/x/operations/o',
      ),
    ).resolves.toMatchObject({ done: false });
    expect(e.restGateway?.requests.at(-1)?.path).toBe(
      '/v1alpha/projects/p/locations/global/collections/c/engines/x/operations/o',
    );
  } finally {
    await c.close();
  }
});

test('restConnectionsPerService must be a whole number >= 1', () => {
  expect(() => rest(emu.get().restTarget, { restConnectionsPerService: 0 })).toThrow(
    new RangeError('restConnectionsPerService must be an integer >= 1, got 0'),
  );
});
