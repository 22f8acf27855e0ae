/**
 * Cold start, gax: google-gax's operations client cancelling one operation, as a user would
 * write it. `node gax-cancel.js HOST:PORT NAME`.
 */
import { grpc, lro } from 'google-gax';

async function main(): Promise<void> {
  const [target, name] = process.argv.slice(2) as [string, string];
  const colon = target.lastIndexOf(':');
  const universeDomain = 'googleapis.com';
  const client = lro({ universeDomain }).operationsClient({
    servicePath: target.slice(0, colon),
    port: Number(target.slice(colon + 1)),
    sslCreds: grpc.credentials.createInsecure(),
    universeDomain,
  } as never) as unknown as { cancelOperation(req: { name: string }): Promise<unknown>; close(): void };
  try {
    await client.cancelOperation({ name });
  } finally {
    client.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = 1;
});
