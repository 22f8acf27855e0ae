/**
 * The CLI's commands as data: flags, positionals, help text, how parsed flags become the
 * command's typed options, and a lazy loader for the command's code.
 *
 * Adding a command = one entry here + one file in `commands/`. The loader `import()`s the
 * command module only when that command runs (compiled to a deferred `require`), so
 * `--version`, `--help` and `emulator` never load what they do not use.
 *
 * Nothing here may import grpc-js, google-gax or a command module at run time (types only).
 */
import { findService, customService, serviceIds } from '../registry/service-registry';
import { parseHostPort } from '../transport/endpoint';
import type { CommandFn } from './command-io';
import type { CancelCommandOptions } from './commands/cancel-command';
import type { EmulatorCommandOptions } from './commands/emulator-command';
import type { ServicesCommandOptions } from './commands/services-command';
import { UsageError } from './exit-error';

/** How a flag's value is read. */
export type FlagType =
  /** Present or not; takes no value. */
  | 'boolean'
  /** Any non-empty text. */
  | 'string'
  /** `500ms`, `30s`, `2m`, `1h`: milliseconds, > 0. */
  | 'duration'
  /** A whole number within `min`..`max`. */
  | 'int'
  /** `HOST:PORT`, port required. */
  | 'hostport';

export interface FlagSpec {
  /** Long name without dashes: `max-attempts`. */
  readonly name: string;
  readonly type: FlagType;
  /** Placeholder in help: `N`, `HOST:PORT`. */
  readonly valueName?: string;
  readonly description: string;
  /** May be given more than once (values collect into an array). */
  readonly repeatable?: boolean;
  /** Bounds of an `int` flag (inclusive). */
  readonly min?: number;
  readonly max?: number;
}

/** Parsed flag values by long name: boolean, string, number (int and duration in ms), or arrays of them. */
export type FlagValues = Readonly<Record<string, boolean | string | number | readonly (string | number)[] | undefined>>;

export interface CommandSpec<Options> {
  readonly name: string;
  /** One line for the global help. */
  readonly summary: string;
  /** After `lro-cancel `: `cancel NAME... [options]`. */
  readonly usage: string;
  /** Paragraphs for the command's own help. */
  readonly description: string;
  readonly flags: readonly FlagSpec[];
  /** Positional arguments: placeholder and how many are allowed. */
  readonly positionals: { readonly name: string; readonly min: number; readonly max: number };
  readonly examples?: readonly string[];
  /** Typed options from flags and positionals; throws UsageError for checks across flags. */
  toOptions(flags: FlagValues, positionals: readonly string[]): Options;
  /** The command's code, loaded on dispatch only. */
  load(): Promise<CommandFn<Options>>;
}

function defineCommand<Options>(spec: CommandSpec<Options>): CommandSpec<Options> {
  return spec;
}

// Flags shared by every command that talks to services (cancel now; get, list, batch later).
const CONNECTION_FLAGS: readonly FlagSpec[] = [
  { name: 'service', type: 'string', valueName: 'ID', description: `Service of relative names: ${serviceIds.join(', ')}` },
  { name: 'service-host', type: 'string', valueName: 'HOST', description: 'A service that is not built in, by host (any NAME ending in /operations/ID)' },
  {
    name: 'endpoint',
    type: 'string',
    valueName: 'HOST:PORT',
    repeatable: true,
    description: 'Override the host of every service, or of one with ID=HOST:PORT (keeps TLS and credentials)',
  },
  { name: 'emulator', type: 'hostport', valueName: 'HOST:PORT', description: 'Send every call to an Operations emulator, plaintext, no credentials (env LRO_CANCEL_EMULATOR_HOST)' },
  { name: 'allow-insecure', type: 'boolean', description: 'Permit plaintext to an emulator that is not on loopback' },
];

const CALL_FLAGS: readonly FlagSpec[] = [
  { name: 'timeout', type: 'duration', valueName: 'DURATION', description: 'Total deadline per name, retries included (default 60s)' },
  { name: 'max-attempts', type: 'int', valueName: 'N', min: 1, max: 100, description: 'Attempts per name, the first included (default 5)' },
];

