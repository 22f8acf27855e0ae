/**
 * Every flag does something: each flag of each command that calls services lands on the option
 * its command reads (one mapping, optionKey), and that option is read by the command or by the
 * shared mapping to library options. A pure parsing test (no server): what each option then does
 * is shown by the commands' own tests.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { commands, optionKey, type FlagSpec } from '../../src/cli/command-table';
import { parseArgv } from '../../src/cli/parse-argv';

/** A valid value of each flag type (flags checked across others get one that passes the checks). */
function argvFor(flag: FlagSpec): string[] {
  switch (flag.type) {
    case 'boolean':
      return [`--${flag.name}`];
    case 'duration':
      return [`--${flag.name}`, '1500ms'];
    case 'age':
      return [`--${flag.name}`, '2d'];
    case 'int':
      return [`--${flag.name}`, String(Math.max(flag.min ?? 1, 1))];
    case 'hostport':
      return [`--${flag.name}`, '127.0.0.1:9'];
    default:
      return [
        `--${flag.name}`,
        flag.name === 'service-host'
          ? 'foo.googleapis.com'
          : flag.name === 'endpoint'
            ? 'localhost:9'
            : flag.name === 'service'
              ? 'datastore'
              : flag.name === 'transport'
                ? 'rest'
                : flag.name === 'via'
                  ? 'poll'
                  : 'x',
      ];
  }
}

const SOURCES = (command: string): string =>
  [`${command}-command.ts`, 'connection.ts', 'selector-flags.ts']
    .map((f) => readFileSync(path.join(__dirname, '../../src/cli/commands', f), 'utf8'))
    .join('\n');

const CALLING = ['cancel', 'get', 'list', 'cancel-all', 'batch', 'watch'] as const;
const POSITIONALS: Record<(typeof CALLING)[number], string[]> = {
  cancel: ['projects/p/operations/o'],
  get: ['projects/p/operations/o'],
  list: ['projects/p'],
  'cancel-all': ['projects/p'],
  batch: [],
  watch: ['projects/p/operations/o'],
};
// Read through connectionOptions (checked across flags) rather than by optionKey.
const CONNECTION = new Set(['service', 'service-host', 'endpoint', 'emulator', 'allow-insecure']);

describe.each(CALLING)('%s', (command) => {
  const spec = commands[command];
  test.each(spec.flags.filter((f) => !CONNECTION.has(f.name)).map((f) => [f.name, f] as const))(
    '--%s reaches an option the command reads',
    (_name, flag) => {
      const extra = flag.name === 'confirm-timeout' ? ['--confirm'] : [];
      // watch requires its budget.
      if (command === 'watch' && flag.name !== 'cancel-after') extra.push('--cancel-after', '1h');
      const parsed = parseArgv([command, ...POSITIONALS[command], ...extra, ...argvFor(flag)]);
      expect(parsed.kind).toBe('run');
      const options = (parsed as unknown as { options: Record<string, unknown> }).options;
      const key = optionKey(flag);
      expect(options[key]).toBeDefined();
      // Read somewhere: by the command itself or by the shared mapping to library options.
      expect(SOURCES(command)).toMatch(new RegExp(`\\b${key}\\b`));
    },
  );
});

test('optionKey: camelCase, durations in ms', () => {
  expect(optionKey({ name: 'max-attempts', type: 'int', description: '' })).toBe('maxAttempts');
  expect(optionKey({ name: 'timeout', type: 'duration', description: '' })).toBe('timeoutMs');
  expect(optionKey({ name: 'confirm-timeout', type: 'duration', description: '' })).toBe('confirmTimeoutMs');
  expect(optionKey({ name: 'dry-run', type: 'boolean', description: '' })).toBe('dryRun');
});
