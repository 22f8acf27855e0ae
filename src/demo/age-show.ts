/**
 * Part three of `npm run demo`: cancel only the operations older than an hour, across all five
 * services, and show what was left alone. Each service's operations carry its real metadata
 * (create time included); `cancel-all --older-than 1h` selects on it after listing, a parent
 * that several services take (`projects/p/locations/l`) is listed on each of them, and the
 * emulator's state is checked afterwards: old ones cancelled, young ones still running.
 */
import { runCli } from '../cli/run-cli';
import { startOperationsEmulator } from '../emulator';
import { sampleOperationName } from '../emulator/sample-names';
import { Code } from '../errors/status-code';
import { services, serviceIds, type ServiceDescriptor } from '../registry/service-registry';

const MINUTE = 60_000;
/** Ages seeded per service: three old ones (beyond an hour), two young ones. */
const AGES_MIN: readonly number[] = [300, 150, 75, 40, 5];

interface Seeded {
  service: string;
  name: string;
  ageMin: number;
}

function parentOf(name: string): string {
  return name.slice(0, name.lastIndexOf('/operations/'));
}

export async function ageShow(): Promise<number> {
  const emulator = await startOperationsEmulator({ host: '127.0.0.1', port: 0 });
  const print = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  try {
    const seeded: Seeded[] = [];
    const now = Date.now();
    for (const id of serviceIds) {
      const service = services[id] as ServiceDescriptor;
      AGES_MIN.forEach((ageMin, i) => {
        const name = sampleOperationName(service, `age-${ageMin}m-${i}`);
        emulator.store.seed({ name, service: id, createdAt: now - ageMin * MINUTE });
        seeded.push({ service: id, name, ageMin });
      });
    }
    print('lro-cancel demo part 4: cancel only what has run for more than an hour, on all five services');
    print(
      `seeded ${seeded.length} running operations (ages ${AGES_MIN.map((a) => `${a}m`).join(', ')} on each service)`,
    );
    // One parent several services take (listed on each), and the two services whose operations live elsewhere.
    const runs: string[][] = [
      [parentOf(sampleOperationName(services.dataplex as ServiceDescriptor, 'x'))],
      [parentOf(sampleOperationName(services.datastore as ServiceDescriptor, 'x')), '--service', 'datastore'],
      [
        parentOf(sampleOperationName(services.discoveryengine as ServiceDescriptor, 'x')),
        '--service',
        'discoveryengine',
      ],
    ];
    const problems: string[] = [];
    for (const args of runs) {
      const argv = ['cancel-all', ...args, '--older-than', '1h', '--confirm', '--confirm-timeout', '10s'];
      print(`$ lro-cancel ${argv.join(' ')}`);
      const code = await runCli([...argv, '--emulator', emulator.target], {
        stdout: {
          write: (chunk: string) => {
            // Records without their decoded metadata, to keep the demo readable.
            for (const line of chunk.split('\n').filter(Boolean)) {
              const { metadata: _m, response: _r, ...rest } = JSON.parse(line) as Record<string, unknown>;
              process.stdout.write(`${JSON.stringify(rest)}\n`);
            }
            return true;
          },
        },
        stderr: { write: (chunk: string) => process.stdout.write(`  ${chunk}`) },
        env: { METADATA_SERVER_DETECTION: 'none' },
        signal: new AbortController().signal,
      });
      if (code !== 0) problems.push(`${argv.join(' ')}: exit status ${code}`);
    }
    print('left alone (younger than an hour):');
    for (const s of seeded) {
      const op = emulator.store.get(s.name, s.service);
      const old = s.ageMin > 60;
      if (old && op?.error?.code !== Code.CANCELLED)
        problems.push(`${s.service} ${s.name} (${s.ageMin}m) was not cancelled`);
      if (!old && (op?.done || (op?.cancelRequests ?? 0) > 0))
        problems.push(`${s.service} ${s.name} (${s.ageMin}m) was touched`);
      if (!old) print(`  ${s.service.padEnd(16)}${`${s.ageMin}m`.padStart(5)}  ${s.name}  (still running)`);
    }
    const cancelled = seeded.filter((s) => s.ageMin > 60).length;
    if (problems.length === 0) {
      print(
        `demo part 4 OK: ${cancelled} operations older than 1h cancelled, ${seeded.length - cancelled} younger ones left running`,
      );
      return 0;
    }
    for (const p of problems) print(`MISMATCH: ${p}`);
    print(`demo part 4 FAILED: ${problems.length} mismatch(es)`);
    return 1;
  } finally {
    await emulator.stop();
  }
}
