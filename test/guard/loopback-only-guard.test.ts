import * as dns from 'node:dns';
import * as http from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { createCanceller } from '../../src';
import { rejection } from '../helpers/rejection';

// test/helpers/loopback-only-guard.js is preloaded by jest (setupFiles): nothing in the test
// suite can reach a host that is not loopback, not even google-auth-library's metadata probe.

function guardError(fn: () => unknown): NodeJS.ErrnoException {
  try {
    const s = fn();
    (s as net.Socket | undefined)?.destroy?.();
  } catch (e) {
    return e as NodeJS.ErrnoException;
  }
  throw new Error('expected the loopback-only guard to throw');
}

test('the guard is installed and the metadata server is switched off', () => {
  expect((globalThis as Record<symbol, unknown>)[Symbol.for('lro-cancel.loopbackGuard')]).toBe(true);
  expect(process.env.METADATA_SERVER_DETECTION).toBe('none');
});

describe('TCP to a host that is not loopback throws at once', () => {
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  afterAll(() => stderr.mockRestore());

  test.each<[string, () => unknown]>([
    ['net.connect({host, port})', () => net.connect({ host: '10.255.255.1', port: 80 })],
    ['net.connect(port, host)', () => net.connect(80, '10.255.255.1')],
    ['net.createConnection to the metadata server IP', () => net.createConnection(80, '169.254.169.254')],
    [
      'new Socket().connect to metadata.google.internal',
      () => new net.Socket().connect(80, 'metadata.google.internal'),
    ],
    ['net.connect to a public name', () => net.connect({ host: 'dataplex.googleapis.com', port: 443 })],
    ['net.connect to an IPv6 address', () => net.connect({ host: '2001:db8::1', port: 443 })],
    ['tls.connect', () => tls.connect({ host: '10.255.255.1', port: 443 })],
    ['net.connect to 0.0.0.0', () => net.connect({ host: '0.0.0.0', port: 80 })],
  ])('%s', (_what, fn) => {
    const err = guardError(fn);
    expect(err.code).toBe('ELOOPBACKONLY');
    expect(err.message).toMatch(/loopback-only guard: refused connection to non-loopback host/);
  });

  test('http.get to the metadata server fails with the guard error', async () => {
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
      try {
        const req = http.get('http://169.254.169.254/computeMetadata/v1/', () =>
          resolve(new Error('connected!')),
        );
        req.on('error', (e) => resolve(e));
      } catch (e) {
        resolve(e as NodeJS.ErrnoException);
      }
    });
    expect(err.code).toBe('ELOOPBACKONLY');
  });

  test('fetch to a non-loopback address rejects with the guard error', async () => {
    const err = (await fetch('http://10.255.255.1/').then(
      () => new Error('connected!'),
      (e: unknown) => e,
    )) as Error & { cause?: NodeJS.ErrnoException };
    // (fetch's TypeError comes from Node's own realm, so no instanceof here)
    expect(err.message).toBe('fetch failed');
    expect(JSON.stringify({ message: err.message, cause: err.cause?.code ?? err.cause?.message })).toMatch(
      /ELOOPBACKONLY|loopback-only guard/,
    );
  });

  test('gRPC to a non-loopback emulator (allowInsecure) fails fast instead of reaching out', async () => {
    const c = createCanceller({
      emulator: '10.255.255.1:8080',
      allowInsecure: true,
      retry: { maxAttempts: 1, totalTimeoutMs: 3000 },
    });
    const started = Date.now();
    try {
      const err = await rejection(c.cancel('//dataplex.googleapis.com/projects/p/locations/l/operations/o'));
      expect(err.outcome).toBe('error');
      expect(err.code).toBe(14);
      expect(err.rawMessage).toMatch(/loopback-only guard/);
    } finally {
      await c.close();
    }
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('DNS for a name that is not loopback throws at once', () => {
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  afterAll(() => stderr.mockRestore());

  test.each<[string, () => unknown]>([
    ['dns.lookup', () => dns.lookup('example.com', () => undefined)],
    ['dns.lookup metadata.google.internal', () => dns.lookup('metadata.google.internal', () => undefined)],
    ['dns.resolve4', () => dns.resolve4('googleapis.com', () => undefined)],
    ['dns.promises.lookup', () => dns.promises.lookup('example.com')],
    ['dns.promises.resolve', () => dns.promises.resolve('example.com')],
    ['new dns.Resolver().resolve4', () => new dns.Resolver().resolve4('example.com', () => undefined)],
    ['new dns.promises.Resolver().resolve6', () => new dns.promises.Resolver().resolve6('example.com')],
  ])('%s', (_what, fn) => {
    const err = guardError(fn);
    expect(err.code).toBe('ELOOPBACKONLY');
    expect(err.message).toMatch(/refused DNS/);
  });
});

describe('loopback still works', () => {
  test('net.connect to a server on 127.0.0.1, and dns.lookup("localhost")', async () => {
    const server = net.createServer((s) => s.end('hi'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    try {
      const data = await new Promise<string>((resolve, reject) => {
        const sock = net.connect({ host: '127.0.0.1', port });
        let got = '';
        sock.on('data', (d) => (got += d.toString()));
        sock.on('end', () => resolve(got));
        sock.on('error', reject);
      });
      expect(data).toBe('hi');
      const addr = await dns.promises.lookup('localhost');
      expect(['127.0.0.1', '::1']).toContain(addr.address);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
