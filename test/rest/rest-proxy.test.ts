// Proxies (issue 13: users behind proxies that pass only HTTP/1.1): a real CONNECT proxy on
// loopback, written here, in front of the emulator's REST gateway (and gRPC port) over real TLS.
// REST goes through it by the variables grpc-js reads, TLS end to end; no_proxy bypasses it;
// a refusal or a dead proxy is UNAVAILABLE naming the variable, never its credentials.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createCanceller } from '../../src';
import { runCli } from '../../src/cli/run-cli';
import { startOperationsEmulator, type OperationsEmulator } from '../../src/emulator';
import { noProxyMatches } from '../../src/transport/proxy';
import { capture } from '../cli/helpers/capture';
import { makeLocalhostCert } from '../helpers/localhost-cert';
import { rejection } from '../helpers/rejection';

jest.setTimeout(30_000);

const OP = 'projects/p/locations/l/operations/proxy-1';
const FULL = `//dataplex.googleapis.com/${OP}`;
const TOKEN = 'ya29.proxy-never-seen';
const VARS = ['grpc_proxy', 'https_proxy', 'http_proxy', 'no_grpc_proxy', 'no_proxy'];

interface Seen {
  connects: { target: string; headers: http.IncomingHttpHeaders }[];
  /** Plain requests (a forwarding proxy would see these): must stay empty. */
  requests: http.IncomingHttpHeaders[];
  /** Every byte the client sent into the tunnels. */
  tunnelled: Buffer[];
}

