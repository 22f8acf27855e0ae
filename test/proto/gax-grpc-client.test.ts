/**
 * lro-cancel takes google-gax's GrpcClient from its gRPC module, not from the package index
 * (which loads gax's generated clients and static protos: ~4 MB of live heap a batch never uses).
 * These tests fail when an installed google-gax stops having that module where it is looked for,
 * or when something in the library starts loading the index again.
 */
import * as gax from 'google-gax';
import { cliModule, runNodeScript } from '../cli/helpers/spawn-cli';
import { useEmulator } from '../helpers/emulator';
import { gaxGrpcClient, gaxGrpcModulePath } from '../../src/proto/gax-grpc-client';
import { grpc } from '../../src/transport/grpc';

jest.setTimeout(30_000);
const emu = useEmulator();

test("the installed google-gax has its gRPC module beside its index, exporting the index's own GrpcClient", () => {
  expect(gaxGrpcModulePath()).toMatch(/google-gax[\\/]build[\\/]src[\\/]grpc\.js$/);
  expect(gaxGrpcClient()).toBe(gax.GrpcClient);
});

test("transport's grpc-js is google-gax's own copy (the one its stubs are made with)", () => {
  expect(grpc).toBe(gax.grpc);
  expect(new (gaxGrpcClient())({ universeDomain: 'googleapis.com' }).grpc).toBe(grpc);
});

test("a batch over gRPC never loads google-gax's index, and its calls still go through gax's stubs", async () => {
  emu.get().store.seed({ name: 'projects/p/operations/a', service: 'datastore' });
  const script = `
    const lib = require(${JSON.stringify(cliModule('index'))});
    (async () => {
      const outcomes = [];
      for await (const r of lib.cancelMany(['projects/p/operations/a'], { service: 'datastore', emulator: ${JSON.stringify(emu.get().target)} }))
        outcomes.push(r.outcome);
      const loaded = Object.keys(require.cache).filter((k) => /google-gax[\\\\/]build[\\\\/]src[\\\\/]/.test(k));
      console.log(JSON.stringify({
        outcomes,
        index: loaded.some((k) => /[\\\\/]index\\.js$/.test(k)),
        grpcModule: loaded.some((k) => /[\\\\/]grpc\\.js$/.test(k)),
      }));
    })();`;
  const r = await runNodeScript(script);
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ outcomes: ['cancel-requested'], index: false, grpcModule: true });
});
