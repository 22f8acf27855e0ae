import { createCanceller, services } from '../../src';
import { callerOf } from '../../src/client/canceller';
import { customService } from '../../src/registry/service-registry';
import { EndpointError, isLoopbackHost, parseHostPort, resolveEndpoint } from '../../src/transport/endpoint';
import { useEmulator } from '../helpers/emulator';
import { rejection } from '../helpers/rejection';

const dataplex = services.dataplex!;
const privateca = services.privateca!;

describe('parseHostPort', () => {
  test.each<[string, string, number]>([
    ['localhost:8080', 'localhost', 8080],
    ['127.0.0.1:1', '127.0.0.1', 1],
    ['[::1]:443', '[::1]', 443],
    ['[2001:db8::1]:9000', '[2001:db8::1]', 9000],
    ['  dataplex.googleapis.com:443  ', 'dataplex.googleapis.com', 443],
    ['europe-west1-dataplex.googleapis.com:65535', 'europe-west1-dataplex.googleapis.com', 65535],
  ])('%s -> %s port %i', (text, host, port) => {
    expect(parseHostPort(text, 'endpoint')).toEqual({ host, port });
  });

  test.each([
    ['localhost', /must be HOST:PORT/],
    [':8080', /must be HOST:PORT/],
    ['localhost:', /must be HOST:PORT/],
    ['localhost:abc', /must be HOST:PORT/],
    ['localhost:123456', /must be HOST:PORT/],
    ['::1:8080', /must be HOST:PORT/],
    ['http://localhost:8080', /must be HOST:PORT/],
    ['localhost:8080/path', /must be HOST:PORT/],
    ['local host:8080', /must be HOST:PORT/],
    ['', /must be HOST:PORT/],
    ['localhost:0', /port 0; it must be 1-65535/],
    ['localhost:65536', /port 65536; it must be 1-65535/],
  ])('%p is refused: %p', (text, message) => {
    let thrown: unknown;
    try {
      parseHostPort(text, 'emulator address');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(EndpointError);
    expect((thrown as Error).name).toBe('EndpointError');
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).toContain(`emulator address "${text}"`);
  });
});

describe('isLoopbackHost (text only, no DNS)', () => {
  test.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['emulator.localhost', true],
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false],
    ['10.255.255.1', false],
    ['192.168.1.10', false],
    ['0.0.0.0', false],
    ['::', false],
    ['[2001:db8::1]', false],
    ['example.com', false],
    ['localhost.example.com', false],
    ['128.0.0.1', false],
    ['dataplex.googleapis.com', false],
  ])('%s -> %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('resolveEndpoint', () => {
  test('default: the registry host on 443 over TLS', () => {
    expect(resolveEndpoint(dataplex, {})).toEqual({
      address: 'dataplex.googleapis.com:443',
      host: 'dataplex.googleapis.com',
      port: 443,
      secure: true,
    });
  });

  test('emulator on loopback: plaintext, with the service host as :authority', () => {
    for (const emulator of ['127.0.0.1:8080', 'localhost:9', '[::1]:7000']) {
      const e = resolveEndpoint(dataplex, { emulator });
      expect(e.secure).toBe(false);
      expect(e.authority).toBe('dataplex.googleapis.com');
      expect(e.address).toBe(emulator);
    }
  });

  test.each(['10.255.255.1:8080', 'example.com:80', '0.0.0.0:8080', '[2001:db8::1]:80', 'emulator:8080'])(
    'emulator %s (not loopback) is refused unless allowInsecure',
    (emulator) => {
      expect(() => resolveEndpoint(dataplex, { emulator })).toThrow(EndpointError);
      expect(() => resolveEndpoint(dataplex, { emulator })).toThrow(/not a loopback address.*allow-insecure/);
      const e = resolveEndpoint(dataplex, { emulator, allowInsecure: true });
      expect(e).toMatchObject({ address: emulator, secure: false, authority: 'dataplex.googleapis.com' });
    },
  );

  test('the emulator wins over an endpoint override and the universe domain', () => {
    const e = resolveEndpoint(dataplex, {
      emulator: '127.0.0.1:1234',
      endpoint: 'x.example.com:443',
      universeDomain: 'example.net',
    });
    expect(e).toMatchObject({ address: '127.0.0.1:1234', secure: false });
  });

  test('an endpoint override replaces the host and keeps TLS (for every service)', () => {
    for (const s of [dataplex, privateca]) {
      expect(resolveEndpoint(s, { endpoint: 'us-central1-dataplex.googleapis.com:443' })).toEqual({
        address: 'us-central1-dataplex.googleapis.com:443',
        host: 'us-central1-dataplex.googleapis.com',
        port: 443,
        secure: true,
      });
    }
    expect(
      resolveEndpoint(dataplex, { endpoint: 'private.example.internal:8443' }).authority,
    ).toBeUndefined();
  });

  test('a per-service endpoint map applies only to the services it names', () => {
    const endpoint = { dataplex: 'eu-dataplex.example.com:443' };
    expect(resolveEndpoint(dataplex, { endpoint })).toMatchObject({
      address: 'eu-dataplex.example.com:443',
      secure: true,
    });
    expect(resolveEndpoint(privateca, { endpoint })).toMatchObject({
      address: 'privateca.googleapis.com:443',
      secure: true,
    });
  });

  test('a bad endpoint is an EndpointError', () => {
    expect(() => resolveEndpoint(dataplex, { endpoint: 'no-port.example.com' })).toThrow(EndpointError);
  });

  test('the universe domain rewrites googleapis.com hosts', () => {
    expect(resolveEndpoint(dataplex, { universeDomain: 'example-universe.net' })).toEqual({
      address: 'dataplex.example-universe.net:443',
      host: 'dataplex.example-universe.net',
      port: 443,
      secure: true,
    });
    expect(resolveEndpoint(dataplex, { universeDomain: 'googleapis.com' }).host).toBe(
      'dataplex.googleapis.com',
    );
    // an endpoint override is taken as given
    expect(
      resolveEndpoint(dataplex, { universeDomain: 'example-universe.net', endpoint: 'a.b.c:443' }).host,
    ).toBe('a.b.c');
    // a custom host outside googleapis.com is not rewritten
    expect(
      resolveEndpoint(customService('ops.example.com'), { universeDomain: 'example-universe.net' }).host,
    ).toBe('ops.example.com');
  });
});

