import type { CancellerOptions } from '../../client/canceller';
import { resolveEndpoint } from '../../transport/endpoint';
import type { CommandIO } from '../command-io';
import type { ConnectionOptions } from '../command-table';
import { UsageError } from '../exit-error';

/**
 * Canceller options from the shared connection flags and the command's environment
 * (LRO_CANCEL_EMULATOR_HOST, GOOGLE_CLOUD_UNIVERSE_DOMAIN). A bad emulator setting is a
 * usage error, raised here before anything connects.
 */
export function cancellerOptionsFrom(
  options: ConnectionOptions & { maxAttempts?: number | undefined },
  io: CommandIO,
  command: string,
): CancellerOptions {
  const emulator = options.emulator ?? (io.env['LRO_CANCEL_EMULATOR_HOST'] || undefined);
  const out: CancellerOptions = {
    // null: the command's env decides, not whatever process.env holds.
    emulator: emulator ?? null,
    allowInsecure: options.allowInsecure ?? false,
    // Full names may name these hosts (besides the built-in ones); any other host is refused.
    ...(options.serviceHosts !== undefined ? { serviceHosts: options.serviceHosts } : {}),
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(io.env['GOOGLE_CLOUD_UNIVERSE_DOMAIN'] ? { universeDomain: io.env['GOOGLE_CLOUD_UNIVERSE_DOMAIN'] } : {}),
    ...(options.maxAttempts !== undefined ? { retry: { maxAttempts: options.maxAttempts } } : {}),
  };
  if (emulator !== undefined) {
    try {
      resolveEndpoint({ id: '-', host: 'x.googleapis.com', port: 443 } as never, { emulator, allowInsecure: out.allowInsecure });
    } catch (e) {
      const source = options.emulator !== undefined ? '--emulator' : 'LRO_CANCEL_EMULATOR_HOST';
      throw new UsageError(`${source}: ${(e as Error).message}`, command);
    }
  }
  return out;
}
