import type { BatchOptions } from '../../batch/cancel-many';
import type { CancellerOptions } from '../../client/canceller';
import { resolveEndpoint } from '../../transport/endpoint';
import type { CommandIO } from '../command-io';
import { jsonLinesLogger } from '../verbose-logger';
import { UsageError } from '../exit-error';

/*
 * The options shared by the commands that call services live here, not in command-table.ts, which
 * imports every command's option types: commands import these without a cycle back to it.
 */

/** Connection options every service-calling command shares, read from its flags. */
export interface ConnectionOptions {
  /**
   * Service of relative names: a built-in id, or one of `serviceHosts` (`--service`, else the
   * only `--service-host`).
   */
  service?: string;
  /** Hosts that are not built in which full names may name (`--service-host`, lower case). */
  serviceHosts?: string[];
  /** `host:port` for all services, or per service id. */
  endpoint?: string | Record<string, string>;
  /** `host:port` of an emulator (the env variable is read by the command, not here). */
  emulator?: string;
  allowInsecure?: boolean;
}

/** `--timeout` and `--max-attempts`: every command that calls a service takes them. */
export interface CallFlags {
  timeoutMs?: number | undefined;
  maxAttempts?: number | undefined;
  /** `--verbose`: the library's debug logs as JSON lines on stderr. */
  verbose?: boolean | undefined;
}

/** The flags of the commands that cancel many names through the batch engine (batch, cancel, cancel-all). */
export interface BatchFlags extends CallFlags {
  concurrency?: number | undefined;
  rate?: number | undefined;
  journal?: string | undefined;
  confirm?: boolean | undefined;
  confirmTimeoutMs?: number | undefined;
  graceMs?: number | undefined;
}

/**
 * Canceller options from the shared connection and call flags and the command's environment
 * (LRO_CANCEL_EMULATOR_HOST, GOOGLE_CLOUD_UNIVERSE_DOMAIN): the one mapping every command
 * uses. `--timeout` is the retry policy's total deadline, so it bounds every call the command
 * makes (cancel, get, list, confirm reads) and a batch's quota waits alike. A bad emulator
 * setting is a usage error, raised here before anything connects.
 */
export function cancellerOptionsFrom(
  options: ConnectionOptions & CallFlags,
  io: CommandIO,
  command: string,
): CancellerOptions {
  const emulator = options.emulator ?? (io.env.LRO_CANCEL_EMULATOR_HOST || undefined);
  const out: CancellerOptions = {
    // null: the command's env decides, not whatever process.env holds.
    emulator: emulator ?? null,
    allowInsecure: options.allowInsecure ?? false,
    // The CLI owns its process: grpc-js traces (GRPC_TRACE) pass through the redactor.
    redactGrpcLogs: true,
    // Full names may name these hosts (besides the built-in ones); any other host is refused.
    ...(options.serviceHosts !== undefined ? { serviceHosts: options.serviceHosts } : {}),
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(io.env.GOOGLE_CLOUD_UNIVERSE_DOMAIN ? { universeDomain: io.env.GOOGLE_CLOUD_UNIVERSE_DOMAIN } : {}),
  };
  if (options.maxAttempts !== undefined || options.timeoutMs !== undefined) {
    out.retry = {
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.timeoutMs !== undefined ? { totalTimeoutMs: options.timeoutMs } : {}),
    };
  }
  if (options.verbose) out.logger = jsonLinesLogger(io.stderr);
  if (emulator !== undefined) {
    try {
      resolveEndpoint({ id: '-', host: 'x.googleapis.com', port: 443 } as never, {
        emulator,
        allowInsecure: out.allowInsecure,
      });
    } catch (e) {
      const source = options.emulator !== undefined ? '--emulator' : 'LRO_CANCEL_EMULATOR_HOST';
      throw new UsageError(`${source}: ${(e as Error).message}`, command);
    }
  }
  return out;
}

/** Batch options (the canceller's, plus the batch flags) for batch, cancel and cancel-all. */
export function batchOptionsFrom(
  options: ConnectionOptions & BatchFlags,
  io: CommandIO,
  command: string,
): BatchOptions {
  const out: BatchOptions = cancellerOptionsFrom(options, io, command);
  if (options.service !== undefined) out.service = options.service;
  if (options.concurrency !== undefined) out.concurrency = options.concurrency;
  if (options.rate !== undefined) out.rate = options.rate;
  if (options.journal !== undefined) out.journal = options.journal;
  if (options.graceMs !== undefined) out.graceMs = options.graceMs;
  if (options.confirm)
    out.confirm =
      options.confirmTimeoutMs !== undefined ? { confirmTimeoutMs: options.confirmTimeoutMs } : true;
  return out;
}
