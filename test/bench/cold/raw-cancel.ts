/**
 * Cold start, raw: the least a Node program can do to cancel one operation with
 * @grpc/grpc-js + @grpc/proto-loader, loading the same precompiled JSON descriptor as the CLI
 * (dist/proto/operations-descriptor.json: JSON loads in about half the time .proto text
 * parses), so that the descriptor is not what differs. `node raw-cancel.js HOST:PORT NAME DESCRIPTOR_JSON`.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import * as fs from 'node:fs';

const [target, name, descriptorFile] = process.argv.slice(2) as [string, string, string];
const definition = protoLoader.fromJSON(JSON.parse(fs.readFileSync(descriptorFile, 'utf8')));
const pkg = grpc.loadPackageDefinition(definition) as unknown as {
  google: { longrunning: { Operations: grpc.ServiceClientConstructor } };
};
const client = new pkg.google.longrunning.Operations(
  target,
  grpc.credentials.createInsecure(),
) as unknown as grpc.Client & {
  cancelOperation(req: { name: string }, cb: (err: grpc.ServiceError | null) => void): void;
};
client.cancelOperation({ name }, (err) => {
  if (err) {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  }
  client.close();
});
