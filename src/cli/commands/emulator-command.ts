import { startOperationsEmulator, type OperationsEmulator } from '../../emulator';
import { isLoopbackHost } from '../../transport/endpoint';
import type { CommandIO } from '../command-io';
import { ExitCode, ExitError, UsageError } from '../exit-error';
import { fullName, sampleOperations } from '../../emulator/sample-names';
import type { OperationSeed } from '../../emulator/operation-store';
import type { RecordedCall } from '../../emulator/operations-emulator';
import { codeName } from '../../errors/status-code';
import { parseSeedLine, type FaultFlag } from '../emulator-flags';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

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
  /** File of operations to create (one per line, see SEED_LINE_SYNTAX). */
  seedFile?: string;
  /** Service of calls with a loopback :authority. */
  defaultService?: string;
  /** Faults per service key. */
  faults?: readonly FaultFlag[];
  /** Concurrent streams per connection. */
  maxStreams?: number;
  /** Call log file (JSON lines; '-' for stdout). */
  log?: string;
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
  const seeds = options.seedFile === undefined ? [] : readSeedFile(options.seedFile);
  let logFd: number | undefined;
  if (options.log !== undefined && options.log !== '-') {
    try {
      logFd = openSync(options.log, 'a');
    } catch (e) {
      throw new ExitError(ExitCode.FAILURE, `--log: cannot open ${options.log}: ${(e as Error).message}`);
    }
  }
  const writeLog =
    options.log === undefined
      ? undefined
      : logFd === undefined
        ? (line: string) => io.stdout.write(line)
        : (line: string) => writeSync(logFd as number, line);
  let emulator: OperationsEmulator;
  try {
    // Calls are not kept in memory: a long-running emulator must not grow without bound.
    emulator = await startOperationsEmulator({
      host: options.host,
      port: options.port,
      recordCalls: false,
      redactGrpcLogs: true,
      ...(options.restPort === undefined ? {} : { rest: true, restPort: options.restPort }),
      ...(options.defaultService !== undefined ? { defaultService: options.defaultService } : {}),
      ...(options.maxStreams !== undefined ? { maxConcurrentStreams: options.maxStreams } : {}),
      ...(writeLog !== undefined ? { onCall: (call: RecordedCall) => writeLog(logLine(call)) } : {}),
    });
  } catch (e) {
    throw new ExitError(
      ExitCode.FAILURE,
      `cannot listen on ${options.host}:${options.port}: ${(e as Error).message}`,
    );
  }
  try {
    for (const f of options.faults ?? []) emulator.setFaults(f.service, f.faults);
    const seeded = sampleOperations(options.seed);
    for (const op of seeded) emulator.store.seed({ name: op.name, service: op.service.id });
    for (const seed of seeds) emulator.store.seed(seed);

    const out: string[] = [
      `lro-cancel emulator listening on ${emulator.target}`,
      `export LRO_CANCEL_EMULATOR_HOST=${emulator.target}`,
      options.defaultService === undefined
        ? 'calls with a loopback :authority (no service host) see only operations of no service (--default-service ID to change)'
        : `calls with a loopback :authority (no service host) are for ${options.defaultService}`,
    ];
    if (options.restPort !== undefined)
      out.push(`REST routes on ${emulator.restTarget} (--emulator ${emulator.restTarget} --transport rest)`);
    if (seeded.length > 0) {
      out.push(`seeded ${seeded.length} running operation(s):`);
      for (const op of seeded.slice(0, SHOWN_NAMES)) out.push(`  ${fullName(op.service, op.name)}`);
      if (seeded.length > SHOWN_NAMES) out.push(`  ... and ${seeded.length - SHOWN_NAMES} more`);
    }
    if (seeds.length > 0) out.push(`seeded ${seeds.length} operation(s) from ${options.seedFile}`);
    for (const f of options.faults ?? []) out.push(`faults for ${f.service}: ${JSON.stringify(f.faults)}`);
    io.stdout.write(`${out.join('\n')}\n`);
    io.stderr.write('Press Ctrl-C to stop.\n');
    await untilAborted(io.signal);
    return ExitCode.OK;
  } finally {
    await emulator.stop();
    if (logFd !== undefined) closeSync(logFd);
  }
}

/** The seeds of a seed file; a bad line is a usage error naming its line number. */
function readSeedFile(file: string): OperationSeed[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ExitError(ExitCode.FAILURE, `--seed-file: cannot read ${file}: ${(e as Error).message}`);
  }
  const out: OperationSeed[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const seed = parseSeedLine(line);
    if (seed === null) return;
    if ('error' in seed)
      throw new UsageError(`--seed-file ${file}, line ${i + 1}: ${seed.error}`, 'emulator');
    out.push(seed);
  });
  return out;
}

/** One call-log line: what arrived and what it got. The authorization header is never written. */
function logLine(call: RecordedCall): string {
  return `${JSON.stringify({
    time: new Date(call.at).toISOString(),
    method: call.method,
    service: call.service,
    name: call.name,
    status: call.dropped ? 'DROPPED' : codeName(call.code ?? 2),
    peer: call.peer,
    authority: call.authority,
    deadline: call.deadline === undefined ? null : new Date(call.deadline).toISOString(),
    ms: Date.now() - call.at,
  })}\n`;
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
