/**
 * Exit codes of the `lro-cancel` CLI, and the errors commands throw to pick one.
 * Only `main.ts` turns them into a process exit status (see `run-cli.ts` for the mapping).
 */
export const ExitCode = {
  /** Every name reached the wanted outcome (or the command did what it was asked). */
  OK: 0,
  /** At least one name got another outcome, or a runtime failure. */
  FAILURE: 1,
  /** Bad command line or configuration: nothing was sent. */
  USAGE: 2,
  /** Stopped by SIGINT, SIGTERM or SIGHUP (128 + SIGINT, as shells expect), after reporting what it had. */
  INTERRUPTED: 130,
  /** The reader of stdout or `--output` went away (EPIPE): 128 + SIGPIPE, as shells report a process killed by it. */
  BROKEN_PIPE: 141,
} as const;

export type ExitCodeNumber = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Thrown by a command to end the run with `code`. `message`, when given, is printed on
 * stderr as one line (`lro-cancel: <message>`).
 */
export class ExitError extends Error {
  override name = 'ExitError';
  constructor(
    readonly code: number,
    message = '',
  ) {
    super(message);
  }
}

/**
 * A usage error (exit 2): the message names the flag or argument at fault, and the runner
 * adds a hint pointing at `--help` of `command` (or the global help).
 */
export class UsageError extends ExitError {
  override name = 'UsageError';
  constructor(
    message: string,
    /** The command whose `--help` has the fix; undefined for the global help. */
    readonly command?: string,
  ) {
    super(ExitCode.USAGE, message);
  }
}
