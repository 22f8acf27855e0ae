/**
 * Parse, dispatch, and map whatever a command throws to an exit code. Never throws and never
 * exits: `main.ts` (the only place that touches the process) turns the code into the exit
 * status. The demo and the tests call this with captured streams.
 */
import { commands } from './command-table';
import type { CommandIO } from './command-io';
import { ExitCode, ExitError, UsageError } from './exit-error';
import { formatHelp } from './help';
import { parseArgv, type ParsedArgv } from './parse-argv';
import { redactSecrets } from './redact';
import { stderrLine } from './stderr-line';
import { VERSION } from '../version';

export type { CommandIO } from './command-io';

export async function runCli(argv: readonly string[], io: CommandIO): Promise<number> {
  let parsed: ParsedArgv | undefined;
  try {
    parsed = parseArgv(argv);
    switch (parsed.kind) {
      case 'version':
        io.stdout.write(`${VERSION}\n`);
        return ExitCode.OK;
      case 'help':
        io.stdout.write(formatHelp(VERSION, parsed.command));
        return ExitCode.OK;
      default: {
        // Loads the command's module now, and only that one.
        const run = (await commands[parsed.command].load()) as (
          options: unknown,
          io: CommandIO,
        ) => Promise<number>;
        return await run(parsed.options, io);
      }
    }
  } catch (error) {
    return reportError(error, io, parsed?.kind === 'run' ? parsed.command : undefined);
  }
}

/** One line on stderr (a stack only for internal errors), and the exit code for `error`. */
export function reportError(error: unknown, io: Pick<CommandIO, 'stderr'>, command?: string): number {
  // One line each: a flag value or name holding CR, LF or escape sequences is shown escaped, so
  // it cannot forge lines of its own on stderr (the internal-error stack below is exempt).
  const say = (text: string, multiline = false): void => {
    io.stderr.write(multiline ? `${redactSecrets(text)}\n` : stderrLine(text));
  };
  if (error instanceof UsageError) {
    say(`lro-cancel: ${error.message}`);
    const where = error.command ?? command;
    say(`Try 'lro-cancel ${where ? `${where} ` : ''}--help'.`);
    return error.code;
  }
  if (error instanceof ExitError) {
    if (error.message) say(`lro-cancel: ${error.message}`);
    return error.code;
  }
  const e = error as { name?: unknown; message?: unknown; outcome?: unknown; stack?: unknown };
  if (e !== null && typeof e === 'object' && e.name === 'OperationsError') {
    // A call-level failure that escaped a command: its message carries code and name.
    say(`lro-cancel: ${String(e.message)}`);
    return e.outcome === 'invalid-name' ? ExitCode.USAGE : ExitCode.FAILURE;
  }
  if (e !== null && typeof e === 'object' && e.name === 'JournalError') {
    // The journal is held by another run, or a write to it failed: its message names file and cause.
    say(`lro-cancel: ${String(e.message)}`);
    return ExitCode.FAILURE;
  }
  if (e !== null && typeof e === 'object' && e.name === 'EndpointError') {
    // A bad endpoint or emulator setting: nothing was sent.
    say(`lro-cancel: ${String(e.message)}`);
    say(`Try 'lro-cancel ${command ? `${command} ` : ''}--help'.`);
    return ExitCode.USAGE;
  }
  say(
    `lro-cancel: internal error, please report it with this output:\n${e !== null && typeof e === 'object' && typeof e.stack === 'string' ? e.stack : String(error)}`,
    true,
  );
  return ExitCode.FAILURE;
}
