/** Where a command writes, what it reads, and what stops it. Injected so tests can capture it all. */
export interface CommandIO {
  /** Results (JSON lines, tables). */
  stdout: { write(chunk: string): unknown };
  /** Input for commands that read names (`batch --input -`); `process.stdin` in main.ts. */
  stdin?: NodeJS.ReadableStream;
  /** Diagnostics and progress. */
  stderr: { write(chunk: string): unknown };
  /** Environment variables (`process.env` in main.ts; a plain object in tests). */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Aborted on SIGINT / SIGTERM / SIGHUP: commands stop sending, report what they have, and
   * return. Also aborted, with an OutputError as its reason, when stdout cannot be written: the
   * process has then reported it already, and the exit status is the failure's.
   */
  signal: AbortSignal;
}

/**
 * A command: typed options in, exit code out (or a thrown ExitError / UsageError).
 * Commands never call `process.exit` and never touch `process.stdout` directly.
 */
export type CommandFn<Options> = (options: Options, io: CommandIO) => Promise<number>;
