/**
 * Server text over REST is redacted before anything is cut from it: a proxy's error page that
 * echoes a credential this process sent (an access-token file's token has no telltale shape,
 * so only the verbatim match finds it) must not leave its first characters in the message when
 * the page is shortened to a snippet, nor in the CLI's record.
 */
import * as http from 'node:http';
import type * as net from 'node:net';
import { createCanceller } from '../../src';
import { runCli } from '../../src/cli/run-cli';
import { rememberSecret } from '../../src/redaction/redact-secrets';
import { capture } from '../cli/helpers/capture';
import { rejection } from '../helpers/rejection';

// Shaped like no known token: found only because the process remembers sending it.
const TOKEN = 'opaqueFileToken0123456789abcdefXYZ';
const FULL = '//dataplex.googleapis.com/projects/p/locations/l/operations/o';

async function echoingProxy(): Promise<{ target: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(502, { 'content-type': 'text/html' });
      // The token straddles the snippet's cut (120 characters), so a cut first leaves its start.
      res.end(`<html><body><p>${'upstream refused it; '.repeat(5)}token ${TOKEN}</p></body></html>`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    target: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

test("a proxy's page echoing a sent token: no part of it in the error or the record", async () => {
  rememberSecret(TOKEN);
  const proxy = await echoingProxy();
  const c = createCanceller({ emulator: proxy.target, transport: 'rest', retry: { maxAttempts: 1 } });
  try {
    const err = await rejection(c.cancel(FULL));
    expect(err.codeName).toBe('UNAVAILABLE');
    expect(err.rawMessage).toContain("HTTP 502, and the body is not Google's JSON error");
    for (const text of [err.message, err.rawMessage, String(err.stack)])
      expect(text).not.toContain(TOKEN.slice(0, 8));
    const out = capture();
    expect(
      await runCli(
        ['cancel', '--emulator', proxy.target, '--transport', 'rest', '--max-attempts', '1', FULL],
        out.io,
      ),
    ).toBe(1);
    expect(out.records()).toEqual([expect.objectContaining({ outcome: 'error', code: 'UNAVAILABLE' })]);
    expect(out.stdout() + out.stderr()).not.toContain(TOKEN.slice(0, 8));
  } finally {
    await c.close();
    await proxy.close();
  }
});
