/**
 * close() frees the REST pool: the idle keep-alive connections (kept 30 s for the next request
 * otherwise) are closed by the time close() resolves, so nothing of the client keeps a process
 * alive or a server's socket open after it.
 */
import * as http from 'node:http';
import type * as net from 'node:net';
import { createCanceller } from '../../src';
import { until } from '../helpers/until';

test('close() closes the idle keep-alive connections of every origin', async () => {
  const open = new Set<net.Socket>();
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  server.on('connection', (s: net.Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const target = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  try {
    const c = createCanceller({ emulator: target, transport: 'rest', restConnectionsPerService: 4 });
    await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        c.cancel(`//dataplex.googleapis.com/projects/p/locations/l/operations/o${i}`),
      ),
    );
    expect(open.size).toBeGreaterThanOrEqual(1);
    // Idle, kept alive: still open a while after the calls ended.
    await new Promise((r) => setTimeout(r, 100));
    expect(open.size).toBeGreaterThanOrEqual(1);
    await c.close();
    // Closed on the client when close() resolved; the server sees each FIN a moment later.
    await until(() => open.size === 0, 'the server to see every connection closed', 2000);
    await expect(
      c.cancel('//dataplex.googleapis.com/projects/p/locations/l/operations/x'),
    ).rejects.toMatchObject({
      outcome: 'aborted',
    });
  } finally {
    for (const s of open) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
