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
import type { AuthCommandOptions } from './commands/auth-command';
import type { CancelCommandOptions } from './commands/cancel-command';
import type { EmulatorCommandOptions } from './commands/emulator-command';
import type { ServicesCommandOptions } from './commands/services-command';
import type { BatchCommandOptions } from './commands/batch-command';
import type { CancelAllCommandOptions } from './commands/cancel-all-command';
import type { GetCommandOptions } from './commands/get-command';
import type { ListCommandOptions } from './commands/list-command';
import type { WatchCommandOptions } from './commands/watch-command';
import type { ConnectionOptions } from './commands/connection';
import { FAULT_SYNTAX, parseFaultFlag, SEED_LINE_SYNTAX, serviceOf, type FaultFlag } from './emulator-flags';
import { UsageError } from './exit-error';

/** How a flag's value is read. */
export type FlagType =
  /** Present or not; takes no value. */
  | 'boolean'
  /** Any non-empty text. */
  | 'string'
  /** `500ms`, `30s`, `2m`, `1h`: milliseconds, > 0. */
  | 'duration'
  /** A duration that may be days long (`90m`, `2h`, `7d`, up to 3650d): milliseconds, > 0. */
  | 'age'
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
export type FlagValues = Readonly<
  Record<string, boolean | string | number | readonly (string | number)[] | undefined>
>;

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

// How calls are authenticated: mapped by optionKey, read by connection.ts (credentialOptionsFrom).
const CREDENTIAL_FLAGS: readonly FlagSpec[] = [
  {
    name: 'access-token-file',
    type: 'string',
    valueName: 'FILE',
    description:
      'Bearer token from FILE instead of Application Default Credentials; read again once when the server rejects it',
  },
  {
    name: 'impersonate-service-account',
    type: 'string',
    valueName: 'EMAIL[,EMAIL...]',
    description:
      'Impersonate this service account (a comma list is a delegation chain, the last one the target, as in gcloud)',
  },
  {
    name: 'billing-project',
    type: 'string',
    valueName: 'ID',
    description:
      'Quota project sent as x-goog-user-project (env GOOGLE_CLOUD_QUOTA_PROJECT, else the ADC file quota_project_id)',
  },
  {
    name: 'ca-file',
    type: 'string',
    valueName: 'PEM',
    description: "Trust these CA certificates instead of the system's (env GRPC_DEFAULT_SSL_ROOTS_FILE_PATH)",
  },
];

// Flags shared by every command that talks to services, checked across each other by connectionOptions.
const ENDPOINT_FLAGS: readonly FlagSpec[] = [
  {
    name: 'service',
    type: 'string',
    valueName: 'ID',
    description: `Service of relative names: ${serviceIds.join(', ')}, or a --service-host HOST`,
  },
  {
    name: 'service-host',
    type: 'string',
    valueName: 'HOST',
    repeatable: true,
    description:
      'Allow full names on a host that is not built in (any NAME ending in /operations/ID; other hosts are refused); one alone is also the service of relative names',
  },
  {
    name: 'endpoint',
    type: 'string',
    valueName: 'HOST:PORT',
    repeatable: true,
    description:
      'Override the host of every service, or of one with ID=HOST:PORT (keeps TLS and credentials)',
  },
  {
    name: 'emulator',
    type: 'hostport',
    valueName: 'HOST:PORT',
    description:
      'Send every call to an Operations emulator, plaintext, no credentials (env LRO_CANCEL_EMULATOR_HOST)',
  },
  {
    name: 'allow-insecure',
    type: 'boolean',
    description: 'Permit plaintext to an emulator that is not on loopback',
  },
  {
    name: 'transport',
    type: 'string',
    valueName: 'grpc|rest',
    description:
      'Wire: grpc (default) or rest (HTTP/1.1 + JSON, the REST routes; --confirm polls GetOperation)',
  },
];

