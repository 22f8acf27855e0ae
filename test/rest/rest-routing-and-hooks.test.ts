// The REST gateway routes by Host exactly as the gRPC port routes by :authority (the emulator's
// one resolveService: a loopback Host is the default service, an unknown host is not served), and
// the observability hooks see REST attempts as they see gRPC ones (method, service, server).
import * as http from 'node:http';
import { createCanceller, type AttemptEvent } from '../../src';
import { useEmulator } from '../helpers/emulator';

const emu = useEmulator({ rest: true, defaultService: 'dataplex' });
const OP = 'projects/p/locations/us-central1/operations/route-1';

function get(path: string, host: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: emu.get().restPort, path, method: 'GET', headers: { host }, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('a loopback Host is the default service, as a loopback :authority is over gRPC', async () => {
  const e = emu.get();
  e.store.seed({ name: OP, service: 'dataplex' });
  const r = await get(`/v1/${OP}`, `127.0.0.1:${e.restPort}`);
  expect(r.status).toBe(200);
  expect(r.body.name).toBe(OP);
  expect(e.calls.map((c) => [c.method, c.service, c.authority, c.code])).toEqual([
    ['GetOperation', 'dataplex', `127.0.0.1:${e.restPort}`, 0],
  ]);
});

test('an unknown host is not served: UNIMPLEMENTED (HTTP 501) naming it, and recorded like a gRPC call', async () => {
  const e = emu.get();
  e.store.seed({ name: OP, service: 'dataplex' });
  const r = await get(`/v1/${OP}`, 'us-central1-dataplex.googleapis.com');
  expect(r.status).toBe(501);
  expect(r.body.error).toMatchObject({
    status: 'UNIMPLEMENTED',
    message: expect.stringContaining('host "us-central1-dataplex.googleapis.com" is not served here'),
  });
  expect(e.calls.map((c) => [c.method, c.service, c.code])).toEqual([['GetOperation', '*', 12]]);
});

test('hooks: the same attempts over REST as over gRPC (latency aside), with the method and server address', async () => {
  const e = emu.get();
  const seen: Record<string, unknown[]> = {};
  for (const [kind, target] of [
    ['grpc', e.target],
    ['rest', e.restTarget],
  ] as const) {
    e.store.seed({ name: OP, service: 'dataplex', failTimes: 1 });
    const attempts: AttemptEvent[] = [];
    const c = createCanceller({
      emulator: target,
      transport: kind,
      retry: { initialDelayMs: 5, maxDelayMs: 10 },
      hooks: { onAttempt: (a) => attempts.push(a) },
    });
    try {
      await c.cancel(`//dataplex.googleapis.com/${OP}`);
    } finally {
      await c.close();
    }
    seen[kind] = attempts.map(({ latencyMs: _l, ...rest }) => rest);
    e.store.clear();
  }
  expect(seen.rest).toEqual([
    expect.objectContaining({
      method: 'CancelOperation',
      service: 'dataplex',
      attempt: 1,
      codeName: 'UNAVAILABLE',
      serverAddress: '127.0.0.1',
    }),
    expect.objectContaining({
      method: 'CancelOperation',
      attempt: 2,
      codeName: 'OK',
      serverAddress: '127.0.0.1',
    }),
  ]);
  expect(seen.rest).toEqual(seen.grpc);
});
