/**
 * Cold start, raw: the least a Node program can do to cancel one operation with
 * @grpc/grpc-js + @grpc/proto-loader. `node raw-cancel.js HOST:PORT NAME PROTOS_DIR`.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const [target, name, protos] = process.argv.slice(2) as [string, string, string];
const definition = protoLoader.loadSync('google/longrunning/operations.proto', { includeDirs: [protos] });
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