/** A CONNECT proxy; `refuse` makes it answer that status instead of tunnelling. */
async function startProxy(): Promise<{
  port: number;
  seen: Seen;
  refuse: { status: number };
  stop(): Promise<void>;
}> {
  const seen: Seen = { connects: [], requests: [], tunnelled: [] };
  const refuse = { status: 0 };
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    seen.requests.push(req.headers);
    res.writeHead(400).end();
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.connects.push({ target: req.url ?? '', headers: req.headers });
    sockets.add(client);
    if (refuse.status) {
      client.end(`HTTP/1.1 ${refuse.status} Refused\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const [host, port] = [(req.url ?? '').replace(/:\d+$/, ''), Number((req.url ?? '').split(':').pop())];
    const upstream = net.connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      client.on('data', (d: Buffer) => seen.tunnelled.push(d));
      client.pipe(upstream).pipe(client);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    refuse,
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

let serverPair: { cert: Buffer; key: Buffer };
let emu: OperationsEmulator;
let proxy: Awaited<ReturnType<typeof startProxy>>;
const saved: Record<string, string | undefined> = {};
let dir: string;
const files = { token: '', ca: '' };

beforeAll(async () => {
  serverPair = await makeLocalhostCert();
  emu = await startOperationsEmulator({ tls: serverPair, rest: true });
  proxy = await startProxy();
  for (const v of VARS) saved[v] = process.env[v];
  dir = mkdtempSync(path.join(tmpdir(), 'lro-rest-proxy-'));
  files.token = path.join(dir, 'token');
  files.ca = path.join(dir, 'ca.pem');
  writeFileSync(files.token, `${TOKEN}\n`);
  writeFileSync(files.ca, serverPair.cert);
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await proxy?.stop();
  await emu?.stop();
});
beforeEach(() => {
  for (const v of VARS) delete process.env[v];
  proxy.seen.connects.length = 0;
  proxy.seen.requests.length = 0;
  proxy.seen.tunnelled.length = 0;
  proxy.refuse.status = 0;
  emu.store.clear();
  emu.calls.length = 0;
  emu.store.seed({ name: OP });
});
afterEach(() => {
  for (const v of VARS) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
});

function canceller(transport: 'rest' | 'grpc', maxAttempts = 1): ReturnType<typeof createCanceller> {
  return createCanceller({
    transport,
    emulator: null,
    endpoint: `localhost:${transport === 'rest' ? emu.restPort : emu.port}`,
    rootCerts: serverPair.cert,
    accessToken: TOKEN,
    retry: { maxAttempts, initialDelayMs: 10, totalTimeoutMs: 10_000 },
  });
}

async function cancelWith(transport: 'rest' | 'grpc', maxAttempts = 1): Promise<unknown> {
  const c = canceller(transport, maxAttempts);
  try {
    return await c.cancel(FULL);
  } finally {
    await c.close();
  }
}

test('https_proxy: REST goes through a CONNECT tunnel to the service host, TLS end to end; the proxy never sees the token', async () => {
  process.env.https_proxy = `http://127.0.0.1:${proxy.port}`;
  await expect(cancelWith('rest')).resolves.toMatchObject({ outcome: 'cancel-requested' });
  expect(proxy.seen.connects.map((c) => c.target)).toEqual([`localhost:${emu.restPort}`]);
  expect(proxy.seen.connects[0]?.headers).not.toHaveProperty('authorization');
  expect(proxy.seen.connects[0]?.headers).not.toHaveProperty('proxy-authorization');
  expect(proxy.seen.requests).toEqual([]);
  // The tunnel carried TLS: the token is not in any byte the proxy relayed.
  const relayed = Buffer.concat(proxy.seen.tunnelled);
  expect(relayed.length).toBeGreaterThan(0);
  expect(relayed.includes(TOKEN)).toBe(false);
  expect(relayed.includes('authorization')).toBe(false);
  // And the server got the call, with the token.
  expect(emu.calls.map((c) => [c.method, c.authorization])).toEqual([['CancelOperation', `Bearer ${TOKEN}`]]);
});

test('through the proxy the pool keeps its bound: 12 cancels at once on restConnectionsPerService 2 open at most 2 tunnels', async () => {
  process.env.https_proxy = `http://127.0.0.1:${proxy.port}`;
  const names = Array.from({ length: 12 }, (_, i) => `${OP}-${i}`);
  for (const n of names) emu.store.seed({ name: n });
  const c = createCanceller({
    transport: 'rest',
    emulator: null,
    endpoint: `localhost:${emu.restPort}`,
    rootCerts: serverPair.cert,
    accessToken: TOKEN,
    restConnectionsPerService: 2,
    retry: { maxAttempts: 1 },
  });
  try {
    const results = await Promise.all(names.map((n) => c.cancel(`//dataplex.googleapis.com/${n}`)));
    expect(results.map((r) => r.outcome)).toEqual(names.map(() => 'cancel-requested'));
  } finally {
    await c.close();
  }
  expect(proxy.seen.connects.length).toBeGreaterThanOrEqual(1);
  expect(proxy.seen.connects.length).toBeLessThanOrEqual(2);
});

test('grpc_proxy wins over https_proxy, as in grpc-js; user:pass@ becomes Proxy-Authorization', async () => {
  process.env.https_proxy = 'http://127.0.0.1:1';
  process.env.grpc_proxy = `http://us%65r:p%40ss@127.0.0.1:${proxy.port}`;
  await expect(cancelWith('rest')).resolves.toMatchObject({ outcome: 'cancel-requested' });
  expect(proxy.seen.connects.map((c) => c.headers['proxy-authorization'])).toEqual([
    `Basic ${Buffer.from('user:p@ss').toString('base64')}`,
  ]);
});

test('no_proxy bypasses the proxy: a host suffix, host:port, and *', async () => {
  process.env.https_proxy = `http://127.0.0.1:${proxy.port}`;
  for (const list of ['example.com, localhost', `localhost:${emu.restPort}`, '*']) {
    process.env.no_proxy = list;
    emu.store.seed({ name: OP });
    await expect(cancelWith('rest')).resolves.toMatchObject({ outcome: 'cancel-requested' });
  }
  expect(proxy.seen.connects).toEqual([]);
  expect(emu.calls).toHaveLength(3);
  // no_grpc_proxy wins over no_proxy, as in grpc-js.
  process.env.no_grpc_proxy = 'example.com';
  emu.store.seed({ name: OP });
  await expect(cancelWith('rest')).resolves.toMatchObject({ outcome: 'cancel-requested' });
  expect(proxy.seen.connects).toHaveLength(1);
});

test('no_proxy forms: suffix at a label, CIDR, host:port of another port, an empty entry (grpc-js: every host)', () => {
  const env = (no_proxy: string): NodeJS.ProcessEnv => ({ no_proxy });
  expect(noProxyMatches('dataplex.googleapis.com', 443, env('.googleapis.com'))).toBe(true);
  expect(noProxyMatches('dataplex.googleapis.com', 443, env('googleapis.com'))).toBe(true);
  expect(noProxyMatches('dataplex.googleapis.com', 443, env('example.com'))).toBe(false);
  expect(noProxyMatches('10.1.2.3', 443, env('10.0.0.0/8'))).toBe(true);
  expect(noProxyMatches('11.1.2.3', 443, env('10.0.0.0/8'))).toBe(false);
  expect(noProxyMatches('localhost', 443, env('localhost:8443'))).toBe(false);
  expect(noProxyMatches('localhost', 8443, env('localhost:8443'))).toBe(true);
  expect(noProxyMatches('x.com', 443, env('a.com,'))).toBe(true);
});

test('the loopback emulator (plaintext) never goes through a proxy, over REST or gRPC', async () => {
  process.env.https_proxy = `http://127.0.0.1:${proxy.port}`;
  const plain = await startOperationsEmulator({ rest: true });
  try {
    for (const transport of ['rest', 'grpc'] as const) {
      plain.store.seed({ name: OP });
      const target = transport === 'rest' ? plain.restTarget : `127.0.0.1:${plain.port}`;
      const c = createCanceller({ transport, emulator: target, retry: { maxAttempts: 1 } });
      try {
        await expect(c.cancel(FULL)).resolves.toMatchObject({ outcome: 'cancel-requested' });
      } finally {
        await c.close();
      }
    }
    expect(plain.calls).toHaveLength(2);
  } finally {
    await plain.stop();
  }
  // grpc-js alone would have sent the gRPC emulator's traffic to the proxy.
  expect(proxy.seen.connects).toEqual([]);
});

test('a 407 from the proxy: UNAVAILABLE naming the variable, retried, the credentials never printed', async () => {
  process.env.https_proxy = `http://user:s3cret-pw@127.0.0.1:${proxy.port}`;
  proxy.refuse.status = 407;
  const err = await rejection(cancelWith('rest', 2));
  expect(err.codeName).toBe('UNAVAILABLE');
  expect(err.rawMessage).toContain('407');
  expect(err.rawMessage).toContain('https_proxy');
  expect(err.hint).toMatch(/check its address and credentials in https_proxy.*no_proxy/);
  expect(err.attempts).toBe(2);
  expect(proxy.seen.connects).toHaveLength(2);
  expect(emu.calls).toEqual([]);
  // The CLI prints it whole: no password, no Basic value.
  emu.store.seed({ name: OP });
  const io = capture({});
  const code = await runCli(
    [
      'cancel',
      FULL,
      '--transport',
      'rest',
      '--endpoint',
      `localhost:${emu.restPort}`,
      '--access-token-file',
      files.token,
      '--ca-file',
      files.ca,
      '--max-attempts',
      '1',
      '--timeout',
      '5s',
    ],
    io.io,
  ).catch(() => -1);
  const printed = io.stdout() + io.stderr();
  expect(code).toBe(1);
  expect(printed).toMatch(/407.*https_proxy/s);
  expect(printed).not.toContain('s3cret-pw');
  expect(printed).not.toContain(Buffer.from('user:s3cret-pw').toString('base64'));
  expect(printed).not.toContain(TOKEN);
});

test('a proxy that is down: UNAVAILABLE naming the variable', async () => {
  const dead = net.createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  const port = (dead.address() as net.AddressInfo).port;
  await new Promise<void>((r) => dead.close(() => r()));
  process.env.http_proxy = `http://127.0.0.1:${port}`;
  const err = await rejection(cancelWith('rest'));
  expect(err.codeName).toBe('UNAVAILABLE');
  expect(err.rawMessage).toMatch(/http_proxy.*could not be reached/s);
  expect(err.hint).toContain('http_proxy');
});

test('a proxy URL neither transport can use is a usage error before anything is sent', async () => {
  process.env.https_proxy = 'https://user:pw@proxy.example:3128';
  expect(() => canceller('rest')).toThrow(/https_proxy.*only an http:\/\/ proxy/);
  expect(() => canceller('grpc')).not.toThrow(/pw/);
  const io = capture({});
  const code = await runCli(['cancel', FULL, '--transport', 'rest', '--endpoint', 'localhost:1'], io.io);
  expect(code).toBe(2);
  expect(io.stderr()).toMatch(/https_proxy/);
  expect(io.stdout() + io.stderr()).not.toContain('user:pw');
  expect(emu.calls).toEqual([]);
});

test('403 and 502 to CONNECT: UNAVAILABLE with the status, as 407', async () => {
  process.env.https_proxy = `http://127.0.0.1:${proxy.port}`;
  for (const status of [403, 502]) {
    proxy.refuse.status = status;
    const err = await rejection(cancelWith('rest'));
    expect([err.codeName, err.rawMessage]).toEqual([
      'UNAVAILABLE',
      expect.stringContaining(`answered ${status}`),
    ]);
  }
  expect(emu.calls).toEqual([]);
});

test('gRPC reads the same variables: its channel goes through the same proxy, and no_proxy bypasses it', async () => {
  process.env.https_proxy = `http://127.0.0.1:${proxy.port}`;
  await expect(cancelWith('grpc')).resolves.toMatchObject({ outcome: 'cancel-requested' });
  expect(proxy.seen.connects.map((c) => c.target)).toEqual([`localhost:${emu.port}`]);
  expect(Buffer.concat(proxy.seen.tunnelled).includes(TOKEN)).toBe(false);
  proxy.seen.connects.length = 0;
  // A form grpc-js lacks (host:port): lro-cancel tells the channel, so gRPC bypasses as REST does.
  process.env.no_proxy = `localhost:${emu.port}`;
  emu.store.seed({ name: OP });
  await expect(cancelWith('grpc')).resolves.toMatchObject({ outcome: 'cancel-requested' });
  expect(proxy.seen.connects).toEqual([]);
});