const CONNECTION_FLAGS: readonly FlagSpec[] = [...ENDPOINT_FLAGS, ...CREDENTIAL_FLAGS];

const CALL_FLAGS: readonly FlagSpec[] = [
  {
    name: 'timeout',
    type: 'duration',
    valueName: 'DURATION',
    description: 'Total deadline per name, retries included (default 60s)',
  },
  {
    name: 'max-attempts',
    type: 'int',
    valueName: 'N',
    min: 1,
    max: 100,
    description: 'Attempts per name, the first included (default 5)',
  },
  {
    name: 'verbose',
    type: 'boolean',
    description: 'Debug lines on stderr, as JSON: each attempt, retry and result (no credentials)',
  },
];

// Client-side selection after listing (list, cancel-all): see client/operation-selector.ts.
const SELECT_FLAGS: readonly FlagSpec[] = [
  {
    name: 'older-than',
    type: 'age',
    valueName: 'DURATION',
    description:
      'Only operations created longer ago than this (30m, 2h, 7d), by the create time in their metadata',
  },
  {
    name: 'kind',
    type: 'string',
    valueName: 'KIND',
    description:
      'Only operations of this kind: the verb or operation type (create, export-entities) or the metadata type (ImportDocumentsMetadata)',
  },
  {
    name: 'target',
    type: 'string',
    valueName: 'PATTERN',
    description:
      'Only operations whose target matches this glob (* any text, ? one character), e.g. gs://bucket/*',
  },
];

const CONFIRM_FLAGS: readonly FlagSpec[] = [
  {
    name: 'confirm',
    type: 'boolean',
    description: 'After the cancel, poll GetOperation: cancelled, completed, failed or still-running',
  },
  {
    name: 'confirm-timeout',
    type: 'duration',
    valueName: 'DURATION',
    description: 'How long --confirm waits for the operation to finish (default 60s)',
  },
];

/** Flags read by connectionOptions / confirmOptions (with checks across flags), not by commandOptions. */
const CHECKED_FLAGS: ReadonlySet<string> = new Set([
  ...ENDPOINT_FLAGS.map((f) => f.name),
  'confirm',
  'confirm-timeout',
]);

/**
 * The option a flag sets: its name in camelCase, durations with `Ms` (they are parsed to ms):
 * `--max-attempts` → maxAttempts, `--timeout` → timeoutMs, `--dry-run` → dryRun.
 */
export function optionKey(flag: FlagSpec): string {
  const key = flag.name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return flag.type === 'duration' || flag.type === 'age' ? `${key}Ms` : key;
}

/**
 * Every flag of a command, as its options: the one mapping from flags to options for all
 * commands (connection and confirm flags with their cross-checks, then every other flag by
 * `optionKey`). A flag that is not given sets nothing; a boolean one sets `true`.
 */
// Untyped on purpose (Record): the keys are the option interfaces' own names by this rule, and
// test/cli/flag-mapping.test.ts checks that every flag of every command lands on one its options declare.
function commandOptions(
  flags: FlagValues,
  specs: readonly FlagSpec[],
  command: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...connectionOptions(flags, command) };
  if (specs.some((f) => f.name === 'confirm')) Object.assign(out, confirmOptions(flags, command));
  for (const spec of specs) {
    if (CHECKED_FLAGS.has(spec.name)) continue;
    const value = flags[spec.name];
    if (value === undefined || value === false) continue;
    out[optionKey(spec)] = value;
  }
  return out;
}

/** `--confirm` / `--confirm-timeout`, checked together. */
function confirmOptions(
  flags: FlagValues,
  command: string,
): { confirm?: boolean; confirmTimeoutMs?: number } {
  const out: { confirm?: boolean; confirmTimeoutMs?: number } = {};
  if (flags.confirm === true) out.confirm = true;
  if (flags['confirm-timeout'] !== undefined) {
    if (!out.confirm) throw new UsageError('--confirm-timeout needs --confirm', command);
    out.confirmTimeoutMs = flags['confirm-timeout'] as number;
  }
  return out;
}

