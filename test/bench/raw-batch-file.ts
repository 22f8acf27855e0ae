/**
 * Scenario 4's floor: raw @grpc/grpc-js cancelling the names of a file, streamed line by line
 * (`//host/` prefix dropped), `concurrency` calls in flight on one channel, counts kept and
 * nothing else: the least memory a Node client of the same million names needs.
 * `node raw-batch-file.js FILE HOST:PORT DESCRIPTOR_JSON CONCURRENCY`; prints `BENCH_RESULT {json}`.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import * as fs from 'node:fs';
import * as readline from 'node:readline';

type Client = grpc.Client & {
  cancelOperation(req: { name: string }, cb: (err: grpc.ServiceError | null) => void): void;
};

async function main(): Promise<void> {
  const [file, target, descriptorFile, c] = process.argv.slice(2) as [string, string, string, string];
  const concurrency = Number(c);
  const definition = protoLoader.fromJSON(JSON.parse(fs.readFileSync(descriptorFile, 'utf8')));
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    google: { longrunning: { Operations: grpc.ServiceClientConstructor } };
  };
  const client = new pkg.google.longrunning.Operations(
    target,
    grpc.credentials.createInsecure(),
  ) as unknown as Client;
  const byCode: Record<string, number> = {};
  let inflight = 0;
  let wake: (() => void) | undefined;
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    const name = line.trim().replace(/^\/\/[^/]+\//, '');
    if (!name) continue;
    while (inflight >= concurrency) await new Promise<void>((r) => (wake = r));
    inflight++;
    client.cancelOperation({ name }, (err) => {
      const k = String(err ? err.code : 0);
      byCode[k] = (byCode[k] ?? 0) + 1;
      inflight--;
      const w = wake;
      wake = undefined;
      w?.();
    });
  }
  while (inflight > 0) await new Promise<void>((r) => (wake = r));
  client.close();
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ byCode })}\n`);
  if (Object.keys(byCode).some((k) => k !== '0')) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 1;
});