/** Connection options every service-calling command shares, read from its flags. */
export interface ConnectionOptions {
  /** Built-in service id for relative names. */
  service?: string;
  /** Host of a service that is not built in. */
  serviceHost?: string;
  /** `host:port` for all services, or per service id. */
  endpoint?: string | Record<string, string>;
  /** `host:port` of an emulator (the env variable is read by the command, not here). */
  emulator?: string;
  allowInsecure?: boolean;
}

/** Read the shared connection flags, with the checks that span several of them. */
export function connectionOptions(flags: FlagValues, command: string): ConnectionOptions {
  const out: ConnectionOptions = {};
  const service = flags['service'] as string | undefined;
  const serviceHost = flags['service-host'] as string | undefined;
  if (service !== undefined && serviceHost !== undefined) {
    throw new UsageError('--service and --service-host cannot be combined: give one', command);
  }
  if (service !== undefined) {
    const found = findService(service);
    if (!found) {
      throw new UsageError(`--service: unknown service "${service}"; use one of ${serviceIds.join(', ')}, or --service-host HOST`, command);
    }
    out.service = found.id;
  }
  if (serviceHost !== undefined) {
    try {
      out.serviceHost = customService(serviceHost).host;
    } catch (e) {
      throw new UsageError(`--service-host: ${(e as Error).message}`, command);
    }
  }
  const endpoints = flags['endpoint'] as readonly string[] | undefined;
  if (endpoints !== undefined) out.endpoint = endpointOption(endpoints, command);
  if (flags['emulator'] !== undefined) out.emulator = flags['emulator'] as string;
  if (out.emulator !== undefined && out.endpoint !== undefined) {
    throw new UsageError('--emulator and --endpoint cannot be combined: the emulator serves every service', command);
  }
  if (flags['allow-insecure'] === true) out.allowInsecure = true;
  return out;
}

function endpointOption(values: readonly string[], command: string): string | Record<string, string> {
  const perService: Record<string, string> = {};
  let all: string | undefined;
  for (const v of values) {
    const eq = v.indexOf('=');
    const target = eq === -1 ? v : v.slice(eq + 1);
    try {
      parseHostPort(target, '--endpoint');
    } catch {
      throw new UsageError(`--endpoint "${v}" must be HOST:PORT (port 1-65535) or SERVICE=HOST:PORT, e.g. us-central1-dataplex.googleapis.com:443`, command);
    }
    if (eq === -1) {
      if (all !== undefined) throw new UsageError('--endpoint: HOST:PORT for every service given twice', command);
      all = target;
      continue;
    }
    const id = v.slice(0, eq);
    const found = findService(id);
    if (!found) throw new UsageError(`--endpoint: unknown service "${id}" in "${v}"; use one of ${serviceIds.join(', ')}`, command);
    perService[found.id] = target;
  }
  if (all !== undefined && Object.keys(perService).length > 0) {
    throw new UsageError('--endpoint: give either one HOST:PORT for every service or SERVICE=HOST:PORT entries, not both', command);
  }
  return all ?? perService;
}

