/**
 * A response body is read up to 4 MiB (grpc-js's default receive limit), over REST as over gRPC:
 * a server or proxy sending more — declared, or streamed without a length — ends the call with
 * RESOURCE_EXHAUSTED, worded as grpc-js words it and not retried, instead of holding the client's
 * memory for as long as it keeps sending.
 */
import * as http from 'node:http';
import type * as net from 'node:net';
import { createCanceller } from '../../src';
import { MAX_RESPONSE_BYTES } from '../../src/transport/rest/rest-transport';
import { rejection } from '../helpers/rejection';

const FULL = '//dataplex.googleapis.com/projects/p/locations/l/operations/o';

async function server(
  answer: (res: http.ServerResponse) => void,
): Promise<{ target: string; requests: () => number; close: () => Promise<void> }> {
  let n = 0;
  const sockets = new Set<net.Socket>();
  const s = http.createServer((req, res) => {
    n++;
    req.resume();
    req.on('end', () => answer(res));
  });
  s.on('connection', (c: net.Socket) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    target: `127.0.0.1:${(s.address() as net.AddressInfo).port}`,
    requests: () => n,
    close: async () => {
      for (const c of sockets) c.destroy();
      await new Promise<void>((r) => s.close(() => r()));
    },
  };
}

test('a body streamed past 4 MiB without a length: RESOURCE_EXHAUSTED after one attempt', async () => {
  const chunk = Buffer.alloc(256 * 1024, 0x20);
  const s = await server((res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"name":"');
    // Never ends on its own: only the client stopping to read ends it.
    const more = (): void => {
      while (res.write(chunk)) if (res.destroyed) return;
      res.once('drain', more);
    };
    res.on('error', () => undefined);
    more();
  });
  const c = createCanceller({
    emulator: s.target,
    transport: 'rest',
    retry: { maxAttempts: 3, initialDelayMs: 5 },
  });
  try {
    const err = await rejection(c.getOperation(FULL));
    expect(err.codeName).toBe('RESOURCE_EXHAUSTED');
    expect(err.rawMessage).toMatch(
      new RegExp(`^Received message larger than max \\(\\d+ vs\\. ${MAX_RESPONSE_BYTES}\\)$`),
    );
    expect(err.attempts).toBe(1);
    expect(s.requests()).toBe(1);
  } finally {
    await c.close();
    await s.close();
  }
});

test('a declared Content-Length past 4 MiB is refused before its body is read', async () => {
  const s = await server((res) => {
    res.writeHead(503, { 'content-type': 'text/html', 'content-length': String(64 * 1024 * 1024) });
    res.write('<html>');
  });
  const c = createCanceller({
    emulator: s.target,
    transport: 'rest',
    retry: { maxAttempts: 3, initialDelayMs: 5 },
  });
  try {
    const err = await rejection(c.cancel(FULL));
    expect(err.codeName).toBe('RESOURCE_EXHAUSTED');
    expect(err.rawMessage).toBe(
      `Received message larger than max (${64 * 1024 * 1024} vs. ${MAX_RESPONSE_BYTES})`,
    );
    expect(s.requests()).toBe(1);
  } finally {
    await c.close();
    await s.close();
  }
});

test('an answer just under the limit is read whole', async () => {
  const id = 'x'.repeat(MAX_RESPONSE_BYTES - 200);
  const s = await server((res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ name: `projects/p/locations/l/operations/${id}`, done: false }));
  });
  const c = createCanceller({ emulator: s.target, transport: 'rest' });
  try {
    const op = await c.getOperation(FULL);
    expect(op.name).toHaveLength(`projects/p/locations/l/operations/`.length + id.length);
  } finally {
    await c.close();
    await s.close();
  }
});
