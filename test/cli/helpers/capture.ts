import type { CommandIO } from '../../../src/cli/command-io';

/** A CommandIO whose streams are captured, with helpers to read them. */
export interface Captured {
  io: CommandIO;
  stdout(): string;
  stderr(): string;
  /** stdout parsed as JSON lines. */
  records<T = Record<string, unknown>>(): T[];
  controller: AbortController;
}

export function capture(env: Record<string, string | undefined> = {}): Captured {
  const out: string[] = [];
  const err: string[] = [];
  const controller = new AbortController();
  return {
    io: {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      env,
      signal: controller.signal,
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    records: <T>() =>
      out
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as T),
    controller,
  };
}