export const commands = {
  cancel: defineCommand<CancelCommandOptions>({
    name: 'cancel',
    summary: 'Send CancelOperation for one or more operations; one JSON line per name',
    usage: 'cancel NAME... [options]',
    description: [
      'NAME is a relative operation name plus --service (projects/p/locations/l/operations/o),',
      'or a full resource name that names its service (//dataplex.googleapis.com/projects/p/locations/l/operations/o),',
      'so one run can mix services. Names are checked before any call: a bad one gets its own',
      '"invalid-name" record and the others still run.',
      '',
      'Prints one JSON line per name, in the order given:',
      '  {"name","service","outcome","code","message","attempts","latencyMs"}',
      'Exit status: 0 when every name got "cancel-requested", 1 otherwise, 2 for usage errors.',
    ].join('\n'),
    flags: [
      ...CONNECTION_FLAGS,
      ...CALL_FLAGS,
      { name: 'concurrency', type: 'int', valueName: 'N', min: 1, max: 64, description: 'Names in flight at once (default 8)' },
    ],
    positionals: { name: 'NAME', min: 1, max: Number.POSITIVE_INFINITY },
    examples: [
      'lro-cancel cancel --service dataplex projects/my-proj/locations/us-central1/operations/operation-123',
      'lro-cancel cancel //datastore.googleapis.com/projects/p/operations/o1 //privateca.googleapis.com/projects/p/locations/l/operations/o2',
      'LRO_CANCEL_EMULATOR_HOST=127.0.0.1:8080 lro-cancel cancel --service datastore projects/p/operations/o1',
    ],
    toOptions(flags, positionals) {
      const options: CancelCommandOptions = { names: [...positionals], ...connectionOptions(flags, 'cancel') };
      if (flags['timeout'] !== undefined) options.timeoutMs = flags['timeout'] as number;
      if (flags['max-attempts'] !== undefined) options.maxAttempts = flags['max-attempts'] as number;
      if (flags['concurrency'] !== undefined) options.concurrency = flags['concurrency'] as number;
      return options;
    },
    load: async () => (await import('./commands/cancel-command')).cancelCommand,
  }),

  services: defineCommand<ServicesCommandOptions>({
    name: 'services',
    summary: 'List the built-in services: id, host, API version, name patterns, scopes',
    usage: 'services [--json]',
    description: 'Prints the service registry. Any other service can be used with --service-host HOST.',
    flags: [{ name: 'json', type: 'boolean', description: 'Print a JSON array instead of a table' }],
    positionals: { name: '', min: 0, max: 0 },
    toOptions: (flags) => ({ json: flags['json'] === true }),
    load: async () => (await import('./commands/services-command')).servicesCommand,
  }),

  emulator: defineCommand<EmulatorCommandOptions>({
    name: 'emulator',
    summary: 'Run a local google.longrunning.Operations emulator (for demos and tests)',
    usage: 'emulator [--port N] [--host HOST] [--seed N]',
    description: [
      'Serves google.longrunning.Operations over plaintext gRPC from memory, for every service',
      '(told apart by :authority), until SIGINT or SIGTERM. Prints its address and the line to',
      'export so that other shells send their calls there. --seed creates N running operations,',
      'spread over the five services, with names each service accepts.',
    ].join('\n'),
    flags: [
      { name: 'port', type: 'int', valueName: 'N', min: 0, max: 65535, description: 'Port to listen on (default 0: any free port)' },
      { name: 'host', type: 'string', valueName: 'HOST', description: 'Address to bind (default 127.0.0.1)' },
      { name: 'seed', type: 'int', valueName: 'N', min: 0, max: 1_000_000, description: 'Operations to create at start (default 0)' },
      { name: 'allow-insecure', type: 'boolean', description: 'Permit binding an address that is not loopback (the emulator has no auth)' },
    ],
    positionals: { name: '', min: 0, max: 0 },
    examples: ['lro-cancel emulator --port 8080 --seed 10'],
    toOptions(flags) {
      const options: EmulatorCommandOptions = {
        host: (flags['host'] as string | undefined) ?? '127.0.0.1',
        port: (flags['port'] as number | undefined) ?? 0,
        seed: (flags['seed'] as number | undefined) ?? 0,
      };
      if (flags['allow-insecure'] === true) options.allowInsecure = true;
      return options;
    },
    load: async () => (await import('./commands/emulator-command')).emulatorCommand,
  }),
  // Each entry has its own options type; `any` here only checks the shape of the table.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
} satisfies Record<string, CommandSpec<any>>;

export type CommandName = keyof typeof commands;
export type OptionsOf<N extends CommandName> = (typeof commands)[N] extends CommandSpec<infer O> ? O : never;

export const commandNames = Object.keys(commands) as CommandName[];

export function isCommandName(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(commands, name);
}