describe('createCanceller endpoint settings', () => {
  const emu = useEmulator();
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ['LRO_CANCEL_EMULATOR_HOST', 'GOOGLE_CLOUD_UNIVERSE_DOMAIN']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  test('plaintext to a non-loopback emulator is refused at once, before any connection, unless allowInsecure', () => {
    expect(() => createCanceller({ emulator: '10.255.255.1:8080' })).toThrow(EndpointError);
    expect(() => createCanceller({ emulator: 'emulator.example.com:8080' })).toThrow(
      /not a loopback address/,
    );
    expect(() => createCanceller({ emulator: 'localhost' })).toThrow(/must be HOST:PORT/);
    // allowed: nothing is connected until a call is made
    const c = createCanceller({ emulator: '10.255.255.1:8080', allowInsecure: true });
    expect(callerOf(c).stubs()).toHaveLength(0);
    return c.close();
  });

  test('LRO_CANCEL_EMULATOR_HOST selects emulator mode; a non-loopback value is refused; emulator: null ignores it', async () => {
    const e = emu.get();
    e.store.seed({ name: 'projects/p/operations/o', service: 'datastore' });
    process.env.LRO_CANCEL_EMULATOR_HOST = e.target;
    const c = createCanceller();
    try {
      await expect(c.cancel('//datastore.googleapis.com/projects/p/operations/o')).resolves.toMatchObject({
        outcome: 'cancel-requested',
      });
      expect(e.callsOf('CancelOperation')[0]!.authorization).toBeUndefined();
    } finally {
      await c.close();
    }
    process.env.LRO_CANCEL_EMULATOR_HOST = '10.255.255.1:8080';
    expect(() => createCanceller()).toThrow(EndpointError);
    expect(() => createCanceller({ emulator: null })).not.toThrow();
  });

  test('an endpoint override keeps TLS: pointed at the plaintext emulator it fails the handshake and the emulator sees no call', async () => {
    const e = emu.get();
    e.store.seed({ name: 'projects/p/locations/l/operations/o', service: 'dataplex' });
    const auth = { getRequestHeaders: jest.fn(async () => ({ authorization: 'Bearer never-sent' })) };
    const c = createCanceller({
      emulator: null,
      endpoint: `localhost:${e.port}`,
      auth,
      retry: { maxAttempts: 1, totalTimeoutMs: 3000 },
    });
    try {
      const err = await rejection(c.cancel('//dataplex.googleapis.com/projects/p/locations/l/operations/o'));
      expect(err.code).toBe(14); // UNAVAILABLE: the TLS handshake with a plaintext server fails
      expect(err.outcome).toBe('error');
    } finally {
      await c.close();
    }
    expect(e.calls).toHaveLength(0);
    expect(e.store.get('projects/p/locations/l/operations/o')!.cancelRequests).toBe(0);
  });
});

test('an empty emulator option is refused instead of meaning production', async () => {
  const { createCanceller } = await import('../../src');
  expect(() => createCanceller({ emulator: '' })).toThrow(/emulator address is empty/);
});
