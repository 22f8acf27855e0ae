/**
 * argv -> what to run, with typed options. Pure: no I/O, no environment, no exit; every
 * problem is a UsageError whose one-line message names the flag or argument at fault.
 *
 * Grammar: `lro-cancel [--help|--version] <command> [--flag value | --flag=value | NAME]... [-- NAME...]`.
 * `--help`/`-h` and `--version`/`-V` win wherever they appear before `--`.
 */
import {
  commands,
  commandNames,
  isCommandName,
  type CommandName,
  type CommandSpec,
  type FlagSpec,
  type FlagValues,
  type OptionsOf,
} from './command-table';
import { UsageError } from './exit-error';
import { MAX_AGE_MS, parseDuration } from './parse-duration';
import { parseHostPort } from '../transport/endpoint';

export type ParsedArgv =
  | { readonly kind: 'help'; readonly command?: CommandName }
  | { readonly kind: 'version' }
  | {
      [N in CommandName]: { readonly kind: 'run'; readonly command: N; readonly options: OptionsOf<N> };
    }[CommandName];

const HELP = new Set(['--help', '-h']);
const VERSION = new Set(['--version', '-V']);

export function parseArgv(argv: readonly string[]): ParsedArgv {
  const dashdash = argv.indexOf('--');
  const flagPart = dashdash === -1 ? argv : argv.slice(0, dashdash);
  const first = argv[0];

  if (first === undefined) throw new UsageError(`missing command: use one of ${commandNames.join(', ')}`);
  if (first === 'help') {
    const topic = argv[1];
    if (topic === undefined) return { kind: 'help' };
    if (!isCommandName(topic)) throw unknownCommand(topic);
    return { kind: 'help', command: topic };
  }
  if (first.startsWith('-')) {
    if (HELP.has(first)) return { kind: 'help' };
    if (VERSION.has(first)) return { kind: 'version' };
    throw new UsageError(
      `unknown option ${first} before the command (flags go after it: lro-cancel <command> ${first} ...)`,
    );
  }
  if (!isCommandName(first)) throw unknownCommand(first);
  if (flagPart.some((a) => HELP.has(a))) return { kind: 'help', command: first };
  if (flagPart.some((a) => VERSION.has(a))) return { kind: 'version' };

  const spec = commands[first] as CommandSpec<unknown>;
  const { flags, positionals } = readTokens(spec, argv.slice(1));
  return { kind: 'run', command: first, options: spec.toOptions(flags, positionals) } as ParsedArgv;
}

function readTokens(
  spec: CommandSpec<unknown>,
  tokens: readonly string[],
): { flags: FlagValues; positionals: string[] } {
  const byName = new Map(spec.flags.map((f) => [f.name, f]));
  const values: Record<string, boolean | string | number | (string | number)[]> = {};
  const positionals: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (token === '--') {
      positionals.push(...tokens.slice(i + 1));
      break;
    }
    if (!token.startsWith('-') || token === '-') {
      positionals.push(token);
      continue;
    }
    if (!token.startsWith('--')) {
      throw new UsageError(
        `unknown option ${token} for "${spec.name}"${suggest(token.replace(/^-+/, ''), spec)}`,
        spec.name,
      );
    }
    const eq = token.indexOf('=');
    const name = token.slice(2, eq === -1 ? undefined : eq);
    const flag = byName.get(name);
    if (!flag)
      throw new UsageError(`unknown option --${name} for "${spec.name}"${suggest(name, spec)}`, spec.name);

    let raw: string | undefined;
    if (flag.type === 'boolean') {
      if (eq !== -1)
        throw new UsageError(`--${name} takes no value (got "${token.slice(eq + 1)}")`, spec.name);
    } else if (eq !== -1) {
      raw = token.slice(eq + 1);
    } else {
      const next = tokens[i + 1];
      // A value may look like a negative number (so "--port -1" says what is wrong with -1),
      // or be "-" (stdin/stdout, as in --input -), but not look like another flag.
      if (
        next === undefined ||
        next === '--' ||
        (next.startsWith('-') && next !== '-' && !/^-\d/.test(next))
      ) {
        throw new UsageError(`--${name} needs a value (${flag.valueName ?? 'VALUE'})`, spec.name);
      }
      raw = next;
      i++;
    }
    const value = raw === undefined ? true : convert(flag, raw, spec.name);
    if (flag.repeatable) {
      const list = (values[name] as (string | number)[] | undefined) ?? [];
      list.push(value as string | number);
      values[name] = list;
    } else {
      if (values[name] !== undefined) throw new UsageError(`--${name} given more than once`, spec.name);
      values[name] = value;
    }
  }
  const { min, max, name } = spec.positionals;
  if (positionals.length < min)
    throw new UsageError(`missing ${name}: "${spec.name}" needs at least ${min}`, spec.name);
  if (positionals.length > max) {
    const extra = positionals[max] as string;
    throw new UsageError(
      max === 0
        ? `"${spec.name}" takes no arguments (got "${extra}")`
        : `too many arguments starting at "${extra}"`,
      spec.name,
    );
  }
  return { flags: values, positionals };
}

function convert(flag: FlagSpec, raw: string, command: string): string | number {
  const label = `--${flag.name}`;
  switch (flag.type) {
    case 'duration':
    case 'age': {
      const d = parseDuration(raw, flag.type === 'age' ? MAX_AGE_MS : undefined);
      if ('error' in d) throw new UsageError(`${label}: ${d.error}`, command);
      if (d.ms <= 0) throw new UsageError(`${label}: "${raw}" must be longer than 0`, command);
      return d.ms;
    }
    case 'int': {
      if (!/^[+-]?\d+$/.test(raw.trim()))
        throw new UsageError(`${label}: "${raw}" is not a whole number`, command);
      const n = Number(raw);
      if (flag.min !== undefined && n < flag.min)
        throw new UsageError(`${label}: ${raw} is too small; the minimum is ${flag.min}`, command);
      if (flag.max !== undefined && n > flag.max)
        throw new UsageError(`${label}: ${raw} is too large; the maximum is ${flag.max}`, command);
      return n;
    }
    case 'hostport':
      try {
        const { host, port } = parseHostPort(raw, label);
        return `${host}:${port}`;
      } catch (e) {
        throw new UsageError((e as Error).message, command);
      }
    default:
      if (raw.trim() === '') throw new UsageError(`${label} must not be empty`, command);
      return raw;
  }
}

function unknownCommand(name: string): UsageError {
  const near = closest(name, commandNames);
  return new UsageError(
    `unknown command "${name}"${near ? ` (did you mean "${near}"?)` : `; use one of ${commandNames.join(', ')}`}`,
  );
}

function suggest(name: string, spec: CommandSpec<unknown>): string {
  const near = closest(
    name,
    spec.flags.map((f) => f.name),
  );
  return near ? ` (did you mean --${near}?)` : '';
}

/** The candidate within edit distance 2 (or sharing a 4-letter prefix), if any. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = word.length >= 4 && c.startsWith(word) ? 1 : editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
