import { inspect } from 'node:util';
import { redactSecrets } from '../redaction/redact-secrets';

/** The part of the grpc-js module this needs (passed in, so the caller's grpc-js copy is the one changed). */
export interface GrpcLogging {
  setLogger(logger: Partial<Console>): void;
}

type LogFn = (...args: unknown[]) => void;

const REDACTING = Symbol.for('lro-cancel.redactingGrpcLogger');

/** grpc-js's own console logger (logging.ts DEFAULT_LOGGER): what is installed unless someone changed it. */
const GRPC_DEFAULT_LOGGER: Partial<Console> = {
  error: (message?: unknown, ...rest: unknown[]) => console.error(`E ${String(message)}`, ...rest),
  info: (message?: unknown, ...rest: unknown[]) => console.error(`I ${String(message)}`, ...rest),
  debug: (message?: unknown, ...rest: unknown[]) => console.error(`D ${String(message)}`, ...rest),
};

/**
 * The logger grpc-js uses now. grpc-js exports setLogger but not getLogger, so this reads its
 * logging module directly (the one place lro-cancel reaches into grpc-js's build); if that
 * ever moves, grpc-js's default console logger is assumed.
 */
function currentLogger(): Partial<Console> {
  try {
    const logging = require('@grpc/grpc-js/build/src/logging') as { getLogger?: () => Partial<Console> };
    return logging.getLogger?.() ?? GRPC_DEFAULT_LOGGER;
  } catch {
    return GRPC_DEFAULT_LOGGER;
  }
}

/**
 * Make grpc-js's logger redact credentials. With GRPC_TRACE=all and GRPC_VERBOSITY=DEBUG,
 * grpc-js prints request metadata on some paths: its server_call tracer prints every header it
 * receives, `authorization: Bearer ...` included (so a TLS emulator would print the client's
 * token), and older grpc-js clients printed the headers of every call they started. lro-cancel
 * wraps whatever logger is installed (grpc-js's console logger, or the application's) so that
 * each line passes through redactSecrets first. Idempotent; an application that calls
 * grpc.setLogger later replaces the wrapper with its own logger.
 */
export function redactGrpcLogs(grpc: GrpcLogging): void {
  const current = currentLogger() as Partial<Console> & { [REDACTING]?: true };
  if (current[REDACTING]) return;
  const redacting: Partial<Console> & { [REDACTING]: true } = { [REDACTING]: true };
  for (const level of ['error', 'info', 'debug'] as const) {
    const fn = current[level] as LogFn | undefined;
    if (fn)
      redacting[level] = (...args: unknown[]) =>
        fn.apply(
          current,
          args.map((a) => redactSecrets(typeof a === 'string' ? a : inspect(a))),
        );
  }
  grpc.setLogger(redacting);
}
