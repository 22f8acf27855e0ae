import { startOperationsEmulator, type OperationsEmulator } from '../../emulator';
import { isLoopbackHost } from '../../transport/endpoint';
import type { CommandIO } from '../command-io';
import { ExitCode, ExitError, UsageError } from '../exit-error';
import { fullName, sampleOperations } from '../../emulator/sample-names';

/** Options of `lro-cancel emulator`. */
export interface EmulatorCommandOptions {
  /** Address to bind. Defaults to 127.0.0.1. */
  host: string;
  /** Port; 0 picks a free one. Defaults to 0. */
  port: number;
  /** Running operations to create at start, spread over the five services. Defaults to 0. */
  seed: number;
  /** Permit binding an address that is not loopback. Defaults to false. */
  allowInsecure?: boolean;
  /** Also serve the REST routes on this port (0: any free one). Not served unless given. */
  restPort?: number;
}

/** Names printed at start; the rest are counted. */
const SHOWN_NAMES = 10;

/**
 * Run the Operations emulator until `io.signal` aborts (SIGINT / SIGTERM in main.ts).
 * Prints `lro-cancel emulator listening on HOST:PORT` and the export line for other shells.
 */
export async function emulatorCommand(options: EmulatorCommandOptions, io: CommandIO): Promise<number> {
  if (!isLoopbackHost(options.host) && !options.allowInsecure) {
    throw new UsageError(
      `--host: "${options.host}" is not a loopback address, and the emulator has no authentication (pass --allow-insecure to bind it anyway)`,
      'emulator',
    );
  }
  let emulator: OperationsEmulator;
  try {
    // Calls are not logged: a long-running emulator must not grow without bound.
    emulator = await startOperationsEmulator({
      host: options.host,
      port: options.port,
      recordCalls: false,
      redactGrpcLogs: true,
      ...(options.restPort === undefined ? {} : { rest: true, restPort: options.restPort }),
    });
  } catch (e) {
    throw new ExitError(
      ExitCode.FAILURE,
      `cannot listen on ${options.host}:${options.port}: ${(e as Error).message}`,
    );
  }
  try {
    const seeded = sampleOperations(options.seed);
    for (const op of seeded) emulator.store.seed({ name: op.name, service: op.service.id });

    const out: string[] = [
      `lro-cancel emulator listening on ${emulator.target}`,
      `export LRO_CANCEL_EMULATOR_HOST=${emulator.target}`,
    ];
    if (options.restPort !== undefined)
      out.push(`REST routes on ${emulator.restTarget} (--emulator ${emulator.restTarget} --transport rest)`);
    if (seeded.length > 0) {
      out.push(`seeded ${seeded.length} running operation(s):`);
      for (const op of seeded.slice(0, SHOWN_NAMES)) out.push(`  ${fullName(op.service, op.name)}`);
      if (seeded.length > SHOWN_NAMES) out.push(`  ... and ${seeded.length - SHOWN_NAMES} more`);
    }
    io.stdout.write(`${out.join('\n')}\n`);
    io.stderr.write('Press Ctrl-C to stop.\n');
    await untilAborted(io.signal);
    return ExitCode.OK;
  } finally {
    await emulator.stop();
  }
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