/** Read the shared connection flags, with the checks that span several of them. */
export function connectionOptions(flags: FlagValues, command: string): ConnectionOptions {
  const out: ConnectionOptions = {};
  const service = flags.service as string | undefined;
  const serviceHosts = flags['service-host'] as readonly string[] | undefined;
  if (serviceHosts !== undefined) {
    const hosts: string[] = [];
    for (const h of serviceHosts) {
      let host: string;
      try {
        host = customService(h).host;
      } catch (e) {
        throw new UsageError(`--service-host: ${(e as Error).message}`, command);
      }
      if (!hosts.includes(host)) hosts.push(host);
    }
    out.serviceHosts = hosts;
  }
  if (service !== undefined) {
    // A built-in id, or one of the hosts just allowed (how relative names pick one of several).
    const found =
      findService(service)?.id ?? out.serviceHosts?.find((h) => h === service.trim().toLowerCase());
    if (!found) {
      throw new UsageError(
        `--service: unknown service "${service}"; use one of ${serviceIds.join(', ')}, or a host also given as --service-host HOST`,
        command,
      );
    }
    out.service = found;
  } else if (out.serviceHosts?.length === 1) {
    out.service = out.serviceHosts[0] as string;
  }
  const endpoints = flags.endpoint as readonly string[] | undefined;
  if (endpoints !== undefined) out.endpoint = endpointOption(endpoints, command);
  if (flags.emulator !== undefined) out.emulator = flags.emulator as string;
  if (out.emulator !== undefined && out.endpoint !== undefined) {
    throw new UsageError(
      '--emulator and --endpoint cannot be combined: the emulator serves every service',
      command,
    );
  }
  if (flags['allow-insecure'] === true) out.allowInsecure = true;
  const transport = flags.transport as string | undefined;
  if (transport !== undefined) {
    if (transport !== 'grpc' && transport !== 'rest')
      throw new UsageError(`--transport: "${transport}" is not a transport; use grpc or rest`, command);
    out.transport = transport;
  }
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
      throw new UsageError(
        `--endpoint "${v}" must be HOST:PORT (port 1-65535) or SERVICE=HOST:PORT, e.g. us-central1-dataplex.googleapis.com:443`,
        command,
      );
    }
    if (eq === -1) {
      if (all !== undefined)
        throw new UsageError('--endpoint: HOST:PORT for every service given twice', command);
      all = target;
      continue;
    }
    const id = v.slice(0, eq);
    const found = findService(id);
    if (!found)
      throw new UsageError(
        `--endpoint: unknown service "${id}" in "${v}"; use one of ${serviceIds.join(', ')}`,
        command,
      );
    perService[found.id] = target;
  }
  if (all !== undefined && Object.keys(perService).length > 0) {
    throw new UsageError(
      '--endpoint: give either one HOST:PORT for every service or SERVICE=HOST:PORT entries, not both',
      command,
    );
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
      'so one run can mix services. A full name on a host that is not built in needs --service-host HOST.',
      'Names are checked before any call: a bad one gets its own "invalid-name" record and the others still run.',
      '',
      'Prints one JSON line per name, in the order given:',
      '  {"name","service","outcome","code","message","attempts","latencyMs"}',
      'With --confirm, each line tells what the operation became: "cancelled", "completed", "failed" or',
      '"still-running" (plus finalCode, finalMessage and confirmMs).',
      'Exit status: 0 when every name got "cancel-requested" (with --confirm: "cancelled" or "completed"),',
      '1 otherwise, 2 for usage errors.',
    ].join('\n'),
    flags: [
      ...CONNECTION_FLAGS,
      ...CALL_FLAGS,
      {
        name: 'concurrency',
        type: 'int',
        valueName: 'N',
        min: 1,
        max: 64,
        description: 'Names in flight at once (default 8)',
      },
      ...CONFIRM_FLAGS,
    ],
    positionals: { name: 'NAME', min: 1, max: Number.POSITIVE_INFINITY },
    examples: [
      'lro-cancel cancel --service dataplex projects/my-proj/locations/us-central1/operations/operation-123',
      'lro-cancel cancel //datastore.googleapis.com/projects/p/operations/o1 //privateca.googleapis.com/projects/p/locations/l/operations/o2',
      'LRO_CANCEL_EMULATOR_HOST=127.0.0.1:8080 lro-cancel cancel --service datastore projects/p/operations/o1',
    ],
    toOptions(flags, positionals) {
      return { names: [...positionals], ...commandOptions(flags, this.flags, 'cancel') };
    },
    load: async () => (await import('./commands/cancel-command')).cancelCommand,
  }),

  get: defineCommand<GetCommandOptions>({
    name: 'get',
    summary: 'Print operations as JSON (GetOperation), metadata and response decoded where known',
    usage: 'get NAME... [options]',
    description: [
      'Prints one JSON line per name: {"name","done","error","metadata","response"}, Any fields as',
      '{"@type", ...fields} when lro-cancel knows the type (the built-in services\' metadata and response',
      'types, google.rpc, Empty), else with a base64 "value". Names are checked against the service\'s',
      'GetOperation patterns.',
      'Exit status: 0 when every operation was read, 1 otherwise.',
    ].join('\n'),
    flags: [...CONNECTION_FLAGS, ...CALL_FLAGS],
    positionals: { name: 'NAME', min: 1, max: Number.POSITIVE_INFINITY },
    examples: ['lro-cancel get --service datastore projects/p/operations/o1'],
    toOptions(flags, positionals) {
      return { names: [...positionals], ...commandOptions(flags, this.flags, 'get') };
    },
    load: async () => (await import('./commands/get-command')).getCommand,
  }),

  list: defineCommand<ListCommandOptions>({
    name: 'list',
    summary: 'Stream every operation under a parent (ListOperations, all pages) as JSON lines',
    usage:
      'list PARENT --service ID [--filter EXPR] [--page-size N] [--limit N] [--older-than DURATION] [--kind KIND] [--target PATTERN]',
    description: [
      "PARENT as the service's http rule wants it: projects/p/locations/l, or projects/p for datastore",
      '(or //host/... to name the service). Follows next_page_token to the end, or stops at --limit.',
      'Each line has the operation with its metadata and response decoded, and "normalized": createTime,',
      'endTime, kind, target, cancelRequested, progress (those its service reports). --filter goes to',
      'the server; --older-than, --kind and --target select on the client, and an operation whose',
      'metadata lacks the field one needs is left out (stderr says how many, and why).',
    ].join('\n'),
    flags: [
      ...CONNECTION_FLAGS,
      ...CALL_FLAGS,
      {
        name: 'filter',
        type: 'string',
        valueName: 'EXPR',
        description: 'Server-side filter, e.g. done=false',
      },
      {
        name: 'page-size',
        type: 'int',
        valueName: 'N',
        min: 1,
        max: 10_000,
        description: 'Page size asked of the server',
      },
      {
        name: 'limit',
        type: 'int',
        valueName: 'N',
        min: 1,
        max: Number.MAX_SAFE_INTEGER,
        description: 'Stop after N operations',
      },
      ...SELECT_FLAGS,
    ],
    positionals: { name: 'PARENT', min: 1, max: 1 },
    examples: [
      'lro-cancel list projects/p/locations/us-central1 --service dataplex --filter done=false',
      'lro-cancel list projects/p --service datastore --older-than 1h --target "gs://my-bucket/*"',
    ],
    toOptions(flags, positionals) {
      return { parent: positionals[0] as string, ...commandOptions(flags, this.flags, 'list') };
    },
    load: async () => (await import('./commands/list-command')).listCommand,
  }),

  'cancel-all': defineCommand<CancelAllCommandOptions>({
    name: 'cancel-all',
    summary: 'List every operation under a parent that is not done, and cancel them all',
    usage:
      'cancel-all PARENT --service ID [--filter EXPR] [--older-than DURATION] [--kind KIND] [--target PATTERN] [--dry-run] [--confirm]',
    description: [
      'Lists to the end first (a page token may be an offset into the filtered list, so cancelling',
      'while paging would skip operations), then cancels with bounded concurrency: one JSON record',
      'per operation. --older-than, --kind and --target select on the client after listing; an',
      'operation whose metadata lacks the field one needs is not cancelled (the summary says how',
      "many were left out, and why). --dry-run prints what it would cancel, with each operation's",
      'normalized fields (createTime, endTime, kind, target, cancelRequested, progress), and sends no cancel.',
    ].join('\n'),
    flags: [
      ...CONNECTION_FLAGS,
      ...CALL_FLAGS,
      ...CONFIRM_FLAGS,
      {
        name: 'filter',
        type: 'string',
        valueName: 'EXPR',
        description: 'ListOperations filter (default done=false)',
      },
      {
        name: 'page-size',
        type: 'int',
        valueName: 'N',
        min: 1,
        max: 10_000,
        description: 'Page size asked of the server',
      },
      {
        name: 'dry-run',
        type: 'boolean',
        description: 'Print the names that would be cancelled; send no cancel',
      },
      {
        name: 'concurrency',
        type: 'int',
        valueName: 'N',
        min: 1,
        max: 4096,
        description: 'Calls in flight per service (default 64)',
      },
      { name: 'quiet', type: 'boolean', description: 'No summary on stderr' },
      ...SELECT_FLAGS,
    ],
    positionals: { name: 'PARENT', min: 1, max: 1 },
    examples: [
      'lro-cancel cancel-all projects/p/locations/l --service dataplex --dry-run',
      'lro-cancel cancel-all projects/p --service datastore --older-than 2h --kind export-entities --confirm',
    ],
    toOptions(flags, positionals) {
      return { parent: positionals[0] as string, ...commandOptions(flags, this.flags, 'cancel-all') };
    },
    load: async () => (await import('./commands/cancel-all-command')).cancelAllCommand,
  }),

  watch: defineCommand<WatchCommandOptions>({
    name: 'watch',
    summary: 'Watch operations until they end; cancel (and confirm) those still running at a budget',
    usage: 'watch NAME... --cancel-after DURATION [--wait-after-cancel DURATION] [--via wait|poll] [options]',
    description: [
      'Watches every NAME at once, riding out transient errors: over gRPC with WaitOperation (the',
      'server answers when the operation ends; a service that answers UNIMPLEMENTED is polled',
      'instead), over REST (no service binds WaitOperation to HTTP) or with --via poll by',
      'GetOperation polling with backoff (1 s, x1.5, capped at 30 s, never past the budget).',
      'An operation that ends within',
      '--cancel-after is left alone ("done-in-time"); one still running then is cancelled and',
      'confirmed ("cancelled-at-budget", or "still-running" when it has not ended --wait-after-cancel',
      'later). One line per name as it ends: {"kind":"watch","name","service","ending","cancelSent",',
      '"state","watchedMs",...}. Ctrl-C stops watching and cancels nothing ("interrupted", exit 130).',
      'Exit status: 0 when every operation ended (on its own or cancelled), 1 otherwise.',
    ].join('\n'),
    flags: [
      ...CONNECTION_FLAGS,
      ...CALL_FLAGS,
      {
        name: 'cancel-after',
        type: 'age',
        valueName: 'DURATION',
        description: 'Budget from now (30m, 2h, 3d): cancel what is still running then',
      },
      {
        name: 'wait-after-cancel',
        type: 'duration',
        valueName: 'DURATION',
        description: 'After the cancel, how long to wait for the operation to end (default 60s)',
      },
      {
        name: 'via',
        type: 'string',
        valueName: 'wait|poll',
        description: 'How to watch: wait (WaitOperation; the default over gRPC) or poll (GetOperation)',
      },
    ],
    positionals: { name: 'NAME', min: 1, max: Number.POSITIVE_INFINITY },
    examples: ['lro-cancel watch --service datastore projects/p/operations/export-1 --cancel-after 2h'],
    toOptions(flags, positionals) {
      const options = commandOptions(flags, this.flags, 'watch');
      if (options.cancelAfterMs === undefined) throw new UsageError('--cancel-after is required', 'watch');
      const via = options.via;
      if (via !== undefined && via !== 'wait' && via !== 'poll')
        throw new UsageError(`--via: "${String(via)}" is not a way to watch; use wait or poll`, 'watch');
      // Refused here rather than after the first read: no service binds WaitOperation to HTTP.
      if (via === 'wait' && options.transport === 'rest')
        throw new UsageError(
          '--via wait needs WaitOperation, which no service binds over HTTP: use --via poll, or --transport grpc',
          'watch',
        );
      return {
        names: [...positionals],
        ...options,
        via: via ?? (options.transport === 'rest' ? 'poll' : 'wait'),
      } as WatchCommandOptions;
    },
    load: async () => (await import('./commands/watch-command')).watchCommand,
  }),

  batch: defineCommand<BatchCommandOptions>({
    name: 'batch',
    summary: 'Cancel every name of a file or stdin: one record per line, resumable, Ctrl-C safe',
    usage:
      'batch [--input FILE|-] [--output FILE|-] [--service ID] [--concurrency N] [--rate N] [--journal FILE] [--confirm] [--quiet]',
    description: [
      'Input: one name per line (relative with --service, or //host/... full names to mix services;',
      'a host that is not built in must be allowed with --service-host HOST, or its lines are invalid);',
      'blank lines and # comments are skipped; CRLF and a UTF-8 BOM are accepted. Output: exactly one',
      'JSON record per name line, with its 1-based "line". Bad lines get "invalid-name" and no call.',
      'Concurrency is per service; --rate N paces calls so no second holds more than N per service.',
      "--journal FILE appends every final record (fsync'd before it is printed); running again with",
      'the same journal skips names already final there ("skipped"). Final: an outcome no retry can',
      'change (not error, denied, still-running, aborted, not-attempted). One run per journal at a time.',
      'Ctrl-C: no new calls, in-flight calls get a grace period, every remaining line gets',
      '"not-attempted", exit 130. A second Ctrl-C exits at once.',
      'Exit status: 0 when every record is a success outcome, 1 otherwise, 2 usage, 130 interrupted.',
    ].join('\n'),
    flags: [
      ...CONNECTION_FLAGS,
      ...CALL_FLAGS,
      ...CONFIRM_FLAGS,
      {
        name: 'input',
        type: 'string',
        valueName: 'FILE',
        description: 'Names, one per line; - for stdin (default)',
      },
      {
        name: 'output',
        type: 'string',
        valueName: 'FILE',
        description: 'Records as JSON lines; - for stdout (default)',
      },
      {
        name: 'concurrency',
        type: 'int',
        valueName: 'N',
        min: 1,
        max: 4096,
        description: 'Calls in flight per service (default: 64, raised to what rate x latency needs)',
      },
      {
        name: 'rate',
        type: 'int',
        valueName: 'N',
        min: 1,
        max: 1_000_000,
        description: 'Max calls per second per service (no limit by default)',
      },
      {
        name: 'journal',
        type: 'string',
        valueName: 'FILE',
        description: 'Append final records here; skip names already final in it',
      },
      {
        name: 'grace',
        type: 'duration',
        valueName: 'DURATION',
        description: 'After Ctrl-C, time for calls in flight to finish (default 10s)',
      },
      { name: 'quiet', type: 'boolean', description: 'No progress bar and no summary on stderr' },
    ],
    positionals: { name: '', min: 0, max: 0 },
    examples: [
      'lro-cancel batch --input names.txt --service dataplex --journal cancel.journal > results.ndjson',
      'lro-cancel batch --input - --confirm < names.txt',
    ],
    toOptions(flags) {
      return commandOptions(flags, this.flags, 'batch');
    },
    load: async () => (await import('./commands/batch-command')).batchCommand,
  }),

  auth: defineCommand<AuthCommandOptions>({
    name: 'auth',
    summary:
      'Show which credentials calls would use (source, principal, quota project, scopes); never the token',
    usage: 'auth [--service ID] [--json] [credential options]',
    description: [
      'Resolves the credentials the other commands would use, with the same flags and environment,',
      'without asking for a token: the source (access token file, or Application Default Credentials',
      'and which file), the principal (service account email, or "user"), impersonation, the quota',
      'project and where it comes from, the universe domain, the CA, the client certificate, and the',
      'scopes of each service (or of --service). Never prints a token.',
      'Exit status: 0 when credentials were found, 1 (with the fix) when none were, 2 usage error.',
    ].join('\n'),
    flags: [
      {
        name: 'service',
        type: 'string',
        valueName: 'ID',
        description: `Only this service's scopes: ${serviceIds.join(', ')}`,
      },
      { name: 'json', type: 'boolean', description: 'Print one JSON object' },
      ...CREDENTIAL_FLAGS,
    ],
    positionals: { name: '', min: 0, max: 0 },
    examples: [
      'lro-cancel auth',
      'lro-cancel auth --impersonate-service-account deployer@my-proj.iam.gserviceaccount.com --billing-project my-proj',
    ],
    toOptions(flags) {
      return commandOptions(flags, this.flags, 'auth');
    },
    load: async () => (await import('./commands/auth-command')).authCommand,
  }),

  services: defineCommand<ServicesCommandOptions>({
    name: 'services',
    summary: 'List the built-in services: id, host, API version, name patterns, scopes',
    usage: 'services [--json]',
    description: 'Prints the service registry. Any other service can be used with --service-host HOST.',
    flags: [{ name: 'json', type: 'boolean', description: 'Print a JSON array instead of a table' }],
    positionals: { name: '', min: 0, max: 0 },
    toOptions: (flags) => ({ json: flags.json === true }),
    load: async () => (await import('./commands/services-command')).servicesCommand,
  }),

  emulator: defineCommand<EmulatorCommandOptions>({
    name: 'emulator',
    summary: 'Run a local google.longrunning.Operations emulator (for demos and tests)',
    usage:
      'emulator [--port N] [--rest-port N] [--host HOST] [--seed N] [--seed-file FILE] [--default-service ID] [--fault SERVICE:KNOBS]... [--log FILE]',
    description: [
      'Serves google.longrunning.Operations over plaintext gRPC from memory, for every service',
      '(told apart by :authority; a loopback authority is --default-service), until SIGINT or',
      'SIGTERM. Prints its address and the line to export so that other shells send their calls',
      'there. --seed creates N running operations, spread over the five services, with names each',
      'service accepts; --seed-file one per line:',
      `  ${SEED_LINE_SYNTAX}.`,
      `--fault ${FAULT_SYNTAX}.`,
      '--log writes one JSON line per call (time, method, service, name, status, peer, deadline;',
      'never a credential).',
    ].join('\n'),
    flags: [
      {
        name: 'port',
        type: 'int',
        valueName: 'N',
        min: 0,
        max: 65535,
        description: 'Port to listen on (default 0: any free port)',
      },
      {
        name: 'rest-port',
        type: 'int',
        valueName: 'N',
        min: 0,
        max: 65535,
        description: 'Also serve the REST routes on this port (0: any free port), for --transport rest',
      },
      { name: 'host', type: 'string', valueName: 'HOST', description: 'Address to bind (default 127.0.0.1)' },
      {
        name: 'seed',
        type: 'int',
        valueName: 'N',
        min: 0,
        max: 1_000_000,
        description: 'Operations to create at start (default 0)',
      },
      {
        name: 'seed-file',
        type: 'string',
        valueName: 'FILE',
        description: 'Operations to create at start, one per line, with their behaviour (see above)',
      },
      {
        name: 'default-service',
        type: 'string',
        valueName: 'ID',
        description:
          'Service of calls whose :authority is loopback (127.0.0.1:PORT, localhost): clients that do not send a service host (default: none, they see only operations of no service)',
      },
      {
        name: 'fault',
        type: 'string',
        valueName: 'SERVICE:KNOBS',
        repeatable: true,
        description:
          'Inject faults: e.g. dataplex:unimplemented, *:latency=100ms, datastore:error-rate=0.2,quota=400',
      },
      {
        name: 'max-streams',
        type: 'int',
        valueName: 'N',
        min: 1,
        max: 1_000_000,
        description:
          'Concurrent streams per connection (Google front ends allow about 100; default unlimited)',
      },
      {
        name: 'log',
        type: 'string',
        valueName: 'FILE',
        description: 'Append one JSON line per call to FILE ("-" for stdout)',
      },
      {
        name: 'allow-insecure',
        type: 'boolean',
        description: 'Permit binding an address that is not loopback (the emulator has no auth)',
      },
    ],
    positionals: { name: '', min: 0, max: 0 },
    examples: [
      'lro-cancel emulator --port 8080 --seed 10',
      'lro-cancel emulator --port 8080 --seed 10 --fault privateca:unimplemented --fault "*:latency=50ms" --log calls.jsonl',
    ],
    toOptions(flags) {
      const options: EmulatorCommandOptions = {
        host: (flags.host as string | undefined) ?? '127.0.0.1',
        port: (flags.port as number | undefined) ?? 0,
        seed: (flags.seed as number | undefined) ?? 0,
      };
      if (flags['allow-insecure'] === true) options.allowInsecure = true;
      if (flags['rest-port'] !== undefined) options.restPort = flags['rest-port'] as number;
      if (flags['seed-file'] !== undefined) options.seedFile = flags['seed-file'] as string;
      if (flags.log !== undefined) options.log = flags.log as string;
      if (flags['max-streams'] !== undefined) options.maxStreams = flags['max-streams'] as number;
      const def = flags['default-service'] as string | undefined;
      if (def !== undefined) {
        const service = serviceOf(def);
        if (typeof service !== 'string' || service === '*')
          throw new UsageError(
            `--default-service: "${def}" is not a service id or a service host`,
            'emulator',
          );
        options.defaultService = service;
      }
      const faults: FaultFlag[] = [];
      for (const text of (flags.fault as readonly string[] | undefined) ?? []) {
        const f = parseFaultFlag(text);
        if ('error' in f) throw new UsageError(`--fault: ${f.error}`, 'emulator');
        faults.push(f);
      }
      if (faults.length > 0) options.faults = faults;
      return options;
    },
    load: async () => (await import('./commands/emulator-command')).emulatorCommand,
  }),
  // Each entry has its own options type; `any` here only checks the shape of the table.
  // biome-ignore lint/suspicious/noExplicitAny: each entry has its own options type; only the table's shape is checked
} satisfies Record<string, CommandSpec<any>>;

export type CommandName = keyof typeof commands;
export type OptionsOf<N extends CommandName> = (typeof commands)[N] extends CommandSpec<infer O> ? O : never;

export const commandNames = Object.keys(commands) as CommandName[];

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commands, name);
}
