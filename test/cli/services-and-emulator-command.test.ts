import { cancelCommand } from '../../src/cli/commands/cancel-command';
import { emulatorCommand } from '../../src/cli/commands/emulator-command';
import { servicesCommand } from '../../src/cli/commands/services-command';
import { runCli } from '../../src/cli/run-cli';
import { sampleOperationName, sampleOperations } from '../../src/emulator/sample-names';
import { parseOperationName } from '../../src/registry/operation-name';
import {
  customService,
  services,
  serviceIds,
  type ServiceDescriptor,
} from '../../src/registry/service-registry';
import { capture } from './helpers/capture';

describe('services', () => {
  test('--json prints the registry: id, host, version, patterns, scopes for all five', async () => {
    const c = capture();
    expect(await servicesCommand({ json: true }, c.io)).toBe(0);
    const rows = JSON.parse(c.stdout()) as {
      id: string;
      host: string;
      version: string;
      patterns: string[];
      scopes: string[];
    }[];
    expect(rows.map((r) => r.id)).toEqual([
      'datalineage',
      'dataplex',
      'privateca',
      'datastore',
      'discoveryengine',
    ]);
    expect(rows.find((r) => r.id === 'dataplex')).toMatchObject({
      host: 'dataplex.googleapis.com',
      version: 'v1',
      patterns: ['projects/*/locations/*/operations/*', 'organizations/*/locations/*/operations/*'],
      scopes: ['https://www.googleapis.com/auth/cloud-platform'],
    });
    expect(rows.find((r) => r.id === 'discoveryengine')?.version).toBe('v1alpha');
    expect(rows.find((r) => r.id === 'datastore')?.scopes).toContain(
      'https://www.googleapis.com/auth/datastore',
    );
  });

  test('the table shows every service with its host, version, patterns and scopes', async () => {
    const c = capture();
    expect(await runCli(['services'], c.io)).toBe(0);
    for (const s of Object.values(services)) {
      expect(c.stdout()).toContain(`${s.id}  ${s.host}:443  ${s.apiVersion}`);
      for (const p of s.cancelPatterns) expect(c.stdout()).toContain(`  pattern  ${p}\n`);
    }
    expect(c.stdout()).toContain('scope    https://www.googleapis.com/auth/cloud-platform');
  });
});

describe('sample names (emulator --seed, demo)', () => {
  test.each(serviceIds)('%s: a sample name for every cancel pattern passes validation', (id) => {
    const service = services[id] as ServiceDescriptor;
    service.cancelPatterns.forEach((_, variant) => {
      const name = sampleOperationName(service, `op-${variant}`, variant);
      expect(parseOperationName(name, id)).toEqual({ name, service });
      expect(parseOperationName(`//${service.host}/${name}`).service.id).toBe(id);
    });
  });

  test('a custom service gets a valid name too; seeds spread over all five services', () => {
    const custom = customService('foo.googleapis.com');
    expect(parseOperationName(sampleOperationName(custom, 'x'), { service: custom }).name).toBe(
      'projects/demo-project/operations/x',
    );
    const seeded = sampleOperations(12);
    expect(new Set(seeded.map((s) => s.service.id))).toEqual(new Set(serviceIds));
    expect(new Set(seeded.map((s) => s.name)).size).toBe(12);
  });
});

describe('emulator', () => {
  test('listens, prints its address and the export line, seeds names that cancel, stops on abort', async () => {
    const c = capture();
    const running = emulatorCommand({ host: '127.0.0.1', port: 0, seed: 7 }, c.io);
    await waitFor(() => c.stdout().includes('seeded'));
    const out = c.stdout();
    const address = /^lro-cancel emulator listening on (127\.0\.0\.1:\d+)$/m.exec(out)?.[1];
    expect(address).toBeDefined();
    expect(out).toContain(`\nexport LRO_CANCEL_EMULATOR_HOST=${address}\n`);
    const names = out
      .split('\n')
      .filter((l) => l.startsWith('  //'))
      .map((l) => l.trim());
    expect(names).toHaveLength(7);

    const cancel = capture({ LRO_CANCEL_EMULATOR_HOST: address });
    expect(await cancelCommand({ names }, cancel.io)).toBe(0);
    expect(new Set(cancel.records().map((r) => r.service))).toEqual(new Set(serviceIds));

    c.controller.abort();
    await expect(running).resolves.toBe(0);
    // Stopped: the port no longer answers.
    const after = capture({ LRO_CANCEL_EMULATOR_HOST: address });
    expect(await cancelCommand({ names: [names[0] as string], maxAttempts: 1 }, after.io)).toBe(1);
    expect(after.records()[0]).toMatchObject({ outcome: 'error', code: 'UNAVAILABLE' });
  });

  test('many seeds: the first ten are shown, the rest counted', async () => {
    const c = capture();
    const running = emulatorCommand({ host: 'localhost', port: 0, seed: 25 }, c.io);
    await waitFor(() => c.stdout().includes('more'));
    expect(c.stdout()).toMatch(
      /seeded 25 running operation\(s\):\n( {2}\/\/.*\n){10} {2}\.\.\. and 15 more\n$/,
    );
    c.controller.abort();
    await expect(running).resolves.toBe(0);
  });

  test('binding a non-loopback address needs --allow-insecure; a busy port is exit 1 with the reason', async () => {
    const c = capture();
    expect(await runCli(['emulator', '--host', '0.0.0.0'], c.io)).toBe(2);
    expect(c.stderr()).toMatch(/^lro-cancel: --host: "0.0.0.0" is not a loopback address/);

    const first = capture();
    const running = emulatorCommand({ host: '127.0.0.1', port: 0, seed: 0 }, first.io);
    await waitFor(() => first.stdout().includes('listening'));
    const port = /:(\d+)\n/.exec(first.stdout())?.[1] as string;
    const second = capture();
    // grpc-js also logs the bind failure through console.error; keep the test output clean.
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await runCli(['emulator', '--port', port], second.io)).toBe(1);
    quiet.mockRestore();
    expect(second.stderr()).toMatch(new RegExp(`^lro-cancel: cannot listen on 127.0.0.1:${port}: `));
    first.controller.abort();
    await running;
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
